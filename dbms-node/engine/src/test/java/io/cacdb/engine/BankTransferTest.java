package io.cacdb.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.error.DeadlockException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.mtr.Seeds;
import io.cacdb.engine.txn.Transaction;
import io.cacdb.engine.volume.MemoryVolume;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Bank transfers under SERIALIZABLE at the index level, many threads, on an in-memory volume: the total never
 * changes (checked by a concurrent locked reader and at the end), no acknowledged transfer is lost, deadlocks happen
 * (forced, then at random) and are resolved by retrying the victim.
 */
class BankTransferTest {

    static final int ACCOUNTS = 6;
    static final long INITIAL = 1_000;
    static final long WAIT_SECONDS = 120;

    @Test
    void transfersUnderSerializableKeepTheTotalAndLoseNothing() throws Exception {
        long seed = Seeds.seed("BankTransferTest");
        SplittableRandom seeds = new SplittableRandom(seed);
        EngineConfig config = EngineConfig.defaults().withBufferPoolFrames(64)
                .withLockWaitTimeout(Duration.ofSeconds(10));
        MemoryVolume storage = new MemoryVolume(11);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Engine engine = Engine.open(storage, config, registry)) {
            Bank bank = new Bank(engine);
            bank.createIfAbsent(ACCOUNTS, INITIAL);
            Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
            Set<Long> rolledBack = ConcurrentHashMap.newKeySet();

            // Forced deadlocks: two transfers lock their first account, meet at a barrier, then each wants the
            // other's. One is chosen as victim, rolls back, and retries to success.
            // They move money both ways without an audit record (net zero per round), so they are not "acknowledged".
            Set<Long> crossed = ConcurrentHashMap.newKeySet();
            int forcedDeadlocks = 0;
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                for (int round = 0; round < 3; round++) {
                    CyclicBarrier barrier = new CyclicBarrier(2);
                    AtomicInteger victims = new AtomicInteger();
                    long idA = 1_000_000 + round * 2L;
                    long idB = idA + 1;
                    Future<?> a = pool.submit(() -> crossTransfer(bank, barrier, victims, idA, 0, 1, crossed));
                    Future<?> b = pool.submit(() -> crossTransfer(bank, barrier, victims, idB, 1, 0, crossed));
                    a.get(WAIT_SECONDS, TimeUnit.SECONDS);
                    b.get(WAIT_SECONDS, TimeUnit.SECONDS);
                    assertEquals(1, victims.get(), "exactly one victim per forced deadlock");
                    forcedDeadlocks++;
                }

                // Random transfers from several threads, with a reader checking the total meanwhile.
                int threads = 4;
                int perThread = 150;
                AtomicBoolean done = new AtomicBoolean();
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < threads; w++) {
                    long workerSeed = seeds.nextLong();
                    int worker = w;
                    workers.add(pool.submit(() -> {
                        SplittableRandom r = new SplittableRandom(workerSeed);
                        for (int i = 0; i < perThread; i++) {
                            long id = ((long) worker << 32) | i;
                            int from = r.nextInt(ACCOUNTS);
                            int to = (from + 1 + r.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                            int k = r.nextInt(10);
                            Bank.Kind kind = k == 0 ? Bank.Kind.ROLLBACK : k == 1 ? Bank.Kind.SAVEPOINT
                                    : Bank.Kind.COMMIT;
                            if (bank.transfer(id, from, to, 1 + r.nextInt(50), kind)) {
                                acknowledged.add(id);
                            } else {
                                rolledBack.add(id);
                            }
                        }
                        return null;
                    }));
                }
                AtomicInteger totalChecks = new AtomicInteger();
                Future<?> checker = pool.submit(() -> {
                    while (!done.get()) {
                        assertEquals(ACCOUNTS * INITIAL, bank.lockedTotal(), "total seen by a locked reader");
                        totalChecks.incrementAndGet();
                    }
                    return null;
                });
                for (Future<?> f : workers) {
                    f.get(WAIT_SECONDS, TimeUnit.SECONDS);
                }
                done.set(true);
                checker.get(WAIT_SECONDS, TimeUnit.SECONDS);
                assertTrue(totalChecks.get() > 0, "the reader checked the total at least once");
            } finally {
                pool.shutdownNow();
            }

            bank.verify(ACCOUNTS, INITIAL, acknowledged, rolledBack);
            assertEquals(0, engine.transactions().activeCount(), "no transaction left open");
            assertTrue(engine.lockManager().isEmpty(), "every lock released");
            double deadlocks = registry.get("cacdb.lock.deadlocks").counter().count();
            assertTrue(deadlocks >= forcedDeadlocks, "deadlocks detected: " + deadlocks);
            System.out.println("BankTransferTest: " + acknowledged.size() + " transfers committed, " + rolledBack.size()
                    + " rolled back, " + (long) deadlocks + " deadlocks (" + bank.deadlocks.get()
                    + " victims retried by transfers), commits "
                    + (long) registry.get("cacdb.txn.commits").counter().count());
        }
        // And all of it survives a reopen.
        try (Engine engine = Engine.open(storage.withEpoch(2), config, new SimpleMeterRegistry())) {
            new Bank(engine).verify(ACCOUNTS, INITIAL, List.of(), List.of());
        }
    }

    /** Locks {@code from}, waits for the other thread to lock its first account, then wants {@code to}. */
    private static Void crossTransfer(Bank bank, CyclicBarrier barrier, AtomicInteger victims, long id, int from,
                                      int to, Set<Long> acknowledged) throws Exception {
        boolean first = true;
        while (true) {
            Transaction t = bank.txns().begin(IsolationLevel.SERIALIZABLE, false);
            try {
                var accounts = bankTree(bank);
                Bank.add(t, accounts, from, -7);
                if (first) {
                    first = false;
                    barrier.await(WAIT_SECONDS, TimeUnit.SECONDS);
                }
                Bank.add(t, accounts, to, 7);
                bank.txns().commit(t);
                acknowledged.add(id);
                return null;
            } catch (DeadlockException e) {
                victims.incrementAndGet();
                bank.txns().rollback(t);
            }
        }
    }

    private static io.cacdb.engine.btree.BTree bankTree(Bank bank) {
        return bank.engineIndexes().tree(Bank.ACCOUNTS_INDEX);
    }
}
