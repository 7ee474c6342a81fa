package io.cacdb.engine.mtr;

/**
 * A fixed page: pinned in its frame (it cannot be evicted) and latched in {@link #mode()}. The bytes may be read while
 * latched and changed only under an EXCLUSIVE latch, and only through a mini-transaction so the change is logged.
 * Not thread-safe: a ref belongs to the thread that fixed it.
 */
public interface PageRef {

    long pageNo();

    LatchMode mode();

    /** The frame's bytes ({@code PageFormat.PAGE_SIZE_BYTES}); valid only until {@link #release()}. */
    byte[] bytes();

    /**
     * Records that a mini-transaction changed this page: sets its pageLSN to {@code endLsn} and, if the page was
     * clean, makes it dirty with recLSN {@code startLsn}. Requires an EXCLUSIVE latch.
     */
    void markChanged(long startLsn, long endLsn);

    /** Unlatches and unpins. Idempotent. */
    void release();
}
