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

    /** Throws 57014 if the statement was cancelled. Called once per row by operators, not by expressions. */
    void checkCancelled() throws SqlException;
}
