package io.cacdb.engine.txn;

import io.cacdb.engine.error.CallerAction;
import io.cacdb.engine.error.EngineException;
import io.cacdb.engine.error.SqlState;

/**
 * The engine stopped serving because memory got ahead of the log: a page change could not be logged (the log writer
 * was fenced or failed), or a commit record did not become durable in time. Nothing this node holds in memory can be
 * trusted to reach storage any more; the standby (or a restart) recovers from the log. SQLSTATE 57P03
 * (cannot_connect_now), like any node that does not serve: the caller must <b>reconnect to the active</b>. For a
 * commit that failed this way the outcome is unknown until the new active has recovered: the transaction committed
 * if and only if its Commit record reached the durable log.
 */
public final class EngineHaltedException extends EngineException {

    public EngineHaltedException(String why, Throwable cause) {
        super(SqlState.CANNOT_CONNECT_NOW, CallerAction.RECONNECT_TO_ACTIVE,
                "the engine halted and serves no more: " + why + "; connect to the active node", cause);
    }
}
