package io.cacdb.engine.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.mtr.MtrReplayer;
import io.cacdb.engine.mtr.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * Many threads on one tree: each owns a key range nobody else writes (its scans must see exactly its own model, while
 * the others split and merge neighbouring pages) and all share a range where a per-key lock stands in for the row
 * lock a transaction would hold. A second test races threads on the very same keys. Completion is awaited with a
 * bound; a deadlock fails the test with every thread's stack.
 */
class BTreeConcurrencyTest {

    private static final int THREADS = 6;
    private static final int OPS_PER_THREAD = 4000;
    private static final int OWN_KEYS = 600;
    private static final int SHARED_KEYS = 300;
    private static final long COMPLETION_BOUND_SECONDS = 180;

    /**
     * Keys differ only after a long common prefix, so separators are long, internal fan-out is low (~25) and the
     * tree gets three or more levels: internal splits and merges run concurrently too.
     */
    private static final int COMMON_PREFIX_BYTES = 300;

    private static byte[] key(int first, int i, int padding) {
        byte[] k = new byte[1 + COMMON_PREFIX_BYTES + 2 + padding];
        k[0] = (byte) first;
        k[1 + COMMON_PREFIX_BYTES] = (byte) (i >>> 8);
        k[2 + COMMON_PREFIX_BYTES] = (byte) i;
        return k;
    }

    private static byte[] ownKey(int thread, int i) {
        return key(1 + thread, i, i % 20);
    }

    private static byte[] sharedKey(int i) {
        return key(0x7F, i, i % 10);
    }

    private static byte[] value(SplittableRandom r) {
        byte[] v = new byte[r.nextInt(4) == 0 ? 800 + r.nextInt(900) : r.nextInt(150)];
        r.nextBytes(v);
        return v;
    }

