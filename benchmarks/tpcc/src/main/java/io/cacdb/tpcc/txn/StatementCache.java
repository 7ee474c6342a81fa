package io.cacdb.tpcc.txn;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The prepared statements of one connection, prepared on first use. pgjdbc turns a statement executed five times
 * into a named server-side one, so reusing the same {@link PreparedStatement} is what makes that happen. Dropped with
 * its connection when the terminal reconnects. Not thread-safe: a terminal's own.
 */
public final class StatementCache implements AutoCloseable {

    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    public StatementCache(Connection connection) {
        this.connection = connection;
    }

    public Connection connection() {
        return connection;
    }

    public PreparedStatement get(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    /** Closes the statements (not the connection). */
    @Override
    public void close() throws SQLException {
        SQLException first = null;
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        statements.clear();
        if (first != null) {
            throw first;
        }
    }
}
