package io.cacdb.engine.bufferpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.Space;
import io.cacdb.engine.mtr.LatchMode;
import io.cacdb.engine.mtr.PageRef;
import io.cacdb.engine.page.PageFormat;
import io.cacdb.ioscheduler.IoScheduler;
import io.cacdb.ioscheduler.IoSchedulerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * Many threads fixing and changing random pages of a pool much smaller than the data, with the flusher running and
 * eviction writing dirty victims; options swarmed from the seed. At the end every page — through the pool, and read
 * cold from storage by a new pool — holds its last modification, the WAL rule was never broken, and the pool's
 * structure is consistent. Reproduce with {@code -Dcacdb.seed=<seed>}.
 */
class BufferPoolStressTest {

    private static final long VOLUME = 3;
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** Each MTR occupies this many LSN bytes; any positive length will do. */
    private static final long MTR_BYTES = 16;

    @Test
    void concurrentFixesAndChangesEndWithEveryPageHoldingItsLastChange() throws Exception {
        long seed = Long.getLong("cacdb.seed", System.nanoTime());
        Random swarm = new Random(seed);
        int threads = 3 + swarm.nextInt(6);
        int frames = 2 * threads + 2 + swarm.nextInt(24);
        int pages = frames * (2 + swarm.nextInt(6));
        int opsPerThread = 1_000 + swarm.nextInt(1_500);
        int writePercent = 30 + swarm.nextInt(60);
        boolean flusher = swarm.nextBoolean();
        ReplacementPolicyKind policy = ReplacementPolicyKind.values()[swarm.nextInt(ReplacementPolicyKind.values()
                .length)];
        System.out.printf("BufferPoolStressTest seed=%d (reproduce with -Dcacdb.seed=%d): threads=%d frames=%d"
                + " pages=%d ops/thread=%d write%%=%d flusher=%s policy=%s%n", seed, seed, threads, frames, pages,
                opsPerThread, writePercent, flusher, policy);

        TestVolume volume = new TestVolume(VOLUME);
        for (long p = 0; p < pages; p++) {
            TestPages.store(volume.storage, p, 0, 0);
        }
        ExecutorService logThread = Executors.newSingleThreadExecutor();
        FakeDurableLog log = FakeDurableLog.auto(logThread);
        volume.checkWalRuleAgainst(log);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        IoScheduler scheduler = new IoScheduler(IoSchedulerConfig.defaults(), registry);
        BufferPoolConfig cfg = new BufferPoolConfig(frames, policy, 1_000, BOUND, Duration.ofSeconds(5), 16,
                Duration.ofMillis(1));
        BufferPool pool = BufferPool.builder(cfg, volume, scheduler, registry).writePath(volume, log).build();
        if (flusher) {
            pool.start();
        }
        AtomicLong nextLsn = new AtomicLong(1);
        AtomicLongArray expected = new AtomicLongArray(pages);

        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Random rnd = new Random(seed * 31 + t);
            workers.add(CompletableFuture.runAsync(() -> {
                for (int op = 0; op < opsPerThread; op++) {
                    long a = rnd.nextInt(pages);
                    if (rnd.nextInt(100) >= writePercent) {
                        PageRef r = pool.fix(a, LatchMode.SHARED);
                        assertEquals(a, PageFormat.pageNo(r.bytes()), "frame holds the page it was fixed as");
                        r.release();
                        continue;
                    }
                    // Sometimes an MTR spanning two pages, latched in page order as the B+tree does.
                    long b = rnd.nextInt(4) == 0 ? rnd.nextInt(pages) : a;
                    long first = Math.min(a, b);
                    long second = Math.max(a, b);
                    PageRef r1 = pool.fix(first, LatchMode.EXCLUSIVE);
                    PageRef r2 = second != first ? pool.fix(second, LatchMode.EXCLUSIVE) : null;
                    long value = ((long) id << 40) | op;
                    long start = nextLsn.getAndAdd(MTR_BYTES);
                    change(r1, expected, value, start);
                    if (r2 != null) {
                        change(r2, expected, value, start);
                        r2.release();
                    }
                    r1.release();
                }
            }, r -> Thread.ofPlatform().name("stress-" + id).start(r)));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

        pool.checkInvariants();
        assertEquals(0, pool.pinnedFrameCount());
        pool.flushAll(BOUND);
        assertEquals(0, pool.dirtyPageCount());
        for (long p = 0; p < pages; p++) {
            PageRef r = pool.fix(p, LatchMode.SHARED);
            assertEquals(expected.get((int) p), TestPages.payload(r.bytes()), "page " + p + " in the pool");
            r.release();
        }
        pool.close();
        assertEquals(List.of(), volume.walViolations, "WAL rule");

        Map<Long, Block> stored = volume.storage.snapshot(Space.PAGE);
        for (long p = 0; p < pages; p++) {
            assertEquals(expected.get((int) p), TestPages.payload(stored.get(p).payload()), "page " + p + " stored");
        }
        // A cold pool on the same storage sees the same thing through the whole read path.
        SimpleMeterRegistry r2 = new SimpleMeterRegistry();
        BufferPool cold = BufferPool.builder(cfg, volume.readOnlyView(), new IoScheduler(IoSchedulerConfig.defaults(),
                r2), r2).evictionGuard(EvictionGuard.ALLOW_ALL).build();
        for (long p = 0; p < pages; p++) {
            PageRef r = cold.fix(p, LatchMode.SHARED);
            assertEquals(expected.get((int) p), TestPages.payload(r.bytes()), "page " + p + " read cold");
            r.release();
        }
        cold.checkInvariants();
        cold.close();
        logThread.shutdown();
        assertTrue(logThread.awaitTermination(10, TimeUnit.SECONDS));
        System.out.printf("stress: hits=%d misses=%d evictions=%d pagesWritten=%d hitRatio=%.3f%n", pool.hits(),
                pool.misses(), pool.evictions(), pool.pagesWritten(), pool.hitRatio());
        assertTrue(pool.evictions() > 0, "the pool was under pressure");
    }

