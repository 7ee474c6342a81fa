package io.cacdb.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Space;
import io.cacdb.engine.Engine;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.replay.policy.SlowStandbyPolicy;
import io.cacdb.replay.prefetch.ReadIoConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Replay equivalence: after a seeded random workload on an active engine (several B+trees; inserts, updates, deletes;
 * commits and rollbacks; checkpoints), a standby caught up to the active's durable LSN has the same logical contents
 * — every index's keys and values, read through the standby's own pool — and every tree validates. Two standbys: one
 * running from LSN 0 alongside the workload, one started afterwards from the latest checkpoint (the log below it
 * truncated). The standby's options are swarmed from the seed (pool size, window, policy, read-IO limits).
 */
class ReplayEquivalenceTest {

    static final Duration CATCH_UP_WAIT = Duration.ofSeconds(120);

    @Test
    void caughtUpStandbyHasTheActivesContents() throws Exception {
        long seed = TestSeeds.seed("ReplayEquivalenceTest");
        SplittableRandom r = new SplittableRandom(seed);
        MemoryVolume storage = new MemoryVolume(61);
        StandbyConfig cfg = swarm(r);
        System.out.println("ReplayEquivalenceTest: standby " + cfg.bufferPool().frames() + " frames, window "
                + cfg.windowBytesMax() + " B / " + cfg.windowMtrsMax() + " MTRs, policy " + cfg.policy()
                + ", read IO " + cfg.readIo().inFlightMin() + ".." + cfg.readIo().inFlightMax());
        SpyVolume earlySpy = new SpyVolume(storage);
        try (StandbyFixture early = StandbyFixture.started(earlySpy, cfg)) {
            EngineConfig active = EngineConfig.defaults().withBufferPoolFrames(64 + r.nextInt(512));
            // The active keeps the log the standby still needs (its policy's retention floor; none for unsafe-eviction,
            // whose standby jumps to a checkpoint if it falls behind a truncation instead).
            try (Engine engine = Engine.open(storage, active, new SimpleMeterRegistry(),
                    early.replayer.asSupplier())) {
                Workload w = new Workload(engine, r, 2 + r.nextInt(3));
                w.run(150 + r.nextInt(150), 8, 0.2, 0.03);
                engine.checkpointer().checkpoint();
                w.run(100, 6, 0.2, 0.0);
                w.awaitDurable();
                long end = engine.logWriter().durableLsn();

                assertTrue(early.replayer.awaitReplayed(end, CATCH_UP_WAIT), "the early standby reaches " + end
                        + ", replayed " + early.replayer.replayedLsn() + ", state " + early.replayer.state());
                Map<Long, Map<String, String>> live = Contents.of(engine.pageSource());
                assertEquals(live, Contents.of(early.replayer.pages()), "early standby: every index's contents");
                assertEquals(w.model(), Contents.indexes(engine.pageSource()), "the active holds the committed model");

                SpyVolume lateSpy = new SpyVolume(storage);
                try (StandbyFixture late = StandbyFixture.started(lateSpy,
                        cfg.withStartPoint(StartPoint.latestCheckpoint()))) {
                    assertTrue(late.replayer.awaitReplayed(end, CATCH_UP_WAIT), "the late standby reaches " + end);
                    assertEquals(live, Contents.of(late.replayer.pages()), "late standby: every index's contents");
                    assertTrue(late.replayer.transactionTableComplete());
                    assertEquals(0, late.replayer.inFlightTransactions().size(), "nothing in flight at the end");
                    late.checkNeverWroteAndNeverEvictedUnsafe();
                    assertEquals(0, lateSpy.writes.get() + lateSpy.deletes.get(), "writes through the late standby");
                }
                assertTrue(early.replayer.awaitCondition(
                        () -> early.replayer.state() == ReplayState.CAUGHT_UP, CATCH_UP_WAIT), "early: CAUGHT_UP");
                ReplayStats s = early.replayer.stats();
                System.out.println("ReplayEquivalenceTest: " + w.commits + " commits, " + w.rollbacks
                        + " rollbacks, " + w.checkpoints + " checkpoints, end of log " + end + "; " + s);
                assertTrue(s.mtrsApplied() > 100, "replayed a real log");
                assertTrue(s.prefetchRequests() > 0, "prefetched pages");
                assertEquals(0, early.replayer.inFlightTransactions().size(), "nothing in flight at the end");
                early.checkNeverWroteAndNeverEvictedUnsafe();
                assertEquals(0, earlySpy.writes.get() + earlySpy.deletes.get(), "writes through the early standby");
                assertTrue(earlySpy.reads(Space.LOG, ReadConsistency.QUORUM) > 0, "the tailer read the log");
            }
        }
    }

    private static StandbyConfig swarm(SplittableRandom r) {
        int[] frames = {16, 48, 256, 4096};
        long[] windowBytes = {64 << 10, 1 << 20, StandbyConfig.WINDOW_BYTES_MAX_DEFAULT};
        int[] windowMtrs = {16, 512, StandbyConfig.WINDOW_MTRS_MAX_DEFAULT};
        int min = 1 + r.nextInt(8);
        return StandbyConfig.defaults()
                .withStartPoint(StartPoint.at(0))
                .withFrames(frames[r.nextInt(frames.length)])
                .withWindow(windowBytes[r.nextInt(windowBytes.length)], windowMtrs[r.nextInt(windowMtrs.length)])
                .withPolicy(SlowStandbyPolicy.values()[r.nextInt(SlowStandbyPolicy.values().length)])
                .withReadIo(ReadIoConfig.defaults().withInFlight(min, min + r.nextInt(64)));
    }
}
