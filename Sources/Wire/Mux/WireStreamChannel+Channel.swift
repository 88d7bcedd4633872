import NIOCore

// MARK: - Channel

extension WireStreamChannel: Channel {
    public var closeFuture: EventLoopFuture<Void> { closePromise.futureResult }
    public var pipeline: ChannelPipeline { _pipeline }
    public var localAddress: SocketAddress? { parent?.localAddress }
    public var remoteAddress: SocketAddress? { parent?.remoteAddress }
    public var isWritable: Bool { writableFlag.load(ordering: .relaxed) }
    public var isActive: Bool { activeFlag.load(ordering: .relaxed) }
    public var _channelCore: ChannelCore { self }

    public func setOption<Option: ChannelOption>(_ option: Option, value: Option.Value) -> EventLoopFuture<Void> {
        if eventLoop.inEventLoop {
            return eventLoop.makeCompletedFuture { try setOption0(option, value: value) }
        }
        return eventLoop.submit { try self.setOption0(option, value: value) }
    }

    public func getOption<Option: ChannelOption>(_ option: Option) -> EventLoopFuture<Option.Value> {
        if eventLoop.inEventLoop {
            return eventLoop.makeCompletedFuture { try getOption0(option) }
        }
        return eventLoop.submit { try self.getOption0(option) }
    }

    private func setOption0<Option: ChannelOption>(_ option: Option, value: Option.Value) throws {
        switch option {
        case _ as ChannelOptions.Types.AutoReadOption:
            autoRead = value as! Bool
            if autoRead && isActive { pipeline.read() }
        case _ as ChannelOptions.Types.AllowRemoteHalfClosureOption:
            allowRemoteHalfClosure = value as! Bool
        case _ as WireStreamOptions.Types.CompressionOption:
            compression = value as! Bool
        default:
            throw ChannelError.operationUnsupported
        }
    }

    private func getOption0<Option: ChannelOption>(_ option: Option) throws -> Option.Value {
        switch option {
        case _ as ChannelOptions.Types.AutoReadOption:
            return autoRead as! Option.Value
        case _ as ChannelOptions.Types.AllowRemoteHalfClosureOption:
            return allowRemoteHalfClosure as! Option.Value
        case _ as WireStreamOptions.Types.CompressionOption:
            return compression as! Option.Value
        default:
            throw ChannelError.operationUnsupported
        }
    }
}

// `Channel` requires Sendable. Mutable state is touched only on `eventLoop`
// (every entry point either runs there or hops there); the flags read from
// other threads are atomics.
extension WireStreamChannel: @unchecked Sendable {}

// MARK: - ChannelCore

extension WireStreamChannel: ChannelCore {
    public func localAddress0() throws -> SocketAddress {
        guard let address = parent?.localAddress else { throw ChannelError.operationUnsupported }
        return address
    }

    public func remoteAddress0() throws -> SocketAddress {
        guard let address = parent?.remoteAddress else { throw ChannelError.operationUnsupported }
        return address
    }

    public func register0(promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    public func registerAlreadyConfigured0(promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    public func bind0(to: SocketAddress, promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    public func connect0(to: SocketAddress, promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    public func write0(_ data: NIOAny, promise: EventLoopPromise<Void>?) {
        if let error = machine.write() {
            promise?.fail(error)
            return
        }
        outbound.append(unwrapData(data, as: ByteBuffer.self), promise: promise)
        updateWritability()
    }

    public func flush0() {
        guard outbound.hasUnflushed else { return }
        outbound.flush()
        multiplexer?.streamHasWork(self)
    }

    public func read0() {
        readRequested()
    }

    public func close0(error: Error, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        closeRequested(mode, promise: promise)
    }

    public func triggerUserOutboundEvent0(_ event: Any, promise: EventLoopPromise<Void>?) {
        guard event is WireStreamAbandon else {
            promise?.fail(ChannelError.operationUnsupported)
            return
        }
        abandon(promise: promise)
    }

    public func channelRead0(_ data: NIOAny) {
        // Reads that reached the head of the pipeline are dropped, as in a socket channel.
    }

    public func errorCaught0(error: Error) {
        // Errors that reached the head of the pipeline need no action.
    }
}

/// An outbound user event that closes a stream whose other end is gone:
/// if the peer may still send, nobody will read it, so the stream is reset
/// at once with CANCEL, dropping what is still queued; otherwise it closes
/// as `close()` does (queued data, then FIN). `close()` alone would wait
/// for the peer's end ([STREAM-7]). Channels other than streams fail it as
/// unsupported.
public struct WireStreamAbandon: Sendable, Hashable {
    public init() {}
}

/// Options specific to stream channels.
public enum WireStreamOptions {
    public enum Types {
        /// Whether this side may LZ4-compress the stream's DATA ([COMP-2]).
        public struct CompressionOption: ChannelOption, Sendable {
            public typealias Value = Bool
            public init() {}
        }
    }

    public static let compression = Types.CompressionOption()
}
