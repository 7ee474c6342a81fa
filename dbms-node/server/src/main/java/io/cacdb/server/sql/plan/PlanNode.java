package io.cacdb.server.sql.plan;

import io.cacdb.server.sql.bind.BoundStatement.Aggregate;
import io.cacdb.server.sql.bind.BoundStatement.OrderKey;
import io.cacdb.server.sql.bind.RelationRef;
import io.cacdb.server.sql.expr.Expr;
import java.util.List;

/**
 * A query plan: an immutable tree of operators the executor opens as iterators ({@code io.cacdb.server.sql.exec}).
 * Scans and joins produce <em>source rows</em> (every FROM relation's slots, filled as relations are joined);
 * {@link Aggregate} produces group rows; {@link Project} produces output rows. Shared between sessions through the
 * plan cache, so nodes hold no execution state.
 */
public sealed interface PlanNode {

    /**
     * Reads one relation. Each row of the outer input (or one empty row at the top) is extended with this relation's
     * columns; {@code filter} is every predicate that can be checked once this relation is joined. {@code forUpdate}
     * X-locks each row returned (the row is read again under the lock and the filter re-checked).
     */
    record Scan(RelationRef relation, AccessPath path, List<Expr> filter, boolean forUpdate, int width)
            implements PlanNode {
        public Scan {
            filter = List.copyOf(filter);
        }
    }

    /** For each row of {@code outer}, the rows of {@code inner} opened with it (an index nested loop when the inner
     * scan's path reads outer slots). */
    record NestedLoop(PlanNode outer, Scan inner) implements PlanNode {
    }

    /** One empty row: SELECT without FROM. */
    record OneRow(int width) implements PlanNode {
    }

    /** Groups and aggregates: output rows are the group values, then the aggregate values. */
    record Aggregation(PlanNode input, List<Expr> groupBy, List<Aggregate> aggregates) implements PlanNode {
    }

    record Filter(PlanNode input, Expr predicate) implements PlanNode {
    }

    record Project(PlanNode input, List<Expr> outputs) implements PlanNode {
    }

    /** Removes duplicate rows (comparing the first {@code columns} columns). */
    record Distinct(PlanNode input, int columns) implements PlanNode {
    }

    /** Sorts; with a limit (and offset) it keeps only the first {@code limit + offset} rows (top-N). */
    record Sort(PlanNode input, List<OrderKey> keys, List<io.cacdb.server.sql.types.SqlType> keyTypes, Expr limit,
                Expr offset) implements PlanNode {
    }

    /** OFFSET then LIMIT (null: none); stops pulling its input once the limit is reached. */
    record Limit(PlanNode input, Expr limit, Expr offset) implements PlanNode {
    }

    /** Drops the hidden columns ORDER BY needed. */
    record Trim(PlanNode input, int columns) implements PlanNode {
    }
}
