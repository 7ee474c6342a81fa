package io.cacdb.engine.bufferpool;

import java.time.Duration;
import java.util.Objects;

/**
 * Sizes and time bounds of a {@link BufferPool}, validated on construction.
 *
 * @param frames                number of 8 KiB frames; the pool's memory is {@code frames * PAGE_SIZE_BYTES}
 * @param replacementPolicy     CLOCK in production; FIFO only to measure against
 * @param versionListMaxEntries pages whose last written or read version is remembered for AT_LEAST reads; beyond
 *                              it the least recently used entries are dropped and those pages are read at QUORUM
 * @param frameWaitTimeout      how long a miss waits for a frame to become free before it fails with
 *                              {@link BufferPoolExhaustedException}
 * @param pageReadTimeout       bound on one storage read attempt; a miss makes at most two
 * @param flushBatchPagesMax    page writes the flusher issues per round at full pace; must fit in the PAGE_WRITE
 *                              queue of the IO scheduler
 * @param flusherIdlePause      the flusher's pause between rounds when few pages are dirty
 */
public record BufferPoolConfig(int frames, ReplacementPolicyKind replacementPolicy, int versionListMaxEntries,
                               Duration frameWaitTimeout, Duration pageReadTimeout, int flushBatchPagesMax,
                               Duration flusherIdlePause) {

    /** 4096 frames = 32 MiB: enough for tests and a small node; production sizes it from the memory budget. */
    public static final int DEFAULT_FRAMES = 4096;

    /** 256 Ki entries (~25 MiB of map) remember versions for 2 GiB of pages, far more than the pool holds. */
    public static final int DEFAULT_VERSION_LIST_MAX_ENTRIES = 256 * 1024;

    /** 5 s: long enough for the flusher to clean a frame through a slow log flush, short enough to never look hung. */
    public static final Duration DEFAULT_FRAME_WAIT_TIMEOUT = Duration.ofSeconds(5);

    /** 5 s per attempt: a DAX read is ~1 ms; seconds mean a quorum is unreachable and the caller should know. */
    public static final Duration DEFAULT_PAGE_READ_TIMEOUT = Duration.ofSeconds(5);

    /** 64 writes per round: well below the default PAGE_WRITE queue (1024) and a few times its in-flight limit. */
    public static final int DEFAULT_FLUSH_BATCH_PAGES_MAX = 64;

    /** 100 ms between trickle rounds: recLSNs (hence checkpoints and the flush watermark) advance ~10 times a second. */
    public static final Duration DEFAULT_FLUSHER_IDLE_PAUSE = Duration.ofMillis(100);

    public BufferPoolConfig {
        Objects.requireNonNull(replacementPolicy, "replacementPolicy");
        Objects.requireNonNull(frameWaitTimeout, "frameWaitTimeout");
        Objects.requireNonNull(pageReadTimeout, "pageReadTimeout");
        Objects.requireNonNull(flusherIdlePause, "flusherIdlePause");
        if (frames < 1) {
            throw new IllegalArgumentException("frames must be >= 1, was " + frames);
        }
        if (versionListMaxEntries < 1) {
            throw new IllegalArgumentException("versionListMaxEntries must be >= 1, was " + versionListMaxEntries);
        }
        if (frameWaitTimeout.isNegative() || frameWaitTimeout.isZero()) {
            throw new IllegalArgumentException("frameWaitTimeout must be > 0, was " + frameWaitTimeout);
        }
        if (pageReadTimeout.isNegative() || pageReadTimeout.isZero()) {
            throw new IllegalArgumentException("pageReadTimeout must be > 0, was " + pageReadTimeout);
        }
        if (flushBatchPagesMax < 1) {
            throw new IllegalArgumentException("flushBatchPagesMax must be >= 1, was " + flushBatchPagesMax);
        }
        if (flusherIdlePause.isNegative() || flusherIdlePause.isZero()) {
            throw new IllegalArgumentException("flusherIdlePause must be > 0, was " + flusherIdlePause);
        }
    }

    public static BufferPoolConfig defaults() {
        return new BufferPoolConfig(DEFAULT_FRAMES, ReplacementPolicyKind.CLOCK, DEFAULT_VERSION_LIST_MAX_ENTRIES,
                DEFAULT_FRAME_WAIT_TIMEOUT, DEFAULT_PAGE_READ_TIMEOUT, DEFAULT_FLUSH_BATCH_PAGES_MAX,
                DEFAULT_FLUSHER_IDLE_PAUSE);
    }

    public BufferPoolConfig withFrames(int newFrames) {
        return new BufferPoolConfig(newFrames, replacementPolicy, versionListMaxEntries, frameWaitTimeout,
                pageReadTimeout, flushBatchPagesMax, flusherIdlePause);
    }

    public BufferPoolConfig withReplacementPolicy(ReplacementPolicyKind kind) {
        return new BufferPoolConfig(frames, kind, versionListMaxEntries, frameWaitTimeout, pageReadTimeout,
                flushBatchPagesMax, flusherIdlePause);
    }

    public BufferPoolConfig withFrameWaitTimeout(Duration timeout) {
        return new BufferPoolConfig(frames, replacementPolicy, versionListMaxEntries, timeout, pageReadTimeout,
                flushBatchPagesMax, flusherIdlePause);
    }

    public BufferPoolConfig withFlusherIdlePause(Duration pause) {
        return new BufferPoolConfig(frames, replacementPolicy, versionListMaxEntries, frameWaitTimeout,
                pageReadTimeout, flushBatchPagesMax, pause);
    }
}
