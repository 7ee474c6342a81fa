package io.cacdb.tpcc.load;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.EnumMap;
import java.util.Map;

/**
 * Writes generated rows as batched prepared INSERTs on one connection (auto-commit off), committing every
 * {@code batchRows} rows. With pgjdbc's {@code reWriteBatchedInserts=true} each batch goes out as multi-row VALUES.
 * Rows become visible to {@link LoadProgress} when their batch commits. Not thread-safe: one per loader thread.
 */
final class JdbcRowSink implements RowSink, AutoCloseable {

    private final Connection connection;
    private final int batchRows;
    private final LoadProgress progress;
    private final Map<LoadTable, PreparedStatement> statements = new EnumMap<>(LoadTable.class);
    private final Map<LoadTable, Integer> pending = new EnumMap<>(LoadTable.class);
    private int pendingRows;

    JdbcRowSink(Connection connection, int batchRows, LoadProgress progress) throws SQLException {
        this.connection = connection;
        this.batchRows = batchRows;
        this.progress = progress;
        connection.setAutoCommit(false);
    }

    @Override
    public void row(LoadTable table, Object[] values) throws SQLException {
        PreparedStatement ps = statements.get(table);
        if (ps == null) {
            ps = connection.prepareStatement(table.insertSql());
            statements.put(table, ps);
        }
        if (values.length != table.columns().size()) {
            throw new IllegalArgumentException(table + " row has " + values.length + " values for "
                    + table.columns().size() + " columns");
        }
        for (int i = 0; i < values.length; i++) {
            bind(ps, i + 1, values[i]);
        }
        ps.addBatch();
        pending.merge(table, 1, Integer::sum);
        if (++pendingRows >= batchRows) {
            flush();
        }
    }

    /** Sends every pending batch and commits them. */
    void flush() throws SQLException {
        if (pendingRows == 0) {
            return;
        }
        for (Map.Entry<LoadTable, Integer> e : pending.entrySet()) {
            if (e.getValue() > 0) {
                statements.get(e.getKey()).executeBatch();
            }
        }
        connection.commit();
        for (Map.Entry<LoadTable, Integer> e : pending.entrySet()) {
            progress.add(e.getKey(), e.getValue());
            e.setValue(0);
        }
        pendingRows = 0;
    }

    private static void bind(PreparedStatement ps, int index, Object v) throws SQLException {
        switch (v) {
            case Integer i -> ps.setInt(index, i);
            case Long l -> ps.setLong(index, l);
            case BigDecimal b -> ps.setBigDecimal(index, b);
            case String s -> ps.setString(index, s);
            case Timestamp t -> ps.setTimestamp(index, t);
            case RowSink.SqlNull n -> ps.setNull(index, n.sqlType);
            default -> throw new IllegalArgumentException("cannot bind a " + v.getClass().getName());
        }
    }

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
        if (first != null) {
            throw first;
        }
    }
}
