package io.cacdb.replay;

import io.cacdb.engine.bufferpool.BufferPoolConfig;
import io.cacdb.replay.policy.SlowStandbyPolicy;
import io.cacdb.replay.prefetch.ReadIoConfig;
import io.cacdb.replay.tail.TailConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link StandbyReplayer} is configured with; relations that involve the IO scheduler are checked when
 * the replayer is built.
 *
 * @param policy                the slow-standby policy (default {@code increase-read-io})
 * @param startPoint            where to start reading the log
 * @param bufferPool            the standby's pool (it becomes the active's at takeover, so size it like the active's)
 * @param tail                  how the tailer polls
 * @param windowBytesMax        log bytes parsed ahead of the apply point, at most (one larger MTR is always admitted)
 * @param windowMtrsMax         MTRs parsed ahead of the apply point, at most
 * @param readIo                the read-IO limit and its controller
 * @param caughtUpLagBytes      lag at or below which the standby is CAUGHT_UP
 * @param laggingLagBytes       lag above which a caught-up standby is LAGGING (hysteresis: ≥ caughtUpLagBytes)
 * @param pageLsnListMaxEntries pages the pageLSN list remembers
 * @param applyRetryWait        how long the applier waits for a flush watermark (or a storage retry) before trying an
 *                              MTR again that found no frame
 * @param threadStopWait        bound on waiting for the pipeline threads (and in-flight prefetches) to stop
 */
