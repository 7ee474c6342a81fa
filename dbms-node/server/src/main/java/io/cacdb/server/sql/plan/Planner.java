package io.cacdb.server.sql.plan;

import io.cacdb.engine.catalog.CatalogSnapshot;
import io.cacdb.engine.catalog.IndexColumn;
import io.cacdb.engine.catalog.IndexDef;
import io.cacdb.server.session.Column;
import io.cacdb.server.session.PgType;
import io.cacdb.server.session.RowDescription;
import io.cacdb.server.sql.bind.BoundStatement;
import io.cacdb.server.sql.bind.BoundStatement.OrderKey;
import io.cacdb.server.sql.bind.RelationRef;
import io.cacdb.server.sql.expr.Expr;
import io.cacdb.server.sql.types.CastKind;
import io.cacdb.server.sql.types.SqlType;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Plans bound statements. Rules (no statistics; docs/sql.md §Planner):
 * <ol>
 *   <li><b>Access path</b> per relation: for every index (the primary key first), the longest prefix of its key
 *   columns each fixed by a {@code column = value} conjunct, then a range ({@code <, <=, >, >=}, BETWEEN) on the next
 *   column; a value may read constants, parameters and relations already joined. A unique index with every column
 *   fixed wins (the primary key is then a point lookup), then more fixed columns, then a range, then delivering the
 *   ORDER BY; no usable index means a full scan of the primary index.</li>
 *   <li><b>Join order</b>: greedy, left-deep: first the relation with the best access path on its own, then each time
 *   the relation with the best path given those already joined (ties keep FROM order). An inner path that reads
 *   outer slots is an index nested-loop join.</li>
 *   <li><b>Predicates</b> are checked at the first scan where every relation they read is joined; every conjunct is
 *   also re-checked as a filter, so index bounds only narrow the scan and never decide a result.</li>
 *   <li><b>Sort</b> only when the first relation's path does not deliver the ORDER BY (equality-fixed key columns
 *   are skipped; a reversed order scans backwards; a point lookup delivers any order). With LIMIT and a sort the
 *   sort keeps the top N; without a sort LIMIT stops the scan early.</li>
 * </ol>
 * Stateless and thread-safe.
 */
public final class Planner {

    private Planner() {
    }

    public static StatementPlan plan(BoundStatement s, CatalogSnapshot catalog) {
        return switch (s) {
            case BoundStatement.Query q -> query(q, catalog);
            case BoundStatement.Insert i -> new StatementPlan.Insert(i.table(), i.targetColumns(), i.rows(),
                    i.source() == null ? null : query(i.source(), catalog), i.returning(),
                    i.returning().isEmpty() ? null : describe(i.returning(), i.returningNames(), null));
            case BoundStatement.Update u -> new StatementPlan.Update(u.target(),
                    scan(u.target(), u.conjuncts(), new BitSet(), catalog, List.of(), false, u.target().columns().size()),
                    u.columns(), u.assignments(), u.returning(),
                    u.returning().isEmpty() ? null : describe(u.returning(), u.returningNames(), List.of(u.target())));
            case BoundStatement.Delete d -> new StatementPlan.Delete(d.target(),
                    scan(d.target(), d.conjuncts(), new BitSet(), catalog, List.of(), false, d.target().columns().size()),
                    d.returning(),
                    d.returning().isEmpty() ? null : describe(d.returning(), d.returningNames(), List.of(d.target())));
            default -> new StatementPlan.Ddl(s);
        };
    }

    // ------------------------------------------------------------------------------------------------ queries

