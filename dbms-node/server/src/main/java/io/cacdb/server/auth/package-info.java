/**
 * Client authentication for the PostgreSQL wire protocol: the typed configuration ({@link
 * io.cacdb.server.auth.AuthConfig}: trust, or SCRAM-SHA-256 per user), SCRAM verifiers in PostgreSQL's stored format
 * ({@link io.cacdb.server.auth.ScramVerifier}) and the server side of one SCRAM-SHA-256 exchange ({@link
 * io.cacdb.server.auth.ScramExchange}, RFC 5802 / RFC 7677 as PostgreSQL implements it, without channel binding).
 * Nothing here does I/O; the protocol server carries the messages.
 */
package io.cacdb.server.auth;
