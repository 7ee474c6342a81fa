package io.cacdb.engine.mtr;

import io.cacdb.engine.wal.LogRecord;
import java.util.List;

/**
 * Where a committing mini-transaction puts its records: the WAL's log buffer in the engine, a list in unit tests.
 * Thread-safe.
 */
public interface LogSink {

    /** Start and end LSN of an appended mini-transaction: its records occupy {@code [startLsn, endLsn)}. */
    record LsnRange(long startLsn, long endLsn) {
        public LsnRange {
            if (endLsn <= startLsn) {
                throw new IllegalArgumentException("empty LSN range [" + startLsn + ", " + endLsn + ")");
            }
        }
    }

    /**
     * Appends the records of one mini-transaction contiguously, the last one flagged as the MTR end, and returns
     * where they went. Called while the MTR still holds its page latches, so the log order of changes to a page is
     * the order in which they were made. Does not wait for durability; may block for backpressure when the log
     * buffer is full.
     */
    LsnRange appendMtr(List<LogRecord> records);
}
