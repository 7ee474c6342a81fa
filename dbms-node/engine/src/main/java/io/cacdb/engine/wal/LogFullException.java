package io.cacdb.engine.wal;

/**
 * The log budget is used up: the bytes between the truncation point and the end of the log stayed above the
 * configured budget for the whole bounded wait, because checkpoints (or the retention floor, e.g. a lagging standby
 * under the {@code active-wait} policy) hold truncation back. Nothing of the mini-transaction was appended, no record
 * is lost. What to do: fail the statement with a retryable error; take a checkpoint or let the standby catch up.
 */
public final class LogFullException extends RuntimeException {

    private final long truncatedBelowLsn;
    private final long appendedLsn;

    public LogFullException(long truncatedBelowLsn, long appendedLsn, int mtrBytes, long budgetBytes,
                            long waitedMillis) {
        super("log full: " + (appendedLsn - truncatedBelowLsn) + " bytes between truncation point LSN "
                + truncatedBelowLsn + " and end LSN " + appendedLsn + ", an MTR of " + mtrBytes
                + " bytes would pass the budget of " + budgetBytes + " bytes; waited " + waitedMillis
                + " ms for truncation; checkpoint or let the standby catch up, then retry");
        this.truncatedBelowLsn = truncatedBelowLsn;
        this.appendedLsn = appendedLsn;
    }

    public long truncatedBelowLsn() {
        return truncatedBelowLsn;
    }

    public long appendedLsn() {
        return appendedLsn;
    }
}
