package io.cacdb.server.sql.exec;

import io.cacdb.engine.DatabaseTransaction;
import io.cacdb.engine.error.NumericValueOutOfRangeException;
import io.cacdb.engine.error.StringDataRightTruncationException;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.table.KeyBound;
import io.cacdb.engine.table.RowCursor;
import io.cacdb.engine.table.RowKey;
import io.cacdb.engine.table.ScanSpec;
import io.cacdb.server.session.PgType;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.sql.expr.Expr;
import io.cacdb.server.sql.plan.AccessPath;
import io.cacdb.server.sql.plan.PlanNode;
import io.cacdb.server.sql.types.Casts;
import io.cacdb.server.sql.types.SqlType;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Runs a {@link PlanNode.Scan}: computes the access path's bounds from the outer row and parameters, reads the
 * engine (a point {@code get}, a range {@code scan} over the primary or a secondary index, or a virtual table's
 * rows), and returns each row that passes the filter as the outer row extended with this relation's columns.
 *
 * <p>Bounds are converted to the key column's type. A value outside an integer key's range cannot be stored, so an
 * equality with it finds nothing, and a range bound with it is either empty or no bound. With {@code forUpdate} a
 * point lookup takes the X lock before it reads; a range scan X-locks each row it returns, reads it again under the
 * lock and re-checks the filter (READ COMMITTED may have let it change).
 */
final class ScanSource implements RowSource {

    private final PlanNode.Scan node;
    private final ExecContext ctx;
    private final Object[] outer;
    private final DatabaseTransaction txn;
    private boolean started;
    private boolean done;
    private RowCursor cursor;
    private Iterator<Object[]> virtualRows;
    private Object[] current;
    private RowKey currentKey;

    ScanSource(PlanNode.Scan node, ExecContext ctx, Object[] outer) {
        this.node = node;
        this.ctx = ctx;
        this.outer = outer;
        this.txn = ctx.txn();
    }

    /** The primary key of the current row (stored tables). */
    RowKey key() {
        return currentKey;
    }

    @Override
    public Object[] row() {
        return current;
    }

    @Override
    public boolean next() throws SqlException {
        if (done) {
            return false;
        }
        if (!started) {
            started = true;
            if (!start()) {
                done = true;
                return false;
            }
        }
        while (true) {
            ctx.checkCancelled();
            Object[] values;
            RowKey key = null;
            if (virtualRows != null) {
                if (!virtualRows.hasNext()) {
                    done = true;
                    return false;
                }
                values = virtualRows.next();
            } else if (cursor != null) {
                if (!cursor.next()) {
                    close();
                    done = true;
                    return false;
                }
                values = cursor.row().values().toArray();
                key = cursor.key();
            } else {
                // a point lookup: start() left the single row in current (or nothing)
                done = true;
                return current != null;
            }
            Object[] frame = frame(values);
            if (!passes(frame)) {
                continue;
            }
            if (node.forUpdate() && key != null) {
                Optional<Row> locked = txn.getForUpdate(node.relation().table().name(), key);
                if (locked.isEmpty()) {
                    continue;
                }
                frame = frame(locked.get().values().toArray());
                if (!passes(frame)) {
                    continue;
                }
            }
            current = frame;
            currentKey = key;
            return true;
        }
    }

    private Object[] frame(Object[] values) {
        Object[] frame = outer == null ? new Object[node.width()] : outer.clone();
        System.arraycopy(values, 0, frame, node.relation().offset(), values.length);
        return frame;
    }

    private boolean passes(Object[] frame) throws SqlException {
        for (Expr f : node.filter()) {
            if (!Expr.isTrue(f, frame, ctx)) {
                return false;
            }
        }
        return true;
    }

