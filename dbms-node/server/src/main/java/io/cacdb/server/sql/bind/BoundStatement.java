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
     * A {@code LEFT [OUTER] JOIN}ed relation ({@link RelationRef#index}) and its ON conjuncts: the relation is joined
     * after every relation before it in FROM, and an outer row without a match gets NULLs in its slots.
     */
    record OuterJoin(int relation, List<Expr> on) {
        public OuterJoin {
            on = List.copyOf(on);
        }
    }

    /**
     * A window function of the select list ({@code row_number() OVER (PARTITION BY .. ORDER BY ..)}): computed over
     * the source rows after WHERE, into source-row slot {@code slot}.
     */
    record Window(int slot, List<Expr> partitionBy, List<Expr> orderBy, List<Boolean> descending,
                  List<Boolean> nullsFirst) {
        public Window {
            partitionBy = List.copyOf(partitionBy);
            orderBy = List.copyOf(orderBy);
            descending = List.copyOf(descending);
            nullsFirst = List.copyOf(nullsFirst);
        }
    }

    /**
     * A SELECT. Row layouts: the <em>source row</em> holds every FROM relation's columns ({@link RelationRef#offset});
     * {@code conjuncts} and {@code groupBy} read it. For an aggregate query the <em>group row</em> holds the group-by
     * values then the aggregate values, and {@code having} and {@code outputs} read it; otherwise {@code outputs} read
     * the source row. {@code outputs} has {@code visible} columns the client sees plus hidden ones ORDER BY needs.
     * A nested query's source row starts with the slots of the query it is nested in (its first relation's offset
     * is not 0), so correlated references are ordinary slots. {@code conjuncts} are WHERE's and inner joins' ON
     * conjuncts; {@code outerJoins} have their own. {@code windows} fill slots after the relations' columns.
     */
    record Query(List<RelationRef> relations, int width, List<Expr> conjuncts, boolean aggregate,
                 List<Expr> groupBy, List<Aggregate> aggregates, Expr having, List<Expr> outputs, List<String> names,
                 int visible, boolean distinct, List<OrderKey> orderBy, Expr limit, Expr offset, boolean forUpdate,
                 List<OuterJoin> outerJoins, List<Window> windows)
            implements BoundStatement {

        public Query {
            outerJoins = List.copyOf(outerJoins);
            windows = List.copyOf(windows);
        }

        /** The ON conjuncts of relation {@code index} if it is outer-joined, else null. */
        public OuterJoin outerJoin(int index) {
            for (OuterJoin j : outerJoins) {
                if (j.relation() == index) {
                    return j;
                }
            }
            return null;
        }
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
