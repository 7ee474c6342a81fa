package io.cacdb.server.auth;

/** How a user proves who they are. */
public enum AuthMethod {
    /** No proof: anyone may connect as anyone (local development, tests). */
    TRUST,
    /** SCRAM-SHA-256 against the user's stored verifier; the password never crosses the wire. */
    SCRAM_SHA_256
}
