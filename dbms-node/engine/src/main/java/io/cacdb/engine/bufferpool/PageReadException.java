package io.cacdb.engine.bufferpool;

/**
 * Operating error: a page could not be read — storage failed or timed out, or the IO scheduler's queue was full.
 * The page was not loaded and nothing is held; the caller may retry later (the cause says why it failed).
 */
public final class PageReadException extends RuntimeException {

    private final long pageNo;

    public PageReadException(long pageNo, String what, Throwable cause) {
        super("page " + pageNo + " could not be read: " + what + "; retry later", cause);
        this.pageNo = pageNo;
    }

    public long pageNo() {
        return pageNo;
    }
}