    private static void change(PageRef r, AtomicLongArray expected, long value, long startLsn) {
        PageFormat.putLong(r.bytes(), TestPages.PAYLOAD_OFFSET, value);
        r.markChanged(startLsn, startLsn + MTR_BYTES);
        expected.set((int) r.pageNo(), value);
    }

    @Test
    void manyReadersUnderEvictionPressureAlwaysSeeTheRightPage() throws Exception {
        long seed = Long.getLong("cacdb.seed", System.nanoTime());
        System.out.println("manyReadersUnderEvictionPressure seed=" + seed);
        MemoryVolumeFixture f = new MemoryVolumeFixture(200);
        BufferPool pool = BufferPool.builder(BufferPoolConfig.defaults().withFrames(16), f.volume.readOnlyView(),
                f.scheduler, f.registry).evictionGuard(EvictionGuard.ALLOW_ALL).build();
        int threads = 8;
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Random rnd = new Random(seed + t);
            workers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 3_000; i++) {
                    long p = rnd.nextInt(200);
                    PageRef r = pool.fix(p, LatchMode.SHARED);
                    assertEquals(p, PageFormat.pageNo(r.bytes()));
                    assertEquals(p * 7, TestPages.payload(r.bytes()));
                    r.release();
                }
            }, r -> Thread.ofPlatform().start(r)));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        pool.checkInvariants();
        assertEquals(0, pool.pinnedFrameCount());
        assertTrue(pool.evictions() > 1_000, "evictions " + pool.evictions());
        assertEquals(pool.misses(), f.volume.reads.size(), "one read per miss");
        pool.close();
    }

    /** 200 stored pages whose payload is 7 × pageNo. */
    private static final class MemoryVolumeFixture {
        final TestVolume volume = new TestVolume(VOLUME);
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final IoScheduler scheduler = new IoScheduler(IoSchedulerConfig.defaults(), registry);

        MemoryVolumeFixture(int pages) {
            for (long p = 0; p < pages; p++) {
                TestPages.store(volume.storage, p, 1, p * 7);
            }
        }
    }
}