    @Test
    void threadsOnDisjointAndSharedRangesEndEqualToTheModel() throws Exception {
        long seed = Seeds.seed("BTreeConcurrencyTest.threadsOnDisjointAndSharedRangesEndEqualToTheModel");
        TreeFixture f = new TreeFixture();
        BTree t = f.create(21);
        List<TreeMap<byte[], byte[]>> own = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            own.add(TreeFixture.newModel());
        }
        ConcurrentHashMap<Integer, byte[]> shared = new ConcurrentHashMap<>();
        ReentrantLock[] rowLocks = new ReentrantLock[SHARED_KEYS];
        for (int i = 0; i < SHARED_KEYS; i++) {
            rowLocks[i] = new ReentrantLock();
        }
        SplittableRandom root = new SplittableRandom(seed);
        List<SplittableRandom> randoms = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            randoms.add(root.split());
        }
        runAll(THREADS, thread -> {
            SplittableRandom r = randoms.get(thread);
            TreeMap<byte[], byte[]> model = own.get(thread);
            boolean grow = true;
            for (int op = 0; op < OPS_PER_THREAD; op++) {
                if (op % 600 == 0) {
                    grow = !grow || op == 0;
                }
                int dice = r.nextInt(100);
                if (dice < 60) {
                    byte[] k = ownKey(thread, r.nextInt(OWN_KEYS));
                    mutate(f, t, r, k, model, grow);
                } else if (dice < 85) {
                    int i = r.nextInt(SHARED_KEYS);
                    rowLocks[i].lock();
                    try {
                        TreeMap<byte[], byte[]> one = TreeFixture.newModel();
                        byte[] current = shared.get(i);
                        if (current != null) {
                            one.put(sharedKey(i), current);
                        }
                        mutate(f, t, r, sharedKey(i), one, grow);
                        byte[] after = one.get(sharedKey(i));
                        if (after == null) {
                            shared.remove(i);
                        } else {
                            shared.put(i, after);
                        }
                    } finally {
                        rowLocks[i].unlock();
                    }
                } else if (dice < 95) {
                    byte[] low = r.nextInt(4) == 0 ? null : ownKey(thread, r.nextInt(OWN_KEYS));
                    byte[] high = new byte[] {(byte) (2 + thread)};
                    KeyRange range = new KeyRange(low == null ? new byte[] {(byte) (1 + thread)} : low, true, high,
                            false);
                    TreeFixture.assertScanEquals(t, range, r.nextBoolean(), model, Integer.MAX_VALUE);
                } else {
                    scanIsOrdered(t, r.nextBoolean());
                }
            }
        });

        TreeMap<byte[], byte[]> all = TreeFixture.newModel();
        own.forEach(all::putAll);
        shared.forEach((i, v) -> all.put(sharedKey(i), v));
        TreeStats stats = t.validate();
        assertEquals(all.size(), stats.keyCount());
        TreeFixture.assertScanEquals(t, KeyRange.all(), true, all, Integer.MAX_VALUE);
        TreeFixture.assertScanEquals(t, KeyRange.all(), false, all, Integer.MAX_VALUE);
        f.assertSpaceAccounted(List.of(stats));
        assertEquals(0, f.pages.pinnedPages(), "no pin leaked");
        assertTrue(stats.height() >= 3, "the workload made a tree of at least 3 levels, got " + stats.height());
        System.out.println("height " + stats.height() + ", " + stats.leafPages() + " leaves, " + t.structureChanges());
        assertTrue(t.structureChanges().splits() > 0 && t.structureChanges().merges() > 0, t.structureChanges().toString());

        // Concurrent MTRs reached the log in the order they changed each page: replay rebuilds the same bytes.
        Map<Long, byte[]> replayed = new HashMap<>();
        MtrReplayer.replay(f.log.mtrs(), replayed);
        BTreeReplayTest.assertSamePages(f.pages.snapshot(), replayed, "replay of the concurrent log");
    }

    @Test
    void racingWritersOnTheSameKeysSucceedExactlyOnce() throws Exception {
        long seed = Seeds.seed("BTreeConcurrencyTest.racingWritersOnTheSameKeysSucceedExactlyOnce");
        TreeFixture f = new TreeFixture();
        BTree t = f.create(22);
        int keys = 1500;
        AtomicInteger[] inserted = new AtomicInteger[keys];
        AtomicInteger[] deleted = new AtomicInteger[keys];
        for (int i = 0; i < keys; i++) {
            inserted[i] = new AtomicInteger();
            deleted[i] = new AtomicInteger();
        }
        SplittableRandom root = new SplittableRandom(seed);
        List<SplittableRandom> randoms = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            randoms.add(root.split());
        }
        runAll(THREADS, thread -> {
            SplittableRandom r = randoms.get(thread);
            for (int i : shuffled(keys, r)) {
                if (f.insert(t, sharedKey(i), new byte[100 + (i % 7) * 100])) {
                    inserted[i].incrementAndGet();
                }
            }
        });
        for (int i = 0; i < keys; i++) {
            assertEquals(1, inserted[i].get(), "key " + i + " inserted exactly once");
        }
        assertEquals(keys, t.validate().keyCount());
        runAll(THREADS, thread -> {
            SplittableRandom r = randoms.get(thread);
            for (int i : shuffled(keys, r)) {
                if (f.delete(t, sharedKey(i)) != null) {
                    deleted[i].incrementAndGet();
                }
            }
        });
        for (int i = 0; i < keys; i++) {
            assertEquals(1, deleted[i].get(), "key " + i + " deleted exactly once");
        }
        TreeStats stats = t.validate();
        assertEquals(0, stats.keyCount());
        assertEquals(1, stats.height(), "the emptied tree collapsed to its root");
        f.assertSpaceAccounted(List.of(stats));
        assertEquals(0, f.pages.pinnedPages());
    }

    private static int[] shuffled(int n, SplittableRandom r) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int x = a[i];
            a[i] = a[j];
            a[j] = x;
        }
        return a;
    }

    /** One insert, update or delete of {@code k}, checked against and applied to {@code model}. */
    private static void mutate(TreeFixture f, BTree t, SplittableRandom r, byte[] k, TreeMap<byte[], byte[]> model,
                               boolean grow) {
        int dice = r.nextInt(100);
        if (dice < (grow ? 50 : 20)) {
            byte[] v = value(r);
            assertEquals(!model.containsKey(k), f.insert(t, k, v));
            model.putIfAbsent(k, v);
        } else if (dice < 75) {
            byte[] old = f.delete(t, k);
            byte[] expected = model.remove(k);
            assertTrue(expected == null ? old == null : Arrays.equals(expected, old), "delete returns the old value");
        } else if (dice < 90) {
            byte[] v = value(r);
            byte[] old = f.update(t, k, v);
            byte[] expected = model.containsKey(k) ? model.put(k, v) : null;
            assertTrue(expected == null ? old == null : Arrays.equals(expected, old), "update returns the old value");
        } else {
            byte[] expected = model.get(k);
            byte[] got = t.get(k);
            if (expected == null) {
                assertEquals(null, got);
            } else {
                assertArrayEquals(expected, got);
            }
        }
    }

    /** A whole-tree scan under concurrent change still returns keys in strict order. */
    private static void scanIsOrdered(BTree t, boolean ascending) {
        BTreeCursor c = t.cursor(KeyRange.all(), ascending);
        byte[] prev = null;
        while (c.next()) {
            byte[] k = c.key();
            if (prev != null) {
                int cmp = Arrays.compareUnsigned(prev, k);
                assertTrue(ascending ? cmp < 0 : cmp > 0, "scan order broken");
            }
            prev = k;
        }
    }

    interface Body {
        void run(int thread) throws Exception;
    }

    /** Runs {@code body} on {@code n} threads started together; fails with all stacks if they do not finish. */
    static void runAll(int n, Body body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int thread = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    body.run(thread);
                    return null;
                }));
            }
            start.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(COMPLETION_BOUND_SECONDS);
            for (Future<?> fu : futures) {
                try {
                    fu.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    StringBuilder dump = new StringBuilder("threads did not finish within " + COMPLETION_BOUND_SECONDS
                            + " s (deadlock?):\n");
                    for (Map.Entry<Thread, StackTraceElement[]> st : Thread.getAllStackTraces().entrySet()) {
                        dump.append(st.getKey()).append('\n');
                        for (StackTraceElement el : st.getValue()) {
                            dump.append("    at ").append(el).append('\n');
                        }
                    }
                    throw new AssertionError(dump.toString(), e);
                }
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "worker threads stopped");
        }
    }
}
