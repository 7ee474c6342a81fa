package io.cacdb.engine.error;

/**
 * "current transaction is aborted, commands ignored until end of transaction block" (SQLSTATE 25P02): an earlier
 * statement of this transaction failed. The caller must <b>roll back</b>; nothing else is accepted.
 */
public final class TransactionAbortedException extends EngineException {

    public TransactionAbortedException(long txnId) {
        super(SqlState.IN_FAILED_SQL_TRANSACTION, CallerAction.ROLLBACK, "current transaction " + txnId
                + " is aborted, commands ignored until end of transaction block");
    }
}
