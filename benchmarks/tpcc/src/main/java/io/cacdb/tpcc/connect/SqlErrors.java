package io.cacdb.tpcc.connect;

import java.sql.Connection;
import java.sql.SQLException;

/** What a failed statement means for a terminal: retry the transaction, reconnect, or give up on it. */
public final class SqlErrors {

    /** What kind of failure an {@link SQLException} is. */
    public enum Kind {
        /** 40001: serialization failure (PostgreSQL SSI, snapshot conflicts, or a vanished row we expected). */
        SERIALIZATION_FAILURE,
        /** 40P01: deadlock detected; the server chose this transaction as the victim. */
        DEADLOCK,
        /** The connection is unusable: 08xxx, administrator shutdown 57P01–57P03, or the driver closed it. */
        CONNECTION,
        /** Anything else: a bug in the driver or the server, counted and reported. */
        OTHER
    }

    public static final String SERIALIZATION_FAILURE = "40001";
    public static final String DEADLOCK_DETECTED = "40P01";

    /** Classifies {@code e}, raised on {@code connection} (which may be null if the connect itself failed). */
    public static Kind classify(SQLException e, Connection connection) {
        String state = e.getSQLState();
        if (SERIALIZATION_FAILURE.equals(state)) {
            return Kind.SERIALIZATION_FAILURE;
        }
        if (DEADLOCK_DETECTED.equals(state)) {
            return Kind.DEADLOCK;
        }
        if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03"))) {
            return Kind.CONNECTION;
        }
        if (connection == null || isClosed(connection)) {
            return Kind.CONNECTION;
        }
        return Kind.OTHER;
    }

    private static boolean isClosed(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            // pgjdbc's isClosed does not throw; a driver that does is telling us the connection is gone.
            return true;
        }
    }

    private SqlErrors() {
    }
}
