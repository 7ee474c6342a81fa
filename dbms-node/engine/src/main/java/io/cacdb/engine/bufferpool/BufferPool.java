package io.cacdb.engine.bufferpool;

import io.cacdb.engine.error.CorruptPageException;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.mtr.LatchMode;
import io.cacdb.engine.mtr.PageRef;
import io.cacdb.engine.mtr.PageSource;
import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.volume.VolumeWriter;
import io.cacdb.engine.wal.LogRecord;
import io.cacdb.ioscheduler.IoClass;
import io.cacdb.ioscheduler.IoQueueFullException;
import io.cacdb.ioscheduler.IoScheduler;
import io.cacdb.ioscheduler.IoSchedulerClosedException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's page cache over one volume: a fixed number of 8 KiB frames, the pages mini-transactions fix and
 * change, and the only path by which pages reach storage.
 *
 * <p><b>Design.</b> One pool lock guards the metadata — page table, frame states, pin counts, dirty-page table,
 * replacement state, free list — and is held only for short bookkeeping, never across IO or while waiting for a
 * latch. Page bytes are guarded by a per-frame read/write latch taken after pinning, outside the pool lock; the lock
 * order is latch → pool lock. A pinned frame is never evicted or reused. Reads and writes go through the
 * {@link IoScheduler}: misses as PAGE_READ, prefetches as REPLAY_READ (or PAGE_READ), flushes as PAGE_WRITE.
 *
 * <p><b>Misses.</b> The missing thread maps the page to a free or evicted frame in state LOADING and starts the
 * read; other threads fixing the same page pin that frame and wait for the same read, so concurrent misses do one
 * read. A read asks for {@code AT_LEAST} the version this node last wrote or read of the page (the bounded version
 * list), or {@code QUORUM} if it knows none. The image must be valid ({@link PageFormat#isValidImage}, version equal
 * to its pageLSN, not older than known); otherwise it is re-read at QUORUM, which repairs replicas, and if still
 * invalid the miss fails with {@link CorruptPageException}. No block at all is {@link PageNotFoundException}; pages
 * that were never written are fixed with {@link #fixNew}.
 *
 * <p><b>Dirty pages and the WAL rule.</b> {@link PageRef#markChanged} sets pageLSN = end LSN and, on the first
 * change since the page was last clean, recLSN = start LSN. A write copies the frame under a SHARED latch, waits
 * until the log is durable up to the copy's pageLSN, asserts that right before handing the block to storage, stamps
 * the checksum on the copy and writes it as {@code Version.ofPage(pageLSN)}. At most one write per page is in flight.
 * On acknowledgement the page is clean if it did not change after the copy; if it did, its recLSN becomes the start
 * LSN of the first change after the copy (tracked while the write is in flight), which is exactly the oldest change
 * storage does not have. {@link #minRecLsn()} and {@link #dirtyPageTable()} give the WAL its flush watermark and
 * checkpoint contents.
 *
 * <p><b>Eviction.</b> The replacement policy (CLOCK by default) picks among unpinned, loaded frames that are not
 * being written and that the {@link EvictionGuard} allows. Clean frames are preferred; if none exists, a writable
 * pool writes a dirty candidate (WAL rule included) on the missing thread and retries; a read-only pool (a standby)
 * drops a dirty page only if the guard allows, remembering its pageLSN in the version list. When no frame can be
 * freed within {@code frameWaitTimeout} the miss fails with {@link BufferPoolExhaustedException}; it never hangs.
 *
 * <p><b>Write path.</b> A pool built without a {@link VolumeWriter} and {@link DurableLog} never writes: it is the
 * standby's pool. {@link #attachWritePath} adds them at takeover, keeping the warm frames.
 *
 * <p><b>Lifecycle.</b> NEW (usable; pages are written only by eviction and {@link #flushAll}) → {@link #start()}
 * RUNNING (the background {@link Flusher} writes oldest recLSN first) → {@link #close()} CLOSED (fixing fails).
 *
 * <p><b>Threads.</b> Thread-safe. {@link #fix} and {@link #fixNew} block the calling thread (never a Netty event
 * loop) for at most about {@code frameWaitTimeout + 2 × pageReadTimeout} plus latch waits. A {@link PageRef} must be
 * released by the thread that fixed it (latches are owned by threads).
 */
public final class BufferPool implements PageSource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BufferPool.class);

    /** How long {@link #close()} waits for the flusher thread to finish its round before giving up on it. */
    static final Duration FLUSHER_STOP_WAIT = Duration.ofSeconds(5);

    private enum Lifecycle { NEW, RUNNING, CLOSED }

    private final BufferPoolConfig config;
    private final VolumeReader reader;
    private final IoScheduler scheduler;
    private final EvictionGuard guard;
    private final EvictionListener evictionListener;
    private final Frame[] frames;
    private final ReplacementPolicy policy;
    private final Cache<Long, Version> versions;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a frame may have become reusable: unpinned, cleaned, freed. */
    private final Condition frameReleased = lock.newCondition();
    // Guarded by lock.
    private final HashMap<Long, Frame> table;
    private final ArrayDeque<Frame> freeFrames;
    private final TreeSet<Frame> dirtyFrames = new TreeSet<>(
            Comparator.<Frame>comparingLong(f -> f.recLsn).thenComparingInt(f -> f.index));
    private int pinnedFrames;
    private Lifecycle lifecycle = Lifecycle.NEW;
    private VolumeWriter writer;
    private DurableLog durableLog;
    private Flusher flusher;
    /** The hot standby's pool pressure as the active last heard it (0..1; DESIGN §6), read by the flusher. */
    private volatile DoubleSupplier standbyPressure = () -> 0;

    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicLong rereads = new AtomicLong();
    private final AtomicLong dirtyDropped = new AtomicLong();
    private final AtomicLong flushFailures = new AtomicLong();
    private final AtomicLong prefetches = new AtomicLong();
    private final AtomicLong pagesWritten = new AtomicLong();
    private final Timer flushLatency;

    private BufferPool(Builder b) {
        this.config = b.config;
        this.reader = b.reader;
        this.scheduler = b.scheduler;
        this.guard = b.guard != null ? b.guard : EvictionGuard.ALLOW_ALL;
        this.evictionListener = b.evictionListener;
        this.writer = b.writer;
        this.durableLog = b.durableLog;
        int n = config.frames();
        this.frames = new Frame[n];
        this.freeFrames = new ArrayDeque<>(n);
        for (int i = 0; i < n; i++) {
            frames[i] = new Frame(i);
            freeFrames.addLast(frames[i]);
        }
        this.table = HashMap.newHashMap(n);
        this.policy = ReplacementPolicy.create(config.replacementPolicy(), n);
        // A synchronous executor: no maintenance threads behind the engine's back.
        this.versions = Caffeine.newBuilder().maximumSize(config.versionListMaxEntries()).executor(Runnable::run)
                .build();
        MeterRegistry r = b.registry;
        FunctionCounter.builder("cacdb.bufferpool.hits", hits, AtomicLong::get).register(r);
        FunctionCounter.builder("cacdb.bufferpool.misses", misses, AtomicLong::get).register(r);
        FunctionCounter.builder("cacdb.bufferpool.evictions", evictions, AtomicLong::get).register(r);
        FunctionCounter.builder("cacdb.bufferpool.rereads", rereads, AtomicLong::get)
                .description("quorum re-reads after an invalid page image").register(r);
        FunctionCounter.builder("cacdb.bufferpool.dirty_dropped", dirtyDropped, AtomicLong::get)
                .description("dirty pages a read-only pool evicted because the guard allowed it").register(r);
        FunctionCounter.builder("cacdb.bufferpool.flush.failures", flushFailures, AtomicLong::get).register(r);
        FunctionCounter.builder("cacdb.bufferpool.pages_written", pagesWritten, AtomicLong::get).register(r);
        FunctionCounter.builder("cacdb.bufferpool.prefetches", prefetches, AtomicLong::get).register(r);
        Gauge.builder("cacdb.bufferpool.hit_ratio", this, BufferPool::hitRatio).strongReference(true).register(r);
        Gauge.builder("cacdb.bufferpool.dirty_pages", this, BufferPool::dirtyPageCount).strongReference(true)
                .register(r);
        Gauge.builder("cacdb.bufferpool.pinned_frames", this, BufferPool::pinnedFrameCount).strongReference(true)
                .register(r);
        Gauge.builder("cacdb.bufferpool.frames", this, BufferPool::frameCount).strongReference(true).register(r);
        Gauge.builder("cacdb.bufferpool.resident_pages", this, BufferPool::residentPageCount).strongReference(true)
                .description("frames holding a page (occupancy = resident_pages / frames)").register(r);
        this.flushLatency = Timer.builder("cacdb.bufferpool.flush.latency")
                .description("page copy to storage acknowledgement, including the wait for the log").register(r);
    }

    /**
     * Starts building a pool over {@code reader}. Without {@link Builder#writePath} the pool is read-only and must be
     * given an {@link Builder#evictionGuard}.
     */
    public static Builder builder(BufferPoolConfig config, VolumeReader reader, IoScheduler scheduler,
                                  MeterRegistry registry) {
        return new Builder(config, reader, scheduler, registry);
    }

    /** Builds a {@link BufferPool}. Not thread-safe. */
    public static final class Builder {
        private final BufferPoolConfig config;
        private final VolumeReader reader;
        private final IoScheduler scheduler;
        private final MeterRegistry registry;
        private VolumeWriter writer;
        private DurableLog durableLog;
        private EvictionGuard guard;
        private EvictionListener evictionListener = EvictionListener.NONE;

        private Builder(BufferPoolConfig config, VolumeReader reader, IoScheduler scheduler, MeterRegistry registry) {
            this.config = Objects.requireNonNull(config, "config");
            this.reader = Objects.requireNonNull(reader, "reader");
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** Gives the pool a way to write pages: storage, and the log whose durability gates every page write. */
        public Builder writePath(VolumeWriter volumeWriter, DurableLog log) {
            this.writer = Objects.requireNonNull(volumeWriter, "volumeWriter");
            this.durableLog = Objects.requireNonNull(log, "log");
            return this;
        }

        public Builder evictionGuard(EvictionGuard evictionGuard) {
            this.guard = Objects.requireNonNull(evictionGuard, "evictionGuard");
            return this;
        }

        /** Told of every eviction (the standby checks its safety rule on each); none by default. */
        public Builder evictionListener(EvictionListener listener) {
            this.evictionListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public BufferPool build() {
            if (writer == null && guard == null) {
                // A read-only pool drops dirty pages the guard allows; the standby must decide that, not a default.
                throw new IllegalStateException("a read-only buffer pool needs an explicit eviction guard");
            }
            if (writer != null) {
                checkSameVolume(reader, writer);
            }
            int writeQueue = scheduler.config().limits(IoClass.PAGE_WRITE).queueCapacity();
            if (config.flushBatchPagesMax() > writeQueue) {
                throw new IllegalArgumentException("flushBatchPagesMax " + config.flushBatchPagesMax()
                        + " exceeds the PAGE_WRITE queue capacity " + writeQueue + " of the IO scheduler");
            }
            return new BufferPool(this);
        }
    }

    private static void checkSameVolume(VolumeReader reader, VolumeWriter writer) {
        if (reader.volume() != writer.volume()) {
            throw new IllegalArgumentException("reader is on volume " + reader.volume() + " but writer on volume "
                    + writer.volume());
        }
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /** Starts the background flusher (if the pool can write). NEW → RUNNING. */
    public void start() {
        lock.lock();
        try {
            if (lifecycle != Lifecycle.NEW) {
                throw new IllegalStateException("start() is legal only in NEW, pool is " + lifecycle);
            }
            lifecycle = Lifecycle.RUNNING;
            if (writer != null) {
                startFlusherLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives a read-only pool its write path, as at takeover when the standby becomes active: dirty pages replayed
     * so far stay dirty with their recLSN and are written from now on; a running pool starts its flusher.
     */
    public void attachWritePath(VolumeWriter volumeWriter, DurableLog log) {
        Objects.requireNonNull(volumeWriter, "volumeWriter");
        Objects.requireNonNull(log, "log");
        checkSameVolume(reader, volumeWriter);
        lock.lock();
        try {
            if (writer != null) {
                throw new IllegalStateException("the pool already has a write path");
            }
            if (lifecycle == Lifecycle.CLOSED) {
                throw new IllegalStateException("the pool is closed");
            }
            writer = volumeWriter;
            durableLog = log;
            if (lifecycle == Lifecycle.RUNNING) {
                startFlusherLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    private void startFlusherLocked() {
        flusher = new Flusher(this, config);
        flusher.start();
    }

    /**
     * Stops the flusher and makes further fixing fail. Does not flush: call {@link #flushAll} first for a clean
     * shutdown. Idempotent.
     */
    @Override
    public void close() {
        Flusher f;
        lock.lock();
        try {
            lifecycle = Lifecycle.CLOSED;
            f = flusher;
            flusher = null;
            frameReleased.signalAll();
        } finally {
            lock.unlock();
        }
        if (f != null) {
            f.stop(FLUSHER_STOP_WAIT);
        }
    }

    // ------------------------------------------------------------------------------------------------ fixing

    @Override
    public PageRef fix(long pageNo, LatchMode mode) {
        Objects.requireNonNull(mode, "mode");
        Frame f = pin(pageNo, false);
        return latch(f, pageNo, mode, false);
    }

    @Override
    public PageRef fixNew(long pageNo) {
        Frame f = pin(pageNo, true);
        return latch(f, pageNo, LatchMode.EXCLUSIVE, true);
    }

    /**
     * {@link PageSource#fixForRedoInit}: pins like {@link #fixNew} (no read of its own; a fresh frame is zeroes; a
     * prefetch that found nothing makes it start over) but does not clear an image a concurrent load brought in. The
     * race it closes: redo's {@code fix} finds nothing in storage, a standby's prefetch of the same page (for a later
     * MTR) then loads the image the active has flushed since, and {@code fixNew} would zero that image yet keep its
     * pageLSN — every change up to that pageLSN would then be skipped on an empty page.
     */
    @Override
    public PageRef fixForRedoInit(long pageNo) {
        Frame f = pin(pageNo, true);
        return latch(f, pageNo, LatchMode.EXCLUSIVE, false);
    }

    /**
     * Starts loading a page into the pool without fixing it, reading in {@code ioClass} (REPLAY_READ for the
     * standby's prefetching, PAGE_READ for read-ahead). Never waits for a frame: if none is free or evictable without
     * a write, the future fails with {@link BufferPoolExhaustedException}. Completes at once if the page is cached.
     */
    public CompletableFuture<Void> prefetch(long pageNo, IoClass ioClass) {
        requirePageNo(pageNo);
        if (ioClass != IoClass.REPLAY_READ && ioClass != IoClass.PAGE_READ) {
            throw new IllegalArgumentException("prefetch reads in REPLAY_READ or PAGE_READ, not " + ioClass);
        }
        Frame v;
        CompletableFuture<Void> loaded;
        lock.lock();
        try {
            requireOpenLocked();
            if (table.containsKey(pageNo)) {
                return CompletableFuture.completedFuture(null);
            }
            v = cleanVictimLocked();
            if (v == null) {
                wakeFlusherLocked();
                return CompletableFuture.failedFuture(exhausted(pageNo, 0, "prefetch does not wait for a frame"));
            }
            installLocked(v, pageNo, false);
            loaded = v.loaded;
            prefetches.incrementAndGet();
        } finally {
            lock.unlock();
        }
        startLoad(v, pageNo, ioClass);
        CompletableFuture<Void> result = new CompletableFuture<>();
        loaded.whenComplete((ignored, e) -> {
            unpin(v);
            if (e != null) {
                result.completeExceptionally(unwrap(e));
            } else {
                result.complete(null);
            }
        });
        return result;
    }

    /**
     * How often {@link #fixNew} starts over when it found the page being loaded (a standby's prefetch of a page the
     * log creates) and that load found nothing in storage: each failed load removes its frame, so one retry normally
     * suffices; a bound keeps a pathological race from looping forever.
     */
    static final int FRESH_PIN_ATTEMPTS_MAX = 16;

    /** Pins the page's frame, loading it on a miss; returns once the frame holds the page's image. */
    private Frame pin(long pageNo, boolean fresh) {
        for (int attempt = 1; ; attempt++) {
            try {
                return pinOnce(pageNo, fresh);
            } catch (PageNotFoundException e) {
                if (!fresh || attempt >= FRESH_PIN_ATTEMPTS_MAX) {
                    throw e;
                }
                // fixNew joined a load of the page (a prefetch) that found nothing: the page is new; create it.
            }
        }
    }

    private Frame pinOnce(long pageNo, boolean fresh) {
        requirePageNo(pageNo);
        long startNanos = System.nanoTime();
        long deadline = startNanos + config.frameWaitTimeout().toNanos();
        Frame f;
        CompletableFuture<Void> loading = null;
        boolean startRead = false;
        lock.lock();
        try {
            while (true) {
                requireOpenLocked();
                f = table.get(pageNo);
                if (f != null) {
                    pinLocked(f);
                    policy.onHit(f.index);
                    if (!fresh) {
                        hits.incrementAndGet();
                    }
                    loading = f.state == Frame.State.LOADING ? f.loaded : null;
                    break;
                }
                Frame victim = cleanVictimLocked();
                if (victim != null) {
                    installLocked(victim, pageNo, fresh);
                    f = victim;
                    if (!fresh) {
                        misses.incrementAndGet();
                        loading = f.loaded;
                        startRead = true;
                    }
                    break;
                }
                wakeFlusherLocked();
                Frame dirtyVictim = writer != null ? dirtyVictimLocked() : null;
                if (dirtyVictim != null) {
                    long victimPageNo = dirtyVictim.pageNo;
                    CompletableFuture<Void> write = claimWriteLocked(dirtyVictim);
                    lock.unlock();
                    try {
                        if (writeCopy(dirtyVictim, victimPageNo, false)) {
                            awaitVictimWrite(write, deadline, pageNo, startNanos);
                        }
                    } finally {
                        lock.lock();
                    }
                    continue;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw exhausted(pageNo, startNanos, "no evictable frame");
                }
                try {
                    frameReleased.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw exhausted(pageNo, startNanos, "interrupted while waiting for a frame");
                }
            }
        } finally {
            lock.unlock();
        }
        if (startRead) {
            startLoad(f, pageNo, IoClass.PAGE_READ);
        }
        if (loading != null) {
            try {
                // Bounded: every read attempt carries pageReadTimeout and a load makes at most two.
                loading.join();
            } catch (CompletionException | CancellationException e) {
                unpin(f);
                throw asRuntime(unwrap(e));
            }
        }
        return f;
    }

    private void awaitVictimWrite(CompletableFuture<Void> write, long deadline, long pageNo, long startNanos) {
        try {
            write.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            log.debug("write of a dirty victim for page {} did not finish in time; looking again", pageNo);
        } catch (ExecutionException e) {
            // Already counted and logged where the write completed; the frame stays dirty and another is tried.
            log.debug("write of a dirty victim for page {} failed: {}", pageNo, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw exhausted(pageNo, startNanos, "interrupted while writing a dirty victim");
        }
    }

    private PageRef latch(Frame f, long pageNo, LatchMode mode, boolean fresh) {
        Lock l = mode == LatchMode.SHARED ? f.latch.readLock() : f.latch.writeLock();
        l.lock();
        if (fresh) {
            // A reallocated page may still be cached with its old image; a fresh page starts as zeroes, except that
            // the pageLSN, which never moves back, is kept (the next change sets a higher one anyway).
            long pageLsn = PageFormat.pageLsn(f.data);
            Arrays.fill(f.data, (byte) 0);
            PageFormat.putLong(f.data, PageFormat.PAGE_LSN_OFFSET, pageLsn);
        }
        return new Ref(f, pageNo, mode, l);
    }

    /** Maps {@code pageNo} to frame {@code v}, pinned once; a fresh frame is zeroed and VALID, else LOADING. */
    private void installLocked(Frame v, long pageNo, boolean fresh) {
        if (v.state != Frame.State.FREE || v.pinCount != 0 || v.dirty || v.write != null) {
            throw new IllegalStateException("installing page " + pageNo + " into a frame in use: " + v);
        }
        v.pageNo = pageNo;
        table.put(pageNo, v);
        pinLocked(v);
        policy.onLoad(v.index);
        if (fresh) {
            Arrays.fill(v.data, (byte) 0);
            v.state = Frame.State.VALID;
        } else {
            v.state = Frame.State.LOADING;
            v.loaded = new CompletableFuture<>();
        }
    }

    private void pinLocked(Frame f) {
        if (f.pinCount++ == 0) {
            pinnedFrames++;
        }
    }

    private void unpin(Frame f) {
        lock.lock();
        try {
            unpinLocked(f);
        } finally {
            lock.unlock();
        }
    }

    private void unpinLocked(Frame f) {
        if (f.pinCount <= 0) {
            throw new IllegalStateException("unpinning a frame that is not pinned: " + f);
        }
        if (--f.pinCount == 0) {
            pinnedFrames--;
            if (f.state == Frame.State.FREE) {
                freeFrames.addLast(f);
            }
            frameReleased.signalAll();
        }
    }

    // ------------------------------------------------------------------------------------------------ eviction

    /** A frame ready to be installed: a free one, or a clean (or droppable) victim evicted here. Null if none. */
    private Frame cleanVictimLocked() {
        Frame free = freeFrames.pollFirst();
        if (free != null) {
            return free;
        }
        int i = policy.victim(this::cleanEvictableLocked);
        if (i < 0) {
            return null;
        }
        Frame v = frames[i];
        evictLocked(v);
        return v;
    }

    private boolean cleanEvictableLocked(int i) {
        Frame f = frames[i];
        return f.state == Frame.State.VALID && f.pinCount == 0 && f.write == null && (!f.dirty || writer == null)
                && guard.canEvict(f.pageNo, PageFormat.pageLsn(f.data));
    }

    private Frame dirtyVictimLocked() {
        int i = policy.victim(fi -> {
            Frame f = frames[fi];
            return f.state == Frame.State.VALID && f.pinCount == 0 && f.write == null && f.dirty
                    && guard.canEvict(f.pageNo, PageFormat.pageLsn(f.data));
        });
        return i < 0 ? null : frames[i];
    }

    private void evictLocked(Frame v) {
        if (v.pinCount != 0 || v.write != null || v.state != Frame.State.VALID) {
            throw new IllegalStateException("evicting a frame in use: " + v);
        }
        if (v.dirty && writer != null) {
            throw new IllegalStateException("a writable pool must write a dirty page before evicting it: " + v);
        }
        boolean wasDirty = v.dirty;
        long evictedPageNo = v.pageNo;
        long evictedPageLsn = PageFormat.pageLsn(v.data);
        if (wasDirty) {
            // Read-only pool, guard allowed: storage holds a version at least this new (e.g. below the flush
            // watermark), so a later miss must not accept anything older.
            versions.asMap().merge(v.pageNo, Version.ofPage(evictedPageLsn), Version::max);
            dirtyFrames.remove(v);
            v.dirty = false;
            v.recLsn = Frame.NO_LSN;
            dirtyDropped.incrementAndGet();
        }
        table.remove(v.pageNo);
        v.pageNo = Frame.NO_PAGE_MAPPED;
        v.state = Frame.State.FREE;
        evictions.incrementAndGet();
        evictionListener.evicted(evictedPageNo, evictedPageLsn, wasDirty);
    }

    private BufferPoolExhaustedException exhausted(long pageNo, long startNanos, String why) {
        long waitedMillis = startNanos == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        lock.lock();
        try {
            return new BufferPoolExhaustedException(pageNo, frames.length, pinnedFrames, dirtyFrames.size(),
                    waitedMillis, why);
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------------ reading

    private void startLoad(Frame f, long pageNo, IoClass ioClass) {
        CompletableFuture<ReadOutcome> read;
        try {
            read = readImage(pageNo, ioClass);
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        read.whenComplete((outcome, e) -> completeLoad(f, pageNo, outcome, e));
    }

    private void completeLoad(Frame f, long pageNo, ReadOutcome outcome, Throwable error) {
        if (error == null) {
            // The frame is LOADING: nobody latches it before `loaded` completes, so the copy needs no latch.
            System.arraycopy(outcome.image(), 0, f.data, 0, PageFormat.PAGE_SIZE_BYTES);
        }
        CompletableFuture<Void> loaded;
        lock.lock();
        try {
            if (f.pageNo != pageNo || f.state != Frame.State.LOADING) {
                throw new IllegalStateException("load of page " + pageNo + " finished on a frame not loading it: " + f);
            }
            loaded = f.loaded;
            f.loaded = null;
            if (error == null) {
                f.state = Frame.State.VALID;
                versions.asMap().merge(pageNo, outcome.version(), Version::max);
            } else {
                table.remove(pageNo);
                f.pageNo = Frame.NO_PAGE_MAPPED;
                f.state = Frame.State.FREE;
                // The frame returns to the free list when its last waiter unpins it.
            }
        } finally {
            lock.unlock();
        }
        if (error == null) {
            loaded.complete(null);
        } else {
            loaded.completeExceptionally(unwrap(error));
        }
    }

    /** A valid image and its version. */
    private record ReadOutcome(byte[] image, Version version) {
    }

    /** What one read attempt found; exactly one of image, notFound, problem or failure is set. */
    private record Attempt(byte[] image, Version version, boolean notFound, String problem, Throwable failure,
                           boolean retryable) {
        static Attempt failed(Throwable t, boolean retryable) {
            return new Attempt(null, null, false, null, t, retryable);
        }
    }

    private CompletableFuture<ReadOutcome> readImage(long pageNo, IoClass ioClass) {
        Version known = versions.getIfPresent(pageNo);
        Version atLeast = known == null ? Version.ZERO : known;
        ReadConsistency first = known == null ? ReadConsistency.QUORUM : ReadConsistency.AT_LEAST;
        return attempt(pageNo, ioClass, first, atLeast).thenCompose(a -> {
            if (a.image() != null) {
                return CompletableFuture.completedFuture(new ReadOutcome(a.image(), a.version()));
            }
            if (a.failure() != null && !a.retryable()) {
                throw new CompletionException(new PageReadException(pageNo, "first read at " + first, a.failure()));
            }
            if (a.notFound() && first == ReadConsistency.QUORUM) {
                throw new CompletionException(new PageNotFoundException(pageNo, first));
            }
            // Invalid image, missing at AT_LEAST, or a failed read: a quorum read settles it and repairs replicas.
            rereads.incrementAndGet();
            if (a.problem() != null) {
                log.warn("page {} read at {} was invalid ({}); re-reading at QUORUM", pageNo, first, a.problem());
            }
            return attempt(pageNo, ioClass, ReadConsistency.QUORUM, atLeast).thenApply(b -> {
                if (b.image() != null) {
                    return new ReadOutcome(b.image(), b.version());
                }
                if (b.notFound()) {
                    throw new CompletionException(new PageNotFoundException(pageNo, ReadConsistency.QUORUM));
                }
                if (b.problem() != null) {
                    throw new CompletionException(new CorruptPageException(pageNo,
                            "no valid image in storage after a quorum re-read (" + b.problem()
                                    + "); repair the volume: restore the page or rebuild it from the log"));
                }
                throw new CompletionException(new PageReadException(pageNo, "read at QUORUM", b.failure()));
            });
        });
    }

    /** One scheduled read; the returned future never fails — failures are an {@link Attempt} outcome. */
    private CompletableFuture<Attempt> attempt(long pageNo, IoClass ioClass, ReadConsistency consistency,
                                               Version atLeast) {
        BlockAddress address = BlockAddress.page(reader.volume(), pageNo);
        CompletableFuture<Optional<Block>> io;
        try {
            io = scheduler.submit(ioClass, () -> reader.read(address, consistency, atLeast));
        } catch (IoQueueFullException | IoSchedulerClosedException e) {
            return CompletableFuture.completedFuture(Attempt.failed(e, false));
        }
        long timeoutNanos = config.pageReadTimeout().toNanos();
        return io.orTimeout(timeoutNanos, TimeUnit.NANOSECONDS).handle((block, e) -> {
            if (e != null) {
                Throwable cause = unwrap(e);
                Throwable reported = cause instanceof TimeoutException
                        ? new TimeoutException("no answer within " + config.pageReadTimeout()) : cause;
                return Attempt.failed(reported, true);
            }
            if (block.isEmpty()) {
                return new Attempt(null, null, true, null, null, true);
            }
            String problem = validate(block.get(), pageNo, atLeast);
            if (problem != null) {
                return new Attempt(null, null, false, problem, null, true);
            }
            return new Attempt(block.get().payload(), block.get().version(), false, null, null, false);
        });
    }

    /** Why a stored block is not a usable image of the page, or null if it is. */
    private static String validate(Block b, long pageNo, Version atLeast) {
        byte[] p = b.payload();
        if (!PageFormat.isValidImage(p, pageNo)) {
            return "checksum, type or page number wrong in " + b;
        }
        long pageLsn = PageFormat.pageLsn(p);
        if (!b.version().equals(Version.ofPage(pageLsn))) {
            return "version " + b.version() + " does not match pageLSN " + pageLsn;
        }
        if (!b.version().isAtLeast(atLeast)) {
            return "version " + b.version() + " is older than " + atLeast + " which this node wrote or read before";
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------ writing

    /**
     * Claims the single write slot of a dirty frame. The claim alone keeps the frame from being evicted or reused
     * (eviction skips frames being written), so it needs no pin — a pin held by a writer blocked on a latch could
     * otherwise be the one frame a latch holder is waiting for.
     */
    private CompletableFuture<Void> claimWriteLocked(Frame f) {
        if (!f.dirty || f.write != null || f.state != Frame.State.VALID) {
            throw new IllegalStateException("claiming a write for a frame that is not an idle dirty page: " + f);
        }
        f.write = new CompletableFuture<>();
        f.copyTaken = false;
        f.recLsnSinceCopy = Frame.NO_LSN;
        return f.write;
    }

    /**
     * Copies a claimed frame under a SHARED latch and writes the copy once the log is durable up to its pageLSN; the
     * rest is asynchronous and ends in {@link #writeDone}. With {@code mayBlock} false (the flusher, eviction) a
     * page latched EXCLUSIVE right now is skipped: its claim is dropped and false returned — a thread that holds
     * that latch may itself be waiting for a frame. Only {@link #flushAll}, whose caller holds no pages, blocks.
     */
    private boolean writeCopy(Frame f, long pageNo, boolean mayBlock) {
        byte[] copy = new byte[PageFormat.PAGE_SIZE_BYTES];
        long seq;
        VolumeWriter w;
        DurableLog logRef;
        if (mayBlock) {
            f.latch.readLock().lock();
        } else if (!f.latch.readLock().tryLock()) {
            CompletableFuture<Void> claim;
            lock.lock();
            try {
                claim = f.write;
                f.write = null;
                frameReleased.signalAll();
            } finally {
                lock.unlock();
            }
            claim.complete(null);
            return false;
        }
        try {
            System.arraycopy(f.data, 0, copy, 0, copy.length);
            lock.lock();
            try {
                seq = f.changeSeq;
                f.copyTaken = true;
                w = writer;
                logRef = durableLog;
            } finally {
                lock.unlock();
            }
        } finally {
            f.latch.readLock().unlock();
        }
        long pageLsn = PageFormat.pageLsn(copy);
        long startNanos = System.nanoTime();
        CompletableFuture<Void> io;
        try {
            io = logRef.awaitDurable(pageLsn).thenCompose(ignored -> scheduler.submit(IoClass.PAGE_WRITE,
                    () -> writeBlock(w, logRef, pageNo, pageLsn, copy)));
        } catch (RuntimeException e) {
            io = CompletableFuture.failedFuture(e);
        }
        io.whenComplete((ignored, e) -> writeDone(f, pageNo, seq, pageLsn, startNanos, e));
        return true;
    }

    /** The last step before storage: the WAL rule is checked here, on every page write. */
    private static CompletableFuture<Void> writeBlock(VolumeWriter w, DurableLog logRef, long pageNo, long pageLsn,
                                                      byte[] copy) {
        long durable = logRef.durableLsn();
        if (durable < pageLsn) {
            throw new IllegalStateException("WAL rule: page " + pageNo + " with pageLSN " + pageLsn
                    + " must not be written while the durable LSN is " + durable);
        }
        if (PageFormat.pageNo(copy) != pageNo) {
            throw new IllegalStateException("page " + pageNo + " is about to be written with header pageNo "
                    + PageFormat.pageNo(copy) + "; a page must carry its own number");
        }
        PageFormat.stampChecksum(copy);
        return w.write(Block.of(BlockAddress.page(w.volume(), pageNo), Version.ofPage(pageLsn), copy));
    }

    private void writeDone(Frame f, long pageNo, long seq, long pageLsn, long startNanos, Throwable error) {
        CompletableFuture<Void> done;
        lock.lock();
        try {
            if (f.pageNo != pageNo || !f.dirty || f.write == null) {
                throw new IllegalStateException("write of page " + pageNo + " finished on a frame that changed"
                        + " identity or state meanwhile: " + f);
            }
            done = f.write;
            f.write = null;
            if (error == null) {
                pagesWritten.incrementAndGet();
                flushLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
                versions.asMap().merge(pageNo, Version.ofPage(pageLsn), Version::max);
                f.flushedSeq = Math.max(f.flushedSeq, seq);
                dirtyFrames.remove(f);
                if (f.changeSeq == seq) {
                    f.dirty = false;
                    f.recLsn = Frame.NO_LSN;
                } else {
                    if (f.recLsnSinceCopy == Frame.NO_LSN || f.recLsnSinceCopy < f.recLsn) {
                        throw new IllegalStateException("page " + pageNo + " changed after its copy (seq " + seq
                                + " -> " + f.changeSeq + ") but the first such change's LSN " + f.recLsnSinceCopy
                                + " is not at or after recLSN " + f.recLsn);
                    }
                    f.recLsn = f.recLsnSinceCopy;
                    dirtyFrames.add(f);
                }
            } else {
                flushFailures.incrementAndGet();
            }
            f.copyTaken = false;
            f.recLsnSinceCopy = Frame.NO_LSN;
            frameReleased.signalAll();
        } finally {
            lock.unlock();
        }
        if (error == null) {
            done.complete(null);
        } else {
            Throwable cause = unwrap(error);
            if (cause instanceof IllegalStateException) {
                log.error("page {} write refused by an invariant", pageNo, cause);
            } else {
                log.warn("page {} (pageLSN {}) could not be written; it stays dirty: {}", pageNo, pageLsn,
                        cause.toString());
            }
            done.completeExceptionally(cause);
        }
    }

    /**
     * Issues writes for up to {@code maxPages} dirty pages, oldest recLSN first, skipping pages already being
     * written or latched EXCLUSIVE right now. Returns the started writes' futures (which complete when storage
     * acknowledges or the write fails). Never blocks.
     */
    List<CompletableFuture<Void>> flushOldest(int maxPages) {
        List<Frame> claimed = new ArrayList<>();
        List<Long> pageNos = new ArrayList<>();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        lock.lock();
        try {
            if (writer == null) {
                return List.of();
            }
            for (Frame f : dirtyFrames) {
                if (claimed.size() >= maxPages) {
                    break;
                }
                if (f.write == null && f.state == Frame.State.VALID) {
                    claimed.add(f);
                    pageNos.add(f.pageNo);
                }
            }
            for (Frame f : claimed) {
                writes.add(claimWriteLocked(f));
            }
        } finally {
            lock.unlock();
        }
        List<CompletableFuture<Void>> started = new ArrayList<>(claimed.size());
        for (int i = 0; i < claimed.size(); i++) {
            if (writeCopy(claimed.get(i), pageNos.get(i), false)) {
                started.add(writes.get(i));
            }
        }
        return started;
    }

    /**
     * Writes every page that is dirty when this is called, oldest recLSN first, and returns once storage has
     * acknowledged a version of each that includes every change made before the call (pages changed again meanwhile
     * may stay dirty with later changes). For shutdown and sharp checkpoints. Blocks the caller.
     *
     * <p>It issues at most {@code flushBatchPagesMax} new writes at a time and waits for them before the next batch:
     * a pool may hold far more dirty pages than the PAGE_WRITE queue has room for (a 256 MiB pool has 32,768 frames,
     * the queue 1,024 places), and a write the queue refuses would fail the whole flush.
     *
     * @throws PageFlushException if that did not happen within {@code timeout} or a write failed
     */
    public void flushAll(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        record Target(Frame frame, long pageNo, long seqAtCall) {
        }
        List<Target> targets = new ArrayList<>();
        lock.lock();
        try {
            if (writer == null) {
                throw new IllegalStateException("a read-only buffer pool never writes pages");
            }
            for (Frame f : dirtyFrames) {
                targets.add(new Target(f, f.pageNo, f.changeSeq));
            }
        } finally {
            lock.unlock();
        }
        while (true) {
            List<CompletableFuture<Void>> waits = new ArrayList<>();
            List<Target> toCopy = new ArrayList<>();
            lock.lock();
            try {
                targets.removeIf(t -> t.frame().pageNo != t.pageNo() || !t.frame().dirty
                        || t.frame().flushedSeq >= t.seqAtCall());
                if (targets.isEmpty()) {
                    return;
                }
                for (Target t : targets) {
                    if (t.frame().write != null) {
                        waits.add(t.frame().write);
                    } else if (toCopy.size() < config.flushBatchPagesMax()) {
                        waits.add(claimWriteLocked(t.frame()));
                        toCopy.add(t);
                    }
                }
            } finally {
                lock.unlock();
            }
            for (Target t : toCopy) {
                writeCopy(t.frame(), t.pageNo(), true);
            }
            try {
                CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
                        .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new PageFlushException(targets.size() + " dirty pages were not all written within " + timeout
                        + "; is the log becoming durable?", e);
            } catch (ExecutionException e) {
                throw new PageFlushException("a page write failed; the page stays dirty", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PageFlushException("interrupted while flushing", e);
            }
        }
    }

    private void wakeFlusherLocked() {
        if (flusher != null) {
            flusher.wake();
        }
    }

    /** Selects pages by number and current pageLSN (see {@link #discard}). */
    @FunctionalInterface
    public interface PageFilter {
        boolean test(long pageNo, long pageLsn);
    }

    /** What {@link #discard} did: pages dropped, and selected pages it had to leave because they were in use. */
    public record Discarded(int dropped, int skippedInUse) {
    }

    /**
     * Read-only pools only (a standby that jumps ahead in the log): drops every loaded, unpinned page the filter
     * selects, dirty or not, <b>without writing it and without remembering its version</b> — the caller knows storage
     * may not have this version (an unsafe page) and will rebuild the page from the log. Selected pages that are
     * pinned or being written, and every page still loading, are left and counted as skipped. Not an eviction: the
     * {@link EvictionListener} is not told.
     */
    public Discarded discard(PageFilter select) {
        Objects.requireNonNull(select, "select");
        lock.lock();
        try {
            requireOpenLocked();
            if (writer != null) {
                throw new IllegalStateException("discard is for read-only pools; a writable pool writes its pages");
            }
            int dropped = 0;
            int skipped = 0;
            for (Frame f : frames) {
                if (f.state == Frame.State.FREE) {
                    continue;
                }
                if (f.state == Frame.State.LOADING) {
                    skipped++; // its image is not known yet, so neither is whether the filter would select it
                    continue;
                }
                if (!select.test(f.pageNo, PageFormat.pageLsn(f.data))) {
                    continue;
                }
                if (f.pinCount != 0 || f.write != null) {
                    skipped++;
                    continue;
                }
                if (f.dirty) {
                    dirtyFrames.remove(f);
                    f.dirty = false;
                    f.recLsn = Frame.NO_LSN;
                }
                table.remove(f.pageNo);
                f.pageNo = Frame.NO_PAGE_MAPPED;
                f.state = Frame.State.FREE;
                // Like a failed load, the policy keeps the frame's old entry until the frame is reloaded: harmless.
                freeFrames.addLast(f);
                dropped++;
            }
            if (dropped > 0) {
                frameReleased.signalAll();
            }
            return new Discarded(dropped, skipped);
        } finally {
            lock.unlock();
        }
    }

    /** What {@link #settleReplayedPages} did: dirty pages found clean, and dirty pages whose recLSN it raised. */
    public record Settled(int cleaned, int raised) {
    }

    /**
     * Read-only pools only, at takeover before {@link #attachWritePath}: the standby's replayed dirty pages keep the
     * recLSN of the first change it replayed since it loaded them, although the active has flushed many of those
     * changes since. {@code storedBelowLsn} is the redo start of the latest checkpoint — no change that starts below it
     * is missing from storage — so a dirty page whose pageLSN is at or below it is clean (storage has this image), and
     * every other dirty page's recLSN rises to at least it. Without this, the new active's first checkpoint would name
     * a redo start below the one already stored, and its flusher would rewrite pages storage already holds.
     */
    public Settled settleReplayedPages(long storedBelowLsn) {
        lock.lock();
        try {
            requireOpenLocked();
            if (writer != null) {
                throw new IllegalStateException("settleReplayedPages is for the read-only pool being handed over");
            }
            int cleaned = 0;
            int raised = 0;
            for (Frame f : frames) {
                if (!f.dirty || f.recLsn >= storedBelowLsn) {
                    continue;
                }
                dirtyFrames.remove(f);
                if (PageFormat.pageLsn(f.data) <= storedBelowLsn) {
                    f.dirty = false;
                    f.recLsn = Frame.NO_LSN;
                    cleaned++;
                } else {
                    f.recLsn = storedBelowLsn;
                    dirtyFrames.add(f);
                    raised++;
                }
            }
            return new Settled(cleaned, raised);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forgets every version the pool remembers (its version list), so that the next read of any page not in the pool
     * is a quorum read. For a standby that jumped over log it never replayed: a version it read or evicted before the
     * jump no longer bounds what the page must contain now.
     */
    public void forgetVersions() {
        versions.invalidateAll();
    }

    // ------------------------------------------------------------------------------------------------ state

    /** The oldest recLSN among dirty pages — redo for this pool starts no earlier — or empty if none is dirty. */
    public OptionalLong minRecLsn() {
        lock.lock();
        try {
            return dirtyFrames.isEmpty() ? OptionalLong.empty() : OptionalLong.of(dirtyFrames.first().recLsn);
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of the dirty-page table in recLSN order, for checkpoint records. */
    public List<LogRecord.DirtyPage> dirtyPageTable() {
        lock.lock();
        try {
            List<LogRecord.DirtyPage> out = new ArrayList<>(dirtyFrames.size());
            for (Frame f : dirtyFrames) {
                out.add(new LogRecord.DirtyPage(f.pageNo, f.recLsn));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Up to {@code max} page numbers resident in the pool, ascending (a new standby warms its pool from this list of
     * the active's, DESIGN §6 "Re-seeding"). One pass over the page table under the pool's lock.
     */
    public long[] residentPages(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must be >= 0, was " + max);
        }
        long[] out;
        lock.lock();
        try {
            out = table.keySet().stream().mapToLong(Long::longValue).limit(max).toArray();
        } finally {
            lock.unlock();
        }
        Arrays.sort(out);
        return out;
    }

    /** Whether the page is in the pool (loaded or being loaded). */
    public boolean contains(long pageNo) {
        lock.lock();
        try {
            return table.containsKey(pageNo);
        } finally {
            lock.unlock();
        }
    }

    public boolean isReadOnly() {
        lock.lock();
        try {
            return writer == null;
        } finally {
            lock.unlock();
        }
    }

    public int frameCount() {
        return frames.length;
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }

    public long evictions() {
        return evictions.get();
    }

    public long pagesWritten() {
        return pagesWritten.get();
    }

    /**
     * Where the flusher learns the hot standby's pool pressure (the share of its frames it may not evict); the node
     * points it at what the standby reports over the HA port. Values outside 0..1 or NaN count as 0.
     */
    public void setStandbyPressure(DoubleSupplier source) {
        this.standbyPressure = Objects.requireNonNull(source, "source");
    }

    /** The standby's pool pressure now, 0..1 (0 with no standby). */
    public double standbyPressure() {
        double p = standbyPressure.getAsDouble();
        return p >= 0 && p <= 1 ? p : 0;
    }

    /** Hits / (hits + misses) since the pool was built; 0 before the first fix. */
    public double hitRatio() {
        long h = hits.get();
        long total = h + misses.get();
        return total == 0 ? 0.0 : (double) h / total;
    }

    public int dirtyPageCount() {
        lock.lock();
        try {
            return dirtyFrames.size();
        } finally {
            lock.unlock();
        }
    }

    /** Frames that hold a page (loaded or loading): how warm the pool is. */
    public int residentPageCount() {
        lock.lock();
        try {
            return table.size();
        } finally {
            lock.unlock();
        }
    }

    public int pinnedFrameCount() {
        lock.lock();
        try {
            return pinnedFrames;
        } finally {
            lock.unlock();
        }
    }

    double dirtyFraction() {
        return (double) dirtyPageCount() / frames.length;
    }

    /**
     * Checks the whole structure: page table and frames agree, pin counts and the pinned count, the dirty set and
     * the dirty flags, recLSN ≤ pageLSN, free frames. Expensive; tests run it after every test.
     */
    public void checkInvariants() {
        lock.lock();
        try {
            int mapped = 0;
            int pinned = 0;
            int dirty = 0;
            for (Frame f : frames) {
                check(f.pinCount >= 0, "pin count " + f.pinCount + " >= 0", f);
                if (f.pinCount > 0) {
                    pinned++;
                }
                if (f.state == Frame.State.FREE) {
                    check(f.pageNo == Frame.NO_PAGE_MAPPED, "free frame maps page " + f.pageNo, f);
                    check(!f.dirty && f.write == null, "free frame is clean and not being written", f);
                    check(f.pinCount > 0 || freeFrames.contains(f), "unpinned free frame is on the free list", f);
                    continue;
                }
                mapped++;
                check(table.get(f.pageNo) == f, "page table maps page " + f.pageNo + " to this frame, not "
                        + table.get(f.pageNo), f);
                check(!freeFrames.contains(f), "mapped frame is not on the free list", f);
                check((f.state == Frame.State.LOADING) == (f.loaded != null), "loading iff a load future", f);
                if (f.dirty) {
                    dirty++;
                    check(dirtyFrames.contains(f), "dirty frame is in the dirty set", f);
                    check(f.recLsn >= 0, "dirty frame has a recLSN", f);
                    if (f.pinCount == 0) {
                        long pageLsn = PageFormat.pageLsn(f.data);
                        check(f.recLsn < pageLsn, "recLSN " + f.recLsn + " < pageLSN " + pageLsn, f);
                    }
                } else {
                    check(f.write == null, "a clean frame is not being written", f);
                }
                if (writer == null) {
                    check(f.write == null, "a read-only pool never writes", f);
                }
            }
            check(table.size() == mapped, "page table size " + table.size() + " == mapped frames " + mapped, null);
            check(pinnedFrames == pinned, "pinned count " + pinnedFrames + " == pinned frames " + pinned, null);
            check(dirtyFrames.size() == dirty, "dirty set size " + dirtyFrames.size() + " == dirty frames " + dirty,
                    null);
        } finally {
            lock.unlock();
        }
    }

    private static void check(boolean condition, String what, Frame f) {
        if (!condition) {
            throw new IllegalStateException("buffer pool invariant failed: " + what + (f == null ? "" : " at " + f));
        }
    }

    private void requireOpenLocked() {
        if (lifecycle == Lifecycle.CLOSED) {
            throw new IllegalStateException("the buffer pool is closed");
        }
    }

    private static void requirePageNo(long pageNo) {
        if (pageNo < 0) {
            throw new IllegalArgumentException("pageNo must be >= 0, was " + pageNo);
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static RuntimeException asRuntime(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected checked failure", t);
    }

    // ------------------------------------------------------------------------------------------------ page refs

    /** A pinned, latched page. Owned by the fixing thread. */
    private final class Ref implements PageRef {
        private final Frame frame;
        private final long pageNo;
        private final LatchMode mode;
        private final Lock latch;
        private boolean released;

        Ref(Frame frame, long pageNo, LatchMode mode, Lock latch) {
            this.frame = frame;
            this.pageNo = pageNo;
            this.mode = mode;
            this.latch = latch;
        }

        @Override
        public long pageNo() {
            return pageNo;
        }

        @Override
        public LatchMode mode() {
            return mode;
        }

        @Override
        public byte[] bytes() {
            if (released) {
                throw new IllegalStateException("page " + pageNo + " was released; its bytes may be another page's");
            }
            return frame.data;
        }

        @Override
        public void markChanged(long startLsn, long endLsn) {
            if (released || mode != LatchMode.EXCLUSIVE || !frame.latch.isWriteLockedByCurrentThread()) {
                throw new IllegalStateException("markChanged on page " + pageNo + " needs an EXCLUSIVE latch held by"
                        + " this thread (mode " + mode + ", released " + released + ")");
            }
            if (startLsn < 0 || endLsn <= startLsn) {
                throw new IllegalArgumentException("bad MTR range [" + startLsn + ", " + endLsn + ") for page "
                        + pageNo);
            }
            PageFormat.setPageLsn(frame.data, endLsn);
            lock.lock();
            try {
                frame.changeSeq++;
                if (!frame.dirty) {
                    frame.dirty = true;
                    frame.recLsn = startLsn;
                    dirtyFrames.add(frame);
                } else {
                    if (startLsn < frame.recLsn) {
                        throw new IllegalStateException("page " + pageNo + " changed by an MTR starting at " + startLsn
                                + " before its recLSN " + frame.recLsn + "; changes to a page must come in LSN order");
                    }
                    if (frame.write != null && frame.copyTaken && frame.recLsnSinceCopy == Frame.NO_LSN) {
                        frame.recLsnSinceCopy = startLsn;
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void release() {
            if (released) {
                return;
            }
            released = true;
            latch.unlock();
            unpin(frame);
        }

        @Override
        public String toString() {
            return "PageRef[page " + pageNo + " " + mode + (released ? " released" : "") + "]";
        }
    }
}
