package io.cacdb.replay.tail;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.wal.CheckpointPointer;
import io.cacdb.engine.wal.CorruptLogException;
import io.cacdb.engine.wal.EpochHistory;
import io.cacdb.engine.wal.LogBlock;
import io.cacdb.engine.wal.LogReadFailedException;
import io.cacdb.engine.wal.LogReader;
import io.cacdb.engine.wal.LogRecord;
import io.cacdb.engine.wal.LogRecordCodec;
import io.cacdb.engine.wal.LoggedRecord;
import io.cacdb.engine.wal.MetaRecords;
import io.cacdb.replay.lag.LagTracker;
import io.cacdb.replay.pagelsn.PageLsnList;
import io.cacdb.replay.policy.SlowStandbyPolicy;
import io.cacdb.replay.prefetch.Prefetcher;
import io.cacdb.replay.safety.UnsafePages;
import io.cacdb.replay.window.ParseAheadWindow;
import io.cacdb.replay.window.WindowEntry;
import io.micrometer.core.instrument.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standby's log tailer: one thread reading the shared log in order and feeding the parse-ahead window.
 *
 * <h2>Loop</h2>
 * <ol>
 *   <li>Re-read META's epoch history when due ({@link TailConfig#epochHistoryReloadInterval}); the reader voids the
 *       bytes of an old epoch beyond the start of a newer one.</li>
 *   <li>If the window is full, wait for room (bounded by {@link TailConfig#endProbeInterval}); still full: probe how
 *       far the log reaches ({@link LogEndProbe}) so the lag stays measured, and loop.</li>
 *   <li>{@link LogReader#pollMtrs}: whole MTRs from the next LSN. The engine's reader validates every block — DAX
 *       checksum, magic, block number = address, used bytes, version = (epoch, used) — and every record's CRC, and
 *       applies the epoch rules. For each MTR: note {@code FlushWatermark}s (pages become safe), note every page
 *       change in the pageLSN list, put the MTR in the window, hand its pages to the prefetcher; record the new end
 *       for the lag.</li>
 *   <li>Nothing new ("not yet": a missing, short or partly filled block — normal at the tail): wait the poll interval,
 *       doubling from {@code pollIntervalMin} to {@code pollIntervalMax} while nothing comes, and at most every
 *       {@code truncationCheckInterval} ask whether the block waited for was truncated away: the checkpoint's redo
 *       start (META, quorum) is in a later block and the block is absent at quorum — a block below the redo start is
 *       below the durable end, so absent means deleted, never "not written yet". Then {@code unsafe-eviction} puts a
 *       {@link WindowEntry.Jump} in the window and continues at the checkpoint's redo start; the other policies fail
 *       with {@link LogTruncatedException} (the active should never have deleted it: re-seed).</li>
 * </ol>
 * The waits are on a condition that {@link #wake} and {@link #stop} signal, never a sleep; correctness does not depend
 * on any interval. Each loop turn also updates the read-IO controller with the current lag.
 *
 * <h2>Errors</h2>
 * Storage not answering ({@link LogReadFailedException}) is retried forever at the poll interval (counted, logged
 * once per streak). A block failing validation ({@link CorruptLogException}) is retried at the same LSN up to
 * {@code corruptRetriesMax} times (a bad replica may be repaired meanwhile), then reported to the listener, which
 * stops the replayer.
 *
 * <p>Log blocks are read at QUORUM by default: a reader at ANY could wait forever on a replica that missed a block.
 * (ANY with escalation after a few empty polls is a later optimisation for cross-zone standbys.)
 */
public final class Tailer implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Tailer.class);

    /** What the tailer tells the replayer. Called on the tailer thread; must not block. */
    public interface Listener {
        /** A poll returned records, or the tailer reached what is visible ("not yet"). */
        void tailProgress();

        /** A new epoch history was read from META. */
        void epochHistoryReloaded(EpochHistory history);

        /** The tailer cannot go on; it has stopped. */
        void tailFailed(Throwable cause);
    }

    /** The log this standby needs next was deleted, and its policy does not jump to a checkpoint. */
    public static final class LogTruncatedException extends RuntimeException {
        private final long neededLsn;
        private final long redoStartLsn;

        public LogTruncatedException(long neededLsn, long redoStartLsn) {
            super("the log block holding LSN " + neededLsn + " was truncated (the latest checkpoint's redo start is "
                    + redoStartLsn + "): this standby is lost; re-seed it from the latest checkpoint, and check the"
                    + " active's retention floor (slow-standby policy)");
            this.neededLsn = neededLsn;
            this.redoStartLsn = redoStartLsn;
        }

        public long neededLsn() {
            return neededLsn;
        }

        public long redoStartLsn() {
            return redoStartLsn;
        }
    }

    private final VolumeReader volume;
    private final LogRecordCodec codec;
    private final TailConfig config;
    private final ParseAheadWindow window;
    private final Prefetcher prefetcher;
    private final UnsafePages unsafe;
    private final PageLsnList pageLsns;
    private final LagTracker lag;
    private final SlowStandbyPolicy policy;
    private final Clock clock;
    private final Listener listener;
    private final Runnable controlStep;
    private final java.util.function.LongSupplier jumpsApplied;
    private final java.util.function.BooleanSupplier applierStarved;
    private final LogEndProbe probe;
    private LogReader scanReader;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeup = lock.newCondition();
    private volatile boolean running = true;
    private volatile boolean woken;
    private volatile long stopReadingAt = Long.MAX_VALUE;
    private volatile EpochHistory history;
    private volatile long nextLsn;
    private volatile boolean reachedVisibleEnd;
    private long lastHistoryReloadNanos;
    private long lastTruncationCheckNanos = Long.MIN_VALUE;
    private boolean reloadHistoryNow;
    private LogReader reader;
    private long backoffNanos;
    private int corruptStreak;
    private long corruptAt = -1;
    private boolean readFailureLogged;

    private final AtomicLong polls = new AtomicLong();
    private final AtomicLong emptyPolls = new AtomicLong();
    private final AtomicLong readFailures = new AtomicLong();
    private final AtomicLong corruptReads = new AtomicLong();
    private final AtomicLong truncationChecks = new AtomicLong();
    private final AtomicLong jumps = new AtomicLong();
    private final AtomicLong mtrsRead = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong watermarkScans = new AtomicLong();

    /**
     * One watermark look-ahead reads at most 4 MiB of log: far more than the flush watermark interval's worth at
     * normal rates (200 ms), and a bounded amount of reading per end-probe interval while starved.
     */
    public static final long WATERMARK_SCAN_BYTES_MAX = 4L << 20;

    /**
     * @param controlStep run once per loop turn: the replayer updates the read-IO limit from the lag there
     */
    public Tailer(VolumeReader volume, LogRecordCodec codec, TailConfig config, ParseAheadWindow window,
                  Prefetcher prefetcher, UnsafePages unsafe, PageLsnList pageLsns, LagTracker lag,
                  SlowStandbyPolicy policy, Clock clock, EpochHistory history, long startLsn, Listener listener,
                  Runnable controlStep, java.util.function.LongSupplier jumpsApplied,
                  java.util.function.BooleanSupplier applierStarved) {
        this.volume = Objects.requireNonNull(volume, "volume");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.config = Objects.requireNonNull(config, "config");
        this.window = Objects.requireNonNull(window, "window");
        this.prefetcher = Objects.requireNonNull(prefetcher, "prefetcher");
        this.unsafe = Objects.requireNonNull(unsafe, "unsafe");
        this.pageLsns = Objects.requireNonNull(pageLsns, "pageLsns");
        this.lag = Objects.requireNonNull(lag, "lag");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.controlStep = Objects.requireNonNull(controlStep, "controlStep");
        this.jumpsApplied = Objects.requireNonNull(jumpsApplied, "jumpsApplied");
        this.applierStarved = Objects.requireNonNull(applierStarved, "applierStarved");
        this.history = Objects.requireNonNull(history, "history");
        this.nextLsn = startLsn;
        this.probe = new LogEndProbe(volume, config.consistency(), config.storageWaitMax());
        this.lastHistoryReloadNanos = clock.monotonicTime();
        this.backoffNanos = config.pollIntervalMin().toNanos();
    }

    @Override
    public void run() {
        reader = new LogReader(volume, codec, config.consistency(), () -> history, nextLsn);
        try {
            while (running) {
                controlStep.run();
                reloadHistoryIfDue();
                if (nextLsn >= stopReadingAt) {
                    pause(config.pollIntervalMax().toNanos());
                    continue;
                }
                if (!window.hasRoom()) {
                    if (!window.awaitRoom(config.endProbeInterval().toNanos()) && running) {
                        windowFullStep();
                    }
                    continue;
                }
                pollOnce();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (running) {
                listener.tailFailed(e);
            }
        } catch (RuntimeException | Error e) {
            listener.tailFailed(e);
        } finally {
            running = false;
        }
    }

    private void pollOnce() throws InterruptedException {
        List<LoggedRecord> records;
        polls.incrementAndGet();
        try {
            records = reader.pollMtrs(config.pollRecordsMax());
        } catch (LogReadFailedException e) {
            readFailures.incrementAndGet();
            if (!readFailureLogged) {
                log.warn("volume {}: reading the log at LSN {} failed; retrying: {}", volume.volume(), nextLsn,
                        e.toString());
                readFailureLogged = true;
            }
            backOff();
            return;
        } catch (CorruptLogException e) {
            corruptReads.incrementAndGet();
            corruptStreak = corruptAt == reader.nextLsn() ? corruptStreak + 1 : 1;
            corruptAt = reader.nextLsn();
            if (corruptStreak > config.corruptRetriesMax()) {
                throw e;
            }
            log.warn("volume {}: log at LSN {} failed validation ({} of {} retries): {}", volume.volume(),
                    reader.nextLsn(), corruptStreak, config.corruptRetriesMax(), e.getMessage());
            backOff();
            return;
        }
        readFailureLogged = false;
        corruptStreak = 0;
        if (records.isEmpty()) {
            emptyPolls.incrementAndGet();
            reachedVisibleEnd = true;
            listener.tailProgress();
            if (truncationCheckDue()) {
                try {
                    if (nextBlockTruncated()) {
                        return;
                    }
                } catch (LogReadFailedException e) {
                    readFailures.incrementAndGet();
                    log.debug("volume {}: truncation check failed; retrying later: {}", volume.volume(), e.toString());
                }
            }
            backOff();
            return;
        }
        backoffNanos = config.pollIntervalMin().toNanos();
        List<LoggedRecord> mtr = new ArrayList<>();
        long offeredEnd = nextLsn;
        for (LoggedRecord r : records) {
            if (mtr.isEmpty() && r.lsn() >= stopReadingAt) {
                break; // an MTR straddling the stop point is offered whole: the applier reports it
            }
            mtr.add(r);
            if (r.mtrEnd()) {
                offer(mtr);
                offeredEnd = r.endLsn();
                mtr = new ArrayList<>();
                if (!running) {
                    return;
                }
            }
        }
        if (!mtr.isEmpty()) {
            throw new IllegalStateException("the log reader returned a partial MTR from LSN " + mtr.getFirst().lsn());
        }
        nextLsn = offeredEnd;
        lag.observeEnd(reader.nextLsn());
        listener.tailProgress();
    }

    private void offer(List<LoggedRecord> records) throws InterruptedException {
        long start = records.getFirst().lsn();
        long end = records.getLast().endLsn();
        LinkedHashSet<Long> pages = new LinkedHashSet<>();
        LinkedHashSet<Long> initialised = new LinkedHashSet<>();
        for (LoggedRecord r : records) {
            switch (r.record()) {
                case LogRecord.PageRedo p -> {
                    if (pages.add(p.pageNo()) && p.op() instanceof PageOps.InitPage) {
                        initialised.add(p.pageNo());
                    }
                }
                case LogRecord.FlushWatermark w -> unsafe.advanceWatermark(w.lsn());
                default -> { }
            }
        }
        long[] pageNos = pages.stream().mapToLong(Long::longValue).toArray();
        for (long p : pageNos) {
            pageLsns.seen(p, end);
        }
        WindowEntry.ParsedMtr parsed = new WindowEntry.ParsedMtr(records, start, end, pageNos,
                initialised.stream().mapToLong(Long::longValue).toArray());
        while (running && !window.put(parsed, config.endProbeInterval().toNanos())) {
            controlStep.run();
            windowFullStep();
        }
        if (!running) {
            return;
        }
        mtrsRead.incrementAndGet();
        bytesRead.addAndGet(end - start);
        long[] toRead = pages.stream().filter(p -> !initialised.contains(p)).mapToLong(Long::longValue).toArray();
        if (toRead.length > 0) {
            prefetcher.offer(toRead);
        }
    }

    /**
     * The window has been full for an end-probe interval. Measure how far the log reaches (the lag must stay known
     * while the tailer does not read), and, if the applier is waiting for frames, scan ahead for flush watermarks.
     * That breaks the one cycle the bounded window could otherwise close: every frame holds an unsafe page, the
     * watermark that would make them safe is in the log beyond the full window, and the window only drains when the
     * applier gets a frame.
     */
    private void windowFullStep() throws InterruptedException {
        if (applierStarved.getAsBoolean()) {
            scanAheadForWatermarks();
        } else {
            probe.probe(LogBlock.blockOf(Math.max(nextLsn, lag.tailLsn()))).ifPresent(lag::observeEnd);
        }
        listener.tailProgress();
    }

    /**
     * Reads on from where the window ends (or the previous scan stopped), keeping nothing but {@code FlushWatermark}
     * values, for at most {@link #WATERMARK_SCAN_BYTES_MAX} bytes per call. The records are read again, normally,
     * when the window has room.
     */
    private void scanAheadForWatermarks() {
        if (scanReader == null || scanReader.nextLsn() < reader.nextLsn()) {
            scanReader = new LogReader(volume, codec, config.consistency(), () -> history, reader.nextLsn());
        }
        watermarkScans.incrementAndGet();
        long scanned = 0;
        try {
            while (running && scanned < WATERMARK_SCAN_BYTES_MAX) {
                List<LoggedRecord> recs = scanReader.pollMtrs(config.pollRecordsMax());
                if (recs.isEmpty()) {
                    break;
                }
                for (LoggedRecord r : recs) {
                    if (r.record() instanceof LogRecord.FlushWatermark w) {
                        unsafe.advanceWatermark(w.lsn());
                    }
                }
                scanned += recs.getLast().endLsn() - recs.getFirst().lsn();
            }
        } catch (LogReadFailedException | CorruptLogException e) {
            // The normal read reports these when it gets there; a scan is only a look-ahead.
            log.debug("volume {}: watermark look-ahead stopped at LSN {}: {}", volume.volume(),
                    scanReader.nextLsn(), e.toString());
        }
        lag.observeEnd(scanReader.nextLsn());
    }

    private boolean truncationCheckDue() {
        long now = clock.monotonicTime();
        if (lastTruncationCheckNanos != Long.MIN_VALUE
                && now - lastTruncationCheckNanos < config.truncationCheckInterval().toNanos()) {
            return false;
        }
        lastTruncationCheckNanos = now;
        return true;
    }

    /** Whether the block at the next LSN was deleted; if so, jumps or throws by policy. */
    private boolean nextBlockTruncated() throws InterruptedException {
        truncationChecks.incrementAndGet();
        long at = reader.nextLsn();
        Optional<CheckpointPointer> pointer = await(MetaRecords.readCheckpoint(volume), "reading the checkpoint"
                + " pointer").map(MetaRecords.Stored::value);
        if (pointer.isEmpty() || LogBlock.blockOf(at) >= LogBlock.blockOf(pointer.get().redoStartLsn())) {
            return false;
        }
        Optional<Block> block = await(volume.read(BlockAddress.log(volume.volume(), LogBlock.blockOf(at)),
                ReadConsistency.QUORUM, Version.ZERO), "reading log block " + LogBlock.blockOf(at));
        if (block.isPresent()) {
            return false;
        }
        CheckpointPointer cp = pointer.get();
        if (!policy.jumpsOnTruncation()) {
            throw new LogTruncatedException(at, cp.redoStartLsn());
        }
        log.warn("volume {}: the log at LSN {} was truncated; jumping to the checkpoint at LSN {} (redo from {}),"
                + " dropping unsafe pages ({})", volume.volume(), at, cp.checkpointLsn(), cp.redoStartLsn(), policy);
        reloadHistory();
        while (running && !window.put(new WindowEntry.Jump(cp, at), config.endProbeInterval().toNanos())) {
            controlStep.run();
        }
        long requested = jumps.incrementAndGet();
        // Read on only once the applier has dropped the stale pages and versions: pages of the MTRs after the redo
        // start must be prefetched with what the pool knows after the jump, not before.
        while (running && jumpsApplied.getAsLong() < requested) {
            pause(config.pollIntervalMax().toNanos());
        }
        reader = new LogReader(volume, codec, config.consistency(), () -> history, cp.redoStartLsn());
        scanReader = null;
        nextLsn = cp.redoStartLsn();
        reachedVisibleEnd = false;
        backoffNanos = config.pollIntervalMin().toNanos();
        return true;
    }

    private void reloadHistoryIfDue() {
        long now = clock.monotonicTime();
        boolean asked;
        lock.lock();
        try {
            asked = reloadHistoryNow;
            reloadHistoryNow = false;
        } finally {
            lock.unlock();
        }
        if (asked || now - lastHistoryReloadNanos >= config.epochHistoryReloadInterval().toNanos()) {
            lastHistoryReloadNanos = now;
            try {
                reloadHistory();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } catch (RuntimeException e) {
                log.warn("volume {}: reloading the epoch history failed; keeping the one read before: {}",
                        volume.volume(), e.toString());
            }
        }
    }

    private void reloadHistory() throws InterruptedException {
        EpochHistory h = await(MetaRecords.epochHistory(volume), "reading the epoch history");
        if (!h.equals(history)) {
            history = h;
            listener.epochHistoryReloaded(h);
        }
    }

    private <T> T await(CompletableFuture<T> f, String what) throws InterruptedException {
        try {
            return f.get(config.storageWaitMax().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new LogReadFailedException(LogBlock.blockOf(nextLsn), new IllegalStateException(what + " failed",
                    e.getCause()));
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new LogReadFailedException(LogBlock.blockOf(nextLsn), e);
        }
    }

    private void backOff() throws InterruptedException {
        pause(backoffNanos);
        backoffNanos = Math.min(config.pollIntervalMax().toNanos(), backoffNanos * 2);
    }

    private void pause(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (running && !woken && left > 0) {
                left = wakeup.awaitNanos(left);
            }
            woken = false;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the current pause at once and re-reads the epoch history on the next turn (catch-up). */
    public void wake() {
        lock.lock();
        try {
            woken = true;
            reloadHistoryNow = true;
            backoffNanos = config.pollIntervalMin().toNanos();
            wakeup.signalAll();
        } finally {
            lock.unlock();
        }
        window.wakeAll();
    }

    /** No need to read records at or after {@code lsn} (takeover's end of log). */
    public void stopReadingAt(long lsn) {
        stopReadingAt = lsn;
        wake();
    }

    public void stop() {
        running = false;
        wake();
    }

    public boolean isRunning() {
        return running;
    }

    /** The next LSN the tailer reads: everything below is in the window or applied. */
    public long nextLsn() {
        return nextLsn;
    }

    /** Whether the tailer has reached what the log shows at least once since it started or jumped. */
    public boolean reachedVisibleEnd() {
        return reachedVisibleEnd;
    }

    public EpochHistory history() {
        return history;
    }

    public long polls() {
        return polls.get();
    }

    public long emptyPolls() {
        return emptyPolls.get();
    }

    public long readFailures() {
        return readFailures.get();
    }

    public long corruptReads() {
        return corruptReads.get();
    }

    public long truncationChecks() {
        return truncationChecks.get();
    }

    public long jumps() {
        return jumps.get();
    }

    public long mtrsRead() {
        return mtrsRead.get();
    }

    public long bytesRead() {
        return bytesRead.get();
    }

    public long watermarkScans() {
        return watermarkScans.get();
    }

    public long endProbes() {
        return probe.probes();
    }
}
