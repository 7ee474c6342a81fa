package io.cacdb.engine.mtr;

/**
 * Where mini-transactions get pages: the buffer pool in the engine, a plain map in unit tests. Implementations are
 * thread-safe.
 */
public interface PageSource {

    /**
     * Pins and latches a page, reading it from storage on a miss (blocking the calling thread, which is never a
     * Netty event loop). Throws {@code CorruptPageException} if no valid image exists.
     */
    PageRef fix(long pageNo, LatchMode mode);

    /**
     * Pins and EXCLUSIVE-latches a page that was just allocated and will be initialised by the caller: no read from
     * storage, the frame starts as zeroes.
     */
    PageRef fixNew(long pageNo);

    /**
     * For redo of an MTR that initialises a page storage did not have when {@link #fix} was tried: like
     * {@link #fixNew}, but an image that appeared in the meantime — a concurrent read of the page (a standby's prefetch)
     * found it in storage — is kept, not cleared: it may already hold this MTR's change and later ones, which the pageLSN
     * test then skips (the init op rebuilds the page from zeroes itself when it applies). Sources without concurrent
     * reads may use {@link #fixNew}.
     */
    default PageRef fixForRedoInit(long pageNo) {
        return fixNew(pageNo);
    }
}
