package io.cacdb.engine.error;

/**
 * A string is longer than its column's declared length, and the excess is not only spaces (SQLSTATE 22001,
 * string_data_right_truncation). Nothing was changed. The caller must <b>fix the input</b>: a shorter value or a
 * wider column.
 */
public final class StringDataRightTruncationException extends EngineException {

    public StringDataRightTruncationException(String typeName, int lengthChars) {
        super(SqlState.STRING_DATA_RIGHT_TRUNCATION, CallerAction.FIX_REQUEST,
                "value too long for type " + typeName + " (" + lengthChars + " characters)");
    }
}
