package io.cacdb.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Space;
import io.cacdb.engine.Engine;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.checkpoint.Checkpointer;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.wal.LogBlock;
import io.cacdb.replay.policy.SlowStandbyPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The standby side of the slow-standby policies, with a standby made slow deterministically: its log reads are held
 * behind a gate while the active keeps working and checkpointing.
 */
class SlowStandbyPolicyTest {

    static final Duration WAIT = Duration.ofSeconds(120);
    static final Duration FLUSH_WAIT = Duration.ofSeconds(30);

    /**
     * {@code unsafe-eviction}: the active truncates regardless; the standby finds its next block gone, jumps to the
     * latest checkpoint (dropping unsafe and stale pages), and ends with the active's contents.
     */
    @Test
    void unsafeEvictionJumpsToTheCheckpointAndEndsConsistent() throws Exception {
        SplittableRandom r = new SplittableRandom(TestSeeds.seed("SlowStandbyPolicyTest.unsafeEviction"));
        MemoryVolume storage = new MemoryVolume(91);
        GatedVolume gate = new GatedVolume(storage);
        StandbyConfig cfg = StandbyConfig.defaults().withPolicy(SlowStandbyPolicy.UNSAFE_EVICTION).withFrames(64);
        try (StandbyFixture s = StandbyFixture.started(gate, cfg)) {
            assertEquals(Long.MAX_VALUE, s.replayer.retentionFloorLsn(), "unsafe-eviction holds no log");
            try (Engine engine = Engine.open(storage, EngineConfig.defaults().withBufferPoolFrames(256),
                    new SimpleMeterRegistry(), s.replayer.asSupplier())) {
                Workload w = new Workload(engine, r, 3);
                w.run(120, 6, 0.1, 0.0);
                w.awaitDurable();
                assertTrue(s.replayer.awaitReplayed(engine.logWriter().durableLsn(), WAIT));

                gate.closeGate();
                w.run(250, 6, 0.1, 0.0);
                w.awaitDurable();
                engine.bufferPool().flushAll(FLUSH_WAIT);
                engine.checkpointer().checkpoint();
                w.run(20, 4, 0.0, 0.0);
                w.awaitDurable();
                engine.bufferPool().flushAll(FLUSH_WAIT);
                Checkpointer.Result cp = engine.checkpointer().checkpoint();
                long needed = s.replayer.lag().tailLsn();
                long firstBlock = storage.snapshot(Space.LOG).firstKey();
                assertTrue(firstBlock > LogBlock.blockOf(needed), "the block the standby needs next ("
                        + LogBlock.blockOf(needed) + ") was truncated; the log starts at block " + firstBlock
                        + ", checkpoint " + cp);

                gate.openGate();
                w.run(40, 6, 0.1, 0.0);
                w.awaitDurable();
                long end = engine.logWriter().durableLsn();
                assertTrue(s.replayer.awaitReplayed(end, WAIT), "caught up after the jump to " + end + ", "
                        + s.replayer.state() + " " + s.replayer.failure());
                ReplayStats st = s.replayer.stats();
                System.out.println("SlowStandbyPolicyTest.unsafeEviction: needed LSN " + needed + ", log truncated"
                        + " below block " + firstBlock + "; " + st);
                assertEquals(1, st.checkpointJumps(), "one jump to the checkpoint");
                assertTrue(st.pagesDroppedByJumps() > 0, "the jump dropped stale pages");
                assertEquals(Contents.of(engine.pageSource()), Contents.of(s.replayer.pages()),
                        "consistent after the jump");
                assertEquals(w.model(), Contents.indexes(s.replayer.pages()));
                assertTrue(s.replayer.awaitCondition(() -> s.replayer.state() == ReplayState.CAUGHT_UP, WAIT));
                s.checkNeverWroteAndNeverEvictedUnsafe();
            }
        }
    }

