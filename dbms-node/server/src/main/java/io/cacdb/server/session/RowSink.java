package io.cacdb.server.session;

import java.util.List;

/**
 * Where a session puts the rows of a result, one at a time, in order. A call may block while the client is slow
 * to read (that is the backpressure reaching the SQL layer). Rows of a closed connection are dropped; the session is
 * cancelled at the same moment, so it should stop producing.
 */
public interface RowSink {

    /**
     * One row: {@code values.get(i)} is the value of column {@code i} of the current row description, of that
     * column type's {@link PgType#javaType()}, or null for NULL. The list may be reused by the caller after return.
     */
    void row(List<?> values);
}
