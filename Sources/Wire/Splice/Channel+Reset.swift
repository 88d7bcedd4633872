import NIOCore
#if canImport(Glibc)
import Glibc
#endif

extension Channel {
    /// Closes the channel with a TCP reset (`SO_LINGER` 0, then close):
    /// what it had not sent yet is dropped and the peer reads ECONNRESET,
    /// not the end of a complete answer. For a connection that failed or
    /// was refused; a channel that is not a socket just closes.
    public func closeWithReset() {
        guard let socket = self as? SocketOptionProvider else { return close(promise: nil) }
        socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in self.close(promise: nil) }
    }
}
