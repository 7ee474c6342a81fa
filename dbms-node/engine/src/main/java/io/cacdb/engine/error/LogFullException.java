package io.cacdb.engine.error;

/**
 * The log cannot take more records. Nothing of the mini-transaction was appended, no record is lost. Two causes with
 * two SQLSTATEs, because they call for different actions:
 * <ul>
 *   <li>{@link Cause#LOG_BUDGET}: the bytes between the truncation point and the end of the log stayed above the
 *       configured log budget for the whole bounded wait, because checkpoints or the retention floor (a standby that
 *       has not replayed the log under the {@code active-wait} policy, DESIGN §6) hold truncation back. SQLSTATE
 *       53000 (insufficient_resources), not 53100: the disk is not full, and "disk full" would send an operator
 *       looking in the wrong place. The caller should <b>retry later</b>: the budget frees as a checkpoint
 *       truncates or the standby catches up.</li>
 *   <li>{@link Cause#STORAGE_FULL}: the storage tier refused the write for lack of space. SQLSTATE 53100
 *       (disk_full); an <b>operator</b> must add space.</li>
 * </ul>
 */
public final class LogFullException extends EngineException {

    /** Why the log is full. */
    public enum Cause {
        LOG_BUDGET(SqlState.INSUFFICIENT_RESOURCES, CallerAction.RETRY_LATER),
        STORAGE_FULL(SqlState.DISK_FULL, CallerAction.OPERATOR_ATTENTION);

        private final SqlState sqlState;
        private final CallerAction action;

        Cause(SqlState sqlState, CallerAction action) {
            this.sqlState = sqlState;
            this.action = action;
        }
    }

    /** {@link #truncatedBelowLsn()} and {@link #appendedLsn()} when the raiser did not know them. */
    public static final long LSN_UNKNOWN = -1;

    private final Cause cause;
    private final long truncatedBelowLsn;
    private final long appendedLsn;

    public LogFullException(Cause cause, String message) {
        super(cause.sqlState, cause.action, message);
        this.cause = cause;
        this.truncatedBelowLsn = LSN_UNKNOWN;
        this.appendedLsn = LSN_UNKNOWN;
    }

    /** The log writer's budget is used up ({@link Cause#LOG_BUDGET}), with the numbers that show it. */
    public LogFullException(long truncatedBelowLsn, long appendedLsn, int mtrBytes, long budgetBytes,
                            long waitedMillis) {
        super(Cause.LOG_BUDGET.sqlState, Cause.LOG_BUDGET.action,
                "log full: " + (appendedLsn - truncatedBelowLsn) + " bytes between truncation point LSN "
                        + truncatedBelowLsn + " and end LSN " + appendedLsn + ", an MTR of " + mtrBytes
                        + " bytes would pass the budget of " + budgetBytes + " bytes; waited " + waitedMillis
                        + " ms for truncation; checkpoint or let the standby catch up, then retry");
        this.cause = Cause.LOG_BUDGET;
        this.truncatedBelowLsn = truncatedBelowLsn;
        this.appendedLsn = appendedLsn;
    }

    public Cause logFullCause() {
        return cause;
    }

    /** Where the log began when the append gave up, or {@link #LSN_UNKNOWN}. */
    public long truncatedBelowLsn() {
        return truncatedBelowLsn;
    }

    /** The end of the log when the append gave up, or {@link #LSN_UNKNOWN}. */
    public long appendedLsn() {
        return appendedLsn;
    }
}
