package io.cacdb.server.sql.exec;

import io.cacdb.server.session.SqlException;

/**
 * An open operator: the iterator model. {@link #next()} advances to the next row (false at the end), {@link #row()}
 * is that row (valid until the next call; callers copy what they keep). {@link #close()} releases what the operator
 * holds (engine cursors); it is idempotent. One thread at a time.
 */
public interface RowSource extends AutoCloseable {

    boolean next() throws SqlException;

    Object[] row();

    @Override
    void close();
}
