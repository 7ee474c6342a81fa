package io.cacdb.engine.error;

/**
 * A column name that the table does not have (SQLSTATE 42703, undefined_column). The caller must <b>fix the
 * request</b>.
 */
public final class UndefinedColumnException extends EngineException {

    public UndefinedColumnException(String table, String column) {
        super(SqlState.UNDEFINED_COLUMN, CallerAction.FIX_REQUEST,
                "column \"" + column + "\" of relation \"" + table + "\" does not exist");
    }
}
