import NIOCore

extension EventLoopFuture where Value: Sendable {
    /// This future's result, or `error` once `timeout` passed without one.
    /// Both outcomes are decided on the future's event loop, so exactly one
    /// completes the returned future.
    func timingOut(after timeout: TimeAmount, with error: any Error & Sendable) -> EventLoopFuture<Value> {
        let promise = eventLoop.makePromise(of: Value.self)
        let settled = NIOLoopBoundBox.makeBoxSendingValue(false, eventLoop: eventLoop)
        let timer = eventLoop.scheduleTask(in: timeout) {
            guard !settled.value else { return }
            settled.value = true
            promise.fail(error)
        }
        whenComplete { result in
            timer.cancel()
            guard !settled.value else { return }
            settled.value = true
            promise.completeWith(result)
        }
        return promise.futureResult
    }
}
