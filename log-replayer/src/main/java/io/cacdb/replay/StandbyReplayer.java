package io.cacdb.replay;

import io.cacdb.engine.bufferpool.BufferPool;
import io.cacdb.engine.mtr.LatchMode;
import io.cacdb.engine.mtr.PageRef;
import io.cacdb.engine.mtr.PageSource;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.recovery.Analysis;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.wal.CheckpointPointer;
import io.cacdb.engine.wal.EpochHistory;
import io.cacdb.engine.wal.LogRecordCodec;
import io.cacdb.engine.wal.MetaRecords;
import io.cacdb.ioscheduler.IoClass;
import io.cacdb.ioscheduler.IoScheduler;
import io.cacdb.ioscheduler.IoSchedulerConfig;
import io.cacdb.replay.apply.Applier;
import io.cacdb.replay.apply.TransactionTable;
import io.cacdb.replay.lag.LagTracker;
import io.cacdb.replay.lag.ReplayLag;
import io.cacdb.replay.pagelsn.PageLsnList;
import io.cacdb.replay.pagelsn.PageLsnListReader;
import io.cacdb.replay.policy.RetentionFloor;
import io.cacdb.replay.prefetch.Prefetcher;
import io.cacdb.replay.prefetch.ReadIoController;
import io.cacdb.replay.prefetch.Warmer;
import io.cacdb.replay.safety.BufferPoolPressure;
import io.cacdb.replay.safety.PressureListener;
import io.cacdb.replay.safety.UnsafePages;
import io.cacdb.replay.tail.Tailer;
import io.cacdb.replay.window.ParseAheadWindow;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hot standby's replay of the shared log (DESIGN §6): the façade over the pipeline
 * <pre>
 *   DAX log ─▶ Tailer ─▶ ParseAheadWindow ─▶ Applier (Redo, pageLSN test) ─▶ standby BufferPool (read-only)
 *                 │                                                          ▲    │
 *                 ├─▶ Prefetcher (REPLAY_READ, limit ← ReadIoController(lag)) ┘    │ EvictionGuard = UnsafePages
 *                 ├─▶ UnsafePages (FlushWatermark records: which replayed pages are safe)
 *                 └─▶ PageLsnList (highest change seen per page → AT_LEAST re-reads)
 * </pre>
 * and the pieces takeover calls: {@link #catchUpTo}, the losers, {@link #handOver}.
 *
 * <h2>Never writes</h2>
 * It is built from a {@link VolumeReader} only — the type has no write method — and its pool is built without a
 * write path, so neither the replayer nor its pool can write to storage. The pool drops a replayed page only when
 * {@link UnsafePages} says it is safe, and every eviction is checked again.
 *
 * <h2>Threads</h2>
 * Two platform threads, {@code replay-tail-v<volume>} and {@code replay-apply-v<volume>}; prefetch completions run
 * on storage threads. The public methods are thread-safe. {@link #catchUpTo} and {@link #close} block (bounded).
 *
 * <h2>Lifecycle</h2>
 * {@link ReplayState}, with every transition checked.
 */
public final class StandbyReplayer implements RetentionFloor, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StandbyReplayer.class);

    /** Pressure is reported to listeners when it moved by at least this much (1 % of the pool)... */
    public static final double PRESSURE_REPORT_STEP = 0.01;

    /** ...or at least this often while it changes at all: the active learns a slowly creeping pressure too. */
    public static final Duration PRESSURE_REPORT_INTERVAL = Duration.ofSeconds(1);

    /** Pressure is sampled at most this often (it walks the unsafe-page map, O(frames)). */
    public static final Duration PRESSURE_SAMPLE_INTERVAL = Duration.ofMillis(10);

    private final VolumeReader volume;
    private final IoScheduler scheduler;
    private final StandbyConfig config;
    private final MeterRegistry registry;
    private final Clock clock;
    private final LogRecordCodec codec = new LogRecordCodec(PageOps::decode);
    private final UnsafePages unsafe = new UnsafePages();
    private final PageLsnList pageLsns;
    private final PageLsnListReader pageReader;
    private final BufferPool pool;
    private final ParseAheadWindow window;
    private final Prefetcher prefetcher;
    private final ReadIoController controller;
    private final List<PressureListener> pressureListeners = new CopyOnWriteArrayList<>();
    /** What {@link #registerMeters} registered; removed when the replayer stops replaying. */
    private final List<Meter> meters = new CopyOnWriteArrayList<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    // Guarded by lock.
    private ReplayState state = ReplayState.NEW;
    private Throwable failure;
    private long finishingEnd = -1;
    private long jumpsSeen;

    // Set by start(); read by other threads after the STARTING → TAILING transition (under lock).
    private volatile Tailer tailer;
    private volatile Applier applier;
    private volatile TransactionTable txns;
    private volatile LagTracker lag;
    private volatile long startLsn;
    private Thread tailThread;
    private Thread applyThread;

    private int appliedLimit = -1;
    private volatile BufferPoolPressure pressure;
    private volatile long lastPressureSampleNanos = Long.MIN_VALUE;
    private volatile long lastPressureReportNanos = Long.MIN_VALUE;
    private volatile double lastReportedPressure = -1;

    private StandbyReplayer(VolumeReader volume, IoScheduler scheduler, StandbyConfig config, MeterRegistry registry,
                            Clock clock) {
        this.volume = Objects.requireNonNull(volume, "volume");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        checkAgainstScheduler(config, scheduler.config());
        this.pageLsns = new PageLsnList(config.pageLsnListMaxEntries(), unsafe::watermark);
        this.pageReader = new PageLsnListReader(volume, pageLsns);
        this.pool = BufferPool.builder(config.bufferPool(), pageReader, scheduler, registry)
                .evictionGuard(unsafe).evictionListener(unsafe).build();
        this.window = new ParseAheadWindow(config.windowBytesMax(), config.windowMtrsMax());
        int frames = config.bufferPool().frames();
        int outstandingMax = Math.max(1, Math.min(config.readIo().inFlightMax(), frames / 2));
        this.prefetcher = new Prefetcher(pool, outstandingMax, config.readIo().queuedMax(),
                () -> pressure != null && pressure.unsafePages() >= frames * config.readIo().unsafeFractionMax());
        this.controller = config.policy().adaptsReadIo() ? ReadIoController.adaptive(config.readIo())
                : ReadIoController.fixed(config.readIo());
        this.pressure = BufferPoolPressure.of(0, 0, frames);
        registerMeters();
    }

    /**
     * Builds a standby replayer (state NEW) over a read-only handle of the volume, with its own read-only pool. The
     * scheduler is the node's and stays the caller's; the replayer sets its REPLAY_READ in-flight limit.
     */
    public static StandbyReplayer create(VolumeReader volume, IoScheduler scheduler, StandbyConfig config,
                                         MeterRegistry registry) {
        return new StandbyReplayer(volume, scheduler, config, registry, registry.config().clock());
    }

    private static void checkAgainstScheduler(StandbyConfig config, IoSchedulerConfig io) {
        IoSchedulerConfig.ClassLimits replay = io.limits(IoClass.REPLAY_READ);
        if (config.readIo().inFlightMax() > replay.inFlightCeiling()) {
            throw new IllegalArgumentException("readIo.inFlightMax " + config.readIo().inFlightMax()
                    + " exceeds the IO scheduler's REPLAY_READ ceiling " + replay.inFlightCeiling());
        }
        if (config.readIo().queuedMax() > replay.queueCapacity()) {
            throw new IllegalArgumentException("readIo.queuedMax " + config.readIo().queuedMax()
                    + " exceeds the IO scheduler's REPLAY_READ queue capacity " + replay.queueCapacity());
        }
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /**
     * NEW → STARTING → TAILING: reads the epoch history and (for {@link StartPoint.LatestCheckpoint}) the checkpoint
     * pointer from META at quorum, then starts the tailer and applier threads.
     *
     * @throws ReplayFailedException if META cannot be read within the tail's storage wait (state FAILED)
     */
    public void start() {
        transition(ReplayState.STARTING);
        try {
            Duration wait = config.tail().storageWaitMax();
            EpochHistory history = await(MetaRecords.epochHistory(volume), wait, "reading the epoch history");
            long checkpointLsn = -1;
            long from;
            boolean complete;
            switch (config.startPoint()) {
                case StartPoint.LatestCheckpoint c -> {
                    Optional<CheckpointPointer> p = await(MetaRecords.readCheckpoint(volume), wait,
                            "reading the checkpoint pointer").map(MetaRecords.Stored::value);
                    from = p.map(CheckpointPointer::redoStartLsn).orElse(0L);
                    checkpointLsn = p.map(CheckpointPointer::checkpointLsn).orElse(-1L);
                    complete = true;
                }
                case StartPoint.AtLsn a -> {
                    from = a.lsn();
                    complete = from == 0;
                }
            }
            startLsn = from;
            lag = new LagTracker(clock, from);
            txns = new TransactionTable(checkpointLsn, complete, Applier.epochAt(history, from));
            applier = new Applier(pool, window, unsafe, txns, lag, () -> tailer.history(), prefetcher, pageLsns,
                    from, config.applyRetryWait(), config.threadStopWait(), new ApplyEvents());
            tailer = new Tailer(volume, codec, config.tail(), window, prefetcher, unsafe, pageLsns, lag,
                    config.policy(), clock, history, from, new TailEvents(), this::controlStep,
                    () -> applier.jumps(), () -> applier.starved());
            scheduler.setInFlightLimit(IoClass.REPLAY_READ, controller.limit());
            appliedLimit = controller.limit();
            long v = volume.volume();
            tailThread = Thread.ofPlatform().name("replay-tail-v" + v).daemon().unstarted(tailer);
            applyThread = Thread.ofPlatform().name("replay-apply-v" + v).daemon().unstarted(applier);
            log.info("standby of volume {} starting at LSN {} ({}; checkpoint {}; policy {}; {} frames)", v, from,
                    config.startPoint(), checkpointLsn, config.policy(), pool.frameCount());
            transition(ReplayState.TAILING);
            applyThread.start();
            tailThread.start();
        } catch (RuntimeException e) {
            fail(e);
            throw new ReplayFailedException("the standby of volume " + volume.volume() + " could not start", e);
        }
    }

    /**
     * Stops the pipeline and, unless it was handed over, closes the pool. Any state → STOPPED (idempotent).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (state.isTerminal()) {
                return;
            }
        } finally {
            lock.unlock();
        }
        stopThreads();
        prefetcher.stop();
        lock.lock();
        try {
            if (state.isTerminal()) {
                return;
            }
            moveLocked(ReplayState.STOPPED);
        } finally {
            lock.unlock();
        }
        pool.close();
        removeMeters();
    }

    // ------------------------------------------------------------------------------------------------ takeover API

    /**
     * Replays everything up to {@code endLsn} and nothing beyond, then stops the pipeline (FINISHING → FINISHED).
     * {@code endLsn} is the durable end of the log the new active found with {@code LogEnd.find} after fencing — an
     * MTR boundary. Returns the losers at that point. Blocks up to {@code timeout}.
     *
     * @throws ReplayedBeyondEndException if the standby already applied beyond {@code endLsn} (nothing changes)
     * @throws CatchUpTimeoutException    if it did not get there in time (still FINISHING; call again or close)
     * @throws ReplayFailedException      if the replayer failed (before or during the catch-up)
     */
    public CatchUp catchUpTo(long endLsn, Duration timeout) {
        long started = clock.monotonicTime();
        lock.lock();
        try {
            if (state == ReplayState.FAILED) {
                throw new ReplayFailedException("the standby failed before catch-up", failure);
            }
            if (state == ReplayState.FINISHING) {
                if (finishingEnd != endLsn) {
                    throw new IllegalStateException("already catching up to " + finishingEnd + ", not " + endLsn);
                }
            } else {
                if (!state.isReplaying()) {
                    throw new IllegalStateException("catchUpTo needs a running replayer, state is " + state);
                }
                if (applier.replayedLsn() > endLsn) {
                    throw new ReplayedBeyondEndException(applier.replayedLsn(), endLsn);
                }
                moveLocked(ReplayState.FINISHING);
                finishingEnd = endLsn;
            }
        } finally {
            lock.unlock();
        }
        applier.limitTo(endLsn);
        tailer.stopReadingAt(endLsn);
        boolean reached = awaitCondition(() -> applier.replayedLsn() >= endLsn, timeout);
        lock.lock();
        try {
            if (state == ReplayState.FAILED) {
                throw new ReplayFailedException("the standby failed during catch-up to " + endLsn, failure);
            }
        } finally {
            lock.unlock();
        }
        if (!reached) {
            throw new CatchUpTimeoutException(applier.replayedLsn(), endLsn, timeout);
        }
        stopThreads();
        try {
            if (!prefetcher.holdAndDrain(config.threadStopWait().toNanos())) {
                log.warn("volume {}: prefetches still in flight after catch-up; they complete on their own",
                        volume.volume());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplayFailedException("interrupted while stopping prefetches", e);
        }
        prefetcher.stop();
        if (applier.replayedLsn() != endLsn) {
            // The applier was already applying an MTR at or after the end when the limit was set (the pre-check
            // above saw it below the end): the pool now holds changes beyond the end.
            ReplayedBeyondEndException beyond = new ReplayedBeyondEndException(applier.replayedLsn(), endLsn);
            fail(beyond);
            throw beyond;
        }
        Duration took = Duration.ofNanos(clock.monotonicTime() - started);
        CatchUp result = new CatchUp(endLsn, txns.inFlight(), txns.epoch(), took);
        transition(ReplayState.FINISHED);
        log.info("standby of volume {} caught up to LSN {} in {} ms: {} losers, epoch {}", volume.volume(), endLsn,
                took.toMillis(), result.losers().size(), result.epoch());
        return result;
    }

    /**
     * Hands the warm pool to the new active (FINISHED → HANDED_OVER). From here the replayer owns nothing: every
     * page may leave the pool (the new active writes dirty pages before dropping them, once it attaches its write
     * path), and closing the replayer no longer closes the pool.
     */
    public Handover handOver() {
        Handover h;
        lock.lock();
        try {
            if (state != ReplayState.FINISHED) {
                throw new IllegalStateException("handOver needs FINISHED (after catchUpTo), state is " + state);
            }
            unsafe.releaseAll();
            moveLocked(ReplayState.HANDED_OVER);
            h = new Handover(pool, finishingEnd, txns.inFlight(), txns.epoch());
        } finally {
            lock.unlock();
        }
        removeMeters();
        return h;
    }

    /**
     * The transactions in flight at the replayed LSN, with last LSN and undo-next LSN: the losers if the standby took
     * over here. Exact when replay started at a checkpoint (see {@link StartPoint}).
     */
    public List<Analysis.Loser> inFlightTransactions() {
        TransactionTable t = txns;
        return t == null ? List.of() : t.inFlight();
    }

    /** Whether {@link #inFlightTransactions()} is exact (replay started at a checkpoint's redo start or LSN 0). */
    public boolean transactionTableComplete() {
        TransactionTable t = txns;
        return t != null && t.complete();
    }

    // ------------------------------------------------------------------------------------------------ observing

    public ReplayState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** Why the replayer failed, if it did. */
    public Optional<Throwable> failure() {
        lock.lock();
        try {
            return Optional.ofNullable(failure);
        } finally {
            lock.unlock();
        }
    }

    /** End of the last MTR applied (the start point before the first). */
    public long replayedLsn() {
        Applier a = applier;
        return a == null ? startLsn : a.replayedLsn();
    }

    public ReplayLag lag() {
        LagTracker l = lag;
        return l == null ? new ReplayLag(0, 0, 0, 0) : l.lag();
    }

    /** The epoch that owns the log at the replayed LSN. */
    public long epoch() {
        TransactionTable t = txns;
        return t == null ? 0 : t.epoch();
    }

    /**
     * The active may truncate the log below this (see {@link RetentionFloor}): the replayed LSN under
     * {@code active-wait} and {@code increase-read-io}, {@link Long#MAX_VALUE} under {@code unsafe-eviction}. Before
     * {@link #start()} it is 0 (keep everything). A stopped or failed standby keeps its last value; whether the active
     * keeps honouring it is the HA layer's decision.
     */
    @Override
    public long retentionFloorLsn() {
        return config.policy().holdsLog() ? replayedLsn() : Long.MAX_VALUE;
    }

    public BufferPoolPressure pressure() {
        return pressure;
    }

    public void addPressureListener(PressureListener listener) {
        pressureListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The latest flush watermark the standby read. */
    public long flushWatermarkLsn() {
        return unsafe.watermark();
    }

    public int unsafePageCount() {
        return unsafe.unsafeCount();
    }

    /** The REPLAY_READ in-flight limit the replayer set last. */
    public int readIoLimit() {
        return controller.limit();
    }

    public StandbyConfig config() {
        return config;
    }

    /**
     * A read-only view of the standby's pool (SHARED latches only): to inspect replayed state, and later to serve
     * reads. Pages fixed here are pinned: a caller holding many can make the applier wait for frames.
     */
    public PageSource pages() {
        return new PageSource() {
            @Override
            public PageRef fix(long pageNo, LatchMode mode) {
                if (mode != LatchMode.SHARED) {
                    throw new IllegalArgumentException("the standby's pages are read-only: SHARED latches only");
                }
                return pool.fix(pageNo, mode);
            }

            @Override
            public PageRef fixNew(long pageNo) {
                throw new UnsupportedOperationException("the standby's pages are read-only");
            }
        };
    }

    /** The standby's pool, for metrics and checks ({@code checkInvariants}); use {@link #pages()} to read. */
    public BufferPool bufferPool() {
        return pool;
    }

    /**
     * Starts warming the pool from the active's hot pages ({@link Warmer}: bounded, in the background, stopping once
     * this replayer finishes, hands over or stops). Call after {@link #start}.
     */
    public Warmer warm(long[] hotPages) {
        Warmer w = new Warmer(pool, hotPages, () -> switch (state()) {
            case STARTING, TAILING, CAUGHT_UP, LAGGING -> false;
            default -> true;
        });
        w.start();
        return w;
    }

    public ReplayStats stats() {
        Applier a = applier;
        Tailer t = tailer;
        return new ReplayStats(a == null ? 0 : a.mtrsApplied(), a == null ? 0 : a.pageChangesApplied(),
                a == null ? 0 : a.pageChangesSkipped(), t == null ? 0 : t.polls(), t == null ? 0 : t.emptyPolls(),
                t == null ? 0 : t.readFailures(), prefetcher.requests(), prefetcher.failures(), prefetcher.dropped(),
                controller.limit(), controller.peak(), unsafe.evictions(), unsafe.dirtyEvictions(),
                unsafe.guardRefusals(), unsafe.violations(), a == null ? 0 : a.frameWaits(),
                a == null ? 0 : a.jumps(), a == null ? 0 : a.pagesDroppedByJumps(), pageReader.optimisticReads(),
                pageReader.quorumReads());
    }

    /**
     * Waits (bounded) until {@code condition} holds; it is re-evaluated after every step of the pipeline (an MTR
     * applied, a poll, a state change). Returns whether it held. Stops waiting early if the replayer fails or stops.
     */
    public boolean awaitCondition(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!condition.getAsBoolean()) {
                if (state == ReplayState.FAILED || state.isTerminal()) {
                    return condition.getAsBoolean();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                progress.awaitNanos(Math.min(left, CONDITION_RECHECK_NANOS));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return condition.getAsBoolean();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A waiter re-evaluates its condition at least this often even without a signal: conditions may read state that
     * changes without a pipeline step (a scheduler limit, a caller's own state).
     */
    private static final long CONDITION_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Waits until everything below {@code lsn} is applied; false on timeout. */
    public boolean awaitReplayed(long lsn, Duration timeout) {
        boolean ok = awaitCondition(() -> replayedLsn() >= lsn, timeout);
        Optional<Throwable> f = failure();
        if (!ok && f.isPresent()) {
            throw new ReplayFailedException("the standby failed before replaying up to " + lsn, f.get());
        }
        return ok;
    }

    // ------------------------------------------------------------------------------------------------ internals

    private void transition(ReplayState to) {
        lock.lock();
        try {
            moveLocked(to);
        } finally {
            lock.unlock();
        }
    }

    private void moveLocked(ReplayState to) {
        if (!state.canMoveTo(to)) {
            throw new IllegalStateException("standby replayer: illegal transition " + state + " -> " + to);
        }
        log.debug("volume {}: replayer {} -> {}", volume.volume(), state, to);
        state = to;
        progress.signalAll();
    }

    private void fail(Throwable cause) {
        lock.lock();
        try {
            if (state == ReplayState.FAILED || state.isTerminal()) {
                return;
            }
            failure = cause;
            moveLocked(ReplayState.FAILED);
        } finally {
            lock.unlock();
        }
        log.error("standby of volume {} stopped: {}", volume.volume(), cause.toString(), cause);
        Tailer t = tailer;
        Applier a = applier;
        if (t != null) {
            t.stop();
        }
        if (a != null) {
            a.stop();
        }
        prefetcher.stop();
    }

    private void stopThreads() {
        Tailer t = tailer;
        Applier a = applier;
        if (t != null) {
            t.stop();
        }
        if (a != null) {
            a.stop();
        }
        for (Thread th : new Thread[] {tailThread, applyThread}) {
            if (th == null || th == Thread.currentThread()) {
                continue;
            }
            try {
                th.join(config.threadStopWait());
                if (th.isAlive()) {
                    log.warn("volume {}: thread {} did not stop within {}", volume.volume(), th.getName(),
                            config.threadStopWait());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One control step (tailer thread): the read-IO limit follows the lag. */
    private void controlStep() {
        LagTracker l = lag;
        if (l == null) {
            return;
        }
        int limit = controller.update(l.lag().bytes(), clock.monotonicTime());
        if (limit != appliedLimit) {
            scheduler.setInFlightLimit(IoClass.REPLAY_READ, limit);
            log.debug("volume {}: replay read-IO limit {} -> {} (lag {} bytes)", volume.volume(), appliedLimit,
                    limit, l.lag().bytes());
            appliedLimit = limit;
        }
    }

    /** After any pipeline step: state by lag, pressure, and wake waiters. */
    private void evaluate() {
        ReplayLag now = lag.lag();
        long jumps = applier.jumps();
        boolean wakeTailer = false;
        lock.lock();
        try {
            if (jumps != jumpsSeen) {
                jumpsSeen = jumps;
                wakeTailer = true;
                if (state == ReplayState.CAUGHT_UP || state == ReplayState.LAGGING) {
                    moveLocked(ReplayState.TAILING);
                }
            }
            switch (state) {
                case TAILING -> {
                    if (tailer.reachedVisibleEnd() && now.bytes() <= config.caughtUpLagBytes()) {
                        moveLocked(ReplayState.CAUGHT_UP);
                    }
                }
                case CAUGHT_UP -> {
                    if (now.bytes() > config.laggingLagBytes()) {
                        moveLocked(ReplayState.LAGGING);
                    }
                }
                case LAGGING -> {
                    if (now.bytes() <= config.caughtUpLagBytes()) {
                        moveLocked(ReplayState.CAUGHT_UP);
                    }
                }
                default -> { }
            }
            progress.signalAll();
        } finally {
            lock.unlock();
        }
        if (wakeTailer) {
            tailer.wake();
        }
        samplePressure();
    }

    private void samplePressure() {
        long nowNanos = clock.monotonicTime();
        if (lastPressureSampleNanos != Long.MIN_VALUE
                && nowNanos - lastPressureSampleNanos < PRESSURE_SAMPLE_INTERVAL.toNanos()) {
            return;
        }
        lastPressureSampleNanos = nowNanos;
        BufferPoolPressure p = BufferPoolPressure.of(unsafe.unsafeCount(), pool.pinnedFrameCount(),
                pool.frameCount());
        pressure = p;
        boolean moved = Math.abs(p.fraction() - lastReportedPressure) >= PRESSURE_REPORT_STEP;
        boolean due = p.fraction() != lastReportedPressure && (lastPressureReportNanos == Long.MIN_VALUE
                || nowNanos - lastPressureReportNanos >= PRESSURE_REPORT_INTERVAL.toNanos());
        if (moved || due) {
            lastReportedPressure = p.fraction();
            lastPressureReportNanos = nowNanos;
            for (PressureListener l : pressureListeners) {
                l.pressureChanged(p);
            }
        }
    }

    private void checkDivergence(EpochHistory history) {
        long replayed = applier.replayedLsn();
        long epoch = txns.epoch();
        for (EpochHistory.Entry e : history.entries()) {
            if (e.epoch() > epoch && e.startLsn() < replayed) {
                fail(new Applier.ReplayDivergedException("epoch " + e.epoch() + " starts at LSN " + e.startLsn()
                        + " but this standby replayed epoch " + epoch + " up to " + replayed + ": it applied a stale"
                        + " tail of the old active; re-seed it"));
                return;
            }
        }
    }

    private final class TailEvents implements Tailer.Listener {
        @Override
        public void tailProgress() {
            evaluate();
        }

        @Override
        public void epochHistoryReloaded(EpochHistory history) {
            log.info("volume {}: epoch history now {}", volume.volume(), history.entries());
            checkDivergence(history);
        }

        @Override
        public void tailFailed(Throwable cause) {
            fail(cause);
        }
    }

    private final class ApplyEvents implements Applier.Listener {
        @Override
        public void applied(long replayedLsn) {
            evaluate();
        }

        @Override
        public void idle() {
            evaluate();
        }

        @Override
        public void applyFailed(Throwable cause) {
            fail(cause);
        }
    }

    private static <T> T await(CompletableFuture<T> f, Duration wait, String what) {
        try {
            return f.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed", e.getCause());
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new IllegalStateException(what + " did not finish within " + wait, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        }
    }

    // ------------------------------------------------------------------------------------------------ metrics

    private void registerMeters() {
        gauge("cacdb.replay.lsn", "end of the last MTR applied", r -> r.replayedLsn());
        gauge("cacdb.replay.tail.lsn", "end of the log as the tailer last saw it", r -> r.lag().tailLsn());
        gauge("cacdb.replay.lag.bytes", "log bytes seen and not yet applied", r -> r.lag().bytes());
        gauge("cacdb.replay.lag.millis", "age of the oldest log bytes seen and not yet applied",
                r -> r.lag().millis());
        gauge("cacdb.replay.window.mtrs", "MTRs parsed ahead of the apply point", r -> r.window.mtrs());
        gauge("cacdb.replay.window.bytes", "log bytes parsed ahead of the apply point", r -> r.window.bytes());
        gauge("cacdb.replay.read_io.limit", "REPLAY_READ in-flight limit set from the lag", r -> r.readIoLimit());
        gauge("cacdb.replay.unsafe.pages", "replayed pages above the flush watermark (may not be evicted)",
                r -> r.unsafePageCount());
        gauge("cacdb.replay.pool.pressure", "share of the pool unsafe or pinned", r -> r.pressure().fraction());
        gauge("cacdb.replay.flush_watermark.lsn", "latest flush watermark read", r -> r.flushWatermarkLsn());
        gauge("cacdb.replay.transactions.in_flight", "transactions with changes and no end at the replayed LSN",
                r -> r.txns == null ? 0 : r.txns.inFlightCount());
        gauge("cacdb.replay.epoch", "epoch of the log at the replayed LSN", r -> r.epoch());
        gauge("cacdb.replay.last_commit.timestamp.micros", "commit time (active's clock) of the newest applied commit",
                r -> r.txns == null ? 0 : r.txns.lastCommitMicros());
        gauge("cacdb.replay.state", "ReplayState ordinal", r -> r.state().ordinal());
        counter("cacdb.replay.mtrs.applied", r -> r.applier == null ? 0 : r.applier.mtrsApplied());
        counter("cacdb.replay.page_changes.applied", r -> r.applier == null ? 0 : r.applier.pageChangesApplied());
        counter("cacdb.replay.page_changes.skipped", r -> r.applier == null ? 0 : r.applier.pageChangesSkipped());
        counter("cacdb.replay.frame_waits", r -> r.applier == null ? 0 : r.applier.frameWaits());
        counter("cacdb.replay.checkpoint_jumps", r -> r.applier == null ? 0 : r.applier.jumps());
        counter("cacdb.replay.pages_dropped_by_jumps", r -> r.applier == null ? 0 : r.applier.pagesDroppedByJumps());
        counter("cacdb.replay.tail.polls", r -> r.tailer == null ? 0 : r.tailer.polls());
        counter("cacdb.replay.tail.polls.empty", r -> r.tailer == null ? 0 : r.tailer.emptyPolls());
        counter("cacdb.replay.tail.read_failures", r -> r.tailer == null ? 0 : r.tailer.readFailures());
        counter("cacdb.replay.tail.corrupt_reads", r -> r.tailer == null ? 0 : r.tailer.corruptReads());
        counter("cacdb.replay.tail.end_probes", r -> r.tailer == null ? 0 : r.tailer.endProbes());
        counter("cacdb.replay.tail.watermark_scans", r -> r.tailer == null ? 0 : r.tailer.watermarkScans());
        counter("cacdb.replay.tail.bytes", r -> r.tailer == null ? 0 : r.tailer.bytesRead());
        counter("cacdb.replay.prefetch.requests", r -> r.prefetcher.requests());
        counter("cacdb.replay.prefetch.failures", r -> r.prefetcher.failures());
        counter("cacdb.replay.prefetch.dropped", r -> r.prefetcher.dropped());
        counter("cacdb.replay.evictions", r -> r.unsafe.evictions());
        counter("cacdb.replay.evictions.dirty", r -> r.unsafe.dirtyEvictions());
        counter("cacdb.replay.guard.refusals", r -> r.unsafe.guardRefusals());
        counter("cacdb.replay.unsafe_evictions", r -> r.unsafe.violations());
        counter("cacdb.replay.pagelsn.optimistic_reads", r -> r.pageReader.optimisticReads());
        counter("cacdb.replay.pagelsn.quorum_reads", r -> r.pageReader.quorumReads());
    }

    private void gauge(String name, String description, ToDoubleFunction<StandbyReplayer> f) {
        meters.add(Gauge.builder(name, this, f).description(description).strongReference(true).register(registry));
    }

    private void counter(String name, ToDoubleFunction<StandbyReplayer> f) {
        meters.add(FunctionCounter.builder(name, this, f).register(registry));
    }

    /**
     * Removes this replayer's meters from the registry once it no longer replays (closed, or handed over), so that a
     * later replayer on the same registry (a re-seeded or rejoining standby) registers its own.
     */
    private void removeMeters() {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
