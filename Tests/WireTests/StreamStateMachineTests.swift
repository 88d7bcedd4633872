import NIOCore
import Testing
@testable import Wire

/// Every transition of the stream's lifecycle and every illegal event, on
/// the pure value alone ([STREAM-4], [STREAM-7], [STREAM-8]).
@Suite("Stream state machine")
struct StreamStateMachineTests {
    /// A machine driven through `events` first.
    private func machine(_ events: (inout StreamStateMachine) -> Void = { _ in }) -> StreamStateMachine {
        var machine = StreamStateMachine()
        events(&machine)
        return machine
    }

    // MARK: Both directions open

    @Test("a new stream takes writes, sends and receives")
    func fresh() {
        let stream = machine()
        #expect(stream.wireState == .open)
        #expect(stream.write() == nil)
        #expect(stream.sendsData && stream.receives && stream.acceptsWrites && !stream.finQueued)
    }

    @Test("DATA on an open stream is buffered for the reader")
    func dataWhileOpen() {
        var stream = machine()
        #expect(stream.receiveData() == .bufferInput)
        #expect(stream.wireState == .open)
    }

    @Test("close(mode: .output) queues FIN behind the data; writes then fail with outputClosed")
    func closeOutput() {
        var stream = machine()
        #expect(stream.closeOutput() == .queueFIN)
        #expect(stream.finQueued && stream.sendsData && !stream.acceptsWrites)
        #expect(stream.write() == .outputClosed)
        #expect(stream.wireState == .open, "the FIN has not gone out yet")
    }

    @Test("our FIN sent: half-closed (local), the channel stays open for reading")
    func finSentAfterCloseOutput() {
        var stream = machine { _ = $0.closeOutput() }
        #expect(stream.finSent() == .succeedFIN)
        #expect(stream.wireState == .halfClosedLocal)
        #expect(stream.phase == .active && !stream.sendsData && stream.receives)
        #expect(stream.receiveData() == .bufferInput, "the peer's direction is still open")
    }

    @Test("the peer's FIN: half-closed (remote), input is delivered up to the end")
    func receiveFINWhileOpen() {
        var stream = machine()
        #expect(stream.receiveFIN() == .deliverInput)
        #expect(stream.input == .finReceived)
        #expect(stream.wireState == .halfClosedRemote)
        #expect(stream.sendsData && stream.acceptsWrites && !stream.receives)
    }

    @Test("input read to the end with half-closure allowed: inputClosed, the stream may still send")
    func inputDrainedHalfClosure() {
        var stream = machine { _ = $0.receiveFIN() }
        #expect(stream.inputDrained(allowRemoteHalfClosure: true) == .fireInputClosed)
        #expect(stream.input == .ended && stream.phase == .active && stream.acceptsWrites)
    }

    @Test("input read to the end without half-closure: the stream closes itself gracefully")
    func inputDrainedClosesGracefully() {
        var stream = machine { _ = $0.receiveFIN() }
        #expect(stream.inputDrained(allowRemoteHalfClosure: false) == [.discardInput, .queueFIN])
        #expect(stream.phase == .closing)
        #expect(stream.finSent() == [.succeedFIN, .closeChannel, .release])
        #expect(stream.wireState == .closed && stream.isReleased)
    }

    @Test("both FINs and the input read: the channel closes and the stream is released")
    func bothFINs() {
        var stream = machine {
            _ = $0.receiveFIN()
            _ = $0.inputDrained(allowRemoteHalfClosure: true)
            _ = $0.closeOutput()
        }
        #expect(stream.finSent() == [.succeedFIN, .closeChannel, .release])
        #expect(stream.phase == .closed && stream.isReleased)
    }

    @Test("our FIN first, then the peer's: the end of input closes the channel")
    func finSentThenReceived() {
        var stream = machine {
            _ = $0.closeOutput()
            _ = $0.finSent()
        }
        #expect(stream.receiveFIN() == .deliverInput)
        #expect(stream.wireState == .closed)
        #expect(!stream.isReleased, "the reader has not read the end yet")
        #expect(stream.inputDrained(allowRemoteHalfClosure: true) == [.fireInputClosed, .closeChannel, .release])
    }

    @Test("both FINs exchanged but input unread: the stream is kept until it is read")
    func closedOnWireWithUnreadInput() {
        var stream = machine {
            _ = $0.receiveFIN()
            _ = $0.closeOutput()
        }
        #expect(stream.finSent() == .succeedFIN)
        #expect(stream.wireState == .closed && !stream.isReleased && stream.phase == .active)
    }

    // MARK: close()

