package io.cacdb.engine.bufferpool;

import io.cacdb.engine.volume.ReadConsistency;

/**
 * Operating error: storage has no block for a page that was fixed as existing. Either the caller fixed a page that
 * was never allocated and written (use {@code fixNew} for fresh pages), or acknowledged data was lost; the page
 * was not loaded.
 */
public final class PageNotFoundException extends RuntimeException {

    private final long pageNo;

    public PageNotFoundException(long pageNo, ReadConsistency consistency) {
        super("page " + pageNo + " does not exist in storage (read at " + consistency
                + "); a page that was never written must be fixed with fixNew");
        this.pageNo = pageNo;
    }

    public long pageNo() {
        return pageNo;
    }
}
