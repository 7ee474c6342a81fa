package io.cacdb.engine.mtr;

import io.cacdb.engine.wal.LogRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LogSink} that keeps every appended MTR in a list with real LSNs: each record's length is the length the
 * WAL format ({@code docs/wal-format.md}) gives it, computed by {@link #recordBytes} (24-byte header, body, 4-byte
 * CRC) so that LSNs advance as they will with the real codec. Thread-safe.
 */
public final class ListLogSink implements LogSink {

    /** One appended mini-transaction: its records occupy {@code [startLsn, endLsn)}. */
    public record LoggedMtr(long startLsn, long endLsn, List<LogRecord> records) {
    }

    private static final int RECORD_HEADER_BYTES = 24;
    private static final int RECORD_CRC_BYTES = 4;

    private final List<LoggedMtr> mtrs = new ArrayList<>();
    private long nextLsn;

    @Override
    public synchronized LsnRange appendMtr(List<LogRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalStateException("an MTR with no records must not be appended");
        }
        long start = nextLsn;
        long end = start;
        for (LogRecord r : records) {
            end += recordBytes(r);
        }
        nextLsn = end;
        mtrs.add(new LoggedMtr(start, end, List.copyOf(records)));
        return new LsnRange(start, end);
    }

    public synchronized List<LoggedMtr> mtrs() {
        return List.copyOf(mtrs);
    }

    public synchronized long endLsn() {
        return nextLsn;
    }

    /** Length of a record in the log stream per {@code docs/wal-format.md}. */
    public static int recordBytes(LogRecord r) {
        int body = switch (r) {
            case LogRecord.PageRedo p -> 8 + 1 + p.op().encodedSize();
            case LogRecord.Undo u -> 8 + 1 + 2 + u.key().length + 4 + u.oldValue().length;
            case LogRecord.Compensation c -> 8;
            case LogRecord.Commit c -> 8;
            case LogRecord.Abort a -> 0;
            case LogRecord.Checkpoint c -> 8 + 4 + 16 * c.dirtyPages().size() + 4 + 24 * c.activeTxns().size();
            case LogRecord.FlushWatermark f -> 8;
            case LogRecord.EpochStart e -> 16;
        };
        return RECORD_HEADER_BYTES + body + RECORD_CRC_BYTES;
    }
}
