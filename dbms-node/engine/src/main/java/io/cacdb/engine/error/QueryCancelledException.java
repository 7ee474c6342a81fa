package io.cacdb.engine.error;

/**
 * The transaction's work was cancelled: a cancel request, a session that died, or an interrupt of the thread that
 * was waiting (SQLSTATE 57014, query_canceled). Whatever wait was in progress has been withdrawn; locks already held
 * stay until rollback. The caller must <b>roll back</b>.
 */
public final class QueryCancelledException extends EngineException {

    public QueryCancelledException(String message) {
        super(SqlState.QUERY_CANCELED, CallerAction.ROLLBACK, message);
    }
}
