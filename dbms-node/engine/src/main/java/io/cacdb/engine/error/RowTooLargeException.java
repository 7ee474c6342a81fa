package io.cacdb.engine.error;

/**
 * A row (key plus value) does not fit the engine's row size limit (SQLSTATE 54000, program_limit_exceeded). The
 * caller must <b>fix the input</b>: a smaller row; retrying the same row fails again.
 */
public final class RowTooLargeException extends EngineException {

    private final int rowBytes;
    private final int rowBytesMax;

    public RowTooLargeException(int rowBytes, int rowBytesMax) {
        super(SqlState.PROGRAM_LIMIT_EXCEEDED, CallerAction.FIX_REQUEST,
                "row of " + rowBytes + " bytes exceeds the maximum of " + rowBytesMax + " bytes");
        this.rowBytes = rowBytes;
        this.rowBytesMax = rowBytesMax;
    }

    public int rowBytes() {
        return rowBytes;
    }

    public int rowBytesMax() {
        return rowBytesMax;
    }
}
