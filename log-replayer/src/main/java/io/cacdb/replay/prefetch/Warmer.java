package io.cacdb.replay.prefetch;

import io.cacdb.engine.bufferpool.BufferPool;
import io.cacdb.ioscheduler.IoClass;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms a new or re-seeded standby's pool from the active's list of hot pages (DESIGN §6 "Re-seeding"): reads them
 * into the pool in the background, in IO class REPLAY_READ, so that the pages the active's clients use are resident
 * when this standby takes over although it started from the latest checkpoint with an empty pool.
 *
 * <p>Bounded on every side: at most {@link #OUTSTANDING_MAX} reads at once; at most half the pool's frames (replay
 * needs the rest, and pages it loads itself are at least as hot); it stops at the first read that finds no frame, and
 * whenever {@code stop} says so (the replayer stopped, or is taking over). A failed read is only counted. One virtual
 * thread, started by {@link #start}.
 */
public final class Warmer {

    private static final Logger log = LoggerFactory.getLogger(Warmer.class);

    /** Reads in flight at once: enough to overlap storage round trips, few enough to leave replay its share. */
    public static final int OUTSTANDING_MAX = 16;

    private final BufferPool pool;
    private final long[] pages;
    private final BooleanSupplier stop;
    private final AtomicLong loaded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean done;
    private Thread thread;

    public Warmer(BufferPool pool, long[] pages, BooleanSupplier stop) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.pages = Objects.requireNonNull(pages, "pages").clone();
        this.stop = Objects.requireNonNull(stop, "stop");
    }

    /** The most pages a warm-up reads into this pool. */
    public int budget() {
        return Math.min(pages.length, pool.frameCount() / 2);
    }

    public void start() {
        thread = Thread.ofVirtual().name("replay-warm").start(this::run);
    }

    /** Pages read into the pool so far (or found there). */
    public long loaded() {
        return loaded.get();
    }

    public long failed() {
        return failed.get();
    }

    /** Whether the warm-up has finished (all issued reads completed, or it stopped early). */
    public boolean done() {
        return done;
    }

    private void run() {
        Semaphore slots = new Semaphore(OUTSTANDING_MAX);
        int budget = budget();
        int issued = 0;
        try {
            while (issued < budget && !stop.getAsBoolean() && failed.get() == 0) {
                if (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
                    continue; // storage is slow: look at stop again, then wait for a slot again
                }
                long pageNo = pages[issued++];
                try {
                    pool.prefetch(pageNo, IoClass.REPLAY_READ).whenComplete((v, e) -> {
                        if (e == null) {
                            loaded.incrementAndGet();
                        } else {
                            failed.incrementAndGet(); // no frame free, or a read error: the warm-up ends here
                        }
                        slots.release();
                    });
                } catch (RuntimeException e) {
                    failed.incrementAndGet(); // the pool closed under us
                    slots.release();
                }
            }
            while (!slots.tryAcquire(OUTSTANDING_MAX, 1, TimeUnit.SECONDS)) {
                if (stop.getAsBoolean()) {
                    break; // the pool is closing: its reads end without us
                }
            }
            log.info("standby warm-up: {} of {} hot pages read into the pool ({} issued, {} failed)", loaded.get(),
                    pages.length, issued, failed.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            done = true;
        }
    }
}
