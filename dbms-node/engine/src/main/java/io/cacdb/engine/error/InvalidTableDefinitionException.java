package io.cacdb.engine.error;

/**
 * A table or index definition that cannot be created as given: no columns, too many, a key wider than the key size
 * limit, a default that does not fit its column (SQLSTATE 42P16, invalid_table_definition). Nothing was created.
 * The caller must <b>fix the request</b>.
 */
public final class InvalidTableDefinitionException extends EngineException {

    public InvalidTableDefinitionException(String message) {
        super(SqlState.INVALID_TABLE_DEFINITION, CallerAction.FIX_REQUEST, message);
    }
}