public record StandbyConfig(SlowStandbyPolicy policy, StartPoint startPoint, BufferPoolConfig bufferPool,
                            TailConfig tail, long windowBytesMax, int windowMtrsMax, ReadIoConfig readIo,
                            long caughtUpLagBytes, long laggingLagBytes, int pageLsnListMaxEntries,
                            Duration applyRetryWait, Duration threadStopWait) {

    /**
     * 16 MiB of parsed log ahead of the apply point: ~0.2 s of log at 100 MB/s — enough to keep ~100 reads in flight
     * on the pages ahead — and a bounded amount of memory.
     */
    public static final long WINDOW_BYTES_MAX_DEFAULT = 16L << 20;

    /** 16 Ki MTRs: a window of tiny MTRs (commits) is bounded by count before bytes. */
    public static final int WINDOW_MTRS_MAX_DEFAULT = 16 * 1024;

    /** 64 KiB of lag (8 blocks) or less is "caught up": a few ms of log at full load. */
    public static final long CAUGHT_UP_LAG_BYTES_DEFAULT = 64L << 10;

    /** 1 MiB of lag turns a caught-up standby LAGGING: ~10 ms of peak log, well beyond jitter. */
    public static final long LAGGING_LAG_BYTES_DEFAULT = 1L << 20;

    /** 256 Ki pages (2 GiB of pages) remembered: as the pool's own version list. */
    public static final int PAGE_LSN_LIST_MAX_ENTRIES_DEFAULT = 256 * 1024;

    /** 100 ms: about one flush watermark interval (200 ms) halved, so a new watermark is used promptly. */
    public static final Duration APPLY_RETRY_WAIT_DEFAULT = Duration.ofMillis(100);

    /** 10 s: above two page-read timeouts, so in-flight reads finish before the pool is handed over or closed. */
    public static final Duration THREAD_STOP_WAIT_DEFAULT = Duration.ofSeconds(10);

    /** The smallest pool a standby accepts: an MTR's pages are fixed one at a time, plus room for prefetching. */
    public static final int FRAMES_MIN = 8;

    /**
     * The standby's pool waits 1 s for a frame before the applier looks for a new watermark: short, so a stop or a
     * watermark is noticed promptly; the applier retries, so nothing fails because of it.
     */
    public static final Duration FRAME_WAIT_TIMEOUT_DEFAULT = Duration.ofSeconds(1);

    public StandbyConfig {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(startPoint, "startPoint");
        Objects.requireNonNull(bufferPool, "bufferPool");
        Objects.requireNonNull(tail, "tail");
        Objects.requireNonNull(readIo, "readIo");
        Objects.requireNonNull(applyRetryWait, "applyRetryWait");
        Objects.requireNonNull(threadStopWait, "threadStopWait");
        if (bufferPool.frames() < FRAMES_MIN) {
            throw new IllegalArgumentException("a standby pool needs >= " + FRAMES_MIN + " frames, was "
                    + bufferPool.frames());
        }
        if (windowBytesMax < 1 || windowMtrsMax < 1) {
            throw new IllegalArgumentException("window limits must be >= 1: " + windowBytesMax + " bytes, "
                    + windowMtrsMax + " MTRs");
        }
        if (caughtUpLagBytes < 0 || laggingLagBytes < caughtUpLagBytes) {
            throw new IllegalArgumentException("need 0 <= caughtUpLagBytes <= laggingLagBytes, was "
                    + caughtUpLagBytes + ", " + laggingLagBytes);
        }
        if (pageLsnListMaxEntries < 1) {
            throw new IllegalArgumentException("pageLsnListMaxEntries must be >= 1, was " + pageLsnListMaxEntries);
        }
        if (applyRetryWait.isNegative() || applyRetryWait.isZero() || threadStopWait.isNegative()
                || threadStopWait.isZero()) {
            throw new IllegalArgumentException("applyRetryWait and threadStopWait must be > 0");
        }
        if (threadStopWait.compareTo(bufferPool.pageReadTimeout().multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("threadStopWait " + threadStopWait + " must cover a page load (two"
                    + " reads of " + bufferPool.pageReadTimeout() + ")");
        }
    }

    public static StandbyConfig defaults() {
        return new StandbyConfig(SlowStandbyPolicy.INCREASE_READ_IO, StartPoint.latestCheckpoint(),
                BufferPoolConfig.defaults().withFrameWaitTimeout(FRAME_WAIT_TIMEOUT_DEFAULT), TailConfig.defaults(),
                WINDOW_BYTES_MAX_DEFAULT, WINDOW_MTRS_MAX_DEFAULT, ReadIoConfig.defaults(),
                CAUGHT_UP_LAG_BYTES_DEFAULT, LAGGING_LAG_BYTES_DEFAULT, PAGE_LSN_LIST_MAX_ENTRIES_DEFAULT,
                APPLY_RETRY_WAIT_DEFAULT, THREAD_STOP_WAIT_DEFAULT);
    }

    public StandbyConfig withPolicy(SlowStandbyPolicy p) {
        return new StandbyConfig(p, startPoint, bufferPool, tail, windowBytesMax, windowMtrsMax, readIo,
                caughtUpLagBytes, laggingLagBytes, pageLsnListMaxEntries, applyRetryWait, threadStopWait);
    }

    public StandbyConfig withStartPoint(StartPoint s) {
        return new StandbyConfig(policy, s, bufferPool, tail, windowBytesMax, windowMtrsMax, readIo,
                caughtUpLagBytes, laggingLagBytes, pageLsnListMaxEntries, applyRetryWait, threadStopWait);
    }

    public StandbyConfig withBufferPool(BufferPoolConfig c) {
        return new StandbyConfig(policy, startPoint, c, tail, windowBytesMax, windowMtrsMax, readIo,
                caughtUpLagBytes, laggingLagBytes, pageLsnListMaxEntries, applyRetryWait, threadStopWait);
    }

    public StandbyConfig withFrames(int frames) {
        return withBufferPool(bufferPool.withFrames(frames));
    }

    public StandbyConfig withTail(TailConfig c) {
        return new StandbyConfig(policy, startPoint, bufferPool, c, windowBytesMax, windowMtrsMax, readIo,
                caughtUpLagBytes, laggingLagBytes, pageLsnListMaxEntries, applyRetryWait, threadStopWait);
    }

    public StandbyConfig withWindow(long bytesMax, int mtrsMax) {
        return new StandbyConfig(policy, startPoint, bufferPool, tail, bytesMax, mtrsMax, readIo,
                caughtUpLagBytes, laggingLagBytes, pageLsnListMaxEntries, applyRetryWait, threadStopWait);
    }

    public StandbyConfig withReadIo(ReadIoConfig c) {
        return new StandbyConfig(policy, startPoint, bufferPool, tail, windowBytesMax, windowMtrsMax, c,
                caughtUpLagBytes, laggingLagBytes, pageLsnListMaxEntries, applyRetryWait, threadStopWait);
    }

    public StandbyConfig withLagThresholds(long caughtUp, long lagging) {
        return new StandbyConfig(policy, startPoint, bufferPool, tail, windowBytesMax, windowMtrsMax, readIo,
                caughtUp, lagging, pageLsnListMaxEntries, applyRetryWait, threadStopWait);
    }
}
