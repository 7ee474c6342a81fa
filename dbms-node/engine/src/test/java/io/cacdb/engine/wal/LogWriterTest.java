package io.cacdb.engine.wal;

import io.cacdb.engine.error.LogFullException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.mtr.LogSink.LsnRange;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogWriterTest {

    private static final long TIMEOUT_SECONDS = 30;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private LogWriter start(ScheduledVolume volume, LogWriterConfig config, SimpleMeterRegistry meters) {
        LogWriter w = LogWriter.start(volume, config, LogTail.EMPTY, 0, meters);
        toClose.add(w);
        return w;
    }

    private static List<LogRecord> commitMtr(long txn, int payload) {
        return List.of(new LogRecord.PageRedo(txn, txn % 100, new TestPageOp(0, new byte[payload])),
                new LogRecord.Commit(txn, 0, txn));
    }

    @Test
    void appendAssignsContiguousRangesAndFlagsTheMtrEnd() throws Exception {
        MemoryVolume storage = new MemoryVolume(1);
        ScheduledVolume volume = new ScheduledVolume(storage, ScheduledVolume.Mode.ASYNC, Runnable::run);
        LogWriter w = start(volume, LogWriterConfig.defaults(), new SimpleMeterRegistry());
        List<LogRecord> mtr = commitMtr(1, 10);
        LsnRange a = w.appendMtr(mtr);
        LsnRange b = w.appendMtr(List.of(new LogRecord.FlushWatermark(5)));
        int size = LogRecordCodec.encodedSize(mtr.get(0)) + LogRecordCodec.encodedSize(mtr.get(1));
        assertEquals(new LsnRange(0, size), a);
        assertEquals(new LsnRange(size, size + LogRecordCodec.encodedSize(new LogRecord.FlushWatermark(5))), b);
        w.awaitDurable(b.endLsn()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertTrue(w.durableLsn() >= b.endLsn());

        LogReader reader = new LogReader(storage, TestPageOp.CODEC, ReadConsistency.QUORUM, () -> EpochHistory.EMPTY, 0);
        List<LoggedRecord> read = reader.poll(10);
        assertEquals(3, read.size());
        assertFalse(read.get(0).mtrEnd());
        assertTrue(read.get(1).mtrEnd());
        assertEquals(a.endLsn(), read.get(1).endLsn());
        assertTrue(read.get(2).mtrEnd());
        assertTrue(WalTestRecords.same(mtr.get(0), read.get(0).record()));
    }

    /**
     * Group commit is real: 32 threads commit concurrently over a volume that acknowledges on another thread, each
     * waiting for its commit to be durable. Far fewer DAX writes than commits, and every completed wait is covered by
     * what storage holds at the moment it completes.
     */
    @Test
    void groupCommitCarriesManyCommitsPerWrite() throws Exception {
        MemoryVolume storage = new MemoryVolume(1);
        ExecutorService dax = Executors.newFixedThreadPool(2);
        toClose.add(dax::shutdownNow);
        // A realistic round trip: acknowledgements come back ~1 ms later on storage threads.
        ScheduledVolume volume = new ScheduledVolume(storage, ScheduledVolume.Mode.ASYNC,
                CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS, dax));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        LogWriter w = start(volume, LogWriterConfig.defaults(), meters);
        StoredLog stored = new StoredLog(storage, 0);
        AtomicLong lastListened = new AtomicLong();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        w.addDurableListener(lsn -> {
            if (lsn < lastListened.get()) {
                violations.add("durable LSN went back " + lastListened.get() + " -> " + lsn);
            }
            lastListened.set(lsn);
            if (lsn > volume.acknowledgedPrefix(0)) {
                violations.add("durable LSN " + lsn + " beyond acknowledged prefix " + volume.acknowledgedPrefix(0));
            }
        });

        int threads = 32;
        int commitsPerThread = 150;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService clients = Executors.newFixedThreadPool(threads);
        toClose.add(clients::shutdownNow);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(clients.submit(() -> {
                go.await();
                for (int i = 0; i < commitsPerThread; i++) {
                    LsnRange r = w.appendMtr(commitMtr(thread * 1_000_000L + i, 40 + (i % 7) * 10));
                    CompletableFuture<Void> durable = w.awaitDurable(r.endLsn());
                    // Runs the moment the wait completes: storage must hold the commit then.
                    durable.thenRun(() -> {
                        long prefix = stored.prefixEnd();
                        if (prefix < r.endLsn()) {
                            violations.add("commit ending at " + r.endLsn() + " acknowledged with only " + prefix
                                    + " bytes in storage");
                        }
                    });
                    durable.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(TIMEOUT_SECONDS * 2, TimeUnit.SECONDS);
        }
        int commits = threads * commitsPerThread;
        int writes = volume.logWrites();
        System.out.println("group commit: " + commits + " commits in " + writes + " log block writes ("
                + String.format("%.1f", (double) commits / writes) + " commits/write), records/write mean "
                + String.format("%.1f", meters.get("cacdb.wal.records.per.write").summary().mean()));
        assertTrue(violations.isEmpty(), violations.toString());
        assertTrue(writes * 4 < commits, "expected far fewer writes than commits: " + writes + " writes for "
                + commits + " commits");
        assertEquals(commits, (long) meters.get("cacdb.wal.appended.mtrs").counter().count());
        assertEquals(w.appendedLsn(), w.durableLsn());
        assertEquals(w.durableLsn(), stored.prefixEnd());
        assertEquals((double) w.durableLsn(), meters.get("cacdb.wal.durable.lsn").gauge().value());
    }

    @Test
    void aFullBufferMakesAppendersWaitThenFailWithATypedError() throws Exception {
        MemoryVolume storage = new MemoryVolume(1);
        ScheduledVolume volume = new ScheduledVolume(storage, ScheduledVolume.Mode.HOLD, null);
        int blocks = 4;
        LogWriterConfig config = LogWriterConfig.defaults()
                .withWritesInFlightMax(2)
                .withBufferCapacityBytes(blocks * LogBlock.LOG_BLOCK_PAYLOAD_BYTES)
                .withAppendWaitMax(Duration.ofMillis(200))
                .withCloseDrainMax(Duration.ofMillis(100));
        LogWriter w = start(volume, config, new SimpleMeterRegistry());
        int recordBytes = 1000;
        List<LogRecord> mtr = List.of(new LogRecord.PageRedo(1, 1, new TestPageOp(0,
                new byte[recordBytes - LogRecordCodec.encodedSize(new LogRecord.PageRedo(1, 1,
                        new TestPageOp(0, new byte[0])))])));
        assertEquals(recordBytes, LogRecordCodec.encodedSize(mtr.getFirst()));
        // Nothing is acknowledged: the buffer fills up.
        long appended = 0;
        while (appended + recordBytes <= (long) blocks * LogBlock.LOG_BLOCK_PAYLOAD_BYTES) {
            w.appendMtr(mtr);
            appended += recordBytes;
        }
        long started = System.nanoTime();
        LogBufferFullException full = assertThrows(LogBufferFullException.class, () -> w.appendMtr(mtr));
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(waitedMillis >= 150 && waitedMillis < 10_000, "bounded wait, waited " + waitedMillis + " ms");
        assertTrue(full.getMessage().contains("log buffer full"), full.getMessage());
        assertEquals(appended, w.appendedLsn(), "a failed append appends nothing");
        assertTrue(w.isRunning(), "a full buffer is backpressure, not a writer failure");
        // Closing with writes still unacknowledged gives up after the drain bound; appends then fail.
        w.close();
        assertThrows(LogWriterStoppedException.class, () -> w.appendMtr(mtr));
        assertFalse(w.isRunning());
    }

    @Test
    void aWaitingAppenderProceedsWhenStorageAcknowledges() throws Exception {
        MemoryVolume storage = new MemoryVolume(1);
        ScheduledVolume volume = new ScheduledVolume(storage, ScheduledVolume.Mode.HOLD, null);
        LogWriterConfig config = LogWriterConfig.defaults()
                .withWritesInFlightMax(2)
                .withBufferCapacityBytes(3 * LogBlock.LOG_BLOCK_PAYLOAD_BYTES)
                .withAppendWaitMax(Duration.ofSeconds(TIMEOUT_SECONDS))
                .withCloseDrainMax(Duration.ofMillis(100));
        LogWriter w = start(volume, config, new SimpleMeterRegistry());
        List<LogRecord> big = List.of(new LogRecord.PageRedo(1, 1, new TestPageOp(0, new byte[5000])));
        while (w.appendedLsn() + LogRecordCodec.encodedSize(big.getFirst())
                <= 3L * LogBlock.LOG_BLOCK_PAYLOAD_BYTES) {
            w.appendMtr(big);
        }
        ExecutorService appender = Executors.newSingleThreadExecutor();
        toClose.add(appender::shutdownNow);
        Future<LsnRange> blocked = appender.submit(() -> w.appendMtr(big));
        waitUntil(() -> w.appendersWaiting() == 1, "the appender to wait for space");
        assertFalse(blocked.isDone());
        // Acknowledge everything storage is asked for until the appender gets through.
        List<ScheduledVolume.Pending> ps = new ArrayList<>();
        while (!blocked.isDone()) {
            volume.drainPending(ps, 50);
            ps.forEach(volume::release);
            ps.clear();
        }
        LsnRange r = blocked.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals(w.appendedLsn(), r.endLsn());
        CompletableFuture<Void> durable = w.awaitDurable(r.endLsn());
        while (!durable.isDone()) {
            volume.drainPending(ps, 50);
            ps.forEach(volume::release);
            ps.clear();
        }
        durable.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void logBudgetAppliesBackpressureUntilTruncationThenFailsWithLogFull() throws Exception {
        MemoryVolume storage = new MemoryVolume(1);
        ScheduledVolume volume = new ScheduledVolume(storage, ScheduledVolume.Mode.ASYNC, Runnable::run);
        int capacity = 4 * LogBlock.LOG_BLOCK_PAYLOAD_BYTES;
        long budget = 2L * capacity;
        LogWriterConfig config = LogWriterConfig.defaults().withWritesInFlightMax(2)
                .withBufferCapacityBytes(capacity).withLogBudgetBytes(budget).withAppendWaitMax(Duration.ofSeconds(20));
        LogWriter w = start(volume, config, new SimpleMeterRegistry());
        LogTruncator truncator = new LogTruncator(volume, () -> w.durableLsn(), () -> Long.MAX_VALUE,
                w::durableLsn, w::truncationAdvanced);
        List<LogRecord> mtr = List.of(new LogRecord.PageRedo(1, 1, new TestPageOp(0, new byte[3000])));
        int size = LogRecordCodec.encodedSize(mtr.getFirst());
        while (w.appendedLsn() + size <= budget) {
            LsnRange r = w.appendMtr(mtr);
            w.awaitDurable(r.endLsn()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        // Over budget: the next append waits (backpressure) ...
        ExecutorService appender = Executors.newSingleThreadExecutor();
        toClose.add(appender::shutdownNow);
        Future<LsnRange> blocked = appender.submit(() -> w.appendMtr(mtr));
        waitUntil(() -> w.appendersWaiting() == 1, "the appender to wait for log budget");
        assertFalse(blocked.isDone());
        // ... until truncation catches up, and nothing was lost.
        long before = w.appendedLsn();
        long truncatedTo = truncator.truncate().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertTrue(truncatedTo > 0, "truncated to " + truncatedTo);
        LsnRange r = blocked.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals(before, r.startLsn());

        // With no truncation at all, the wait is bounded and ends in LogFullException.
        MemoryVolume storage2 = new MemoryVolume(2);
        ScheduledVolume volume2 = new ScheduledVolume(storage2, ScheduledVolume.Mode.ASYNC, Runnable::run);
        LogWriter w2 = start(volume2, config.withAppendWaitMax(Duration.ofMillis(200)), new SimpleMeterRegistry());
        while (w2.appendedLsn() + size <= budget) {
            LsnRange r2 = w2.appendMtr(mtr);
            w2.awaitDurable(r2.endLsn()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        long appended = w2.appendedLsn();
        long started = System.nanoTime();
        LogFullException full = assertThrows(LogFullException.class, () -> w2.appendMtr(mtr));
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(waitedMillis >= 150 && waitedMillis < 10_000, "bounded wait, waited " + waitedMillis + " ms");
        assertEquals(0, full.truncatedBelowLsn());
        assertEquals(appended, full.appendedLsn());
        assertEquals(appended, w2.appendedLsn(), "nothing appended by the failed call");
        assertThrows(LogFullException.class, () -> w2.awaitAppendCapacity(size));
    }

    @Test
    void aFailedWriteStopsTheWriterAndFailsEveryWaiterAboveTheDurableLsn() throws Exception {
        MemoryVolume storage = new MemoryVolume(1);
        ScheduledVolume volume = new ScheduledVolume(storage, ScheduledVolume.Mode.HOLD, null);
        LogWriter w = start(volume, LogWriterConfig.defaults().withCloseDrainMax(Duration.ofMillis(100)),
                new SimpleMeterRegistry());
        LsnRange first = w.appendMtr(commitMtr(1, 100));
        CompletableFuture<Void> firstDurable = w.awaitDurable(first.endLsn());
        List<ScheduledVolume.Pending> ps = new ArrayList<>();
        while (ps.isEmpty()) {
            volume.drainPending(ps, 1000);
        }
        ps.forEach(volume::release);
        ps.clear();
        firstDurable.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        LsnRange second = w.appendMtr(commitMtr(2, 100));
        CompletableFuture<Void> secondDurable = w.awaitDurable(second.endLsn());
        while (ps.isEmpty()) {
            volume.drainPending(ps, 1000);
        }
        // The storage tier fenced us: the write fails (its bytes even reached a replica).
        ps.forEach(p -> volume.fail(p, true));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> secondDurable.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        LogWriterStoppedException stopped = assertInstanceOf(LogWriterStoppedException.class, e.getCause());
        assertEquals(first.endLsn(), stopped.durableLsn());
        assertInstanceOf(ScheduledVolume.InjectedWriteFailure.class, stopped.getCause());
        assertEquals(first.endLsn(), w.durableLsn(), "nothing beyond the acknowledged write is durable");
        assertThrows(LogWriterStoppedException.class, () -> w.appendMtr(commitMtr(3, 10)));
        assertTrue(w.awaitDurable(first.endLsn()).isDone(), "what was durable stays durable");
        assertFalse(w.isRunning());
    }

    @Test
    void closeDrainsWhatWasAppended() throws Exception {
        MemoryVolume storage = new MemoryVolume(1);
        ExecutorService dax = Executors.newSingleThreadExecutor();
        toClose.add(dax::shutdownNow);
        ScheduledVolume volume = new ScheduledVolume(storage, ScheduledVolume.Mode.ASYNC, dax);
        LogWriter w = start(volume, LogWriterConfig.defaults(), new SimpleMeterRegistry());
        LsnRange last = null;
        for (int i = 0; i < 100; i++) {
            last = w.appendMtr(commitMtr(i, 500));
        }
        CompletableFuture<Void> durable = w.awaitDurable(last.endLsn());
        w.close();
        durable.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals(last.endLsn(), new StoredLog(storage, 0).prefixEnd());
        assertFalse(w.isRunning());
    }

    @Test
    void configRelationsAreCheckedAtStartUp() {
        assertThrows(IllegalArgumentException.class, () -> LogWriterConfig.defaults().withWritesInFlightMax(0));
        assertThrows(IllegalArgumentException.class, () -> LogWriterConfig.defaults()
                .withWritesInFlightMax(LogWriterConfig.WRITES_IN_FLIGHT_LIMIT + 1));
        assertThrows(IllegalArgumentException.class, () -> LogWriterConfig.defaults()
                .withBufferCapacityBytes(2 * LogBlock.LOG_BLOCK_PAYLOAD_BYTES));
        assertThrows(IllegalArgumentException.class, () -> LogWriterConfig.defaults()
                .withLogBudgetBytes(LogWriterConfig.BUFFER_CAPACITY_BYTES_DEFAULT));
        assertTrue(LogWriterConfig.defaults().maxMtrBytes() >= LogRecordCodec.MAX_RECORD_BYTES);
    }

    /** Polls a condition with a bound; the thing waited for is another thread's state, not the passage of time. */
    static void waitUntil(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
