package io.cacdb.engine.error;

/**
 * A key or row is larger than a page cell can hold (SQLSTATE 54000, program_limit_exceeded). Raised before anything
 * changes: the statement is refused and nothing was written. The caller must <b>fix the input</b>: a smaller row or
 * shorter/fewer key columns; retrying the same row fails again. (Large values would need overflow pages, which this
 * engine does not have.)
 */
public final class RowTooLargeException extends EngineException {

    private final String what;
    private final int sizeBytes;
    private final int limitBytes;

    /**
     * @param what       which limit was exceeded, e.g. "key" or "key plus value"
     * @param sizeBytes  the size that was refused
     * @param limitBytes the limit it exceeds
     */
    public RowTooLargeException(String what, int sizeBytes, int limitBytes) {
        super(SqlState.PROGRAM_LIMIT_EXCEEDED, CallerAction.FIX_REQUEST,
                what + " of " + sizeBytes + " bytes exceeds the limit of " + limitBytes
                        + " bytes; shorten the value or index fewer/shorter columns");
        this.what = what;
        this.sizeBytes = sizeBytes;
        this.limitBytes = limitBytes;
    }

    /** A whole row over the row limit. */
    public RowTooLargeException(int rowBytes, int rowBytesMax) {
        this("row", rowBytes, rowBytesMax);
    }

    /** Which limit was exceeded, e.g. "key", "key plus value" or "row". */
    public String what() {
        return what;
    }

    public int sizeBytes() {
        return sizeBytes;
    }

    public int limitBytes() {
        return limitBytes;
    }

    /** Same as {@link #sizeBytes()}. */
    public int rowBytes() {
        return sizeBytes;
    }

    /** Same as {@link #limitBytes()}. */
    public int rowBytesMax() {
        return limitBytes;
    }
}