    /** Opens the read; false if the bounds make the result empty. */
    private boolean start() throws SqlException {
        if (!node.relation().isStored()) {
            virtualRows = node.relation().virtual().rows(ctx);
            return true;
        }
        String table = node.relation().table().name();
        AccessPath path = node.path();
        List<Object> eq = new ArrayList<>();
        for (int i = 0; i < path.equalities().size(); i++) {
            Expr e = path.equalities().get(i);
            Object v = e.eval(outer, ctx);
            if (v == null) {
                return false;
            }
            Bounded b = keyValue(v, e.type(), path.keyTypes().get(i));
            if (b.outside != 0) {
                return false;
            }
            eq.add(b.value);
        }
        if (path.point()) {
            RowKey key;
            try {
                key = txn.key(table, eq.toArray());
            } catch (StringDataRightTruncationException | NumericValueOutOfRangeException e) {
                return false; // a value the key column cannot hold: no row has it
            }
            Optional<Row> row = node.forUpdate() ? txn.getForUpdate(table, key) : txn.get(table, key);
            if (row.isEmpty()) {
                return false;
            }
            Object[] frame = frame(row.get().values().toArray());
            if (!passes(frame)) {
                return false;
            }
            current = frame;
            currentKey = key;
            return true;
        }
        KeyBound lower = eq.isEmpty() ? null : new KeyBound(eq, true);
        KeyBound upper = lower;
        int k = eq.size();
        if (path.lower() != null) {
            Object v = path.lower().eval(outer, ctx);
            if (v == null) {
                return false;
            }
            Bounded b = keyValue(v, path.lower().type(), path.keyTypes().get(k));
            boolean descendingColumn = path.keyDescending().get(k);
            // in index order: "lower" is the start; a value past the end of the type's range empties the scan
            if (b.outside == (descendingColumn ? -1 : 1)) {
                return false;
            }
            if (b.outside == 0) {
                lower = new KeyBound(append(eq, b.value), path.lowerInclusive());
            }
        }
        if (path.upper() != null) {
            Object v = path.upper().eval(outer, ctx);
            if (v == null) {
                return false;
            }
            Bounded b = keyValue(v, path.upper().type(), path.keyTypes().get(k));
            boolean descendingColumn = path.keyDescending().get(k);
            if (b.outside == (descendingColumn ? 1 : -1)) {
                return false;
            }
            if (b.outside == 0) {
                upper = new KeyBound(append(eq, b.value), path.upperInclusive());
            }
        }
        ScanSpec spec = new ScanSpec(path.indexName(), lower, upper, path.descending());
        cursor = txn.scan(table, spec);
        return true;
    }

    private static List<Object> append(List<Object> prefix, Object v) {
        List<Object> out = new ArrayList<>(prefix);
        out.add(v);
        return out;
    }

    /** A key value, or which side of the key type's range it falls on (-1 below, 1 above). */
    private record Bounded(Object value, int outside) {
    }

    private static Bounded keyValue(Object v, SqlType valueType, SqlType keyType) throws SqlException {
        switch (keyType.pg()) {
            case INT2, INT4, INT8 -> {
                long min = keyType.pg() == PgType.INT2 ? Short.MIN_VALUE
                        : keyType.pg() == PgType.INT4 ? Integer.MIN_VALUE : Long.MIN_VALUE;
                long max = keyType.pg() == PgType.INT2 ? Short.MAX_VALUE
                        : keyType.pg() == PgType.INT4 ? Integer.MAX_VALUE : Long.MAX_VALUE;
                long l = ((Number) v).longValue();
                if (l < min) {
                    return new Bounded(null, -1);
                }
                if (l > max) {
                    return new Bounded(null, 1);
                }
                return new Bounded(keyType.pg() == PgType.INT2 ? (Object) (short) l
                        : keyType.pg() == PgType.INT4 ? (Object) (int) l : (Object) l, 0);
            }
            case NUMERIC -> {
                return new Bounded(v instanceof BigDecimal ? v : BigDecimal.valueOf(((Number) v).longValue()), 0);
            }
            case FLOAT8 -> {
                return new Bounded(((Number) v).doubleValue(), 0);
            }
            case FLOAT4 -> {
                return new Bounded(((Number) v).floatValue(), 0);
            }
            case BPCHAR -> {
                return new Bounded(Casts.stripTrailingSpaces((String) v), 0);
            }
            case TIMESTAMP -> {
                return new Bounded(v instanceof LocalDate d ? d.atStartOfDay() : v, 0);
            }
            default -> {
                return new Bounded(v, 0);
            }
        }
    }

    @Override
    public void close() {
        if (cursor != null) {
            cursor.close();
            cursor = null;
        }
    }
}
