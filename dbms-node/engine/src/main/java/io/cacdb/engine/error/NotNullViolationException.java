package io.cacdb.engine.error;

/**
 * A row has NULL in a column declared NOT NULL (SQLSTATE 23502, not_null_violation). Nothing was changed. The caller
 * must <b>fix the input</b>: give the column a value.
 */
public final class NotNullViolationException extends EngineException {

    private final String table;
    private final String column;

    public NotNullViolationException(String table, String column) {
        super(SqlState.NOT_NULL_VIOLATION, CallerAction.FIX_REQUEST,
                "null value in column \"" + column + "\" of relation \"" + table + "\" violates not-null constraint");
        this.table = table;
        this.column = column;
    }

    public String table() {
        return table;
    }

    public String column() {
        return column;
    }
}