    @Test("close() with both directions open: data then FIN, the channel closes once the FIN is out")
    func closeWhileOpen() {
        var stream = machine()
        #expect(stream.close(unreadInput: false) == [.discardInput, .queueFIN])
        #expect(stream.phase == .closing && stream.finQueued && !stream.acceptsWrites)
        #expect(stream.write() == .ioOnClosedChannel)
        #expect(stream.finSent() == [.succeedFIN, .closeChannel])
        #expect(stream.phase == .closed && !stream.isReleased, "orphaned: the peer may still send")
        #expect(stream.wireState == .halfClosedLocal)
    }

    @Test("orphaned stream: the peer's FIN releases it")
    func orphanReleasedByFIN() {
        var stream = machine {
            _ = $0.close(unreadInput: false)
            _ = $0.finSent()
        }
        #expect(stream.receiveFIN() == .release)
        #expect(stream.isReleased && stream.wireState == .closed)
    }

    @Test("[STREAM-7] orphaned stream: DATA nobody will read is answered with RST CANCEL")
    func orphanResetByData() {
        var stream = machine {
            _ = $0.close(unreadInput: false)
            _ = $0.finSent()
        }
        #expect(stream.receiveData() == [.sendReset(.cancel), .discardInput, .failWrites, .release])
        #expect(stream.isReleased)
    }

    @Test("[STREAM-7] DATA while close() still sends: RST CANCEL, the channel closes at once")
    func dataWhileClosing() {
        var stream = machine { _ = $0.close(unreadInput: false) }
        #expect(stream.receiveData() == [.sendReset(.cancel), .discardInput, .failWrites, .fireError, .closeChannel, .release])
        #expect(stream.phase == .closed && stream.isReleased)
    }

    @Test("the peer's FIN while close() still sends: the channel closes when our FIN is out")
    func finWhileClosing() {
        var stream = machine { _ = $0.close(unreadInput: false) }
        #expect(stream.receiveFIN() == [])
        #expect(stream.finSent() == [.succeedFIN, .closeChannel, .release])
    }

    @Test("close() after the peer's FIN: unread input is dropped, data then FIN")
    func closeAfterPeerFIN() {
        var stream = machine { _ = $0.receiveFIN() }
        #expect(stream.close(unreadInput: false) == [.discardInput, .queueFIN])
        #expect(stream.input == .ended)
        #expect(stream.finSent() == [.succeedFIN, .closeChannel, .release])
    }

    @Test("close() after close(mode: .output): the queued FIN is not queued twice")
    func closeAfterCloseOutput() {
        var stream = machine { _ = $0.closeOutput() }
        #expect(stream.close(unreadInput: false) == .discardInput)
        #expect(stream.finSent() == [.succeedFIN, .closeChannel])
    }

    @Test("close() after our FIN went out: the channel closes at once")
    func closeAfterFINSent() {
        var stream = machine {
            _ = $0.closeOutput()
            _ = $0.finSent()
        }
        #expect(stream.close(unreadInput: false) == [.discardInput, .closeChannel])
        #expect(!stream.isReleased)
    }

    @Test("close() after both FINs: the channel closes and the stream is released")
    func closeAfterBothFINs() {
        var stream = machine {
            _ = $0.receiveFIN()
            _ = $0.closeOutput()
            _ = $0.finSent()
        }
        #expect(stream.close(unreadInput: false) == [.discardInput, .closeChannel, .release])
    }

    @Test("close() twice while closing: nothing new happens")
    func closeTwice() {
        var stream = machine { _ = $0.close(unreadInput: false) }
        #expect(stream.close(unreadInput: false) == .discardInput)
        #expect(stream.phase == .closing)
    }

    @Test("close() with input unread while the peer may still send: RST CANCEL at once, as a TCP close with unread data")
    func closeWithUnreadInputWhileOpen() {
        var stream = machine()
        #expect(stream.close(unreadInput: true) == [.sendReset(.cancel), .discardInput, .failWrites, .fireError, .closeChannel, .release])
        var finished = machine { _ = $0.receiveFIN() }
        #expect(finished.close(unreadInput: true) == [.discardInput, .queueFIN], "the peer sends no more: FIN")
    }

    @Test("abandon() while the peer may still send: RST CANCEL, nothing waits")
    func abandonWhileOpen() {
        var stream = machine()
        #expect(stream.abandon() == [.sendReset(.cancel), .discardInput, .failWrites, .fireError, .closeChannel, .release])
    }

    @Test("abandon() after the peer's FIN: the same as close()")
    func abandonAfterPeerFIN() {
        var stream = machine { _ = $0.receiveFIN() }
        #expect(stream.abandon() == [.discardInput, .queueFIN])
        var released = machine { _ = $0.receiveReset() }
        #expect(released.abandon() == .fail(.alreadyClosed))
    }

    // MARK: Resets and the session's end

    @Test("the peer's RST ends everything without a frame")
    func receiveReset() {
        var stream = machine()
        #expect(stream.receiveReset() == [.discardInput, .failWrites, .fireError, .closeChannel, .release])
        #expect(stream.isReleased && stream.wireState == .closed && !stream.sendsData && !stream.receives)
    }

