package io.cacdb.engine.error;

/**
 * A table definition names a column twice, or an index lists a column twice (SQLSTATE 42701, duplicate_column).
 * Nothing was created. The caller must <b>fix the request</b>.
 */
public final class DuplicateColumnException extends EngineException {

    public DuplicateColumnException(String relation, String column) {
        super(SqlState.DUPLICATE_COLUMN, CallerAction.FIX_REQUEST,
                "column \"" + column + "\" specified more than once in \"" + relation + "\"");
    }
}
