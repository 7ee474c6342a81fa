package io.cacdb.engine.page;

/**
 * A key or row is larger than a page cell can hold. An operating error caused by the data, not by the engine: the
 * statement must be refused (SQLSTATE 54000, program_limit_exceeded) and nothing was changed. Large values would need
 * overflow pages, which this engine does not have.
 */
public final class RowTooLargeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String what;
    private final int sizeBytes;
    private final int limitBytes;

    public RowTooLargeException(String what, int sizeBytes, int limitBytes) {
        super(what + " of " + sizeBytes + " bytes exceeds the limit of " + limitBytes
                + " bytes; shorten the value or index fewer/shorter columns");
        this.what = what;
        this.sizeBytes = sizeBytes;
        this.limitBytes = limitBytes;
    }

    /** Which limit was exceeded, e.g. "key" or "key plus value". */
    public String what() {
        return what;
    }

    public int sizeBytes() {
        return sizeBytes;
    }

    public int limitBytes() {
        return limitBytes;
    }
}