    static StatementPlan.Query query(BoundStatement.Query q, CatalogSnapshot catalog) {
        List<Expr> sortExprs = new ArrayList<>();
        for (OrderKey k : q.orderBy()) {
            sortExprs.add(q.outputs().get(k.column()));
        }
        boolean orderMatters = !q.orderBy().isEmpty() && !q.aggregate() && !q.distinct();
        PlanNode source;
        boolean ordered = false;
        if (q.relations().isEmpty()) {
            source = new PlanNode.OneRow(q.width());
            ordered = true;
        } else {
            List<RelationRef> remaining = new ArrayList<>(q.relations());
            List<Expr> pending = new ArrayList<>(q.conjuncts());
            BitSet known = new BitSet();
            PlanNode current = null;
            boolean first = true;
            while (!remaining.isEmpty()) {
                RelationRef best = null;
                Candidate bestCandidate = null;
                for (RelationRef r : remaining) {
                    Candidate c = bestPath(r, q.conjuncts(), known, catalog, first && orderMatters ? q.orderBy() : List.of(),
                            sortExprs);
                    if (bestCandidate == null || c.score > bestCandidate.score) {
                        best = r;
                        bestCandidate = c;
                    }
                }
                remaining.remove(best);
                BitSet nowKnown = (BitSet) known.clone();
                nowKnown.set(best.offset(), best.offset() + best.columns().size());
                List<Expr> filter = new ArrayList<>();
                for (Expr e : List.copyOf(pending)) {
                    BitSet used = new BitSet();
                    e.collectSlots(used);
                    used.andNot(nowKnown);
                    if (used.isEmpty()) {
                        filter.add(e);
                        pending.remove(e);
                    }
                }
                PlanNode.Scan scan = new PlanNode.Scan(best, bestCandidate.path, filter, q.forUpdate(), q.width());
                if (first) {
                    ordered = bestCandidate.deliversOrder;
                    current = scan;
                } else {
                    current = new PlanNode.NestedLoop(current, scan);
                }
                first = false;
                known = nowKnown;
            }
            if (!pending.isEmpty()) {
                throw new IllegalStateException("predicates " + pending + " read no relation of the query");
            }
            source = current;
        }
        PlanNode node = source;
        if (q.aggregate()) {
            node = new PlanNode.Aggregation(node, q.groupBy(), q.aggregates());
            if (q.having() != null) {
                node = new PlanNode.Filter(node, q.having());
            }
            ordered = false;
        }
        node = new PlanNode.Project(node, q.outputs());
        if (q.distinct()) {
            node = new PlanNode.Distinct(node, q.visible());
            ordered = false;
        }
        if (!q.orderBy().isEmpty() && !(ordered && orderMatters)) {
            List<SqlType> types = new ArrayList<>();
            for (OrderKey k : q.orderBy()) {
                types.add(q.outputs().get(k.column()).type());
            }
            node = new PlanNode.Sort(node, q.orderBy(), types, q.limit(), q.offset());
        }
        if (q.limit() != null || q.offset() != null) {
            node = new PlanNode.Limit(node, q.limit(), q.offset());
        }
        if (q.outputs().size() > q.visible()) {
            node = new PlanNode.Trim(node, q.visible());
        }
        return new StatementPlan.Query(node, describe(q.outputs().subList(0, q.visible()), q.names(),
                q.aggregate() ? null : q.relations()));
    }

