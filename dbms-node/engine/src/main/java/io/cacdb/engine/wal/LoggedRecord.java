package io.cacdb.engine.wal;

import java.util.Objects;

/**
 * A record as read from the log: where it sits ({@code [lsn, endLsn)}) and whether it ends its mini-transaction.
 * When {@code mtrEnd} is true, {@code endLsn} is the MTR's end LSN — the pageLSN its page changes set.
 */
public record LoggedRecord(long lsn, long endLsn, LogRecord record, boolean mtrEnd) {

    public LoggedRecord {
        Objects.requireNonNull(record, "record");
        if (endLsn <= lsn || lsn < 0) {
            throw new IllegalArgumentException("bad record range [" + lsn + ", " + endLsn + ")");
        }
    }
}
