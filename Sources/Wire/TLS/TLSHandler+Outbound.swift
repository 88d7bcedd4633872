// The outbound half of TLSHandler: writes, flushes, close_notify and failure.

import NIOCore

extension TLSHandler {
    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        switch state {
        case .idle, .handshaking, .active: pendingWrites.append((buffer, promise))
        case .closing, .closed: promise?.fail(ChannelError.outputClosed)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        switch state {
        case .idle, .handshaking: flushRequested = true
        case .active:
            encryptPendingWrites(context: context)
            context.flush()
        case .closing, .closed: context.flush()
        }
    }

    /// Encrypts everything written since the last flush into full-size records.
    ///
    /// Writers above (the session) emit small buffers — a 12-byte frame header,
    /// then its payload, a WINDOW_UPDATE — and one SSL_write each would make a
    /// record each, with 22 bytes of overhead and an AEAD pass per record. So
    /// small writes are gathered into a staging buffer of one record's size;
    /// whole records' worth of a large buffer are encrypted in place, uncopied.
    func encryptPendingWrites(context: ChannelHandlerContext) {
        guard !pendingWrites.isEmpty else { return }
        let writes = pendingWrites
        pendingWrites.removeAll(keepingCapacity: true)
        let record = Self.maximumRecordPlaintext
        var staging = context.channel.allocator.buffer(capacity: 0)
        var promises: [EventLoopPromise<Void>] = []
        for (buffer, promise) in writes {
            if let promise { promises.append(promise) }
            var rest = buffer
            if staging.readableBytes + rest.readableBytes < record {
                if staging.capacity == 0 { staging.reserveCapacity(record) }
                staging.writeBuffer(&rest)
                continue
            }
            if staging.readableBytes > 0 {
                var head = rest.readSlice(length: record - staging.readableBytes)!
                staging.writeBuffer(&head)
                guard encryptChunk(context: context, staging, promises: &promises) else { return }
                staging.clear()
            }
            let whole = rest.readableBytes / record * record
            if whole > 0 {
                guard encryptChunk(context: context, rest.readSlice(length: whole)!, promises: &promises) else { return }
            }
            if rest.readableBytes > 0 {
                if staging.capacity == 0 { staging.reserveCapacity(record) }
                staging.writeBuffer(&rest)
            }
        }
        if staging.readableBytes > 0 {
            guard encryptChunk(context: context, staging, promises: &promises) else { return }
        }
        let combined: EventLoopPromise<Void>?
        switch promises.count {
        case 0: combined = nil
        case 1: combined = promises[0]
        default:
            combined = context.eventLoop.makePromise()
            for promise in promises { combined!.futureResult.cascade(to: promise) }
        }
        writeCiphertext(context: context, promise: combined, flush: false)
    }

    /// SSL_writes one chunk; on failure fails `promises` and the channel and returns false.
    private func encryptChunk(context: ChannelHandlerContext, _ chunk: ByteBuffer, promises: inout [EventLoopPromise<Void>]) -> Bool {
        guard let engine else { return false }
        let failure: TLSError
        switch engine.write(chunk) {
        case .done:
            return true
        case .closeNotify:
            failure = TLSError(.protocolError, "write after close_notify")
        case .wantsMore:
            // Cannot happen with a memory BIO and TLS 1.3; never drop plaintext silently if it does.
            failure = TLSError(.protocolError, "OpenSSL asked to retry a write, which TLSHandler does not expect")
        case .failed(let error):
            failure = error
        }
        for promise in promises { promise.fail(failure) }
        promises.removeAll()
        fail(context: context, failure)
        return false
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode != .input, state == .active, let engine else {
            if mode != .input { failPendingWrites(ChannelError.ioOnClosedChannel) }
            if mode == .all, state != .closed { state = .closing }
            context.close(mode: mode, promise: promise)
            return
        }
        // Send close_notify, then close once it is written (or after the shutdown timeout).
        state = .closing
        engine.shutdown()
        let written = context.eventLoop.makePromise(of: Void.self)
        writeCiphertext(context: context, promise: written, flush: true)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let fallback = context.eventLoop.scheduleTask(in: tlsContext.configuration.shutdownTimeout) {
            loopBound.value.close(mode: .all, promise: nil)
        }
        written.futureResult.whenComplete { _ in
            fallback.cancel()
            loopBound.value.close(mode: mode, promise: promise)
        }
    }

    /// Writes whatever ciphertext OpenSSL produced; completes `promise` even if there is none.
    func writeCiphertext(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?, flush: Bool) {
        guard let ciphertext = engine?.drainCiphertext(allocator: context.channel.allocator) else {
            promise?.succeed(())
            return
        }
        context.write(wrapOutboundOut(ciphertext), promise: promise)
        if flush { context.flush() }
    }

    /// Reports `error` once, sends any queued alert, and closes the channel.
    func fail(context: ChannelHandlerContext, _ error: TLSError) {
        guard state != .closed else { return }
        state = .closed
        timer?.cancel()
        writeCiphertext(context: context, promise: nil, flush: true)
        failPendingWrites(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    func failPendingWrites(_ error: any Error) {
        let writes = pendingWrites
        pendingWrites.removeAll()
        for (_, promise) in writes { promise?.fail(error) }
    }
}
