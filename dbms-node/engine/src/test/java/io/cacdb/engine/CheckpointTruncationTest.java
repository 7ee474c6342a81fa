package io.cacdb.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Space;
import io.cacdb.engine.checkpoint.Checkpointer;
import io.cacdb.engine.mtr.Seeds;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.wal.CheckpointPointer;
import io.cacdb.engine.wal.LogBlock;
import io.cacdb.engine.wal.MetaRecords;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints and log truncation: the log shrinks in storage after a checkpoint, recovery after truncation works,
 * the retention floor holds log back until it moves, an idle node writes no more checkpoints or watermarks.
 */
class CheckpointTruncationTest {

    static final int ACCOUNTS = 5;
    static final long INITIAL = 1_000;

    /** Checkpoints only when the test asks (the open's first one aside). */
    static EngineConfig manualCheckpoints() {
        return EngineConfig.defaults().withCheckpointInterval(Duration.ofHours(1));
    }

    private static void transfers(Bank bank, SplittableRandom r, long idBase, int n, Set<Long> acknowledged) {
        for (int i = 0; i < n; i++) {
            int from = r.nextInt(ACCOUNTS);
            if (bank.transfer(idBase + i, from, (from + 1) % ACCOUNTS, 1 + r.nextInt(9), Bank.Kind.COMMIT)) {
                acknowledged.add(idBase + i);
            }
        }
    }

    @Test
    void theLogShrinksAfterACheckpointAndRecoveryStillWorks() throws Exception {
        SplittableRandom r = new SplittableRandom(Seeds.seed("CheckpointTruncationTest.shrink"));
        MemoryVolume storage = new MemoryVolume(41);
        Set<Long> acknowledged = new HashSet<>();
        try (Engine engine = Engine.open(storage, manualCheckpoints(), new SimpleMeterRegistry())) {
            Bank bank = new Bank(engine, 300);
            bank.createIfAbsent(ACCOUNTS, INITIAL);
            transfers(bank, r, 0, 400, acknowledged);
            long blocksBefore = storage.snapshot(Space.LOG).size();
            assertEquals(0L, storage.snapshot(Space.LOG).firstKey(), "nothing truncated yet");

            engine.bufferPool().flushAll(Duration.ofSeconds(30));
            Checkpointer.Result c = engine.checkpointer().checkpoint();
            assertTrue(c.truncatedBelowLsn() > 0, "truncated: " + c);
            long firstBlock = storage.snapshot(Space.LOG).firstKey();
            assertEquals(LogBlock.blockOf(c.truncatedBelowLsn()), firstBlock);
            assertTrue(storage.snapshot(Space.LOG).size() < blocksBefore, "the log shrank from " + blocksBefore
                    + " blocks to " + storage.snapshot(Space.LOG).size());
            CheckpointPointer p = MetaRecords.readCheckpoint(storage).get().orElseThrow().value();
            assertEquals(new CheckpointPointer(c.checkpointLsn(), c.redoStartLsn()), p);
            assertTrue(LogBlock.blockOf(p.redoStartLsn()) >= firstBlock, "the redo start's block is kept");

            // Nothing happened since: another checkpoint writes nothing new.
            assertEquals(c.checkpointLsn(), engine.checkpointer().checkpoint().checkpointLsn());

            transfers(bank, r, 10_000, 100, acknowledged);
            engine.closeAbruptly();
        }
        try (Engine engine = Engine.open(storage.withEpoch(2), manualCheckpoints(), new SimpleMeterRegistry())) {
            new Bank(engine).verify(ACCOUNTS, INITIAL, acknowledged, List.of());
            assertTrue(engine.recoveryReport().redo().redoStartLsn() > 0, "recovery started after the truncation");
        }
    }

    @Test
    void theRetentionFloorHoldsLogBackUntilItMoves() throws Exception {
        SplittableRandom r = new SplittableRandom(Seeds.seed("CheckpointTruncationTest.floor"));
        MemoryVolume storage = new MemoryVolume(42);
        AtomicLong floor = new AtomicLong(Long.MAX_VALUE);
        Set<Long> acknowledged = new HashSet<>();
        try (Engine engine = Engine.open(storage, manualCheckpoints(), new SimpleMeterRegistry(), floor::get)) {
            Bank bank = new Bank(engine, 300);
            bank.createIfAbsent(ACCOUNTS, INITIAL);
            transfers(bank, r, 0, 100, acknowledged);
            long held = engine.logWriter().appendedLsn();
            floor.set(held);
            transfers(bank, r, 1_000, 300, acknowledged);
            engine.bufferPool().flushAll(Duration.ofSeconds(30));
            Checkpointer.Result c = engine.checkpointer().checkpoint();
            assertTrue(c.redoStartLsn() > held, "the checkpoint alone would truncate past the floor: " + c);
            assertEquals(LogBlock.startLsn(LogBlock.blockOf(held)), c.truncatedBelowLsn(), "truncated up to the floor");
            assertEquals(LogBlock.blockOf(held), (long) storage.snapshot(Space.LOG).firstKey());

            floor.set(Long.MAX_VALUE);
            long truncated = engine.checkpointer().truncate();
            assertEquals(LogBlock.startLsn(LogBlock.blockOf(c.retainLsn())), truncated, "the floor moved away");
            assertTrue(storage.snapshot(Space.LOG).firstKey() > LogBlock.blockOf(held));
        }
        try (Engine engine = Engine.open(storage.withEpoch(2), manualCheckpoints(), new SimpleMeterRegistry())) {
            new Bank(engine).verify(ACCOUNTS, INITIAL, acknowledged, List.of());
        }
    }

    @Test
    void flushWatermarksFollowFlushesAndAnIdleNodeWritesNothing() {
        MemoryVolume storage = new MemoryVolume(43);
        try (Engine engine = Engine.open(storage, manualCheckpoints(), new SimpleMeterRegistry())) {
            Bank bank = new Bank(engine);
            bank.createIfAbsent(ACCOUNTS, INITIAL);
            bank.transfer(1, 0, 1, 5, Bank.Kind.COMMIT);
            long end = engine.logWriter().appendedLsn();
            engine.bufferPool().flushAll(Duration.ofSeconds(30));
            long w = engine.checkpointer().flushWatermark().orElseThrow();
            assertEquals(end, w, "nothing dirty: every change up to the end of the log is flushed");
            assertTrue(engine.checkpointer().flushWatermark().isEmpty(), "no change, no new watermark");
            engine.checkpointer().checkpoint();
            long after = engine.logWriter().appendedLsn();
            engine.checkpointer().checkpoint();
            assertTrue(engine.checkpointer().flushWatermark().isEmpty());
            assertEquals(after, engine.logWriter().appendedLsn(), "an idle node appends nothing");
        }
    }
}
