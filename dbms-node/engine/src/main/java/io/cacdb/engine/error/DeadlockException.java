package io.cacdb.engine.error;

import java.util.List;

/**
 * This transaction was chosen as the victim of a deadlock (SQLSTATE 40P01). Its lock request was withdrawn; the
 * locks it already holds stay until its rollback releases them. The caller must <b>roll back and retry the
 * transaction</b>: the other transactions of the cycle go on once the victim's locks are released.
 */
public final class DeadlockException extends EngineException {

    private final long victimTxnId;
    private final List<Long> cycleTxnIds;

    /**
     * @param victimTxnId the transaction aborted to break the cycle
     * @param cycleTxnIds the transactions of the cycle in waits-for order (each waits for the next, the last for the
     *                    first)
     * @param description the cycle as text: who waits for what, held by whom
     */
    public DeadlockException(long victimTxnId, List<Long> cycleTxnIds, String description) {
        super(SqlState.DEADLOCK_DETECTED, CallerAction.RETRY_TRANSACTION,
                "deadlock detected; transaction " + victimTxnId + " was chosen as the victim: " + description);
        this.victimTxnId = victimTxnId;
        this.cycleTxnIds = List.copyOf(cycleTxnIds);
    }

    public long victimTxnId() {
        return victimTxnId;
    }

    /** The transactions of the cycle in waits-for order; contains the victim. */
    public List<Long> cycleTxnIds() {
        return cycleTxnIds;
    }
}
