package io.cacdb.engine.error;

/**
 * The log cannot take more records. Two causes with two SQLSTATEs, because they call for different actions:
 * <ul>
 *   <li>{@link Cause#LOG_BUDGET}: the configured log budget is full because the standby has not replayed the log
 *       that would be deleted (the {@code active-wait} policy, DESIGN §6) and the commit waited longer than it may.
 *       SQLSTATE 53000 (insufficient_resources), not 53100: the disk is not full, and "disk full" would send an
 *       operator looking in the wrong place. The caller should <b>retry later</b>: the budget frees as the standby
 *       catches up.</li>
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

    private final Cause cause;

    public LogFullException(Cause cause, String message) {
        super(cause.sqlState, cause.action, message);
        this.cause = cause;
    }

    public Cause logFullCause() {
        return cause;
    }
}
