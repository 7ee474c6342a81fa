package io.cacdb.engine.bufferpool;

import io.cacdb.engine.page.PageFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One page-sized slot of the pool. {@link #data} is guarded by {@link #latch} (and by the LOADING state while a read
 * fills it); every other field is guarded by the pool's lock.
 */
final class Frame {

    static final long NO_PAGE_MAPPED = -1;
    static final long NO_LSN = -1;

    enum State {
        /** Holds no page; on the free list once unpinned. */
        FREE,
        /** Mapped; a read is filling {@link #data}; users wait on {@link #loaded} before latching. */
        LOADING,
        /** Mapped and holding the page's current image. */
        VALID
    }

    final int index;
    final byte[] data = new byte[PageFormat.PAGE_SIZE_BYTES];
    final ReentrantReadWriteLock latch = new ReentrantReadWriteLock();

    long pageNo = NO_PAGE_MAPPED;
    State state = State.FREE;
    int pinCount;
    /** Non-null while LOADING: completes when the image is in, or fails with why it could not be read. */
    CompletableFuture<Void> loaded;

    boolean dirty;
    /** LSN of the first change since the page was last clean; NO_LSN when clean. */
    long recLsn = NO_LSN;
    /** Counts changes to this frame; never reset, so "written up to change n" stays comparable. */
    long changeSeq;
    /** changeSeq of the newest copy acknowledged by storage. */
    long flushedSeq;

    /** Non-null while a write of this page is claimed or in flight (at most one at a time). */
    CompletableFuture<Void> write;
    /** Whether the in-flight write has taken its copy yet. */
    boolean copyTaken;
    /** Start LSN of the first change after the in-flight write's copy: the recLSN if that write succeeds. */
    long recLsnSinceCopy = NO_LSN;

    Frame(int index) {
        this.index = index;
    }

    @Override
    public String toString() {
        return "frame " + index + " (page " + pageNo + ", " + state + ", pins " + pinCount + (dirty ? ", dirty recLSN "
                + recLsn : "") + ")";
    }
}
