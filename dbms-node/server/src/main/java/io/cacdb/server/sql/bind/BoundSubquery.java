package io.cacdb.server.sql.bind;

import io.cacdb.server.sql.expr.Expr;
import java.util.Objects;

/**
 * A nested query: the query of a subquery expression ({@code (SELECT ...)}, {@code EXISTS (...)}) or of a subquery
 * in FROM. The binder makes it with the bound query; the planner attaches the plan once, before the statement's plan
 * is published (to the plan cache or a prepared statement), and the executor runs that plan. The plan is held as
 * {@code Object} because binding sits below planning ({@code sql.plan} depends on this package, not the reverse).
 */
public final class BoundSubquery implements Expr.NestedQuery {

    private final BoundStatement.Query query;
    private final int outerWidth;
    private volatile Object plan;

    BoundSubquery(BoundStatement.Query query, int outerWidth) {
        this.query = Objects.requireNonNull(query, "query");
        if (outerWidth < 0 || outerWidth > query.width()) {
            throw new IllegalArgumentException("outer width " + outerWidth + " outside 0.." + query.width());
        }
        this.outerWidth = outerWidth;
    }

    /** How many leading slots of the nested query's rows are the enclosing query's (0 for a subquery in FROM). */
    public int outerWidth() {
        return outerWidth;
    }

    public BoundStatement.Query query() {
        return query;
    }

    @Override
    public int width() {
        return query.width();
    }

    /** Attaches the plan (the planner, once per bound statement). */
    public void attachPlan(Object planned) {
        Objects.requireNonNull(planned, "planned");
        if (plan != null) {
            throw new IllegalStateException("subquery planned twice");
        }
        plan = planned;
    }

    /** The attached plan. */
    public <P> P plan(Class<P> type) {
        Object p = plan;
        if (p == null) {
            throw new IllegalStateException("subquery run before it was planned");
        }
        return type.cast(p);
    }

    public boolean isPlanned() {
        return plan != null;
    }
}
