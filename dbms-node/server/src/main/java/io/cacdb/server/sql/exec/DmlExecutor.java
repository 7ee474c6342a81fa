package io.cacdb.server.sql.exec;

import io.cacdb.engine.DatabaseTransaction;
import io.cacdb.engine.catalog.ColumnDef;
import io.cacdb.engine.catalog.TableDef;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.table.RowKey;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.sql.expr.Expr;
import io.cacdb.server.sql.plan.StatementPlan;
import io.cacdb.server.sql.types.CastKind;
import io.cacdb.server.sql.types.Casts;
import io.cacdb.server.sql.types.SqlType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs INSERT, UPDATE and DELETE plans to completion. UPDATE and DELETE first collect the keys of every row the
 * scan finds (so a change cannot make the scan see a row again: the Halloween problem), then, per key, read the row
 * again with the X lock, re-check the WHERE clause (READ COMMITTED lets a row change between the scan and the lock)
 * and change it. RETURNING rows are computed as each row is written and handed back with the count.
 */
public final class DmlExecutor {

    /**
     * Most rows one UPDATE or DELETE may change: their keys are held in memory between the scan and the changes,
     * and the undo of that many changes must fit in one transaction's log budget anyway.
     */
    public static final int CHANGED_ROWS_MAX = 1_000_000;

    /** What a DML statement did. */
    public record Result(long count, List<Object[]> returning) {
    }

    private DmlExecutor() {
    }

    public static Result insert(StatementPlan.Insert plan, ExecContext ctx) throws SqlException {
        DatabaseTransaction txn = ctx.txn();
        TableDef table = plan.table();
        List<ColumnDef> cols = table.columns();
        List<Object[]> returning = new ArrayList<>();
        long count = 0;
        if (plan.source() == null) {
            for (List<Expr> values : plan.rows()) {
                ctx.checkCancelled();
                Object[] v = new Object[values.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = values.get(i).eval(null, ctx);
                }
                insertRow(plan, ctx, txn, cols, v, returning);
                count++;
            }
        } else {
            List<Object[]> rows = new ArrayList<>();
            try (RowSource src = QueryExecutor.open(plan.source().root(), ctx)) {
                while (src.next()) {
                    rows.add(src.row().clone());
                    if (rows.size() > CHANGED_ROWS_MAX) {
                        throw QueryExecutor.tooMany("rows to insert", CHANGED_ROWS_MAX);
                    }
                }
            }
            List<io.cacdb.server.session.Column> types = plan.source().rowDescription().columns();
            for (Object[] r : rows) {
                ctx.checkCancelled();
                Object[] v = new Object[r.length];
                for (int i = 0; i < r.length; i++) {
                    ColumnDef c = cols.get(plan.targetColumns() == null ? i : plan.targetColumns()[i]);
                    SqlType from = SqlType.plain(types.get(i).type());
                    v[i] = Casts.cast(r[i], from, SqlType.of(c.type()), CastKind.ASSIGNMENT);
                }
                insertRow(plan, ctx, txn, cols, v, returning);
                count++;
            }
        }
        return new Result(count, returning);
    }

    private static void insertRow(StatementPlan.Insert plan, ExecContext ctx, DatabaseTransaction txn,
            List<ColumnDef> cols, Object[] given, List<Object[]> returning) throws SqlException {
        Object[] full = new Object[cols.size()];
        int[] targets = plan.targetColumns();
        if (targets == null) {
            for (int i = 0; i < full.length; i++) {
                full[i] = i < given.length ? given[i] : cols.get(i).defaultValue();
            }
        } else {
            for (int i = 0; i < full.length; i++) {
                full[i] = cols.get(i).defaultValue();
            }
            for (int i = 0; i < targets.length; i++) {
                full[targets[i]] = given[i];
            }
        }
        Row stored = txn.insert(plan.table().name(), Row.of(full));
        if (!plan.returning().isEmpty()) {
            returning.add(evaluate(plan.returning(), stored.values().toArray(), ctx));
        }
    }

    private static Object[] evaluate(List<Expr> exprs, Object[] row, ExecContext ctx) throws SqlException {
        Object[] out = new Object[exprs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = exprs.get(i).eval(row, ctx);
        }
        return out;
    }

    /** The keys of the rows an UPDATE or DELETE scan finds, X-locked as found. */
    private static List<RowKey> collect(io.cacdb.server.sql.plan.PlanNode.Scan scan, ExecContext ctx)
            throws SqlException {
        List<RowKey> keys = new ArrayList<>();
        try (ScanSource src = new ScanSource(withForUpdate(scan), ctx, null)) {
            while (src.next()) {
                keys.add(src.key());
                if (keys.size() > CHANGED_ROWS_MAX) {
                    throw QueryExecutor.tooMany("changed rows", CHANGED_ROWS_MAX);
                }
            }
        }
        return keys;
    }

    private static io.cacdb.server.sql.plan.PlanNode.Scan withForUpdate(io.cacdb.server.sql.plan.PlanNode.Scan s) {
        return new io.cacdb.server.sql.plan.PlanNode.Scan(s.relation(), s.path(), s.filter(), true, s.width());
    }

    private static boolean matches(List<Expr> filter, Object[] row, ExecContext ctx) throws SqlException {
        for (Expr f : filter) {
            if (!Expr.isTrue(f, row, ctx)) {
                return false;
            }
        }
        return true;
    }

    public static Result update(StatementPlan.Update plan, ExecContext ctx) throws SqlException {
        DatabaseTransaction txn = ctx.txn();
        String table = plan.target().table().name();
        List<Object[]> returning = new ArrayList<>();
        long count = 0;
        for (RowKey key : collect(plan.scan(), ctx)) {
            ctx.checkCancelled();
            Optional<Row> current = txn.getForUpdate(table, key);
            if (current.isEmpty()) {
                continue;
            }
            Object[] old = current.get().values().toArray();
            if (!matches(plan.scan().filter(), old, ctx)) {
                continue;
            }
            Object[] changed = old.clone();
            for (int i = 0; i < plan.columns().length; i++) {
                changed[plan.columns()[i]] = plan.assignments().get(i).eval(old, ctx);
            }
            Row written = txn.update(table, key, r -> Row.of(changed));
            count++;
            if (!plan.returning().isEmpty()) {
                returning.add(evaluate(plan.returning(), written.values().toArray(), ctx));
            }
        }
        return new Result(count, returning);
    }

    public static Result delete(StatementPlan.Delete plan, ExecContext ctx) throws SqlException {
        DatabaseTransaction txn = ctx.txn();
        String table = plan.target().table().name();
        List<Object[]> returning = new ArrayList<>();
        long count = 0;
        for (RowKey key : collect(plan.scan(), ctx)) {
            ctx.checkCancelled();
            Optional<Row> current = txn.getForUpdate(table, key);
            if (current.isEmpty()) {
                continue;
            }
            Object[] old = current.get().values().toArray();
            if (!matches(plan.scan().filter(), old, ctx)) {
                continue;
            }
            txn.delete(table, key);
            count++;
            if (!plan.returning().isEmpty()) {
                returning.add(evaluate(plan.returning(), old, ctx));
            }
        }
        return new Result(count, returning);
    }
}
