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
}
