import NIOCore

extension ByteBuffer {
    /// Appends `frame` in its wire form. The encoder does not check limits;
    /// the session never builds a frame that breaks them.
    public mutating func writeFrame(_ frame: Frame) {
        switch frame {
        case .hello(let hello):
            writeFrameHeader(FrameHeader(length: UInt32(4 + 6 * hello.settings.count), type: .hello, streamID: .connection))
            writeMultipleIntegers(hello.minimumVersion, hello.maximumVersion)
            for setting in hello.settings {
                writeMultipleIntegers(setting.id.rawValue, setting.value)
            }
        case .open(let id, let metadata, let initialData):
            let start = writerIndex
            writeFrameHeader(FrameHeader(length: 0, type: .open, streamID: id))
            writeMetadata(metadata)
            writeImmutableBuffer(initialData)
            setInteger(UInt32(writerIndex - start - FrameHeader.size), at: start)
        case .data(let id, .plain(let bytes)):
            writeFrameHeader(FrameHeader(length: UInt32(bytes.readableBytes), type: .data, streamID: id))
            writeImmutableBuffer(bytes)
        case .data(let id, .lz4(let decodedLength, let block)):
            writeFrameHeader(FrameHeader(length: UInt32(4 + block.readableBytes), type: .data, flags: .compressed, streamID: id))
            writeInteger(UInt32(decodedLength))
            writeImmutableBuffer(block)
        case .windowUpdate(let id, let increment):
            writeFrameHeader(FrameHeader(length: 4, type: .windowUpdate, streamID: id))
            writeInteger(increment)
        case .fin(let id):
            writeFrameHeader(FrameHeader(length: 0, type: .fin, streamID: id))
        case .rst(let id, let code):
            writeFrameHeader(FrameHeader(length: 4, type: .rst, streamID: id))
            writeInteger(code.rawValue)
        case .ping(let opaque):
            writeFrameHeader(FrameHeader(length: 8, type: .ping, streamID: .connection))
            writeInteger(opaque)
        case .pong(let opaque):
            writeFrameHeader(FrameHeader(length: 8, type: .pong, streamID: .connection))
            writeInteger(opaque)
        case .goAway(let last, let code, let debug):
            let text = debug.utf8Prefix(maxBytes: FrameLimits.maximumDebugBytes)
            writeFrameHeader(FrameHeader(length: UInt32(8 + text.count), type: .goAway, streamID: .connection))
            writeMultipleIntegers(last.rawValue, code.rawValue)
            writeBytes(text)
        case .control(let kind, let body):
            writeFrameHeader(FrameHeader(length: UInt32(2 + body.readableBytes), type: .control, streamID: .connection))
            writeInteger(kind)
            writeImmutableBuffer(body)
        case .unknown(let header):
            // Only tests send unknown frames; the payload is zero-filled.
            writeFrameHeader(header)
            writeRepeatingByte(0, count: Int(header.length))
        }
    }

    /// Writes the OPEN metadata block: its u16 length, then the TLVs.
    mutating func writeMetadata(_ metadata: StreamMetadata) {
        let start = writerIndex
        writeInteger(UInt16(0))
        writeTLV(.forward) { $0.writeString(metadata.forward) }
        if let address = metadata.clientAddress {
            writeTLV(.clientAddress) {
                $0.writeInteger(UInt8(address.isIPv6 ? 6 : 4))
                $0.writeBytes(address.ipBytes)
                $0.writeInteger(address.port)
            }
        }
        if let name = metadata.serverName {
            writeTLV(.serverName) { $0.writeString(name) }
        }
        if let port = metadata.publicPort {
            writeTLV(.publicPort) { $0.writeInteger(port) }
        }
        if let purpose = metadata.purpose {
            writeTLV(.purpose) { $0.writeInteger(purpose.rawValue) }
        }
        setInteger(UInt16(writerIndex - start - 2), at: start)
    }

    private mutating func writeTLV(_ tag: MetadataTag, _ body: (inout ByteBuffer) -> Void) {
        writeInteger(tag.rawValue)
        let lengthAt = writerIndex
        writeInteger(UInt16(0))
        body(&self)
        setInteger(UInt16(writerIndex - lengthAt - 2), at: lengthAt)
    }
}

extension String {
    /// The longest prefix of whole characters whose UTF-8 fits in `maxBytes`.
    func utf8Prefix(maxBytes: Int) -> Substring.UTF8View {
        guard utf8.count > maxBytes else { return self[...].utf8 }
        var end = startIndex
        var used = 0
        for index in indices {
            let next = self.index(after: index)
            used += self[index..<next].utf8.count
            guard used <= maxBytes else { break }
            end = next
        }
        return self[..<end].utf8
    }
}
