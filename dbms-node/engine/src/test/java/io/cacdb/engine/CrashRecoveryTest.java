package io.cacdb.engine;

import io.cacdb.engine.volume.HoldingVolume;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cacdb.engine.checkpoint.CheckpointConfig;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * In-process crash recovery: the engine runs on a {@link HoldingVolume}; at a seeded moment every write storage has
 * not acknowledged is dropped and the engine's objects are abandoned; the volume is reopened at a higher epoch and
 * must hold every acknowledged transfer and no trace of an uncommitted one (bank invariant + audit). Each seed runs
 * several crash rounds on the same volume, each of one kind: in the middle of a multi-threaded workload with
 * checkpoints running every few milliseconds, during a rollback (some of its CLRs durable, some not), or during a
 * checkpoint (its record or META pointer possibly lost).
 */
class CrashRecoveryTest {

    static final int ACCOUNTS = 8;
    static final long INITIAL = 10_000;
    static final int SEEDS = 10;
    static final int ROUNDS = 5;
    static final long WAIT_MILLIS = 60_000;

    enum CrashKind { DURING_WORKLOAD, DURING_ROLLBACK, DURING_CHECKPOINT }

    @Test
    void everyAcknowledgedTransferSurvivesAndNothingUncommittedIsVisible() throws Exception {
        long seed = Seeds.seed("CrashRecoveryTest");
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int s = 0; s < SEEDS; s++) {
            runSeed(seeds.nextLong());
        }
    }

    private void runSeed(long seed) throws Exception {
        System.out.println("CrashRecoveryTest: volume seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        MemoryVolume storage = new MemoryVolume(21);
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        Set<Long> rolledBack = ConcurrentHashMap.newKeySet();
        long epoch = 1;
        for (int round = 0; round < ROUNDS; round++, epoch++) {
            CrashKind kind = round == 0 ? CrashKind.DURING_WORKLOAD : CrashKind.values()[r.nextInt(3)];
            HoldingVolume volume = new HoldingVolume(storage.withEpoch(epoch), r.nextLong(), HoldingVolume.Mode.AUTO);
            int frames = kind == CrashKind.DURING_WORKLOAD ? 16 + r.nextInt(32) : 512;
            EngineConfig config = EngineConfig.defaults().withBufferPoolFrames(frames)
                    .withLockWaitTimeout(Duration.ofSeconds(10))
                    .withCheckpoints(new CheckpointConfig(Duration.ofMillis(2 + r.nextInt(30)),
                            Duration.ofMillis(1 + r.nextInt(2)), Duration.ofSeconds(30)));
            Engine engine = Engine.open(volume, config, new SimpleMeterRegistry());
            Bank bank = new Bank(engine, 200);
            bank.createIfAbsent(ACCOUNTS, INITIAL);
            // What the previous crash left must be exactly the acknowledged history.
            bank.verify(ACCOUNTS, INITIAL, acknowledged, rolledBack);
            long idBase = epoch << 40;
            int dropped;
            switch (kind) {
                case DURING_WORKLOAD -> dropped = crashDuringWorkload(engine, bank, volume, r, idBase, acknowledged,
                        rolledBack);
                case DURING_ROLLBACK -> {
                    workload(bank, r.nextLong(), idBase, 20 + r.nextInt(40), acknowledged, rolledBack);
                    dropped = crashDuringRollback(engine, bank, volume, r, idBase + (1L << 30), rolledBack);
                }
                case DURING_CHECKPOINT -> {
                    workload(bank, r.nextLong(), idBase, 20 + r.nextInt(40), acknowledged, rolledBack);
                    dropped = crashDuringCheckpoint(engine, volume, r);
                }
                default -> throw new AssertionError(kind);
            }
            System.out.println("CrashRecoveryTest: round " + round + " " + kind + ": " + acknowledged.size()
                    + " acknowledged so far, " + dropped + " unacknowledged writes dropped");
        }
        HoldingVolume last = new HoldingVolume(storage.withEpoch(epoch), r.nextLong(), HoldingVolume.Mode.AUTO);
        try (Engine engine = Engine.open(last, EngineConfig.defaults(), new SimpleMeterRegistry())) {
            new Bank(engine).verify(ACCOUNTS, INITIAL, acknowledged, rolledBack);
            assertTrue(acknowledged.size() > 0, "the workload committed something");
        } finally {
            last.close();
        }
    }

    /** Runs transfers from three threads; the thread that sees the crash point crashes storage. */
    private int crashDuringWorkload(Engine engine, Bank bank, HoldingVolume volume, SplittableRandom r, long idBase,
                                    Set<Long> acknowledged, Set<Long> rolledBack) throws Exception {
        int crashAfter = 5 + r.nextInt(150);
        AtomicInteger acks = new AtomicInteger();
        AtomicBoolean crashed = new AtomicBoolean();
        AtomicInteger dropped = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> workers = new ArrayList<>();
        try {
            for (int w = 0; w < 3; w++) {
                long workerSeed = r.nextLong();
                long base = idBase + ((long) w << 24);
                workers.add(pool.submit(() -> {
                    SplittableRandom wr = new SplittableRandom(workerSeed);
                    for (int i = 0; !crashed.get(); i++) {
                        long id = base + i;
                        int from = wr.nextInt(ACCOUNTS);
                        int to = (from + 1 + wr.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                        int k = wr.nextInt(8);
                        Bank.Kind kind = k == 0 ? Bank.Kind.ROLLBACK : k == 1 ? Bank.Kind.SAVEPOINT
                                : Bank.Kind.COMMIT;
                        if (kind == Bank.Kind.ROLLBACK) {
                            rolledBack.add(id);
                        }
                        try {
                            if (bank.transfer(id, from, to, 1 + wr.nextInt(100), kind)) {
                                acknowledged.add(id);
                                if (acks.incrementAndGet() == crashAfter && crashed.compareAndSet(false, true)) {
                                    dropped.set(volume.crash());
                                }
                            }
                        } catch (RuntimeException e) {
                            if (!crashed.get()) {
                                throw e;
                            }
                            // Failures after the crash are expected: the engine halts or refuses.
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        engine.closeAbruptly();
        return dropped.get();
    }

    private void workload(Bank bank, long seed, long idBase, int transfers, Set<Long> acknowledged,
                          Set<Long> rolledBack) {
        SplittableRandom wr = new SplittableRandom(seed);
        for (int i = 0; i < transfers; i++) {
            long id = idBase + i;
            int from = wr.nextInt(ACCOUNTS);
            int to = (from + 1 + wr.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
            Bank.Kind kind = Bank.Kind.values()[wr.nextInt(Bank.Kind.values().length)];
            if (kind == Bank.Kind.ROLLBACK || kind == Bank.Kind.SAVEPOINT_THEN_ROLLBACK) {
                rolledBack.add(id);
            }
            if (bank.transfer(id, from, to, 1 + wr.nextInt(100), kind)) {
                acknowledged.add(id);
            }
        }
    }

    /**
     * Makes the changes of a transfer (with a partial rollback to a savepoint inside), lets them reach storage, then
     * holds every write, rolls the transaction back, lets a random part of the rollback's writes through and
     * crashes: recovery must finish the rollback from wherever its CLRs stop.
     */
    private int crashDuringRollback(Engine engine, Bank bank, HoldingVolume volume, SplittableRandom r, long id,
                                    Set<Long> rolledBack) throws InterruptedException {
        rolledBack.add(id);
        Transaction t = engine.transactions().begin(IsolationLevel.SERIALIZABLE, false);
        int from = r.nextInt(ACCOUNTS);
        bank.transferWithoutEnd(t, id, from, (from + 1) % ACCOUNTS, 33, r.nextInt(40));
        if (r.nextBoolean()) {
            // Sometimes the changes being rolled back are durable, sometimes only some of them are.
            assertTrue(volume.awaitDrained(WAIT_MILLIS), "writes drained");
        }
        volume.setMode(HoldingVolume.Mode.MANUAL);
        engine.transactions().rollback(t);
        // Let the rollback's log writes through in random steps: the crash leaves some prefix of its CLRs durable.
        for (int step = r.nextInt(5); step > 0; step--) {
            if (!volume.awaitHeld(1, 200)) {
                break;
            }
            volume.releaseSome(r.nextInt(volume.heldCount() + 1));
        }
        int dropped = volume.crash();
        engine.closeAbruptly();
        return dropped;
    }

    /** Holds every write, starts a checkpoint, lets a random part of its writes through and crashes. */
    private int crashDuringCheckpoint(Engine engine, HoldingVolume volume, SplittableRandom r) throws Exception {
        assertTrue(volume.awaitDrained(WAIT_MILLIS), "writes drained");
        volume.setMode(HoldingVolume.Mode.MANUAL);
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            Future<?> checkpoint = one.submit(() -> engine.checkpointer().checkpoint());
            assertTrue(volume.awaitHeld(1, WAIT_MILLIS), "the checkpoint record is being written");
            // Release in steps: sometimes the record becomes durable and the META write starts, then is held too.
            for (int step = r.nextInt(3); step > 0; step--) {
                volume.releaseSome(r.nextInt(volume.heldCount() + 1));
                volume.awaitHeld(1, 20);
            }
            int dropped = volume.crash();
            try {
                checkpoint.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                // Expected when the crash caught the checkpoint: storage refused or dropped its writes.
                assertTrue(e.getCause() instanceof RuntimeException, "checkpoint failed with " + e.getCause());
            }
            engine.closeAbruptly();
            return dropped;
        } finally {
            one.shutdownNow();
        }
    }

    @Test
    void openRefusesAnEpochThatIsNotNewer() {
        MemoryVolume storage = new MemoryVolume(22);
        try (Engine e = Engine.open(storage.withEpoch(5), EngineConfig.defaults(), new SimpleMeterRegistry())) {
            if (e.epoch() != 5) {
                fail("epoch " + e.epoch());
            }
        }
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> Engine.open(storage.withEpoch(5), EngineConfig.defaults(), new SimpleMeterRegistry()));
        assertTrue(refused.getMessage().contains("higher epoch"), refused.getMessage());
    }
}
