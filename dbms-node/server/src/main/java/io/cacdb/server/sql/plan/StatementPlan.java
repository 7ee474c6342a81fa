package io.cacdb.server.sql.plan;

import io.cacdb.engine.catalog.TableDef;
import io.cacdb.server.session.RowDescription;
import io.cacdb.server.sql.bind.BoundStatement;
import io.cacdb.server.sql.bind.RelationRef;
import io.cacdb.server.sql.expr.Expr;
import java.util.List;

/** An executable statement: what the plan cache keeps and a portal runs. Immutable. */
public sealed interface StatementPlan {

    /** The rows the statement returns, or null. */
    RowDescription rowDescription();

    record Query(PlanNode root, RowDescription rowDescription) implements StatementPlan {
    }

    /** INSERT: each VALUES row (already of the column types) or the rows of {@code source}. */
    record Insert(TableDef table, int[] targetColumns, List<List<Expr>> rows, Query source, List<Expr> returning,
                  RowDescription rowDescription) implements StatementPlan {
    }

    /**
     * UPDATE: {@code scan} finds the rows (their keys are collected before any change, against the Halloween problem);
     * each is then read again X-locked, re-checked and changed.
     */
    record Update(RelationRef target, PlanNode.Scan scan, int[] columns, List<Expr> assignments, List<Expr> returning,
                  RowDescription rowDescription) implements StatementPlan {
    }

    record Delete(RelationRef target, PlanNode.Scan scan, List<Expr> returning, RowDescription rowDescription)
            implements StatementPlan {
    }

    /** CREATE/DROP/TRUNCATE: run as bound. */
    record Ddl(BoundStatement statement) implements StatementPlan {
        @Override
        public RowDescription rowDescription() {
            return null;
        }
    }
}
