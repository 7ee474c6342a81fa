package io.cacdb.server.sql.exec;

import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import io.cacdb.server.sql.bind.BoundStatement.Aggregate;
import io.cacdb.server.sql.bind.BoundStatement.OrderKey;
import io.cacdb.server.sql.expr.Expr;
import io.cacdb.server.sql.plan.PlanNode;
import io.cacdb.server.sql.types.CastKind;
import io.cacdb.server.sql.types.Casts;
import io.cacdb.server.sql.types.Operators;
import io.cacdb.server.sql.types.SqlType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Opens a query plan as a tree of {@link RowSource}s (the iterator model). Scans are lazy, so a LIMIT above them
 * stops reading (and locking) the index as soon as it has its rows; sort, aggregation and DISTINCT consume their
 * input when first pulled, within the memory limits below (54000 beyond them).
 */
public final class QueryExecutor {

    /**
     * Most rows a sort holds (without LIMIT; with one it holds at most LIMIT + OFFSET). There is no spilling to disk:
     * this bounds a session's memory (OLTP sorts are small: TPC-C's largest is one district's customers of a name).
     */
    public static final int SORT_ROWS_MAX = 1_000_000;

    /** Most groups an aggregation holds, and most distinct values one COUNT(DISTINCT) or DISTINCT keeps. */
    public static final int GROUPS_MAX = 1_000_000;

    /** Scale of AVG over integers and numerics at least (PostgreSQL shows 16 fractional digits for avg(int)). */
    private static final int AVG_SCALE_MIN = 16;

    private QueryExecutor() {
    }

    public static RowSource open(PlanNode node, ExecContext ctx) {
        return open(node, ctx, null);
    }

    static RowSource open(PlanNode node, ExecContext ctx, Object[] outer) {
        return switch (node) {
            case PlanNode.Scan s -> new ScanSource(s, ctx, outer);
            case PlanNode.NestedLoop n -> new NestedLoopSource(n, ctx);
            case PlanNode.OneRow o -> new OneRowSource(o.width());
            case PlanNode.Aggregation a -> new AggregationSource(a, open(a.input(), ctx, outer), ctx);
            case PlanNode.Filter f -> new FilterSource(open(f.input(), ctx, outer), f.predicate(), ctx);
            case PlanNode.Project p -> new ProjectSource(open(p.input(), ctx, outer), p.outputs(), ctx);
            case PlanNode.Distinct d -> new DistinctSource(open(d.input(), ctx, outer), d.columns());
            case PlanNode.Sort s -> new SortSource(open(s.input(), ctx, outer), s, ctx);
            case PlanNode.Limit l -> new LimitSource(open(l.input(), ctx, outer), l, ctx);
            case PlanNode.Trim t -> new TrimSource(open(t.input(), ctx, outer), t.columns());
        };
    }

    /** Evaluates LIMIT or OFFSET: null for none; negative values are refused as in PostgreSQL. */
    static Long count(Expr e, ExecContext ctx, boolean limit) throws SqlException {
        if (e == null) {
            return null;
        }
        Object v = e.eval(null, ctx);
        if (v == null) {
            return limit ? null : 0L;
        }
        long n = ((Number) v).longValue();
        if (n < 0) {
            throw new SqlException(SqlState.of(limit ? "2201W" : "2201X"), (limit ? "LIMIT" : "OFFSET")
                    + " must not be negative");
        }
        return n;
    }

    private static final class OneRowSource implements RowSource {
        private final Object[] row;
        private boolean done;

        OneRowSource(int width) {
            this.row = new Object[width];
        }

        @Override
        public boolean next() {
            if (done) {
                return false;
            }
            done = true;
            return true;
        }

        @Override
        public Object[] row() {
            return row;
        }

        @Override
        public void close() {
            done = true;
        }
    }

    private static final class NestedLoopSource implements RowSource {
        private final PlanNode.NestedLoop node;
        private final ExecContext ctx;
        private final RowSource outer;
        private RowSource inner;

        NestedLoopSource(PlanNode.NestedLoop node, ExecContext ctx) {
            this.node = node;
            this.ctx = ctx;
            this.outer = open(node.outer(), ctx, null);
        }

