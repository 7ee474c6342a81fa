package io.cacdb.server.sql.bind;

import io.cacdb.engine.catalog.TableDef;
import io.cacdb.engine.table.IndexSpec;
import io.cacdb.engine.table.TableSpec;
import io.cacdb.server.sql.expr.Expr;
import io.cacdb.server.sql.types.SqlType;
import java.util.List;

/** A statement after name resolution and type checking: what the planner plans. Immutable. */
public sealed interface BoundStatement {

    /** An aggregate function call of a query. */
    enum AggregateKind { COUNT_STAR, COUNT, SUM, AVG, MIN, MAX }

    record Aggregate(AggregateKind kind, Expr argument, boolean distinct, SqlType type) {
        @Override
        public String toString() {
            return switch (kind) {
                case COUNT_STAR -> "count(*)";
                default -> kind.name().toLowerCase(java.util.Locale.ROOT) + "(" + (distinct ? "DISTINCT " : "")
                        + argument + ")";
            };
        }
    }

    /** One ORDER BY key: an output column (visible or hidden) and its direction. */
    record OrderKey(int column, boolean descending, boolean nullsFirst) {
    }

    /**
     * A SELECT. Row layouts: the <em>source row</em> holds every FROM relation's columns ({@link RelationRef#offset});
     * {@code conjuncts} and {@code groupBy} read it. For an aggregate query the <em>group row</em> holds the group-by
     * values then the aggregate values, and {@code having} and {@code outputs} read it; otherwise {@code outputs} read
     * the source row. {@code outputs} has {@code visible} columns the client sees plus hidden ones ORDER BY needs.
     */
    record Query(List<RelationRef> relations, int width, List<Expr> conjuncts, boolean aggregate,
                 List<Expr> groupBy, List<Aggregate> aggregates, Expr having, List<Expr> outputs, List<String> names,
                 int visible, boolean distinct, List<OrderKey> orderBy, Expr limit, Expr offset, boolean forUpdate)
            implements BoundStatement {
    }

    /** An INSERT of VALUES rows (each value already of its column's type) or of a query's rows. */
    record Insert(TableDef table, int[] targetColumns, List<List<Expr>> rows, Query source, List<Expr> returning,
                  List<String> returningNames) implements BoundStatement {
    }

    /** An UPDATE: {@code assignments[i]} sets column {@code columns[i]}; expressions read the table's row. */
    record Update(RelationRef target, int[] columns, List<Expr> assignments, List<Expr> conjuncts,
                  List<Expr> returning, List<String> returningNames) implements BoundStatement {
    }

    record Delete(RelationRef target, List<Expr> conjuncts, List<Expr> returning, List<String> returningNames)
            implements BoundStatement {
    }

    record CreateTable(TableSpec spec, boolean ifNotExists) implements BoundStatement {
    }

    record CreateIndex(IndexSpec spec, boolean ifNotExists) implements BoundStatement {
    }

    record DropTables(List<String> names, boolean ifExists) implements BoundStatement {
    }

    record DropIndexes(List<String> names, boolean ifExists) implements BoundStatement {
    }

    record Truncate(List<String> tables) implements BoundStatement {
    }
}
