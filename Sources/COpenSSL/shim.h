// Functions OpenSSL exposes only as macros, wrapped so that Swift can call them.
//
// Every wrapper is `static inline` and prefixed `portico_`; it does nothing but
// forward to the macro (or to the real function the macro expands to), so its
// OpenSSL documentation applies unchanged.
#ifndef PORTICO_COPENSSL_SHIM_H
#define PORTICO_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>

// MARK: - SSL_CTX / SSL controls

static inline int portico_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline int portico_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

static inline int portico_SSL_CTX_add1_chain_cert(SSL_CTX *ctx, X509 *cert) {
    return (int)SSL_CTX_add1_chain_cert(ctx, cert);
}

static inline long portico_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

/// Modes the TLS handler relies on: the plaintext buffer may move between
/// retries of SSL_write. (No SSL_MODE_RELEASE_BUFFERS: a tunnel connection is
/// long-lived and busy, so keeping its record buffers saves malloc churn.)
static inline long portico_SSL_MODE_handler_defaults(void) {
    return SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
}

static inline int portico_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline int portico_SSL_VERIFY_PEER_mutual(void) {
    return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
}

static inline uint64_t portico_SSL_OP_hardening(void) {
    // No renegotiation exists in TLS 1.3, but be explicit; no compression; the
    // server picks the cipher order.
    return SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION;
}

// MARK: - BIO

static inline long portico_BIO_set_mem_eof_return(BIO *bio, long value) {
    return BIO_set_mem_eof_return(bio, value);
}

static inline long portico_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

// MARK: - Memory and errors

static inline void portico_OPENSSL_free(void *ptr) {
    OPENSSL_free(ptr);
}

static inline int portico_ERR_GET_REASON(unsigned long code) {
    return ERR_GET_REASON(code);
}

static inline int portico_ERR_GET_LIB(unsigned long code) {
    return ERR_GET_LIB(code);
}

/// Records an SSL-library error (ERR_raise is a macro over a variadic function).
static inline void portico_ERR_raise_ssl(int reason) {
    ERR_raise(ERR_LIB_SSL, reason);
}

// MARK: - Stacks

static inline int portico_sk_X509_num(const STACK_OF(X509) *sk) {
    return sk_X509_num(sk);
}

static inline X509 *portico_sk_X509_value(const STACK_OF(X509) *sk, int i) {
    return sk_X509_value(sk, i);
}

static inline STACK_OF(X509) *portico_sk_X509_new_null(void) {
    return sk_X509_new_null();
}

static inline int portico_sk_X509_push(STACK_OF(X509) *sk, X509 *cert) {
    return sk_X509_push(sk, cert);
}

/// Frees the stack only; the certificates it points to are not released.
static inline void portico_sk_X509_free(STACK_OF(X509) *sk) {
    sk_X509_free(sk);
}

/// Frees the stack and releases one reference on every certificate in it.
static inline void portico_sk_X509_pop_free(STACK_OF(X509) *sk) {
    sk_X509_pop_free(sk, X509_free);
}

static inline int portico_sk_GENERAL_NAME_num(const GENERAL_NAMES *sk) {
    return sk_GENERAL_NAME_num(sk);
}

static inline GENERAL_NAME *portico_sk_GENERAL_NAME_value(const GENERAL_NAMES *sk, int i) {
    return sk_GENERAL_NAME_value(sk, i);
}

static inline int portico_sk_GENERAL_NAME_push(GENERAL_NAMES *sk, GENERAL_NAME *name) {
    return sk_GENERAL_NAME_push(sk, name);
}

static inline GENERAL_NAMES *portico_GENERAL_NAMES_new(void) {
    return sk_GENERAL_NAME_new_null();
}

// MARK: - Constants built from macro expressions

static inline unsigned long portico_MBSTRING_UTF8(void) {
    return MBSTRING_UTF8;
}

#endif
