import COpenSSL

/// OpenSSL, set up once per process without its clean-up at exit.
///
/// By default OpenSSL frees its global state (its locks among it) from an
/// `atexit` handler. An agent's process exits while its event-loop threads
/// may still be closing connections (the group lives as long as the process
/// and is never shut down), and a key freed after that clean-up unlocks a
/// lock that is gone: the process crashed at exit (seen under
/// ThreadSanitizer in `homeagent`: SEGV in `CRYPTO_free_ex_data` from
/// `EVP_PKEY_free` as a closed connection released its TLS context).
/// `OPENSSL_INIT_NO_ATEXIT` leaves that memory to the operating system.
///
/// The option counts only if it comes with the process's first OpenSSL
/// initialisation, so the agents call `initialize()` before anything else,
/// and the Wire types that hold OpenSSL objects call it too.
public enum OpenSSLLibrary {
    /// Idempotent and thread-safe; the first call does the work.
    public static func initialize() {
        _ = initialized
    }

    private static let initialized: Bool = {
        OPENSSL_init_ssl(UInt64(OPENSSL_INIT_NO_ATEXIT), nil) == 1
    }()
}
