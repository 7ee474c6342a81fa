package io.cacdb.engine.wal;

import io.cacdb.engine.error.LogFullException;
import static io.cacdb.engine.wal.LogBlock.LOG_BLOCK_PAYLOAD_BYTES;

import io.cacdb.dax.block.Block;
import io.cacdb.engine.mtr.LogSink;
import io.cacdb.engine.volume.VolumeWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active's log buffer and log writer, with group commit.
 *
 * <h2>Design</h2>
 * Appenders ({@link #appendMtr}) encode their records outside any lock, then under one short lock take the next LSNs
 * and copy the bytes into the buffer: a ring of 8 KiB block images, from the lowest block not yet fully durable to
 * the tail. One writer thread turns buffered bytes into DAX log block writes. Each write carries the block's header
 * and <em>all</em> bytes filled so far at version {@code (epoch, used)}, so the tail block is simply rewritten as it
 * fills and a later, fuller write supersedes an earlier one at every replica.
 *
 * <p>Group commit is the result of one rule: <b>a block has at most one write in flight</b>. While the tail block's
 * write is at DAX, every commit appended meanwhile waits in the buffer and goes out in the next write of that block,
 * so one DAX round trip acknowledges the commits of many transactions. Different blocks are written in parallel, up
 * to {@code writesInFlightMax} at once, but only inside a window of that many blocks starting at the durable LSN's
 * block — this bounds the holes a crash can leave, which {@link LogEnd} relies on.
 *
 * <p>The writer thread alone processes acknowledgements (storage threads only queue them), advances the
 * <b>durable LSN</b> = the end of the longest prefix of the stream whose bytes were acknowledged, completes
 * {@link #awaitDurable} waiters (a priority queue drained in LSN order) and calls durable-LSN listeners. Storage
 * threads therefore never run engine callbacks.
 *
 * <h2>Invariants (checked on every advance)</h2>
 * The durable LSN never goes back, never passes the appended end, and every block below it has had a write of at
 * least the bytes below it acknowledged. A failed block write (a stale epoch after fencing, or any error the volume
 * client did not retry away) stops the writer for good: waiters above the durable LSN fail with
 * {@link LogWriterStoppedException}, later acknowledgements are ignored, nothing more is ever called durable.
 *
 * <h2>Backpressure</h2>
 * An append waits, for at most {@code appendWaitMax}, while the buffer is full ({@link LogBufferFullException}
 * afterwards) or while the bytes between the truncation point ({@link #truncationAdvanced}) and the end of the log
 * would exceed the log budget ({@link LogFullException}). Nothing is appended by a failed call. Because
 * {@link #appendMtr} runs while the MTR holds page latches, callers should first call
 * {@link #awaitAppendCapacity} before latching, so that the wait (if any) happens without latches held.
 *
 * <p>Thread-safe. Durability: a future from {@link #awaitDurable} completes normally only when the bytes below its
 * LSN are acknowledged at DAX's write quorum.
 */
public final class LogWriter implements LogSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);

    /**
     * Outstanding {@link #awaitDurable} futures. Each is one committing transaction (or flusher) waiting, so the real
     * number is bounded by connections; a million means futures are leaked, which is a bug worth stopping on.
     */
    public static final int DURABLE_WAITERS_MAX = 1 << 20;

    /** Extra time {@link #close()} gives the writer thread to exit after the drain deadline. */
    private static final long CLOSE_JOIN_SLACK_MILLIS = 1_000;

    private enum State { RUNNING, CLOSING, STOPPED }

    /** One block's image in the buffer, reused across blocks. Guarded by {@link #lock}. */
    private static final class BufferedBlock {
        final byte[] bytes = new byte[LOG_BLOCK_PAYLOAD_BYTES];
        long blockNo;
        int filled;
        int firstRecordOffset;
        int issued;
        int acked;
        boolean inFlight;
        int recordEnds;
        int recordEndsIssued;

        void reset(long blockNo) {
            this.blockNo = blockNo;
            filled = 0;
            firstRecordOffset = LogBlock.NO_RECORD_START;
            issued = 0;
            acked = 0;
            inFlight = false;
            recordEnds = 0;
            recordEndsIssued = 0;
        }
    }

    private record Ack(BufferedBlock block, long blockNo, int used, long startNanos, Throwable failure) {
    }

    private record Issue(BufferedBlock block, LogBlock image, int records) {
    }

    private record Waiter(long lsn, CompletableFuture<Void> future) {
    }

    private final VolumeWriter volume;
    private final LogWriterConfig config;
    private final long epoch;
    private final int maxMtrBytes;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the writer thread has something to do: bytes appended, an acknowledgement, close. */
    private final Condition work = lock.newCondition();
    /** Signalled when buffer space or log budget may have been freed, or the writer stopped. */
    private final Condition space = lock.newCondition();

    // All guarded by lock.
    private final BufferedBlock[] ring;
    private long headBlockNo;
    private int blockCount;
    /** Acknowledgements queued by storage threads; never more than writesInFlightMax (one per write). */
    private final ArrayDeque<Ack> acks;
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>(Comparator.comparingLong(Waiter::lsn));
    private long appendedLsn;
    private long truncatedBelowLsn;
    private int inFlight;
    private int appendersWaiting;
    private State state = State.RUNNING;
    private Throwable failure;
    private String stopReason;
    private long closeDeadlineNanos;

    private volatile long durableLsn;
    private final CopyOnWriteArrayList<LongConsumer> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;

    private final io.micrometer.core.instrument.Clock clock;
    private final Counter bytesAppended;
    private final Counter mtrsAppended;
    private final Counter blockWrites;
    private final DistributionSummary recordsPerWrite;
    private final Timer writeLatency;

    private LogWriter(VolumeWriter volume, LogWriterConfig config, LogTail start, long truncatedBelowLsn,
                      MeterRegistry meters, ThreadFactory threads) {
        this.volume = Objects.requireNonNull(volume, "volume");
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(start, "start");
        if (truncatedBelowLsn < 0 || truncatedBelowLsn > start.endLsn()) {
            throw new IllegalArgumentException("truncation point " + truncatedBelowLsn + " must be in [0, end LSN "
                    + start.endLsn() + "]");
        }
        this.epoch = volume.epoch();
        this.maxMtrBytes = config.maxMtrBytes();
        this.ring = new BufferedBlock[config.bufferCapacityBlocks()];
        this.acks = new ArrayDeque<>(config.writesInFlightMax());
        this.appendedLsn = start.endLsn();
        this.durableLsn = start.endLsn();
        this.truncatedBelowLsn = truncatedBelowLsn;
        this.headBlockNo = LogBlock.blockOf(start.endLsn());
        if (start.tailBlockPrefix().length > 0) {
            // The prefix is already durable (under an older epoch, after takeover); the first write of this block
            // carries it again under our epoch, which supersedes the stale tail that may follow it at a replica.
            BufferedBlock b = addBlock(headBlockNo);
            System.arraycopy(start.tailBlockPrefix(), 0, b.bytes, 0, start.tailBlockPrefix().length);
            b.filled = start.tailBlockPrefix().length;
            b.issued = b.filled;
            b.acked = b.filled;
            b.firstRecordOffset = start.tailFirstRecordOffset();
        }
        this.clock = meters.config().clock();
        Tags tags = Tags.of("volume", Long.toString(volume.volume()));
        this.bytesAppended = Counter.builder("cacdb.wal.appended.bytes").tags(tags).register(meters);
        this.mtrsAppended = Counter.builder("cacdb.wal.appended.mtrs").tags(tags).register(meters);
        this.blockWrites = Counter.builder("cacdb.wal.block.writes").tags(tags).register(meters);
        this.recordsPerWrite = DistributionSummary.builder("cacdb.wal.records.per.write")
                .description("records completed by one log block write (group commit)").tags(tags).register(meters);
        this.writeLatency = Timer.builder("cacdb.wal.write.latency").tags(tags).register(meters);
        Gauge.builder("cacdb.wal.durable.lsn", this, LogWriter::durableLsn).tags(tags).register(meters);
        Gauge.builder("cacdb.wal.appenders.waiting", this, LogWriter::appendersWaiting).tags(tags).register(meters);
        this.thread = threads.newThread(this::run);
    }

    /**
     * Starts a writer that appends from {@code start} (the durable end of the log, from {@link LogEnd}, or
     * {@link LogTail#EMPTY}) at the volume's epoch. {@code truncatedBelowLsn} is where the log currently begins for
     * the budget (the checkpoint's redo start, or 0).
     */
    public static LogWriter start(VolumeWriter volume, LogWriterConfig config, LogTail start, long truncatedBelowLsn,
                                  MeterRegistry meters, ThreadFactory threads) {
        LogWriter w = new LogWriter(volume, config, start, truncatedBelowLsn, meters, threads);
        w.thread.start();
        return w;
    }

    /** {@link #start} with a platform daemon thread named {@code cacdb-wal-writer-<volume>}. */
    public static LogWriter start(VolumeWriter volume, LogWriterConfig config, LogTail start, long truncatedBelowLsn,
                                  MeterRegistry meters) {
        return start(volume, config, start, truncatedBelowLsn, meters,
                r -> Thread.ofPlatform().name("cacdb-wal-writer-" + volume.volume()).daemon().unstarted(r));
    }

    // ---------------------------------------------------------------------------------------------------- appending

    @Override
    public LsnRange appendMtr(List<LogRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("an MTR has at least one record");
        }
        int n = records.size();
        int[] sizes = new int[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            sizes[i] = LogRecordCodec.encodedSize(records.get(i));
            total += sizes[i];
        }
        if (total > maxMtrBytes) {
            throw new IllegalArgumentException("MTR of " + total + " bytes exceeds the largest the log buffer takes ("
                    + maxMtrBytes + " bytes)");
        }
        int size = (int) total;
        byte[] bytes = new byte[size];
        ByteBuffer out = ByteBuffer.wrap(bytes);
        for (int i = 0; i < n; i++) {
            LogRecordCodec.encode(records.get(i), i == n - 1, out);
        }
        lock.lock();
        try {
            waitForCapacity(size);
            long start = appendedLsn;
            copyIn(bytes, sizes, start);
            appendedLsn = start + size;
            bytesAppended.increment(size);
            mtrsAppended.increment();
            work.signal();
            return new LsnRange(start, start + size);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits (bounded by {@code appendWaitMax}) until an MTR of {@code mtrBytes} would fit in the buffer and the log
     * budget, without appending. Call it before latching pages so that {@link #appendMtr}, which runs under latches,
     * rarely waits. Throws what {@link #appendMtr} would.
     */
    public void awaitAppendCapacity(int mtrBytes) {
        if (mtrBytes <= 0 || mtrBytes > maxMtrBytes) {
            throw new IllegalArgumentException("mtrBytes " + mtrBytes + " outside [1, " + maxMtrBytes + "]");
        }
        lock.lock();
        try {
            waitForCapacity(mtrBytes);
        } finally {
            lock.unlock();
        }
    }

    private void waitForCapacity(int size) {
        long waitNanos = config.appendWaitMax().toNanos();
        long started = System.nanoTime();
        long remaining = waitNanos;
        while (true) {
            if (state != State.RUNNING) {
                throw stoppedException();
            }
            boolean fits = fitsBuffer(size);
            boolean inBudget = appendedLsn + size - truncatedBelowLsn <= config.logBudgetBytes();
            if (fits && inBudget) {
                return;
            }
            if (remaining <= 0) {
                long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                if (!inBudget) {
                    throw new LogFullException(truncatedBelowLsn, appendedLsn, size, config.logBudgetBytes(),
                            waitedMillis);
                }
                throw new LogBufferFullException(size, appendedLsn - LogBlock.startLsn(headBlockNo),
                        config.bufferCapacityBlocks() * LOG_BLOCK_PAYLOAD_BYTES, waitedMillis);
            }
            appendersWaiting++;
            try {
                remaining = space.awaitNanos(remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting for log space; nothing was appended");
            } finally {
                appendersWaiting--;
            }
        }
    }

    private boolean fitsBuffer(int size) {
        long first = blockCount == 0 ? LogBlock.blockOf(appendedLsn) : headBlockNo;
        long last = LogBlock.blockOf(appendedLsn + size - 1);
        return last - first + 1 <= ring.length;
    }

    private void copyIn(byte[] bytes, int[] sizes, long start) {
        int pos = 0;
        long lsn = start;
        while (pos < bytes.length) {
            BufferedBlock b = blockForAppend(LogBlock.blockOf(lsn));
            int off = LogBlock.offsetOf(lsn);
            if (off != b.filled) {
                throw new AssertionError("append at offset " + off + " of block " + b.blockNo + " but block filled to "
                        + b.filled);
            }
            int chunk = Math.min(bytes.length - pos, LOG_BLOCK_PAYLOAD_BYTES - off);
            System.arraycopy(bytes, pos, b.bytes, off, chunk);
            b.filled += chunk;
            pos += chunk;
            lsn += chunk;
        }
        long recordStart = start;
        for (int size : sizes) {
            BufferedBlock first = block(LogBlock.blockOf(recordStart));
            if (first.firstRecordOffset == LogBlock.NO_RECORD_START) {
                first.firstRecordOffset = LogBlock.offsetOf(recordStart);
            }
            long recordEnd = recordStart + size;
            block(LogBlock.blockOf(recordEnd - 1)).recordEnds++;
            recordStart = recordEnd;
        }
    }

    private BufferedBlock blockForAppend(long blockNo) {
        if (blockCount > 0 && blockNo < headBlockNo + blockCount) {
            return block(blockNo);
        }
        if (blockCount == 0) {
            headBlockNo = blockNo;
        }
        return addBlock(blockNo);
    }

    private BufferedBlock addBlock(long blockNo) {
        if (blockNo != headBlockNo + blockCount || blockCount == ring.length) {
            throw new AssertionError("adding block " + blockNo + " to a buffer holding " + blockCount + " blocks from "
                    + headBlockNo + " (capacity " + ring.length + ")");
        }
        int slot = (int) (blockNo % ring.length);
        BufferedBlock b = ring[slot];
        if (b == null) {
            b = new BufferedBlock();
            ring[slot] = b;
        }
        b.reset(blockNo);
        blockCount++;
        return b;
    }

    private BufferedBlock block(long blockNo) {
        if (blockNo < headBlockNo || blockNo >= headBlockNo + blockCount) {
            throw new AssertionError("block " + blockNo + " is not buffered: buffer holds [" + headBlockNo + ", "
                    + (headBlockNo + blockCount) + ")");
        }
        return ring[(int) (blockNo % ring.length)];
    }

    // --------------------------------------------------------------------------------------------------- durability

    /**
     * Completes when the durable LSN reaches {@code lsn} (normally, and only then), or fails with
     * {@link LogWriterStoppedException} if the writer stops first. Completion happens on the writer thread: callers
     * must not block in dependent stages. {@code lsn} must not be above the appended end.
     */
    public CompletableFuture<Void> awaitDurable(long lsn) {
        if (lsn <= durableLsn) {
            return CompletableFuture.completedFuture(null);
        }
        lock.lock();
        try {
            if (lsn <= durableLsn) {
                return CompletableFuture.completedFuture(null);
            }
            if (lsn > appendedLsn) {
                throw new IllegalArgumentException("awaiting LSN " + lsn + " beyond the appended end " + appendedLsn
                        + ": it would never become durable");
            }
            if (state == State.STOPPED) {
                return CompletableFuture.failedFuture(stoppedException());
            }
            if (waiters.size() >= DURABLE_WAITERS_MAX) {
                throw new IllegalStateException("durable-LSN waiters reached " + waiters.size() + " (max "
                        + DURABLE_WAITERS_MAX + "): futures are being leaked");
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            waiters.add(new Waiter(lsn, f));
            return f;
        } finally {
            lock.unlock();
        }
    }

    /** Everything below this LSN is acknowledged at write quorum. Never decreases. */
    public long durableLsn() {
        return durableLsn;
    }

    /** The end of the appended log (the next MTR's start LSN). */
    public long appendedLsn() {
        lock.lock();
        try {
            return appendedLsn;
        } finally {
            lock.unlock();
        }
    }

    /** The largest MTR {@link #appendMtr} accepts, in bytes ({@link LogWriterConfig#maxMtrBytes()}). */
    public int maxMtrBytes() {
        return maxMtrBytes;
    }

    /** The epoch this writer writes at (the volume writer's). */
    public long epoch() {
        return epoch;
    }

    /** Appenders currently waiting for buffer space or log budget. */
    public int appendersWaiting() {
        lock.lock();
        try {
            return appendersWaiting;
        } finally {
            lock.unlock();
        }
    }

    /** True until the writer has stopped (failed or closed). */
    public boolean isRunning() {
        lock.lock();
        try {
            return state != State.STOPPED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Registers a listener called with the new durable LSN after every advance, on the writer thread, in increasing
     * order. It must be quick and must not block (the buffer pool's flusher uses it to learn which pages the WAL rule
     * now lets it write).
     */
    public void addDurableListener(LongConsumer listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Tells the writer that the log below {@code lsn} has been deleted (by {@link LogTruncator}), freeing log budget.
     * Never goes back.
     */
    public void truncationAdvanced(long lsn) {
        lock.lock();
        try {
            if (lsn > truncatedBelowLsn) {
                truncatedBelowLsn = lsn;
                space.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Where the budget currently counts from. */
    public long truncatedBelowLsn() {
        lock.lock();
        try {
            return truncatedBelowLsn;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops accepting appends, waits up to {@code closeDrainMax} for everything appended to become durable, then
     * stops the writer thread. Waiters that are still above the durable LSN then fail. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = State.CLOSING;
                closeDeadlineNanos = System.nanoTime() + config.closeDrainMax().toNanos();
                stopReason = "closed";
                space.signalAll();
                work.signal();
            }
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(config.closeDrainMax().toMillis() + CLOSE_JOIN_SLACK_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (thread.isAlive()) {
            LOG.warn("log writer thread of volume {} did not exit within {} ms of close", volume.volume(),
                    config.closeDrainMax().toMillis() + CLOSE_JOIN_SLACK_MILLIS);
        }
    }

    private LogWriterStoppedException stoppedException() {
        String why = stopReason != null ? stopReason : (state == State.CLOSING ? "closing" : "stopped");
        return new LogWriterStoppedException(durableLsn, why, failure);
    }

    // ------------------------------------------------------------------------------------------------ writer thread

    private void run() {
        List<Waiter> done = new ArrayList<>();
        List<Waiter> toFail = new ArrayList<>();
        List<Issue> issues = new ArrayList<>();
        while (true) {
            done.clear();
            toFail.clear();
            issues.clear();
            long advancedTo = -1;
            boolean exit = false;
            LogWriterStoppedException stopped = null;
            lock.lock();
            try {
                awaitWork();
                drainAcks();
                if (failure != null || state == State.STOPPED) {
                    exit = true;
                } else {
                    long newDurable = computeDurable();
                    if (newDurable > durableLsn) {
                        checkDurableAdvance(durableLsn, newDurable);
                        durableLsn = newDurable;
                        advancedTo = newDurable;
                        while (!waiters.isEmpty() && waiters.peek().lsn() <= newDurable) {
                            done.add(waiters.poll());
                        }
                    }
                    releaseDurableBlocks();
                    pickIssues(issues);
                    if (state == State.CLOSING && ((inFlight == 0 && issues.isEmpty() && durableLsn == appendedLsn)
                            || System.nanoTime() - closeDeadlineNanos >= 0)) {
                        exit = true;
                    }
                }
                if (exit) {
                    if (failure != null) {
                        stopReason = "a log block write failed: " + failure;
                    } else if (state == State.CLOSING && durableLsn < appendedLsn) {
                        stopReason = "closed before LSN " + appendedLsn + " was durable";
                    }
                    state = State.STOPPED;
                    stopped = stoppedException();
                    toFail.addAll(waiters);
                    waiters.clear();
                    space.signalAll();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
                state = State.STOPPED;
                stopReason = "writer thread interrupted";
                stopped = stoppedException();
                toFail.addAll(waiters);
                waiters.clear();
                space.signalAll();
                exit = true;
            } catch (RuntimeException | AssertionError e) {
                failure = e;
                state = State.STOPPED;
                stopReason = "writer invariant failed: " + e.getMessage();
                stopped = stoppedException();
                toFail.addAll(waiters);
                waiters.clear();
                space.signalAll();
                LOG.error("log writer of volume {} stopped on a failed invariant", volume.volume(), e);
                exit = true;
            } finally {
                lock.unlock();
            }
            for (Waiter w : done) {
                w.future().complete(null);
            }
            if (advancedTo >= 0) {
                for (LongConsumer l : listeners) {
                    try {
                        l.accept(advancedTo);
                    } catch (RuntimeException e) {
                        // A listener's bug must not stop the log: commits keep becoming durable.
                        LOG.error("durable-LSN listener {} failed at LSN {}", l, advancedTo, e);
                    }
                }
            }
            for (Waiter w : toFail) {
                w.future().completeExceptionally(stopped);
            }
            if (exit) {
                if (failure != null && !(failure instanceof AssertionError)) {
                    LOG.warn("log writer of volume {} stopped at durable LSN {}: {}", volume.volume(), durableLsn,
                            stopReason);
                }
                return;
            }
            for (Issue issue : issues) {
                issue(issue);
            }
        }
    }

    private void awaitWork() throws InterruptedException {
        while (acks.isEmpty() && failure == null && !hasIssuable()) {
            if (state == State.CLOSING) {
                if (inFlight == 0 && durableLsn == appendedLsn) {
                    return;
                }
                long left = closeDeadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                work.awaitNanos(left);
            } else {
                work.await();
            }
        }
    }

    private void drainAcks() {
        Ack a;
        while ((a = acks.poll()) != null) {
            inFlight--;
            if (a.block().blockNo != a.blockNo() || !a.block().inFlight) {
                throw new AssertionError("acknowledgement of block " + a.blockNo() + " for a buffer slot holding block "
                        + a.block().blockNo + " (in flight: " + a.block().inFlight + ")");
            }
            a.block().inFlight = false;
            if (a.failure() != null) {
                if (failure == null) {
                    failure = a.failure();
                }
                continue;
            }
            if (a.used() > a.block().acked) {
                a.block().acked = a.used();
            }
            writeLatency.record(clock.monotonicTime() - a.startNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** End of the longest prefix of acknowledged bytes, starting from the current durable LSN. */
    private long computeDurable() {
        long d = durableLsn;
        for (int i = 0; i < blockCount; i++) {
            BufferedBlock b = ring[(int) ((headBlockNo + i) % ring.length)];
            long start = LogBlock.startLsn(b.blockNo);
            if (start > d) {
                break;
            }
            d = Math.max(d, start + b.acked);
            if (b.acked < LOG_BLOCK_PAYLOAD_BYTES) {
                break;
            }
        }
        return d;
    }

    /** Pair assertions of DESIGN §10: the durable LSN never goes back and never passes an unacknowledged byte. */
    private void checkDurableAdvance(long from, long to) {
        if (to < from) {
            throw new AssertionError("durable LSN would go back: " + from + " -> " + to);
        }
        if (to > appendedLsn) {
            throw new AssertionError("durable LSN " + to + " would pass the appended end " + appendedLsn);
        }
        for (int i = 0; i < blockCount; i++) {
            BufferedBlock b = ring[(int) ((headBlockNo + i) % ring.length)];
            long start = LogBlock.startLsn(b.blockNo);
            if (start >= to) {
                break;
            }
            long needed = Math.min(LOG_BLOCK_PAYLOAD_BYTES, to - start);
            if (b.acked < needed) {
                throw new AssertionError("durable LSN " + to + " passes block " + b.blockNo + " acknowledged only to "
                        + b.acked + " of the " + needed + " bytes below it");
            }
        }
    }

    private void releaseDurableBlocks() {
        boolean released = false;
        while (blockCount > 0) {
            BufferedBlock head = ring[(int) (headBlockNo % ring.length)];
            if (head.acked < LOG_BLOCK_PAYLOAD_BYTES || head.inFlight) {
                break;
            }
            headBlockNo++;
            blockCount--;
            released = true;
        }
        if (blockCount == 0) {
            headBlockNo = LogBlock.blockOf(appendedLsn);
        }
        if (released) {
            space.signalAll();
        }
    }

    private boolean hasIssuable() {
        if (inFlight >= config.writesInFlightMax()) {
            return false;
        }
        long windowEnd = LogBlock.blockOf(durableLsn) + config.writesInFlightMax();
        for (int i = 0; i < blockCount; i++) {
            BufferedBlock b = ring[(int) ((headBlockNo + i) % ring.length)];
            if (b.blockNo >= windowEnd) {
                return false;
            }
            if (!b.inFlight && b.filled > b.issued) {
                return true;
            }
        }
        return false;
    }

    private void pickIssues(List<Issue> out) {
        long windowEnd = LogBlock.blockOf(durableLsn) + config.writesInFlightMax();
        for (int i = 0; i < blockCount && inFlight < config.writesInFlightMax(); i++) {
            BufferedBlock b = ring[(int) ((headBlockNo + i) % ring.length)];
            if (b.blockNo >= windowEnd) {
                break;
            }
            if (b.inFlight || b.filled <= b.issued) {
                continue;
            }
            LogBlock image = new LogBlock(b.blockNo, epoch, b.filled,
                    b.firstRecordOffset, Arrays.copyOf(b.bytes, b.filled));
            int records = b.recordEnds - b.recordEndsIssued;
            b.recordEndsIssued = b.recordEnds;
            b.issued = b.filled;
            b.inFlight = true;
            inFlight++;
            out.add(new Issue(b, image, records));
        }
    }

    private void issue(Issue issue) {
        Block block = issue.image().toBlock(volume.volume());
        long blockNo = issue.image().blockNo();
        int used = issue.image().usedBytes();
        blockWrites.increment();
        recordsPerWrite.record(issue.records());
        long startNanos = clock.monotonicTime();
        CompletableFuture<Void> f;
        try {
            f = volume.write(block);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((v, e) -> {
            lock.lock();
            try {
                acks.add(new Ack(issue.block(), blockNo, used, startNanos, e));
                work.signal();
            } finally {
                lock.unlock();
            }
        });
    }
}
