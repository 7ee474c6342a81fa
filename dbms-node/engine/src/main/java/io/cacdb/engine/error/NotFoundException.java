package io.cacdb.engine.error;

/**
 * The embedded API's update or delete named a key that is not in the index. This is an <b>API error, not a SQL
 * error</b>: a SQL UPDATE or DELETE that matches no row succeeds with a row count of 0, so the SQL layer turns this
 * into that count and never sends it. Should it reach a client anyway, its SQLSTATE is P0002 (no_data_found), the
 * error-class code PostgreSQL uses for "a row was required and none was found" (the class-02 "no data" codes are
 * completion conditions, not errors). The caller should <b>fix the request</b> (insert instead, or re-read).
 */
public final class NotFoundException extends EngineException {

    public NotFoundException(String message) {
        super(SqlState.NO_DATA_FOUND, CallerAction.FIX_REQUEST, message);
    }
}
