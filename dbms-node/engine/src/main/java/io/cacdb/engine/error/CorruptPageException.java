package io.cacdb.engine.error;

/**
 * A page read from storage failed validation: bad checksum, wrong page number, impossible header (SQLSTATE XX001,
 * data_corrupted). The transaction is rolled back; an <b>operator must look</b> (read another replica, restore);
 * retrying reads the same bytes.
 */
public final class CorruptPageException extends EngineException {

    private final long pageNo;

    public CorruptPageException(long pageNo, String reason) {
        this(pageNo, reason, null);
    }

    public CorruptPageException(long pageNo, String reason, Throwable cause) {
        super(SqlState.DATA_CORRUPTED, CallerAction.OPERATOR_ATTENTION, "page " + pageNo + " is corrupt: " + reason,
                cause);
        this.pageNo = pageNo;
    }

    public long pageNo() {
        return pageNo;
    }
}