        @Override
        public boolean next() throws SqlException {
            while (true) {
                if (inner != null && inner.next()) {
                    return true;
                }
                if (inner != null) {
                    inner.close();
                    inner = null;
                }
                if (!outer.next()) {
                    return false;
                }
                inner = new ScanSource(node.inner(), ctx, outer.row());
            }
        }

        @Override
        public Object[] row() {
            return inner.row();
        }

        @Override
        public void close() {
            if (inner != null) {
                inner.close();
            }
            outer.close();
        }
    }

    private static final class FilterSource implements RowSource {
        private final RowSource input;
        private final Expr predicate;
        private final ExecContext ctx;

        FilterSource(RowSource input, Expr predicate, ExecContext ctx) {
            this.input = input;
            this.predicate = predicate;
            this.ctx = ctx;
        }

        @Override
        public boolean next() throws SqlException {
            while (input.next()) {
                if (Expr.isTrue(predicate, input.row(), ctx)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public Object[] row() {
            return input.row();
        }

        @Override
        public void close() {
            input.close();
        }
    }

    private static final class ProjectSource implements RowSource {
        private final RowSource input;
        private final List<Expr> outputs;
        private final ExecContext ctx;
        private Object[] row;

        ProjectSource(RowSource input, List<Expr> outputs, ExecContext ctx) {
            this.input = input;
            this.outputs = outputs;
            this.ctx = ctx;
        }

        @Override
        public boolean next() throws SqlException {
            if (!input.next()) {
                return false;
            }
            Object[] in = input.row();
            row = new Object[outputs.size()];
            for (int i = 0; i < row.length; i++) {
                row[i] = outputs.get(i).eval(in, ctx);
            }
            return true;
        }

        @Override
        public Object[] row() {
            return row;
        }

        @Override
        public void close() {
            input.close();
        }
    }

    private static final class TrimSource implements RowSource {
        private final RowSource input;
        private final int columns;
        private Object[] row;

        TrimSource(RowSource input, int columns) {
            this.input = input;
            this.columns = columns;
        }

        @Override
        public boolean next() throws SqlException {
            if (!input.next()) {
                return false;
            }
            row = Arrays.copyOf(input.row(), columns);
            return true;
        }

        @Override
        public Object[] row() {
            return row;
        }

        @Override
        public void close() {
            input.close();
        }
    }

    private static final class DistinctSource implements RowSource {
        private final RowSource input;
        private final int columns;
        private final Set<ValueKey> seen = new HashSet<>();

        DistinctSource(RowSource input, int columns) {
            this.input = input;
            this.columns = columns;
        }

        @Override
        public boolean next() throws SqlException {
            while (input.next()) {
                if (seen.add(new ValueKey(input.row(), columns))) {
                    if (seen.size() > GROUPS_MAX) {
                        throw tooMany("DISTINCT values", GROUPS_MAX);
                    }
                    return true;
                }
            }
            return false;
        }

        @Override
        public Object[] row() {
            return input.row();
        }

        @Override
        public void close() {
            input.close();
        }
    }

    static SqlException tooMany(String what, int limit) {
        return new SqlException(SqlState.PROGRAM_LIMIT_EXCEEDED, "statement needs more than " + limit + " " + what
                + " in memory, the limit of this server");
    }

    private static final class LimitSource implements RowSource {
        private final RowSource input;
        private final PlanNode.Limit node;
        private final ExecContext ctx;
        private Long remaining;
        private boolean started;

        LimitSource(RowSource input, PlanNode.Limit node, ExecContext ctx) {
            this.input = input;
            this.node = node;
            this.ctx = ctx;
        }

        @Override
        public boolean next() throws SqlException {
            if (!started) {
                started = true;
                remaining = count(node.limit(), ctx, true);
                Long skip = count(node.offset(), ctx, false);
                for (long i = 0; skip != null && i < skip; i++) {
                    if (!input.next()) {
                        remaining = 0L;
                        break;
                    }
                }
            }
            if (remaining != null) {
                if (remaining <= 0) {
                    input.close();
                    return false;
                }
                remaining--;
            }
            return input.next();
        }

        @Override
        public Object[] row() {
            return input.row();
        }

        @Override
        public void close() {
            input.close();
        }
    }

    private static final class SortSource implements RowSource {
        private final RowSource input;
        private final PlanNode.Sort node;
        private final ExecContext ctx;
        private Iterator<Object[]> sorted;
        private Object[] row;

        SortSource(RowSource input, PlanNode.Sort node, ExecContext ctx) {
            this.input = input;
            this.node = node;
            this.ctx = ctx;
        }

        private Comparator<Object[]> comparator() {
            List<OrderKey> keys = node.keys();
            List<SqlType> types = node.keyTypes();
            return (a, b) -> {
                for (int i = 0; i < keys.size(); i++) {
                    OrderKey k = keys.get(i);
                    Object x = a[k.column()];
                    Object y = b[k.column()];
                    int c;
                    if (x == null || y == null) {
                        c = x == null && y == null ? 0 : (x == null) == k.nullsFirst() ? -1 : 1;
                    } else {
                        c = Operators.compare(x, y, types.get(i));
                        if (k.descending()) {
                            c = -c;
                        }
                    }
                    if (c != 0) {
                        return c;
                    }
                }
                return 0;
            };
        }

        @Override
        public boolean next() throws SqlException {
            if (sorted == null) {
                Comparator<Object[]> cmp = comparator();
                Long limit = count(node.limit(), ctx, true);
                Long offset = count(node.offset(), ctx, false);
                List<Object[]> rows;
                if (limit != null && limit + (offset == null ? 0 : offset) < SORT_ROWS_MAX) {
                    long keep = limit + (offset == null ? 0 : offset);
                    PriorityQueue<Object[]> top = new PriorityQueue<>(cmp.reversed());
                    while (input.next()) {
                        ctx.checkCancelled();
                        top.add(input.row().clone());
                        if (top.size() > keep) {
                            top.poll();
                        }
                    }
                    rows = new ArrayList<>(top);
                } else {
                    rows = new ArrayList<>();
                    while (input.next()) {
                        ctx.checkCancelled();
                        rows.add(input.row().clone());
                        if (rows.size() > SORT_ROWS_MAX) {
                            throw tooMany("rows to sort", SORT_ROWS_MAX);
                        }
                    }
                }
                input.close();
                rows.sort(cmp);
                sorted = rows.iterator();
            }
            if (!sorted.hasNext()) {
                return false;
            }
            row = sorted.next();
            return true;
        }

        @Override
        public Object[] row() {
            return row;
        }

        @Override
        public void close() {
            input.close();
        }
    }

    /** One aggregate's running state for one group. */
    private static final class Accumulator {
        final Aggregate agg;
        long count;
        long longSum;
        BigDecimal decimalSum;
        double doubleSum;
        Object extreme;
        Set<ValueKey> distinct;
        boolean any;

        Accumulator(Aggregate agg) {
            this.agg = agg;
            if (agg.distinct()) {
                distinct = new HashSet<>();
            }
        }

        void add(Object[] row, ExecContext ctx) throws SqlException {
            if (agg.kind() == io.cacdb.server.sql.bind.BoundStatement.AggregateKind.COUNT_STAR) {
                count++;
                return;
            }
            Object v = agg.argument().eval(row, ctx);
            if (v == null) {
                return;
            }
            if (distinct != null) {
                if (!distinct.add(new ValueKey(new Object[] {v}, 1))) {
                    return;
                }
                if (distinct.size() > GROUPS_MAX) {
                    throw tooMany("distinct values", GROUPS_MAX);
                }
            }
            count++;
            any = true;
            SqlType in = agg.argument().type();
            switch (agg.kind()) {
                case SUM, AVG -> {
                    switch (in.pg()) {
                        case INT2, INT4 -> {
                            if (agg.kind() == io.cacdb.server.sql.bind.BoundStatement.AggregateKind.SUM) {
                                longSum = Math.addExact(longSum, ((Number) v).longValue());
                            } else {
                                decimalSum = decimalSum == null ? BigDecimal.valueOf(((Number) v).longValue())
                                        : decimalSum.add(BigDecimal.valueOf(((Number) v).longValue()));
                            }
                        }
                        case INT8 -> decimalSum = decimalSum == null ? BigDecimal.valueOf((Long) v)
                                : decimalSum.add(BigDecimal.valueOf((Long) v));
                        case NUMERIC -> decimalSum = decimalSum == null ? (BigDecimal) v : decimalSum.add((BigDecimal) v);
                        default -> doubleSum += ((Number) v).doubleValue();
                    }
                }
                case MIN, MAX -> {
                    if (extreme == null) {
                        extreme = v;
                    } else {
                        int c = Operators.compare(v, extreme, in);
                        if (agg.kind() == io.cacdb.server.sql.bind.BoundStatement.AggregateKind.MIN ? c < 0 : c > 0) {
                            extreme = v;
                        }
                    }
                }
                default -> {
                }
            }
        }

        Object result() throws SqlException {
            return switch (agg.kind()) {
                case COUNT, COUNT_STAR -> count;
                case MIN, MAX -> extreme;
                case SUM -> {
                    if (!any) {
                        yield null;
                    }
                    yield switch (agg.type().pg()) {
                        case INT8 -> longSum;
                        case NUMERIC -> decimalSum;
                        case FLOAT4 -> (float) doubleSum;
                        default -> doubleSum;
                    };
                }
                case AVG -> {
                    if (!any) {
                        yield null;
                    }
                    if (agg.type().pg() == io.cacdb.server.session.PgType.FLOAT8) {
                        yield doubleSum / count;
                    }
                    int scale = Math.max(AVG_SCALE_MIN, decimalSum.scale());
                    yield decimalSum.divide(BigDecimal.valueOf(count), scale, RoundingMode.HALF_UP);
                }
            };
        }
    }

    private static final class AggregationSource implements RowSource {
        private final PlanNode.Aggregation node;
        private final RowSource input;
        private final ExecContext ctx;
        private Iterator<Object[]> results;
        private Object[] row;

        AggregationSource(PlanNode.Aggregation node, RowSource input, ExecContext ctx) {
            this.node = node;
            this.input = input;
            this.ctx = ctx;
        }

        @Override
        public boolean next() throws SqlException {
            if (results == null) {
                results = aggregate().iterator();
            }
            if (!results.hasNext()) {
                return false;
            }
            row = results.next();
            return true;
        }

        private List<Object[]> aggregate() throws SqlException {
            int groups = node.groupBy().size();
            Map<ValueKey, Object[]> keys = new LinkedHashMap<>();
            Map<ValueKey, Accumulator[]> states = new LinkedHashMap<>();
            try {
                while (input.next()) {
                    ctx.checkCancelled();
                    Object[] in = input.row();
                    Object[] g = new Object[groups];
                    for (int i = 0; i < groups; i++) {
                        g[i] = node.groupBy().get(i).eval(in, ctx);
                    }
                    ValueKey key = new ValueKey(g, groups);
                    Accumulator[] acc = states.get(key);
                    if (acc == null) {
                        if (states.size() >= GROUPS_MAX) {
                            throw tooMany("groups", GROUPS_MAX);
                        }
                        acc = newState();
                        states.put(key, acc);
                        keys.put(key, g);
                    }
                    for (Accumulator a : acc) {
                        a.add(in, ctx);
                    }
                }
            } catch (ArithmeticException e) {
                throw Casts.outOfRange("bigint");
            } finally {
                input.close();
            }
            if (states.isEmpty() && groups == 0) {
                states.put(new ValueKey(new Object[0], 0), newState());
                keys.put(new ValueKey(new Object[0], 0), new Object[0]);
            }
            List<Object[]> out = new ArrayList<>();
            for (Map.Entry<ValueKey, Accumulator[]> e : states.entrySet()) {
                Object[] r = new Object[groups + node.aggregates().size()];
                System.arraycopy(keys.get(e.getKey()), 0, r, 0, groups);
                Accumulator[] acc = e.getValue();
                for (int i = 0; i < acc.length; i++) {
                    r[groups + i] = acc[i].result();
                }
                out.add(r);
            }
            return out;
        }

        private Accumulator[] newState() {
            Accumulator[] acc = new Accumulator[node.aggregates().size()];
            for (int i = 0; i < acc.length; i++) {
                acc[i] = new Accumulator(node.aggregates().get(i));
            }
            return acc;
        }

        @Override
        public Object[] row() {
            return row;
        }

        @Override
        public void close() {
            input.close();
        }
    }

    /** Converts a value for an assignment (used by DML). */
    static Object assign(Object v, SqlType from, SqlType to) throws SqlException {
        return Casts.cast(v, from, to, CastKind.ASSIGNMENT);
    }
}
