package io.cacdb.engine.error;

/**
 * A date or timestamp is outside the range the engine stores (PostgreSQL's: 4713 BC to 5874897 AD for dates,
 * to 294276 AD for timestamps) (SQLSTATE 22008, datetime_field_overflow). Nothing was changed. The caller must
 * <b>fix the input</b>.
 */
public final class DatetimeFieldOverflowException extends EngineException {

    public DatetimeFieldOverflowException(String message) {
        super(SqlState.DATETIME_FIELD_OVERFLOW, CallerAction.FIX_REQUEST, message);
    }
}
