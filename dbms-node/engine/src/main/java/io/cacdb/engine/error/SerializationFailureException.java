package io.cacdb.engine.error;

/**
 * The transaction cannot be serialized with concurrent ones (SQLSTATE 40001). The caller must <b>roll back and
 * retry the transaction</b>; a retry usually succeeds because the conflicting transaction has finished.
 */
public final class SerializationFailureException extends EngineException {

    public SerializationFailureException(String message) {
        super(SqlState.SERIALIZATION_FAILURE, CallerAction.RETRY_TRANSACTION, message);
    }
}