    /**
     * {@code active-wait}: the standby publishes its replayed LSN as the active's retention floor
     * ({@code Engine.open(..., floor)}); while the standby is stalled the active checkpoints but never truncates the
     * log past it; once it catches up, truncation moves on.
     */
    @Test
    void activeWaitHoldsTheLogTheStandbyHasNotReplayed() throws Exception {
        SplittableRandom r = new SplittableRandom(TestSeeds.seed("SlowStandbyPolicyTest.activeWait"));
        MemoryVolume storage = new MemoryVolume(92);
        GatedVolume gate = new GatedVolume(storage);
        StandbyConfig cfg = StandbyConfig.defaults().withPolicy(SlowStandbyPolicy.ACTIVE_WAIT).withFrames(256);
        try (StandbyFixture s = StandbyFixture.started(gate, cfg)) {
            try (Engine engine = Engine.open(storage, EngineConfig.defaults().withBufferPoolFrames(256),
                    new SimpleMeterRegistry(), s.replayer.asSupplier())) {
                Workload w = new Workload(engine, r, 3);
                w.run(100, 6, 0.1, 0.0);
                w.awaitDurable();
                assertTrue(s.replayer.awaitReplayed(engine.logWriter().durableLsn(), WAIT));

                gate.closeGate();
                long stalledAt = -1;
                for (int round = 0; round < 3; round++) {
                    w.run(120, 6, 0.1, 0.0);
                    w.awaitDurable();
                    engine.bufferPool().flushAll(FLUSH_WAIT);
                    Checkpointer.Result cp = engine.checkpointer().checkpoint();
                    long floor = s.replayer.retentionFloorLsn();
                    assertEquals(s.replayer.replayedLsn(), floor, "active-wait: the floor is the replayed LSN");
                    stalledAt = floor;
                    assertTrue(cp.redoStartLsn() > floor, "without the floor the log would be truncated past it");
                    assertTrue(engine.checkpointer().truncatedBelowLsn() <= floor, "truncated below "
                            + engine.checkpointer().truncatedBelowLsn() + ", floor " + floor);
                    assertTrue(storage.snapshot(Space.LOG).firstKey() <= LogBlock.blockOf(floor),
                            "the block holding the floor is still stored");
                }

                gate.openGate();
                long end = engine.logWriter().durableLsn();
                assertTrue(s.replayer.awaitReplayed(end, WAIT), "caught up to " + end);
                assertEquals(0, s.replayer.stats().checkpointJumps(), "nothing was truncated under it");
                assertEquals(Contents.of(engine.pageSource()), Contents.of(s.replayer.pages()));
                w.run(20, 4, 0.0, 0.0);
                w.awaitDurable();
                long end2 = engine.logWriter().durableLsn();
                assertTrue(s.replayer.awaitReplayed(end2, WAIT));
                engine.bufferPool().flushAll(FLUSH_WAIT);
                engine.checkpointer().checkpoint();
                assertTrue(engine.checkpointer().truncatedBelowLsn() > stalledAt, "truncation moved on past "
                        + stalledAt + " once the standby did: " + engine.checkpointer().truncatedBelowLsn());
                System.out.println("SlowStandbyPolicyTest.activeWait: held the log at " + stalledAt
                        + " while stalled; now truncated below " + engine.checkpointer().truncatedBelowLsn());
                s.checkNeverWroteAndNeverEvictedUnsafe();
            }
        }
    }

    @Test
    void increaseReadIoAlsoPublishesItsReplayedLsnAsABackstop() {
        MemoryVolume storage = new MemoryVolume(93);
        try (StandbyFixture s = StandbyFixture.started(storage, StandbyConfig.defaults())) {
            assertEquals(SlowStandbyPolicy.INCREASE_READ_IO, s.replayer.config().policy(), "the default");
            assertEquals(s.replayer.replayedLsn(), s.replayer.retentionFloorLsn());
        }
    }
}
