package io.cacdb.engine.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.error.DeadlockException;
import io.cacdb.engine.error.LockTimeoutException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Random transactions lock random resources in random modes on many threads; deadlock victims roll back and retry.
 * Checks: every transaction finishes within a bound and no wait ends by timeout (a lost wakeup would show as one or
 * the other), a checker outside the lock manager never sees two incompatible holders of one resource at once, and
 * the lock table is empty at the end. The workload and the lock manager's options are drawn from the seed
 * ({@code -Dcacdb.seed=...} reproduces the workload; thread interleaving is the machine's).
 */
class LockManagerStressTest {

    /** Generous: a run takes a few seconds; only a hang (lost wakeup, undetected deadlock) comes near it. */
    private static final Duration RUN_BOUND = Duration.ofMinutes(2);
    /** Far above any legitimate wait in this workload (transactions hold locks for microseconds). */
    private static final Duration LOCK_WAIT_TIMEOUT = Duration.ofSeconds(10);

    @Test
    void randomTransactionsKeepMutualExclusionAndAllFinish() throws Exception {
        run(seed(), 1);
    }

    @Tag("slow")
    @Test
    void randomTransactionsSoak() throws Exception {
        long base = seed();
        for (int i = 0; i < 20; i++) {
            run(base + i, 5);
        }
    }

    private static long seed() {
        String property = System.getProperty("cacdb.seed");
        return property != null ? Long.parseLong(property) : new SplittableRandom().nextLong();
    }

    private record Workload(int threads, int txnsPerThread, int indexes, int keysPerIndex, int opsPerTxnMax,
                            double exclusiveShare, double upgradeShare, double shortReleaseShare,
                            double indexLockShare, int shardCount, boolean virtualThreads) {
        static Workload from(SplittableRandom r, int scale) {
            return new Workload(r.nextInt(3, 11), scale * r.nextInt(150, 400), r.nextInt(1, 4), r.nextInt(3, 17),
                    r.nextInt(2, 7), 0.2 + 0.6 * r.nextDouble(), 0.3 * r.nextDouble(), 0.2 * r.nextDouble(),
                    0.05 * r.nextDouble(), 1 << r.nextInt(0, 9), r.nextBoolean());
        }
    }

    private void run(long seed, int scale) throws Exception {
        SplittableRandom root = new SplittableRandom(seed);
        Workload w = Workload.from(root, scale);
        System.out.println("LockManagerStressTest seed " + seed + " (reproduce with -Dcacdb.seed=" + seed + "): " + w);

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LockManager lm = new LockManager(LockConfig.defaults().withLockWaitTimeout(LOCK_WAIT_TIMEOUT)
                .withShardCount(w.shardCount()), registry);
        HolderChecker checker = new HolderChecker();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicLong txnIds = new AtomicLong();
        AtomicLong commits = new AtomicLong();
        AtomicLong victims = new AtomicLong();
        AtomicLong timeouts = new AtomicLong();

        ThreadFactory factory = w.virtualThreads() ? Thread.ofVirtual().name("stress-", 0).factory()
                : Thread.ofPlatform().name("stress-", 0).factory();
        ExecutorService pool = Executors.newThreadPerTaskExecutor(factory);
        for (int t = 0; t < w.threads(); t++) {
            SplittableRandom random = root.split();
            pool.execute(() -> {
                try {
                    for (int i = 0; i < w.txnsPerThread(); i++) {
                        while (true) {
                            long txn = txnIds.incrementAndGet();
                            try {
                                runTransaction(lm, checker, w, random, txn);
                                commits.incrementAndGet();
                                break;
                            } catch (DeadlockException e) {
                                victims.incrementAndGet();
                                rollback(lm, checker, txn);
                            } catch (LockTimeoutException e) {
                                if (timeouts.incrementAndGet() <= 5) {
                                    System.out.println("seed " + seed + ": " + e.getMessage());
                                }
                                rollback(lm, checker, txn);
                            }
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
        }
        pool.shutdown();
        boolean finished = pool.awaitTermination(RUN_BOUND.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            pool.shutdownNow();
        }

        double waits = registry.counter("cacdb.lock.waits").count();
        System.out.printf("seed %d: %d commits, %d deadlock victims, %d timeouts, %.0f waits, %d overlap checks%n",
                seed, commits.get(), victims.get(), timeouts.get(), waits, checker.checks.get());
        assertTrue(finished, "seed " + seed + ": run did not finish within " + RUN_BOUND + " (lost wakeup or "
                + "undetected deadlock)");
        assertTrue(failures.isEmpty(), "seed " + seed + ": failures " + failures);
        assertTrue(checker.violations.isEmpty(), "seed " + seed + ": mutual exclusion broken: "
                + checker.violations.stream().limit(10).toList());
        assertEquals(0, timeouts.get(), "seed " + seed + ": a wait timed out (lost wakeup?)");
        assertEquals((long) w.threads() * w.txnsPerThread(), commits.get(), "seed " + seed + ": commits");
        assertEquals(victims.get(), (long) registry.counter("cacdb.lock.deadlocks").count(),
                "seed " + seed + ": every deadlock has exactly one victim, and every victim came from a deadlock");
        assertTrue(waits > 0, "seed " + seed + ": the workload never contended; it tested nothing");
        assertTrue(lm.isEmpty(), "seed " + seed + ": lock table not empty: " + lm.lockedResourceCount());
    }

    private static void runTransaction(LockManager lm, HolderChecker checker, Workload w, SplittableRandom r,
                                       long txn) {
        Map<LockResource, LockMode> held = new LinkedHashMap<>();
        int ops = r.nextInt(1, w.opsPerTxnMax() + 1);
        for (int op = 0; op < ops; op++) {
            double dice = r.nextDouble();
            if (!held.isEmpty() && dice < w.upgradeShare()) {
                LockResource res = pick(new ArrayList<>(held.keySet()), r);
                if (!(res instanceof LockResource.Index)) {
                    lockAndCheck(lm, checker, txn, res, LockMode.X, held);
                }
            } else if (!held.isEmpty() && dice < w.upgradeShare() + w.shortReleaseShare()) {
                LockResource res = pick(new ArrayList<>(held.keySet()), r);
                if (held.get(res) == LockMode.S) { // a READ COMMITTED short lock
                    checker.released(res, txn);
                    held.remove(res);
                    assertTrue(lm.release(txn, res));
                }
            } else if (dice < w.upgradeShare() + w.shortReleaseShare() + w.indexLockShare()) {
                LockMode[] modes = LockMode.values();
                lockAndCheck(lm, checker, txn, LockResource.index(r.nextInt(w.indexes())), modes[r.nextInt(5)], held);
            } else {
                long index = r.nextInt(w.indexes());
                int k = r.nextInt(w.keysPerIndex() + 1);
                LockResource res = k == w.keysPerIndex() ? LockResource.supremum(index)
                        : LockResource.key(index, new byte[] {(byte) k});
                LockMode mode = r.nextDouble() < w.exclusiveShare() ? LockMode.X : LockMode.S;
                lockAndCheck(lm, checker, txn, LockResource.index(index), mode == LockMode.X ? LockMode.IX
                        : LockMode.IS, held);
                lockAndCheck(lm, checker, txn, res, mode, held);
            }
            for (int spin = r.nextInt(50); spin > 0; spin--) {
                Thread.onSpinWait();
            }
            Thread.yield(); // let others in while we hold locks (virtual threads are not preempted)
        }
        assertEquals(held.size(), lm.heldCount(txn), "txn " + txn + " lock count");
        checker.releasedAll(held.keySet(), txn);
        lm.releaseAll(txn);
    }

    private static void lockAndCheck(LockManager lm, HolderChecker checker, long txn, LockResource res,
                                     LockMode mode, Map<LockResource, LockMode> held) {
        lm.lock(txn, res, mode);
        LockMode now = lm.heldMode(txn, res).orElseThrow();
        LockMode expected = held.containsKey(res) ? held.get(res).join(mode) : mode;
        assertEquals(expected, now, "txn " + txn + " mode on " + res);
        held.put(res, now);
        checker.acquired(res, txn, now);
    }

    private static void rollback(LockManager lm, HolderChecker checker, long txn) {
        // The checker learns of the release before the lock manager does it, so its view never outlives a lock.
        checker.releasedAll(new ArrayList<>(checker.heldBy(txn)), txn);
        lm.releaseAll(txn);
    }

    private static <T> T pick(List<T> list, SplittableRandom r) {
        return list.get(r.nextInt(list.size()));
    }

    /**
     * Who holds what, as the workload observes it: registered after a lock call returns, removed before release.
     * These intervals lie inside the real holding intervals, so any incompatible overlap seen here is a real one.
     */
    private static final class HolderChecker {
        final ConcurrentHashMap<LockResource, Map<Long, LockMode>> holders = new ConcurrentHashMap<>();
        final ConcurrentHashMap<Long, List<LockResource>> byTxn = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        final AtomicLong checks = new AtomicLong();

        void acquired(LockResource res, long txn, LockMode mode) {
            holders.compute(res, (k, m) -> {
                Map<Long, LockMode> map = m == null ? new HashMap<>() : m;
                for (Map.Entry<Long, LockMode> e : map.entrySet()) {
                    checks.incrementAndGet();
                    if (e.getKey() != txn && !e.getValue().compatibleWith(mode)) {
                        violations.add(res + ": txn " + txn + " got " + mode + " while txn " + e.getKey() + " holds "
                                + e.getValue());
                    }
                }
                map.put(txn, mode);
                return map;
            });
            List<LockResource> mine = byTxn.computeIfAbsent(txn, t -> new ArrayList<>());
            if (!mine.contains(res)) {
                mine.add(res);
            }
        }

        void released(LockResource res, long txn) {
            holders.computeIfPresent(res, (k, m) -> {
                m.remove(txn);
                return m.isEmpty() ? null : m;
            });
            List<LockResource> mine = byTxn.get(txn);
            if (mine != null) {
                mine.remove(res);
            }
        }

        void releasedAll(Iterable<LockResource> resources, long txn) {
            for (LockResource res : resources) {
                released(res, txn);
            }
            byTxn.remove(txn);
        }

        List<LockResource> heldBy(long txn) {
            return byTxn.getOrDefault(txn, List.of());
        }
    }
}
