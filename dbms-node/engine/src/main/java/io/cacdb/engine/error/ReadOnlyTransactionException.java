package io.cacdb.engine.error;

/**
 * A write was attempted in a read-only transaction (SQLSTATE 25006, read_only_sql_transaction). The caller must
 * <b>fix the request</b>: run the write in a read-write transaction.
 */
public final class ReadOnlyTransactionException extends EngineException {

    public ReadOnlyTransactionException(String message) {
        super(SqlState.READ_ONLY_SQL_TRANSACTION, CallerAction.FIX_REQUEST, message);
    }
}
