package io.cacdb.engine.bufferpool;

import io.cacdb.engine.error.CorruptPageException;
import static io.cacdb.engine.bufferpool.TestPages.awaitCondition;
import static io.cacdb.engine.bufferpool.TestPages.payload;
import static io.cacdb.engine.bufferpool.TestPages.store;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.mtr.LatchMode;
import io.cacdb.engine.mtr.PageRef;
import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.wal.LogRecord;
import io.cacdb.ioscheduler.IoClass;
import io.cacdb.ioscheduler.IoQueueFullException;
import io.cacdb.ioscheduler.IoScheduler;
import io.cacdb.ioscheduler.IoSchedulerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BufferPoolTest {

    private static final long VOLUME = 7;
    private static final Duration BOUND = Duration.ofSeconds(10);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final IoScheduler scheduler = new IoScheduler(IoSchedulerConfig.defaults(), registry);
    private final TestVolume volume = new TestVolume(VOLUME);
    private final List<BufferPool> pools = new ArrayList<>();

    @AfterEach
    void checkEveryPool() {
        for (BufferPool p : pools) {
            p.checkInvariants();
            assertEquals(0, p.pinnedFrameCount(), "every test releases what it fixes");
            p.close();
        }
        assertEquals(List.of(), volume.walViolations);
    }

    private BufferPoolConfig config(int frames) {
        return BufferPoolConfig.defaults().withFrames(frames).withFrameWaitTimeout(Duration.ofMillis(300));
    }

    private BufferPool writable(BufferPoolConfig cfg, DurableLog log) {
        volume.checkWalRuleAgainst(log);
        BufferPool p = BufferPool.builder(cfg, volume, scheduler, registry).writePath(volume, log).build();
        pools.add(p);
        return p;
    }

    /** Changes a fixed page the way an MTR does: new payload, then markChanged with the MTR's LSN range. */
    private static void modify(PageRef ref, long payload, long startLsn, long endLsn) {
        PageFormat.putLong(ref.bytes(), TestPages.PAYLOAD_OFFSET, payload);
        ref.markChanged(startLsn, endLsn);
    }

    /** A fresh page initialised and changed by one MTR [startLsn, endLsn). */
    private static void createPage(BufferPool pool, long pageNo, long payload, long startLsn, long endLsn) {
        PageRef r = pool.fixNew(pageNo);
        TestPages.initHeader(r.bytes(), pageNo);
        modify(r, payload, startLsn, endLsn);
        r.release();
    }

    private static long readPayload(BufferPool pool, long pageNo) {
        PageRef r = pool.fix(pageNo, LatchMode.SHARED);
        try {
            return payload(r.bytes());
        } finally {
            r.release();
        }
    }

    @Test
    void missReadsAtQuorumThenHitsFromMemory() {
        store(volume.storage, 3, 40, 333);
        BufferPool pool = writable(config(8), FakeDurableLog.manual(0));
        assertEquals(333, readPayload(pool, 3));
        assertEquals(333, readPayload(pool, 3));
        assertEquals(1, pool.misses());
        assertEquals(1, pool.hits());
        assertEquals(List.of(new TestVolume.Read(3, ReadConsistency.QUORUM, Version.ZERO)), volume.reads);
        assertEquals(0.5, registry.get("cacdb.bufferpool.hit_ratio").gauge().value());
        assertEquals(1, registry.get("cacdb.io.wait").tag("class", "page_read").timer().count(),
                "the miss went through the PAGE_READ class");
    }

    @Test
    void laterReadsAskForAtLeastTheVersionThisNodeLastSawOrWrote() {
        store(volume.storage, 1, 10, 1);
        FakeDurableLog log = FakeDurableLog.manual(1_000);
        BufferPool pool = writable(config(1), log);
        PageRef r = pool.fix(1, LatchMode.EXCLUSIVE);
        modify(r, 11, 100, 120);
        r.release();
        pool.flushAll(BOUND);
        store(volume.storage, 2, 5, 2);
        assertEquals(2, readPayload(pool, 2), "evicts page 1 (clean after the flush)");
        assertEquals(11, readPayload(pool, 1));
        assertEquals(new TestVolume.Read(1, ReadConsistency.QUORUM, Version.ZERO), volume.reads.get(0));
        assertEquals(new TestVolume.Read(1, ReadConsistency.AT_LEAST, Version.ofPage(120)), volume.reads.get(2),
                "the version this node wrote");
        assertEquals(2, readPayload(pool, 2), "page 2 again, after page 1 evicted it");
        assertEquals(new TestVolume.Read(2, ReadConsistency.AT_LEAST, Version.ofPage(5)), volume.reads.get(3),
                "the version this node read");
    }

    @Test
    void aPageWithNoBlockIsAnErrorUnlessFixedNew() {
        BufferPool pool = writable(config(4), FakeDurableLog.manual(0));
        PageNotFoundException e = assertThrows(PageNotFoundException.class, () -> pool.fix(9, LatchMode.SHARED));
        assertEquals(9, e.pageNo());
        assertFalse(pool.contains(9), "a failed load leaves nothing behind");
        PageRef r = pool.fixNew(9);
        assertEquals(LatchMode.EXCLUSIVE, r.mode());
        for (byte b : r.bytes()) {
            assertEquals(0, b);
        }
        r.release();
        assertEquals(1, volume.reads.size(), "fixNew reads nothing");
    }

    @Test
    void concurrentMissesOnOnePageDoOneRead() throws Exception {
        store(volume.storage, 5, 50, 555);
        BufferPool pool = writable(config(8), FakeDurableLog.manual(0));
        CompletableFuture<Void> gate = volume.holdReads();
        int threads = 8;
        List<CompletableFuture<Long>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            results.add(CompletableFuture.supplyAsync(() -> readPayload(pool, 5),
                    r -> Thread.ofPlatform().start(r)));
        }
        awaitCondition("all threads to find the page loading", BOUND,
                () -> pool.misses() + pool.hits() == threads);
        assertEquals(1, volume.readsOf(5));
        gate.complete(null);
        for (CompletableFuture<Long> r : results) {
            assertEquals(555, r.get(BOUND.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
        }
        assertEquals(1, volume.readsOf(5), "one read served all " + threads + " fixers");
        assertEquals(1, pool.misses());
    }

    @Test
    void corruptStoredPageIsReReadAtQuorumThenReportedNamingThePage() {
        store(volume.storage, 4, 40, 444);
        BufferPool pool = writable(config(4), FakeDurableLog.manual(0));
        volume.corruptNextReads(4, 2);
        CorruptPageException e = assertThrows(CorruptPageException.class, () -> pool.fix(4, LatchMode.SHARED));
        assertEquals(4, e.pageNo());
        assertTrue(e.getMessage().contains("page 4"), e.getMessage());
        assertEquals(2, volume.readsOf(4));
        assertEquals(ReadConsistency.QUORUM, volume.reads.get(1).consistency());
        assertFalse(pool.contains(4));
        // A replica repaired by the quorum read: one bad answer, then a good one.
        volume.corruptNextReads(4, 1);
        assertEquals(444, readPayload(pool, 4));
        assertEquals(2, registry.get("cacdb.bufferpool.rereads").functionCounter().count());
    }

    @Test
    void readThatNeverAnswersFailsWithinTheBound() {
        store(volume.storage, 6, 60, 666);
        BufferPoolConfig cfg = new BufferPoolConfig(4, ReplacementPolicyKind.CLOCK, 100, Duration.ofMillis(300),
                Duration.ofMillis(100), 8, Duration.ofMillis(100));
        BufferPool pool = writable(cfg, FakeDurableLog.manual(0));
        CompletableFuture<Void> gate = volume.holdReads();
        PageReadException e = assertThrows(PageReadException.class, () -> pool.fix(6, LatchMode.SHARED));
        assertInstanceOf(TimeoutException.class, e.getCause());
        assertFalse(pool.contains(6));
        gate.complete(null);
        assertEquals(666, readPayload(pool, 6));
    }

    @Test
    void fullReadQueueFailsTheMissWithATypedError() throws Exception {
        IoSchedulerConfig small = IoSchedulerConfig.defaults()
                .with(IoClass.PAGE_READ, new IoSchedulerConfig.ClassLimits(1, 1, 1));
        IoScheduler tight = new IoScheduler(small, new SimpleMeterRegistry());
        store(volume.storage, 1, 1, 1);
        store(volume.storage, 2, 1, 2);
        store(volume.storage, 3, 1, 3);
        BufferPool pool = BufferPool.builder(config(8), volume, tight, new SimpleMeterRegistry())
                .writePath(volume, FakeDurableLog.manual(0)).build();
        pools.add(pool);
        CompletableFuture<Void> gate = volume.holdReads();
        CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> readPayload(pool, 1),
                r -> Thread.ofPlatform().start(r));
        awaitCondition("first read in flight", BOUND, () -> tight.inFlight(IoClass.PAGE_READ) == 1);
        CompletableFuture<Long> second = CompletableFuture.supplyAsync(() -> readPayload(pool, 2),
                r -> Thread.ofPlatform().start(r));
        awaitCondition("second read queued", BOUND, () -> tight.queueDepth(IoClass.PAGE_READ) == 1);
        PageReadException e = assertThrows(PageReadException.class, () -> pool.fix(3, LatchMode.SHARED));
        assertInstanceOf(IoQueueFullException.class, e.getCause());
        gate.complete(null);
        assertEquals(1, first.get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(2, second.get(10, java.util.concurrent.TimeUnit.SECONDS));
    }

    @Test
    void allFramesPinnedFailsWithinTheBoundNamingPoolAndPins() {
        BufferPool pool = writable(config(4), FakeDurableLog.manual(0));
        List<PageRef> held = new ArrayList<>();
        for (long p = 1; p <= 4; p++) {
            held.add(pool.fixNew(p));
        }
        long start = System.nanoTime();
        BufferPoolExhaustedException e = assertThrows(BufferPoolExhaustedException.class,
                () -> pool.fixNew(5));
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waitedMillis >= 250 && waitedMillis < 5_000, "waited " + waitedMillis + " ms for a 300 ms bound");
        assertEquals(4, e.poolFrames());
        assertEquals(4, e.pinnedFrames());
        assertTrue(e.getMessage().contains("4 pinned"), e.getMessage());
        held.remove(0).release();
        PageRef r = pool.fixNew(5);
        r.release();
        held.forEach(PageRef::release);
    }

    @Test
    void aReleasedFrameWakesAWaitingMiss() throws Exception {
        BufferPool pool = writable(config(2).withFrameWaitTimeout(BOUND), FakeDurableLog.manual(0));
        PageRef a = pool.fixNew(1);
        PageRef b = pool.fixNew(2);
        CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
            PageRef r = pool.fixNew(3);
            r.release();
            return 3L;
        }, r -> Thread.ofPlatform().start(r));
        awaitCondition("the miss to be waiting", BOUND, () -> !waiter.isDone() && pool.pinnedFrameCount() == 2);
        a.release();
        assertEquals(3L, waiter.get(10, java.util.concurrent.TimeUnit.SECONDS));
        b.release();
    }

    @Test
    void walRuleHoldsForFlushesWhileTheLogLags() {
        FakeDurableLog log = FakeDurableLog.manual(50);
        BufferPool pool = writable(config(8), log);
        createPage(pool, 1, 11, 10, 30);
        createPage(pool, 2, 22, 30, 60);
        createPage(pool, 3, 33, 60, 90);
        PageFlushException e = assertThrows(PageFlushException.class, () -> pool.flushAll(Duration.ofMillis(200)));
        assertInstanceOf(TimeoutException.class, e.getCause());
        assertEquals(1, volume.writes.size(), "only the page with pageLSN <= durable LSN was written");
        assertEquals(1, volume.writes.get(0).pageNo());
        assertEquals(OptionalLong.of(30), pool.minRecLsn());
        assertEquals(2, log.waiting());
        log.advanceTo(70);
        assertEquals(2, volume.writes.size());
        assertEquals(2, volume.writes.get(1).pageNo());
        log.advanceTo(100);
        assertEquals(3, volume.writes.size());
        assertEquals(OptionalLong.empty(), pool.minRecLsn());
        assertEquals(0, pool.dirtyPageCount());
        pool.flushAll(BOUND);
        assertEquals(33, payload(volume.storage.snapshot(Space.PAGE).get(3L).payload()));
    }

    @Test
    void evictionWritesADirtyVictimOnlyOnceTheLogIsDurable() throws Exception {
        FakeDurableLog log = FakeDurableLog.manual(0);
        BufferPool pool = writable(config(2), log);
        createPage(pool, 1, 11, 0, 10);
        createPage(pool, 2, 22, 10, 20);
        assertThrows(BufferPoolExhaustedException.class, () -> pool.fixNew(3),
                "both frames are dirty and the log is not durable: no frame within the bound");
        assertEquals(0, volume.writes.size());
        CompletableFuture<Void> fix3 = CompletableFuture.runAsync(() -> pool.fixNew(3).release(),
                r -> Thread.ofPlatform().start(r));
        log.advanceTo(20);
        fix3.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(volume.writes.size() >= 1, "a dirty victim was written to make room");
        assertTrue(pool.contains(3));
    }

    @Test
    void flushAllOfMoreDirtyPagesThanTheWriteQueueHoldsWritesThemInBatches() throws Exception {
        IoSchedulerConfig small = IoSchedulerConfig.defaults()
                .with(IoClass.PAGE_WRITE, new IoSchedulerConfig.ClassLimits(1, 1, 4));
        IoScheduler tight = new IoScheduler(small, new SimpleMeterRegistry());
        BufferPoolConfig cfg = new BufferPoolConfig(64, ReplacementPolicyKind.CLOCK, 100, Duration.ofMillis(300),
                Duration.ofSeconds(5), 4, BufferPoolConfig.DEFAULT_FLUSHER_IDLE_PAUSE);
        BufferPool pool = BufferPool.builder(cfg, volume, tight, new SimpleMeterRegistry())
                .writePath(volume, FakeDurableLog.manual(Long.MAX_VALUE)).build();
        pools.add(pool);
        int pages = 40;
        for (long p = 1; p <= pages; p++) {
            createPage(pool, p, p, 100 + 10 * p, 110 + 10 * p);
        }
        CompletableFuture<Void> gate = volume.holdWrites();
        CompletableFuture<Void> flush = CompletableFuture.runAsync(() -> pool.flushAll(BOUND),
                r -> Thread.ofPlatform().start(r));
        awaitCondition("a first batch fills the write queue", BOUND,
                () -> tight.inFlight(IoClass.PAGE_WRITE) == 1 && tight.queueDepth(IoClass.PAGE_WRITE) >= 3);
        gate.complete(null);
        flush.get(10, java.util.concurrent.TimeUnit.SECONDS); // a write refused by the full queue would fail it
        assertEquals(0, pool.dirtyPageCount());
        assertEquals(pages, volume.writes.size(), "each page written once, none refused by the queue");
    }

    @Test
    void flushAllIssuesWritesOldestRecLsnFirst() {
        long seed = Long.getLong("cacdb.seed", System.nanoTime());
        System.out.println("flushAllIssuesWritesOldestRecLsnFirst seed=" + seed);
        java.util.Random rnd = new java.util.Random(seed);
        FakeDurableLog log = FakeDurableLog.manual(Long.MAX_VALUE);
        BufferPool pool = writable(config(32), log);
        List<Long> order = new ArrayList<>();
        for (long p = 1; p <= 20; p++) {
            order.add(p);
        }
        java.util.Collections.shuffle(order, rnd);
        long lsn = 100;
        for (long p : order) {
            createPage(pool, p, p, lsn, lsn + 10);
            lsn += 10;
        }
        // A second change to an old page keeps its recLSN: it must still go first.
        PageRef r = pool.fix(order.get(0), LatchMode.EXCLUSIVE);
        modify(r, 1000, lsn, lsn + 10);
        r.release();
        List<LogRecord.DirtyPage> dpt = pool.dirtyPageTable();
        assertEquals(new LogRecord.DirtyPage(order.get(0), 100), dpt.get(0));
        pool.flushAll(BOUND);
        assertEquals(order, volume.writes.stream().map(TestVolume.Write::pageNo).toList());
    }

    @Test
    void backgroundFlusherWritesOldestRecLsnFirst() throws Exception {
        long seed = Long.getLong("cacdb.seed", System.nanoTime());
        System.out.println("backgroundFlusherWritesOldestRecLsnFirst seed=" + seed);
        java.util.Random rnd = new java.util.Random(seed);
        FakeDurableLog log = FakeDurableLog.manual(Long.MAX_VALUE);
        BufferPool pool = writable(config(64).withFlusherIdlePause(Duration.ofMillis(1)), log);
        List<Long> order = new ArrayList<>();
        for (long p = 1; p <= 24; p++) {
            order.add(p);
        }
        java.util.Collections.shuffle(order, rnd);
        long lsn = 100;
        for (long p : order) {
            createPage(pool, p, p, lsn, lsn + 10);
            lsn += 10;
        }
        pool.start();
        awaitCondition("the flusher to clean every page", BOUND, () -> pool.dirtyPageCount() == 0);
        assertEquals(order, volume.writes.stream().map(TestVolume.Write::pageNo).toList());
        assertTrue(registry.get("cacdb.bufferpool.flush.latency").timer().count() >= order.size());
    }

    @Test
    void aPageChangedDuringItsWriteStaysDirtyWithTheRightRecLsn() {
        FakeDurableLog log = FakeDurableLog.manual(0);
        BufferPool pool = writable(config(4), log);
        createPage(pool, 1, 11, 10, 20);
        CompletableFuture<Void> flush = CompletableFuture.runAsync(() -> pool.flushAll(BOUND),
                r -> Thread.ofPlatform().start(r));
        awaitCondition("the copy to wait for the log", BOUND, () -> log.waiting() == 1);
        PageRef r = pool.fix(1, LatchMode.EXCLUSIVE);
        modify(r, 12, 30, 40);
        r.release();
        log.advanceTo(20);
        assertEquals(List.of(new TestVolume.Write(1, Version.ofPage(20), 20)), volume.writes);
        assertEquals(OptionalLong.of(30), pool.minRecLsn(), "recLSN = first change storage does not have");
        assertEquals(1, pool.dirtyPageCount());
        flush.join();
        assertEquals(1, pool.dirtyPageCount(), "flushAll covers changes made before the call, not the later one");
        log.advanceTo(40);
        pool.flushAll(BOUND);
        assertEquals(0, pool.dirtyPageCount());
        assertEquals(12, payload(volume.storage.snapshot(Space.PAGE).get(1L).payload()));
    }

    @Test
    void readOnlyPoolNeverWritesAndNeverEvictsWhatTheGuardForbids() {
        AtomicLong watermark = new AtomicLong(15);
        List<String> forbiddenAsked = new ArrayList<>();
        EvictionGuard guard = (pageNo, pageLsn) -> {
            boolean ok = pageLsn < watermark.get();
            if (!ok) {
                forbiddenAsked.add("page " + pageNo + " at " + pageLsn);
            }
            return ok;
        };
        for (long p = 1; p <= 6; p++) {
            store(volume.storage, p, 5, p);
        }
        BufferPool pool = BufferPool.builder(config(3), volume.readOnlyView(), scheduler, registry)
                .evictionGuard(guard).build();
        pools.add(pool);
        assertTrue(pool.isReadOnly());
        // Replay changes pages 1..3 (pageLSN 10, 20, 30).
        for (long p = 1; p <= 3; p++) {
            PageRef r = pool.fix(p, LatchMode.EXCLUSIVE);
            modify(r, 100 + p, p * 10 - 5, p * 10);
            r.release();
        }
        assertEquals(3, pool.dirtyPageCount());
        assertEquals(100 + 4, 100 + readPayload(pool, 4), "page 1 (pageLSN 10 < watermark 15) was dropped");
        assertFalse(pool.contains(1));
        assertTrue(pool.contains(2) && pool.contains(3), "unsafe pages stay");
        assertEquals(5, readPayload(pool, 5), "page 4, clean and safe, was evicted next");
        assertTrue(pool.contains(2) && pool.contains(3));
        PageRef hold5 = pool.fix(5, LatchMode.SHARED);
        BufferPoolExhaustedException e = assertThrows(BufferPoolExhaustedException.class,
                () -> pool.fix(6, LatchMode.SHARED), "only unsafe pages are left unpinned");
        assertEquals(1, e.pinnedFrames());
        hold5.release();
        assertTrue(pool.contains(2) && pool.contains(3), "never evicted while forbidden: " + forbiddenAsked);
        assertEquals(List.of(), volume.writes, "a read-only pool never writes");
        assertThrows(IllegalStateException.class, () -> pool.flushAll(BOUND));
        // The active flushes page 1 at its replayed version; the standby then reads at least that version.
        store(volume.storage, 1, 10, 101);
        assertEquals(101, readPayload(pool, 1));
        assertEquals(new TestVolume.Read(1, ReadConsistency.AT_LEAST, Version.ofPage(10)),
                volume.reads.get(volume.reads.size() - 1));
        assertEquals(1.0, registry.get("cacdb.bufferpool.dirty_dropped").functionCounter().count());
    }

    @Test
    void evictionListenerSeesEveryEvictionAndDiscardDropsWithoutRememberingVersions() {
        for (long p = 1; p <= 5; p++) {
            store(volume.storage, p, 5, p);
        }
        List<String> evicted = new ArrayList<>();
        BufferPool pool = BufferPool.builder(config(3), volume.readOnlyView(), scheduler, registry)
                .evictionGuard((pageNo, pageLsn) -> pageLsn < 15)
                .evictionListener((pageNo, pageLsn, dirty) -> evicted.add(pageNo + "@" + pageLsn + (dirty ? "d" : "")))
                .build();
        pools.add(pool);
        PageRef r = pool.fix(1, LatchMode.EXCLUSIVE);
        modify(r, 101, 5, 10);
        r.release();
        r = pool.fix(2, LatchMode.EXCLUSIVE);
        modify(r, 102, 15, 20);
        r.release();
        assertEquals(3, readPayload(pool, 3));
        assertEquals(4, readPayload(pool, 4));
        assertEquals(List.of("1@10d"), evicted, "the safe dirty page went first, reported as dirty");
        // Discard: the unsafe page 2 and the clean page 4 go, without being written or remembered.
        BufferPool.Discarded d = pool.discard((pageNo, pageLsn) -> pageNo == 2 || pageNo == 4);
        assertEquals(new BufferPool.Discarded(2, 0), d);
        assertFalse(pool.contains(2) || pool.contains(4));
        assertEquals(0, pool.dirtyPageCount());
        assertEquals(List.of("1@10d"), evicted, "a discard is not an eviction");
        PageRef held = pool.fix(3, LatchMode.SHARED);
        assertEquals(new BufferPool.Discarded(0, 1), pool.discard((pageNo, pageLsn) -> true), "a pinned page stays");
        held.release();
        assertEquals(2, readPayload(pool, 2), "page 2 read again from storage, which never had pageLSN 20");
        pool.forgetVersions();
        assertEquals(1, readPayload(pool, 1), "page 1 as storage has it (pageLSN 5): without forgetVersions the pool"
                + " would insist on the pageLSN 10 it evicted");
        assertEquals(ReadConsistency.QUORUM, volume.reads.get(volume.reads.size() - 1).consistency(),
                "after forgetVersions, a miss reads at quorum");
        assertEquals(List.of(), volume.writes);
        pool.checkInvariants();
    }

    @Test
    void readOnlyPoolNeedsAnExplicitGuard() {
        assertThrows(IllegalStateException.class,
                () -> BufferPool.builder(config(3), volume.readOnlyView(), scheduler, registry).build());
    }

    @Test
    void takeoverAttachesAWritePathAndFlushesReplayedPages() {
        store(volume.storage, 1, 5, 1);
        BufferPool pool = BufferPool.builder(config(4), volume.readOnlyView(), scheduler, registry)
                .evictionGuard((p, l) -> false).build();
        pools.add(pool);
        PageRef r = pool.fix(1, LatchMode.EXCLUSIVE);
        modify(r, 7, 10, 20);
        r.release();
        FakeDurableLog log = FakeDurableLog.manual(20);
        volume.checkWalRuleAgainst(log);
        pool.attachWritePath(volume, log);
        assertFalse(pool.isReadOnly());
        pool.flushAll(BOUND);
        assertEquals(List.of(new TestVolume.Write(1, Version.ofPage(20), 20)), volume.writes);
        assertEquals(0, pool.dirtyPageCount());
    }

    @Test
    void settlingReplayedPagesCleansWhatStorageHoldsAndRaisesTheOtherRecLsns() {
        for (long p = 1; p <= 3; p++) {
            store(volume.storage, p, 5, p);
        }
        BufferPool pool = BufferPool.builder(config(4), volume.readOnlyView(), scheduler, registry)
                .evictionGuard((p, l) -> false).build();
        pools.add(pool);
        // replayed: page 1 changed at [10,20) only; page 2 at [10,20) and [60,70); page 3 at [80,90)
        PageRef r = pool.fix(1, LatchMode.EXCLUSIVE);
        modify(r, 11, 10, 20);
        r.release();
        r = pool.fix(2, LatchMode.EXCLUSIVE);
        modify(r, 21, 10, 20);
        modify(r, 22, 60, 70);
        r.release();
        r = pool.fix(3, LatchMode.EXCLUSIVE);
        modify(r, 31, 80, 90);
        r.release();
        assertEquals(OptionalLong.of(10), pool.minRecLsn());
        // the latest checkpoint's redo start is 50: no change starting below 50 is missing from storage
        assertEquals(new BufferPool.Settled(1, 1), pool.settleReplayedPages(50));
        assertEquals(2, pool.dirtyPageCount(), "page 1 is clean: storage holds its image");
        assertEquals(List.of(new io.cacdb.engine.wal.LogRecord.DirtyPage(2, 50),
                new io.cacdb.engine.wal.LogRecord.DirtyPage(3, 80)), pool.dirtyPageTable(),
                "page 2's recLSN rose to the redo start, page 3's was above it");
        pool.checkInvariants();
        FakeDurableLog log = FakeDurableLog.manual(90);
        volume.checkWalRuleAgainst(log);
        pool.attachWritePath(volume, log);
        assertThrows(IllegalStateException.class, () -> pool.settleReplayedPages(60), "read-only pools only");
        pool.flushAll(BOUND);
        assertEquals(List.of(new TestVolume.Write(2, Version.ofPage(70), 90),
                new TestVolume.Write(3, Version.ofPage(90), 90)), volume.writes.stream().sorted(
                java.util.Comparator.comparingLong(TestVolume.Write::pageNo)).toList(), "page 1 is not rewritten");
    }

    @Test
    void redoInitKeepsAnImageAConcurrentPrefetchLoadedWhereFixNewClearsIt() {
        // redo found page 9 missing; meanwhile a prefetch loaded the image the active has flushed since (pageLSN 50)
        store(volume.storage, 9, 50, 909);
        BufferPool pool = BufferPool.builder(config(4), volume.readOnlyView(), scheduler, registry)
                .evictionGuard(EvictionGuard.ALLOW_ALL).build();
        pools.add(pool);
        pool.prefetch(9, IoClass.REPLAY_READ).join();
        PageRef kept = pool.fixForRedoInit(9);
        assertEquals(50, PageFormat.pageLsn(kept.bytes()), "the pageLSN test will skip what the image holds");
        assertEquals(909, payload(kept.bytes()), "the image is kept, not cleared");
        kept.release();
        PageRef cleared = pool.fixNew(9);
        assertEquals(0, payload(cleared.bytes()), "fixNew clears (a reallocated page)");
        assertEquals(50, PageFormat.pageLsn(cleared.bytes()), "...but keeps the pageLSN: redo must not use it here");
        cleared.release();
        PageRef fresh = pool.fixForRedoInit(10); // nothing anywhere: a fresh frame of zeroes
        assertEquals(0, PageFormat.pageLsn(fresh.bytes()));
        fresh.release();
        pool.checkInvariants();
    }

    @Test
    void prefetchLoadsThroughTheReplayClassAndLaterFixesHit() {
        store(volume.storage, 8, 80, 888);
        BufferPool pool = BufferPool.builder(config(4), volume.readOnlyView(), scheduler, registry)
                .evictionGuard(EvictionGuard.ALLOW_ALL).build();
        pools.add(pool);
        pool.prefetch(8, IoClass.REPLAY_READ).join();
        assertTrue(pool.contains(8));
        assertEquals(1, registry.get("cacdb.io.wait").tag("class", "replay_read").timer().count());
        assertEquals(888, readPayload(pool, 8));
        assertEquals(1, pool.hits());
        assertEquals(1, volume.readsOf(8));
        assertTrue(pool.prefetch(8, IoClass.REPLAY_READ).isDone(), "already cached: nothing to do");
        CompletionException e = assertThrows(CompletionException.class,
                () -> pool.prefetch(99, IoClass.REPLAY_READ).join());
        assertInstanceOf(PageNotFoundException.class, e.getCause());
    }

    @Test
    void markChangedNeedsAnExclusiveLatchAndKeepsPageLsnMonotonic() {
        BufferPool pool = writable(config(4), FakeDurableLog.manual(0));
        createPage(pool, 1, 1, 10, 20);
        PageRef s = pool.fix(1, LatchMode.SHARED);
        assertThrows(IllegalStateException.class, () -> s.markChanged(20, 30));
        s.release();
        s.release();
        assertThrows(IllegalStateException.class, s::bytes, "a released ref gives no bytes");
        PageRef x = pool.fix(1, LatchMode.EXCLUSIVE);
        assertThrows(IllegalStateException.class, () -> x.markChanged(12, 15), "pageLSN must not move back");
        x.release();
    }

    @Test
    void flusherPaceFollowsTheDirtyFraction() {
        Duration idle = Duration.ofMillis(100);
        assertEquals(new Flusher.Pace(0, idle.toNanos()), Flusher.pace(0.0, false, 0, 64, idle));
        assertEquals(new Flusher.Pace(8, idle.toNanos()), Flusher.pace(0.05, false, 0, 64, idle));
        assertEquals(new Flusher.Pace(32, idle.toNanos() / 4), Flusher.pace(0.30, false, 0, 64, idle));
        assertEquals(new Flusher.Pace(64, 0), Flusher.pace(0.60, false, 0, 64, idle));
        assertEquals(new Flusher.Pace(64, 0), Flusher.pace(0.01, true, 0, 64, idle), "a starved miss means full pace");
    }

    @Test
    void theStandbysPoolPressureRaisesTheFlushPace() {
        Duration idle = Duration.ofMillis(100);
        assertEquals(new Flusher.Pace(8, idle.toNanos()), Flusher.pace(0.05, false, 0.49, 64, idle));
        assertEquals(new Flusher.Pace(32, idle.toNanos() / 4), Flusher.pace(0.05, false, 0.50, 64, idle),
                "half the standby's frames unevictable: at least the steady pace");
        assertEquals(new Flusher.Pace(64, 0), Flusher.pace(0.05, false, 0.75, 64, idle), "three quarters: flat out");
        assertEquals(new Flusher.Pace(0, idle.toNanos()), Flusher.pace(0.0, false, 1.0, 64, idle),
                "nothing dirty here: nothing to write whatever the standby says");

        BufferPool pool = writable(config(16), FakeDurableLog.manual(0));
        assertEquals(0.0, pool.standbyPressure(), "no standby: no pressure");
        pool.setStandbyPressure(() -> 0.8);
        assertEquals(0.8, pool.standbyPressure());
        pool.setStandbyPressure(() -> Double.NaN);
        assertEquals(0.0, pool.standbyPressure(), "an unknown pressure counts as none");
        pool.close();
    }

    @Test
    void closedPoolRefusesToFix() {
        BufferPool pool = writable(config(4), FakeDurableLog.manual(0));
        pool.start();
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.fixNew(1));
    }
}
