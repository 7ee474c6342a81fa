/**
 * The seam between the PostgreSQL wire protocol server ({@code io.cacdb.server.pgwire}) and the SQL layer.
 *
 * <p>The protocol server owns bytes, framing, names of prepared statements and portals, value encodings and the
 * order of messages; the SQL layer owns statements and transactions. It implements {@link
 * io.cacdb.server.session.SqlBackend}, which opens one {@link io.cacdb.server.session.SqlSession} per client
 * connection. A session is driven by exactly one thread at a time (the connection's virtual thread), in the order
 * the client sent its messages, and may block; only {@link io.cacdb.server.session.SqlSession#cancel()} is called
 * from other threads.
 *
 * <p>Values cross the seam as plain Java objects of the type each {@link io.cacdb.server.session.PgType} names
 * ({@link io.cacdb.server.session.PgType#javaType()}); {@code null} is SQL NULL. Errors are {@link
 * io.cacdb.server.session.SqlException}s carrying a SQLSTATE.
 */
package io.cacdb.server.session;
