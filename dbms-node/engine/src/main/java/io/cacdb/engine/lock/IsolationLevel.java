package io.cacdb.engine.lock;

/**
 * The isolation levels the locking protocol implements ({@code docs/locking.md}). PostgreSQL's REPEATABLE READ maps
 * to {@link #SERIALIZABLE} (the standard allows a level to be stricter than asked) and READ UNCOMMITTED to
 * {@link #READ_COMMITTED}, as in PostgreSQL.
 */
public enum IsolationLevel {
    /** Short shared locks on what is read; writes locked to commit; phantoms possible. */
    READ_COMMITTED,
    /** Shared locks to commit on what is read and on the key after each range (next-key locking): no phantoms. */
    SERIALIZABLE
}
