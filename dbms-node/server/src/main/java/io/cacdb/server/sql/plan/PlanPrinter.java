package io.cacdb.server.sql.plan;

import io.cacdb.server.sql.bind.BoundStatement;
import io.cacdb.server.sql.expr.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * EXPLAIN's text: one line per plan node, children indented under {@code ->} as PostgreSQL prints them. Index use
 * reads {@code Index Scan using <index> on <table>} with the key conditions, a primary-key point lookup {@code Index
 * Point Lookup}, joins {@code Nested Loop} (an index nested loop when the inner scan's key reads outer columns).
 */
public final class PlanPrinter {

    private PlanPrinter() {
    }

    public static List<String> lines(StatementPlan plan) {
        List<String> out = new ArrayList<>();
        switch (plan) {
            case StatementPlan.Query q -> node(q.root(), 0, out);
            case StatementPlan.Insert i -> {
                out.add("Insert on " + i.table().name());
                if (i.source() != null) {
                    node(i.source().root(), 1, out);
                } else {
                    out.add("  ->  Values (" + i.rows().size() + " rows)");
                }
            }
            case StatementPlan.Update u -> {
                out.add("Update on " + u.target().table().name());
                node(u.scan(), 1, out);
            }
            case StatementPlan.Delete d -> {
                out.add("Delete on " + d.target().table().name());
                node(d.scan(), 1, out);
            }
            case StatementPlan.Ddl d -> out.add("Utility Statement (" + d.statement().getClass().getSimpleName() + ")");
        }
        return out;
    }

    private static void line(int depth, String text, List<String> out) {
        out.add(depth == 0 ? text : "  ".repeat(depth * 2 - 1) + "->  " + text);
    }

    private static void detail(int depth, String text, List<String> out) {
        out.add("  ".repeat(depth * 2 + (depth == 0 ? 1 : 2)) + text);
    }

    private static void node(PlanNode n, int depth, List<String> out) {
        switch (n) {
            case PlanNode.Scan s -> scan(s, depth, out);
            case PlanNode.NestedLoop j -> {
                boolean indexed = readsOuter(j.inner());
                line(depth, indexed ? "Nested Loop (index)" : "Nested Loop", out);
                node(j.outer(), depth + 1, out);
                node(j.inner(), depth + 1, out);
            }
            case PlanNode.OneRow o -> line(depth, "Result", out);
            case PlanNode.Aggregation a -> {
                line(depth, a.groupBy().isEmpty() ? "Aggregate" : "HashAggregate", out);
                if (!a.groupBy().isEmpty()) {
                    detail(depth, "Group Key: " + join(a.groupBy()), out);
                }
                detail(depth, "Aggregates: " + a.aggregates().stream().map(BoundStatement.Aggregate::toString)
                        .collect(Collectors.joining(", ")), out);
                node(a.input(), depth + 1, out);
            }
            case PlanNode.Filter f -> {
                line(depth, "Filter: " + f.predicate(), out);
                node(f.input(), depth + 1, out);
            }
            case PlanNode.Project p -> node(p.input(), depth, out);
            case PlanNode.Distinct d -> {
                line(depth, "Distinct", out);
                node(d.input(), depth + 1, out);
            }
            case PlanNode.Sort s -> {
                line(depth, s.limit() == null ? "Sort" : "Sort (top-N)", out);
                detail(depth, "Sort Key: " + s.keys().stream().map(k -> "#" + (k.column() + 1)
                        + (k.descending() ? " DESC" : "")).collect(Collectors.joining(", ")), out);
                node(s.input(), depth + 1, out);
            }
            case PlanNode.Limit l -> {
                line(depth, "Limit" + (l.limit() == null ? "" : " " + l.limit())
                        + (l.offset() == null ? "" : " Offset " + l.offset()), out);
                node(l.input(), depth + 1, out);
            }
            case PlanNode.Trim t -> node(t.input(), depth, out);
        }
    }

    private static boolean readsOuter(PlanNode.Scan s) {
        AccessPath p = s.path();
        if (p == null) {
            return false;
        }
        List<Expr> all = new ArrayList<>(p.equalities());
        if (p.lower() != null) {
            all.add(p.lower());
        }
        if (p.upper() != null) {
            all.add(p.upper());
        }
        return all.stream().anyMatch(e -> !e.isRowIndependent());
    }

    private static void scan(PlanNode.Scan s, int depth, List<String> out) {
        String table = s.relation().relationName();
        String bareName = s.relation().isStored() ? s.relation().table().name() : s.relation().virtual().name();
        String alias = s.relation().alias().equals(bareName) ? "" : " " + s.relation().alias();
        AccessPath p = s.path();
        if (p == null) {
            line(depth, "Virtual Scan on " + table + alias, out);
        } else if (p.point()) {
            line(depth, "Index Point Lookup using " + p.index().name() + " on " + table + alias, out);
        } else if (p.isFull() && p.index() == null) {
            line(depth, "Seq Scan on " + table + alias, out);
        } else {
            line(depth, "Index Scan" + (p.descending() ? " Backward" : "") + " using " + p.index().name() + " on "
                    + table + alias, out);
        }
        if (p != null && (!p.equalities().isEmpty() || p.lower() != null || p.upper() != null)) {
            List<String> conds = new ArrayList<>();
            for (int i = 0; i < p.equalities().size(); i++) {
                conds.add(keyName(s, i) + " = " + p.equalities().get(i));
            }
            int k = p.equalities().size();
            if (p.lower() != null) {
                conds.add(keyName(s, k) + (p.lowerInclusive() ? " >= " : " > ") + p.lower());
            }
            if (p.upper() != null) {
                conds.add(keyName(s, k) + (p.upperInclusive() ? " <= " : " < ") + p.upper());
            }
            detail(depth, "Index Cond: " + String.join(" AND ", conds), out);
        }
        if (!s.filter().isEmpty()) {
            detail(depth, "Filter: " + join(s.filter()), out);
        }
        if (s.forUpdate()) {
            detail(depth, "Lock: FOR UPDATE", out);
        }
    }

    private static String keyName(PlanNode.Scan s, int k) {
        int col = s.path().index().columns().get(k).column();
        return s.relation().columns().get(col).name();
    }

    private static String join(List<Expr> exprs) {
        return exprs.stream().map(Object::toString).collect(Collectors.joining(" AND "));
    }
}