    /** The row description of output expressions; plain table columns name their table and attribute number. */
    static RowDescription describe(List<Expr> outputs, List<String> names, List<RelationRef> relations) {
        List<Column> cols = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            Expr e = outputs.get(i);
            SqlType t = e.type().isUnknown() ? SqlType.TEXT : e.type();
            int tableOid = 0;
            short attnum = 0;
            if (relations != null && e instanceof Expr.Slot s) {
                for (RelationRef r : relations) {
                    if (r.owns(s.slot()) && r.isStored()) {
                        tableOid = (int) r.table().id();
                        attnum = (short) (s.slot() - r.offset() + 1);
                    }
                }
            }
            PgType pg = t.pg() == PgType.UNKNOWN ? PgType.TEXT : t.pg();
            cols.add(new Column(names.get(i), pg, t.typmod(), tableOid, attnum));
        }
        return new RowDescription(cols);
    }

    // ------------------------------------------------------------------------------------------------ access paths

    private record Candidate(AccessPath path, int score, boolean deliversOrder) {
    }

    /** Score of a usable primary-key point lookup: above any other path. */
    private static final int SCORE_POINT = 1_000_000;
    private static final int SCORE_UNIQUE_FULL = 500_000;
    private static final int SCORE_PER_EQUALITY = 1_000;
    private static final int SCORE_RANGE = 500;
    private static final int SCORE_ORDER = 100;

    static PlanNode.Scan scan(RelationRef r, List<Expr> conjuncts, BitSet known, CatalogSnapshot catalog,
            List<OrderKey> orderBy, boolean forUpdate, int width) {
        Candidate c = bestPath(r, conjuncts, known, catalog, orderBy, List.of());
        return new PlanNode.Scan(r, c.path, conjuncts, forUpdate, width);
    }

    private static Candidate bestPath(RelationRef r, List<Expr> conjuncts, BitSet known, CatalogSnapshot catalog,
            List<OrderKey> orderBy, List<Expr> sortExprs) {
        if (!r.isStored()) {
            return new Candidate(null, 0, false);
        }
        Candidate best = null;
        List<IndexDef> indexes = catalog.indexesOf(r.table().id());
        for (IndexDef index : indexes) {
            Candidate c = indexCandidate(r, index, conjuncts, known, orderBy, sortExprs);
            if (best == null || c.score > best.score) {
                best = c;
            }
        }
        if (best == null || best.score <= 0 && !best.deliversOrder) {
            boolean primaryOrder = false;
            return best != null && best.score > 0 ? best : new Candidate(AccessPath.full(false), 0, primaryOrder);
        }
        return best;
    }

    private static Candidate indexCandidate(RelationRef r, IndexDef index, List<Expr> conjuncts, BitSet known,
            List<OrderKey> orderBy, List<Expr> sortExprs) {
        List<SqlType> keyTypes = new ArrayList<>();
        List<Boolean> keyDesc = new ArrayList<>();
        for (IndexColumn ic : index.columns()) {
            keyTypes.add(r.columns().get(ic.column()).type());
            keyDesc.add(ic.descending());
        }
        List<Expr> eq = new ArrayList<>();
        int k = 0;
        for (; k < index.columns().size(); k++) {
            Expr v = findBound(r, index.columns().get(k).column(), conjuncts, known, Expr.CompareOp.EQ);
            if (v == null) {
                break;
            }
            eq.add(v);
        }
        Expr lower = null;
        Expr upper = null;
        boolean lowerInclusive = false;
        boolean upperInclusive = false;
        if (k < index.columns().size()) {
            int col = index.columns().get(k).column();
            Expr ge = findBound(r, col, conjuncts, known, Expr.CompareOp.GE);
            Expr gt = ge == null ? findBound(r, col, conjuncts, known, Expr.CompareOp.GT) : null;
            Expr le = findBound(r, col, conjuncts, known, Expr.CompareOp.LE);
            Expr lt = le == null ? findBound(r, col, conjuncts, known, Expr.CompareOp.LT) : null;
            lower = ge != null ? ge : gt;
            lowerInclusive = ge != null;
            upper = le != null ? le : lt;
            upperInclusive = le != null;
            if (index.columns().get(k).descending()) { // a descending column keeps larger values first
                Expr x = lower;
                lower = upper;
                upper = x;
                boolean xi = lowerInclusive;
                lowerInclusive = upperInclusive;
                upperInclusive = xi;
            }
        }
        boolean full = eq.size() == index.columns().size();
        boolean point = full && index.primary();
        boolean uniqueFull = full && index.unique();
        // ORDER BY delivered by this index?
        boolean descending = false;
        boolean delivers = uniqueFull;
        if (!orderBy.isEmpty() && !uniqueFull) {
            delivers = true;
            Boolean reversed = null;
            int next = eq.size();
            for (int i = 0; i < orderBy.size() && delivers; i++) {
                OrderKey key = orderBy.get(i);
                Expr e = sortExprs.get(i);
                if (!(e instanceof Expr.Slot s) || !r.owns(s.slot())) {
                    delivers = false;
                    break;
                }
                int col = s.slot() - r.offset();
                if (isEqualityColumn(index, eq.size(), col)) {
                    continue;
                }
                if (next >= index.columns().size() || index.columns().get(next).column() != col) {
                    delivers = false;
                    break;
                }
                IndexColumn ic = index.columns().get(next++);
                boolean rev = key.descending() != ic.descending();
                boolean nullsFirst = ic.nullsFirst() != rev;
                if ((reversed != null && reversed != rev) || nullsFirst != key.nullsFirst()) {
                    delivers = false;
                }
                reversed = rev;
            }
            descending = delivers && reversed != null && reversed;
        }
        int score = point ? SCORE_POINT : uniqueFull ? SCORE_UNIQUE_FULL : 0;
        score += eq.size() * SCORE_PER_EQUALITY + (lower != null || upper != null ? SCORE_RANGE : 0)
                + (delivers && !orderBy.isEmpty() ? SCORE_ORDER : 0) - index.columns().size();
        if (eq.isEmpty() && lower == null && upper == null && !(delivers && !orderBy.isEmpty())) {
            score = index.primary() ? 0 : -1;
        }
        AccessPath path = new AccessPath(index, keyTypes, keyDesc, eq, lower, lowerInclusive, upper, upperInclusive,
                descending, point);
        return new Candidate(path, score, delivers);
    }

    private static boolean isEqualityColumn(IndexDef index, int eqCount, int column) {
        for (int i = 0; i < eqCount; i++) {
            if (index.columns().get(i).column() == column) {
                return true;
            }
        }
        return false;
    }

    /**
     * The value side of a conjunct {@code column op value} (or {@code value op' column}) usable as an index bound:
     * the value reads only known slots and converts to the key's type without changing comparison results.
     */
    private static Expr findBound(RelationRef r, int column, List<Expr> conjuncts, BitSet known, Expr.CompareOp op) {
        int slot = r.offset() + column;
        SqlType keyType = r.columns().get(column).type();
        for (Expr e : conjuncts) {
            if (!(e instanceof Expr.Compare c)) {
                continue;
            }
            Expr value = null;
            if (keySlot(c.left()) == slot && c.op() == op) {
                value = c.right();
            } else if (keySlot(c.right()) == slot && c.op().flipped() == op) {
                value = c.left();
            }
            if (value == null) {
                continue;
            }
            BitSet used = new BitSet();
            value.collectSlots(used);
            used.andNot(known);
            if (!used.isEmpty() || !boundTypeUsable(keyType, value.type())) {
                continue;
            }
            return value;
        }
        return null;
    }

    /** The slot a key-side expression reads, seeing through widening casts; -1 if it is not a bare column. */
    private static int keySlot(Expr e) {
        if (e instanceof Expr.Slot s) {
            return s.slot();
        }
        if (e instanceof Expr.Cast c && c.kind() == CastKind.IMPLICIT && c.input() instanceof Expr.Slot s) {
            SqlType from = s.type();
            SqlType to = c.type();
            if ((from.isInteger() && to.isInteger()) || (from.isString() && to.isString())
                    || (from.pg() == PgType.DATE && to.pg() == PgType.TIMESTAMP)) {
                return s.slot();
            }
        }
        return -1;
    }

    /** Whether a bound value of type {@code value} converts exactly into a key of type {@code key}. */
    private static boolean boundTypeUsable(SqlType key, SqlType value) {
        if (key.isInteger()) {
            return value.isInteger();
        }
        if (key.pg() == PgType.NUMERIC) {
            return value.isInteger() || value.pg() == PgType.NUMERIC;
        }
        if (key.pg() == PgType.FLOAT8 || key.pg() == PgType.FLOAT4) {
            return value.pg() == key.pg() || (key.pg() == PgType.FLOAT8 && value.pg() == PgType.FLOAT4);
        }
        if (key.isString()) {
            return value.isString() && (key.pg() == PgType.BPCHAR) == (value.pg() == PgType.BPCHAR);
        }
        if (key.pg() == PgType.TIMESTAMP) {
            return value.pg() == PgType.TIMESTAMP || value.pg() == PgType.DATE;
        }
        return key.pg() == value.pg();
    }
}
