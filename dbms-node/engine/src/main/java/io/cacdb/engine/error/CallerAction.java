package io.cacdb.engine.error;

/** What the caller of the engine should do after an {@link EngineException}. */
public enum CallerAction {
    /** Roll back and run the whole transaction again; the conflict that caused the error is transient. */
    RETRY_TRANSACTION,
    /** Roll back; retrying the same request fails the same way until the input or the request is changed. */
    FIX_REQUEST,
    /** Roll back; the transaction is already aborted and accepts nothing but ROLLBACK. */
    ROLLBACK,
    /** Disconnect and connect to the active node (a multi-host URL with targetServerType=primary does it). */
    RECONNECT_TO_ACTIVE,
    /** Roll back and retry after a delay; a resource is exhausted and frees itself (log budget, standby lag). */
    RETRY_LATER,
    /** Roll back and alert an operator: stored data is damaged or storage is full; retrying will not help. */
    OPERATOR_ATTENTION
}