    @Test("our reset sends RST and ends everything")
    func reset() {
        var stream = machine()
        #expect(stream.reset(.internalError) == [.sendReset(.internalError), .discardInput, .failWrites, .fireError, .closeChannel, .release])
    }

    @Test("a reset after both FINs sends no RST: the stream is closed on the wire")
    func resetAfterBothFINs() {
        var stream = machine {
            _ = $0.receiveFIN()
            _ = $0.closeOutput()
            _ = $0.finSent()
        }
        #expect(stream.reset(.cancel) == [.discardInput, .failWrites, .fireError, .closeChannel, .release])
    }

    @Test("a failed pipeline setup resets with its code and leaves nothing open")
    func initializerFailed() {
        var stream = machine()
        #expect(stream.initializerFailed(.refusedStream) == [.sendReset(.refusedStream), .discardInput, .failWrites, .fireError, .closeChannel, .release])
        #expect(stream.isReleased)
    }

    @Test("the session's end fails writes and closes, without a frame")
    func sessionEnded() {
        var stream = machine { _ = $0.closeOutput() }
        #expect(stream.sessionEnded() == [.discardInput, .failWrites, .fireError, .closeChannel, .release])
        #expect(!stream.finQueued && !stream.sendsData)
    }

    @Test("an orphaned stream's RST or session end only releases it")
    func orphanReset() {
        let orphan = machine {
            _ = $0.close(unreadInput: false)
            _ = $0.finSent()
        }
        var reset = orphan
        #expect(reset.receiveReset() == [.discardInput, .failWrites, .release])
        var ended = orphan
        #expect(ended.sessionEnded() == [.discardInput, .failWrites, .release])
    }

    // MARK: Illegal events

    @Test("[STREAM-8] DATA after the peer's FIN is a stream error STREAM_CLOSED")
    func dataAfterFIN() {
        var stream = machine { _ = $0.receiveFIN() }
        #expect(stream.receiveData() == [.sendReset(.streamClosed), .discardInput, .failWrites, .fireError, .closeChannel, .release])
    }

    @Test("[STREAM-8] a second FIN is a stream error STREAM_CLOSED")
    func secondFIN() {
        var stream = machine {
            _ = $0.receiveFIN()
            _ = $0.inputDrained(allowRemoteHalfClosure: true)
        }
        #expect(stream.receiveFIN() == [.sendReset(.streamClosed), .discardInput, .failWrites, .fireError, .closeChannel, .release])
    }

    @Test("[STREAM-8] after both FINs, DATA ends the stream without an RST")
    func dataAfterBothFINs() {
        var stream = machine {
            _ = $0.receiveFIN()
            _ = $0.closeOutput()
            _ = $0.finSent()
        }
        #expect(stream.receiveData() == [.discardInput, .failWrites, .fireError, .closeChannel, .release])
    }

    @Test("[STREAM-6] every frame of the peer is ignored once the stream is released")
    func framesAfterRelease() {
        var stream = machine { _ = $0.receiveReset() }
        #expect(stream.receiveData() == [])
        #expect(stream.receiveFIN() == [])
        #expect(stream.receiveReset() == [])
        #expect(stream.reset(.cancel) == [])
        #expect(stream.sessionEnded() == [])
    }

    @Test("close(mode: .output) twice, or after close(): outputClosed")
    func closeOutputTwice() {
        var twice = machine { _ = $0.closeOutput() }
        #expect(twice.closeOutput() == .fail(.outputClosed))
        var afterClose = machine { _ = $0.close(unreadInput: false) }
        #expect(afterClose.closeOutput() == .fail(.outputClosed))
    }

    @Test("closing a closed channel fails with alreadyClosed; writes with ioOnClosedChannel")
    func closeWhenClosed() {
        var stream = machine { _ = $0.receiveReset() }
        #expect(stream.close(unreadInput: false) == .fail(.alreadyClosed))
        #expect(stream.closeOutput() == .fail(.alreadyClosed))
        #expect(stream.write() == .ioOnClosedChannel)
    }

    @Test("end of input is not delivered twice, nor before the peer's FIN, nor after close()")
    func inputDrainedOutOfTurn() {
        var open = machine()
        #expect(open.inputDrained(allowRemoteHalfClosure: true) == [])
        var delivered = machine {
            _ = $0.receiveFIN()
            _ = $0.inputDrained(allowRemoteHalfClosure: true)
        }
        #expect(delivered.inputDrained(allowRemoteHalfClosure: true) == [])
        var closing = machine {
            _ = $0.receiveFIN()
            _ = $0.close(unreadInput: false)
        }
        #expect(closing.inputDrained(allowRemoteHalfClosure: true) == [])
    }
}
