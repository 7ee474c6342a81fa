package io.cacdb.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.Engine;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.ioscheduler.IoClass;
import io.cacdb.replay.policy.SlowStandbyPolicy;
import io.cacdb.replay.prefetch.ReadIoConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The {@code increase-read-io} mechanism end to end: a standby that starts far behind (a whole workload's log ahead
 * of it) over storage whose page reads take 1.5 ms raises its REPLAY_READ in-flight limit and really has many page
 * reads in flight; once caught up, the limit comes back down to the minimum. Under {@code active-wait} the limit
 * stays fixed.
 */
class AdaptiveReadIoTest {

    static final int MIN = 2;
    static final int MAX = 64;
    static final long PAGE_READ_DELAY_MICROS = 1500;
    static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void inFlightLimitRisesWithLagAndFallsWhenCaughtUp() throws Exception {
        Run run = run(SlowStandbyPolicy.INCREASE_READ_IO, "AdaptiveReadIoTest.adaptive");
        assertTrue(run.peakLimit > MIN, "the limit rose above the minimum: peak " + run.peakLimit);
        assertTrue(run.peakInFlight > MIN + 1, "more page reads were in flight than the fixed limit allows: "
                + run.peakInFlight);
    }

    @Test
    void activeWaitKeepsTheLimitFixed() throws Exception {
        Run run = run(SlowStandbyPolicy.ACTIVE_WAIT, "AdaptiveReadIoTest.fixed");
        assertEquals(MIN, run.peakLimit, "a fixed limit");
        // The prefetches (at most MIN at once) plus the applier's own miss.
        assertTrue(run.peakInFlight <= MIN + 1, "page reads in flight " + run.peakInFlight);
    }

    private record Run(int peakLimit, int peakInFlight) {
    }

    private static Run run(SlowStandbyPolicy policy, String name) throws Exception {
        SplittableRandom r = new SplittableRandom(TestSeeds.seed(name));
        MemoryVolume storage = new MemoryVolume(71);
        try (Engine engine = Engine.open(storage, EngineConfig.defaults().withBufferPoolFrames(256),
                new SimpleMeterRegistry())) {
            Workload w = new Workload(engine, r, 4);
            w.run(500, 8, 0.1, 0.0);
            w.awaitDurable();
            long end = engine.logWriter().durableLsn();
            DelayingVolume slow = new DelayingVolume(storage, PAGE_READ_DELAY_MICROS);
            StandbyConfig cfg = StandbyConfig.defaults().withPolicy(policy).withStartPoint(StartPoint.at(0))
                    .withFrames(4096).withReadIo(ReadIoConfig.defaults().withInFlight(MIN, MAX)
                            .withLagBytesAtMax(64 << 10).withDecreaseInterval(Duration.ofMillis(10)));
            try (StandbyFixture s = StandbyFixture.started(slow, cfg)) {
                assertTrue(s.replayer.awaitReplayed(end, WAIT), "caught up to " + end);
                assertTrue(s.replayer.awaitCondition(() -> s.replayer.readIoLimit() == MIN, WAIT),
                        "the limit came back to " + MIN + ", is " + s.replayer.readIoLimit());
                assertEquals(MIN, s.scheduler.inFlightLimit(IoClass.REPLAY_READ), "and the scheduler has it");
                assertEquals(w.model(), Contents.indexes(s.replayer.pages()));
                ReplayStats st = s.replayer.stats();
                System.out.println(name + ": log of " + end + " bytes; peak limit " + st.readIoLimitPeak()
                        + ", peak page reads in flight " + slow.peakPageReadsInFlight() + "; " + st);
                s.checkNeverWroteAndNeverEvictedUnsafe();
                return new Run(st.readIoLimitPeak(), slow.peakPageReadsInFlight());
            } finally {
                slow.close();
            }
        }
    }
}
