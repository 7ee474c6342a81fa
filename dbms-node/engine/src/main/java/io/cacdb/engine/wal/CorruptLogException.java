package io.cacdb.engine.wal;

/**
 * Bytes read from the log are not a valid record or block (bad length, unknown type, checksum mismatch, a header
 * that does not match its address). An operating error: the bytes came from storage, so this is never asserted.
 * What to do: stop replaying at {@link #lsn()}, report it, and recover from another replica or from the last
 * checkpoint; never skip the record.
 */
public final class CorruptLogException extends RuntimeException {

    private final long lsn;

    public CorruptLogException(long lsn, String detail) {
        super("corrupt log at LSN " + lsn + ": " + detail);
        this.lsn = lsn;
    }

    public CorruptLogException(long lsn, String detail, Throwable cause) {
        super("corrupt log at LSN " + lsn + ": " + detail, cause);
        this.lsn = lsn;
    }

    /** Stream offset of the record (or block start) that failed validation. */
    public long lsn() {
        return lsn;
    }
}
