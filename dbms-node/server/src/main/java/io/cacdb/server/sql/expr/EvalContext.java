package io.cacdb.server.sql.expr;

import io.cacdb.server.session.SqlException;
import java.time.OffsetDateTime;

/** What evaluating an expression may read besides the row: parameters, the statement's clock, the session. */
public interface EvalContext {

    /** The value of parameter {@code $index+1}, of its statement's parameter type (null is NULL). */
    Object parameter(int index);

    /** {@code now()} / {@code current_timestamp}: the start of the current transaction, as in PostgreSQL. */
    OffsetDateTime transactionTimestamp();

    /** A session value for functions: {@code current_user}, {@code current_database}, {@code version}. */
    String sessionValue(String name);

    /**
     * Runs a subquery expression against {@code row} (the row the expression is evaluated on; the nested query reads
     * its outer slots from it) and returns its value: a scalar (or NULL) or a Boolean for EXISTS.
     */
    default Object subquery(Expr.Subquery subquery, Object[] row) throws SqlException {
        throw new SqlException(io.cacdb.server.session.SqlState.FEATURE_NOT_SUPPORTED,
                "subqueries cannot be evaluated here");
    }

    /**
     * The catalog the statement sees (the transaction's view, its own DDL included), for the system catalog's
     * functions ({@code pg_get_indexdef}, {@code pg_table_is_visible}, regclass input, ...).
     */
    default io.cacdb.engine.catalog.CatalogSnapshot catalog() {
        throw new IllegalStateException("no catalog in this evaluation context");
    }

    /** Throws 57014 if the statement was cancelled. Called once per row by operators, not by expressions. */
    void checkCancelled() throws SqlException;
}
