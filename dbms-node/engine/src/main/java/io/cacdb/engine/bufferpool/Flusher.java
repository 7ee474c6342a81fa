package io.cacdb.engine.bufferpool;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buffer pool's background writer: in rounds, it issues writes for the dirty pages with the oldest recLSN (so
 * checkpoints' redo start and the flush watermark advance), with a pace set by the dirty fraction of the pool:
 *
 * <pre>
 * dirty fraction              pages per round                pause between rounds
 * 0                           0                              idle pause
 * (0, TRICKLE_MAX)            batch / TRICKLE_BATCH_DIVISOR  idle pause
 * [TRICKLE_MAX, URGENT_MIN)   batch / 2                      idle pause / STEADY_PAUSE_DIVISOR
 * [URGENT_MIN, 1] or woken    batch                          none (only the wait for the round's writes)
 * by a miss that found no
 * clean frame
 * </pre>
 *
 * The hot standby's pool pressure (DESIGN §6: the share of its frames it may not evict, because they hold changes
 * this pool has not written yet, or are pinned) raises the pace: from {@link #STANDBY_PRESSURE_STEADY_MIN} at least
 * the steady row, from {@link #STANDBY_PRESSURE_URGENT_MIN} the urgent one — writing the oldest pages advances the
 * flush watermark, which is what makes the standby's pages safe to evict.
 *
 * A round waits for its writes (bounded by the pool's frame wait); a round that could start no write (all dirty
 * pages already being written, e.g. while the log is not durable) pauses the idle pause so it never spins. One
 * platform daemon thread per writable pool.
 */
final class Flusher {

    private static final Logger log = LoggerFactory.getLogger(Flusher.class);

    /** Below 10 % dirty the pool is healthy: trickle just enough to keep recLSNs (and checkpoints) moving. */
    static final double DIRTY_FRACTION_TRICKLE_MAX = 0.10;

    /**
     * From 50 % dirty, misses start finding no clean frame and must write victims themselves (slow foreground
     * writes), so flushing goes flat out.
     */
    static final double DIRTY_FRACTION_URGENT_MIN = 0.50;

    /** Trickle rounds write an eighth of a full batch: background work stays a small share of PAGE_WRITE. */
    static final int TRICKLE_BATCH_DIVISOR = 8;

    /** Between the thresholds rounds come four times as often as when idle. */
    static final int STEADY_PAUSE_DIVISOR = 4;

    /** From half of the standby's frames unevictable, flush at least at the steady pace. */
    static final double STANDBY_PRESSURE_STEADY_MIN = 0.50;

    /** From three quarters, flat out: the standby is close to having no frame it may evict. */
    static final double STANDBY_PRESSURE_URGENT_MIN = 0.75;

    /** Pages to write and the pause after the round. */
    record Pace(int pages, long pauseNanos) {
    }

    static Pace pace(double dirtyFraction, boolean pressure, double standbyPressure, int batchMax,
                     Duration idlePause) {
        long idle = idlePause.toNanos();
        if (dirtyFraction <= 0) {
            return new Pace(0, idle);
        }
        if (pressure || dirtyFraction >= DIRTY_FRACTION_URGENT_MIN || standbyPressure >= STANDBY_PRESSURE_URGENT_MIN) {
            return new Pace(batchMax, 0);
        }
        if (dirtyFraction < DIRTY_FRACTION_TRICKLE_MAX && standbyPressure < STANDBY_PRESSURE_STEADY_MIN) {
            return new Pace(Math.max(1, batchMax / TRICKLE_BATCH_DIVISOR), idle);
        }
        return new Pace(Math.max(1, batchMax / 2), idle / STEADY_PAUSE_DIVISOR);
    }

    private final BufferPool pool;
    private final BufferPoolConfig config;
    private final Thread thread;
    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition woken = wakeLock.newCondition();
    // Guarded by wakeLock.
    private boolean wakeRequested;
    private volatile boolean running = true;

    Flusher(BufferPool pool, BufferPoolConfig config) {
        this.pool = pool;
        this.config = config;
        this.thread = Thread.ofPlatform().name("cacdb-bufferpool-flusher").daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Asks for a full-pace round now: a miss found no clean frame. Never blocks for long. */
    void wake() {
        wakeLock.lock();
        try {
            wakeRequested = true;
            woken.signalAll();
        } finally {
            wakeLock.unlock();
        }
    }

    void stop(Duration bound) {
        running = false;
        thread.interrupt();
        try {
            thread.join(bound);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("buffer pool flusher did not stop within {}", bound);
        }
    }

    private void run() {
        boolean pressure = false;
        while (running) {
            try {
                Pace p = pace(pool.dirtyFraction(), pressure, pool.standbyPressure(), config.flushBatchPagesMax(),
                        config.flusherIdlePause());
                List<CompletableFuture<Void>> writes = p.pages() > 0 ? pool.flushOldest(p.pages()) : List.of();
                if (!writes.isEmpty()) {
                    awaitRound(writes);
                }
                long pause = writes.isEmpty() ? config.flusherIdlePause().toNanos() : p.pauseNanos();
                pressure = pauseUnlessWoken(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("buffer pool flusher round failed; continuing after a pause", e);
                try {
                    pressure = pauseUnlessWoken(config.flusherIdlePause().toNanos());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void awaitRound(List<CompletableFuture<Void>> writes) throws InterruptedException {
        try {
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                    .get(config.frameWaitTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            log.debug("flusher round of {} writes still running after {}; starting the next", writes.size(),
                    config.frameWaitTimeout());
        } catch (ExecutionException e) {
            // Each failed write was counted and logged by the pool; the page stays dirty for a later round.
            log.debug("flusher round had a failed write: {}", e.getCause().toString());
        }
    }

    /** Waits up to {@code pauseNanos} or until woken; returns whether a wake-up (pressure) ended the pause. */
    private boolean pauseUnlessWoken(long pauseNanos) throws InterruptedException {
        wakeLock.lock();
        try {
            long remaining = pauseNanos;
            while (!wakeRequested && remaining > 0 && running) {
                remaining = woken.awaitNanos(remaining);
            }
            boolean pressure = wakeRequested;
            wakeRequested = false;
            return pressure;
        } finally {
            wakeLock.unlock();
        }
    }
}
