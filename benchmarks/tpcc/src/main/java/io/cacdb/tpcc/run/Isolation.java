package io.cacdb.tpcc.run;

import java.sql.Connection;

/**
 * The session isolation level the terminals ask for. The spec wants level 3 (serializable) for New-Order, Payment,
 * Delivery and Order-Status (§3.4); the transactions are written (row locks, {@code col = col + ?}) to keep the
 * consistency conditions at READ COMMITTED too, for servers or experiments that use it.
 */
public enum Isolation {
    SERIALIZABLE(Connection.TRANSACTION_SERIALIZABLE),
    REPEATABLE_READ(Connection.TRANSACTION_REPEATABLE_READ),
    READ_COMMITTED(Connection.TRANSACTION_READ_COMMITTED),
    /** Leave the session at the server's default (no SET SESSION CHARACTERISTICS sent). */
    SERVER_DEFAULT(-1);

    private final int jdbcLevel;

    Isolation(int jdbcLevel) {
        this.jdbcLevel = jdbcLevel;
    }

    /** Applies it to a fresh connection (outside a transaction, as pgjdbc requires). */
    public void apply(Connection c) throws java.sql.SQLException {
        if (jdbcLevel >= 0) {
            c.setTransactionIsolation(jdbcLevel);
        }
    }
}
