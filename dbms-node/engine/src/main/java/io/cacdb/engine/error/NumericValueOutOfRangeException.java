package io.cacdb.engine.error;

/**
 * A number does not fit its column type: outside the range of an integer or floating-point type, or more digits
 * before the decimal point than a numeric(p, s) allows (SQLSTATE 22003, numeric_value_out_of_range). Nothing was
 * changed. The caller must <b>fix the input</b>: a smaller value or a wider type.
 */
public final class NumericValueOutOfRangeException extends EngineException {

    public NumericValueOutOfRangeException(String message) {
        super(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, CallerAction.FIX_REQUEST, message);
    }
}
