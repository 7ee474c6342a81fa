package io.cacdb.engine.error;

/**
 * A transaction asked for more locks than one transaction may hold (SQLSTATE 53200, out_of_memory, as PostgreSQL's
 * "out of shared memory; you might need to increase max_locks_per_transaction"). The request was refused; held locks
 * stay. The caller must <b>fix the request</b>: split the transaction, or raise the configured limit.
 */
public final class TooManyLocksException extends EngineException {

    public TooManyLocksException(long txnId, int locksHeldMax) {
        super(SqlState.OUT_OF_MEMORY, CallerAction.FIX_REQUEST, "transaction " + txnId + " holds the maximum of "
                + locksHeldMax + " locks; split the transaction or raise the lock limit per transaction");
    }
}
