package io.cacdb.engine.error;

import java.util.Objects;

/**
 * Base of the engine's operating errors. Each subclass fixes its SQLSTATE (what the SQL layer sends to the client)
 * and its {@link CallerAction} (what to do about it). Unchecked: they cross many layers (B+tree, transaction layer,
 * SQL session) and every layer above the engine handles them the same way — roll back and report. Log it once,
 * where it is handled.
 */
public abstract class EngineException extends RuntimeException {

    private final SqlState condition;
    private final CallerAction action;

    protected EngineException(SqlState condition, CallerAction action, String message) {
        this(condition, action, message, null);
    }

    protected EngineException(SqlState condition, CallerAction action, String message, Throwable cause) {
        super(message, cause);
        this.condition = Objects.requireNonNull(condition, "condition");
        this.action = Objects.requireNonNull(action, "action");
    }

    /** The five-character PostgreSQL SQLSTATE for the client's ErrorResponse. */
    public final String sqlState() {
        return condition.code();
    }

    /** The SQLSTATE with its condition name. */
    public final SqlState condition() {
        return condition;
    }

    /** What the caller should do. */
    public final CallerAction action() {
        return action;
    }
}
