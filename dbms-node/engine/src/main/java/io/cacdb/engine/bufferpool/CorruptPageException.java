package io.cacdb.engine.bufferpool;

/**
 * Operating error: storage holds no valid image of a page — bad checksum, wrong page number, unknown type, or a
 * version older than one this node already wrote or read — even after a repairing quorum re-read. The page was not
 * loaded; nothing was returned. The volume needs repair (restore the page from a backup or rebuild it from the log);
 * retrying the same read will not help.
 */
public final class CorruptPageException extends RuntimeException {

    private final long pageNo;

    public CorruptPageException(long pageNo, String detail) {
        super("page " + pageNo + " has no valid image in storage after a quorum re-read (" + detail
                + "); repair the volume: restore the page or rebuild it from the log");
        this.pageNo = pageNo;
    }

    public long pageNo() {
        return pageNo;
    }
}
