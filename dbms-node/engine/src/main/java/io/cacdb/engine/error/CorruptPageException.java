package io.cacdb.engine.error;

/**
 * Storage holds no valid image of a page — bad checksum, wrong page number, impossible header, or a version older
 * than one this node already wrote or read — even after a repairing quorum re-read (SQLSTATE XX001,
 * data_corrupted). The page was not loaded; nothing was returned. The transaction is rolled back; an <b>operator
 * must look</b> (restore the page or rebuild it from the log); retrying reads the same bytes.
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
