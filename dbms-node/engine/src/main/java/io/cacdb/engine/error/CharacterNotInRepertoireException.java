package io.cacdb.engine.error;

/**
 * A string has a character that cannot be encoded in UTF-8 (an unpaired surrogate) (SQLSTATE 22021,
 * character_not_in_repertoire). Nothing was changed. The caller must <b>fix the input</b>.
 */
public final class CharacterNotInRepertoireException extends EngineException {

    public CharacterNotInRepertoireException(String message) {
        super(SqlState.CHARACTER_NOT_IN_REPERTOIRE, CallerAction.FIX_REQUEST, message);
    }
}
