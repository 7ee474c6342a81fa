package io.cacdb.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.Engine;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.checkpoint.CheckpointConfig;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.replay.safety.BufferPoolPressure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A standby whose pool is far too small for the pages the workload changes (12 frames): it must never evict a page
 * it changed by replay before the active's flush watermark covers it — checked by the guard on every candidate and
 * again on every eviction — so it waits for watermarks instead, and still ends with exactly the active's contents.
 */
class UnsafePageEvictionTest {

    static final int STANDBY_FRAMES = 12;
    static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void tinyPoolNeverEvictsUnsafePagesAndStillCatchesUp() throws Exception {
        SplittableRandom r = new SplittableRandom(TestSeeds.seed("UnsafePageEvictionTest"));
        MemoryVolume storage = new MemoryVolume(81);
        StandbyConfig cfg = StandbyConfig.defaults().withStartPoint(StartPoint.at(0)).withFrames(STANDBY_FRAMES)
                .withWindow(256 << 10, 1024);
        List<BufferPoolPressure> reported = new ArrayList<>();
        SpyVolume spy = new SpyVolume(storage);
        try (StandbyFixture s = new StandbyFixture(spy, cfg)) {
            s.replayer.addPressureListener(reported::add);
            s.replayer.start();
            EngineConfig active = EngineConfig.defaults().withBufferPoolFrames(128).withCheckpoints(
                    CheckpointConfig.defaults().withFlushWatermarkInterval(Duration.ofMillis(50)));
            try (Engine engine = Engine.open(storage, active, new SimpleMeterRegistry(), s.replayer.asSupplier())) {
                Workload w = new Workload(engine, r, 3);
                w.run(400, 8, 0.15, 0.01);
                w.awaitDurable();
                // Let the standby finish: everything flushed, and a watermark that says so.
                engine.bufferPool().flushAll(Duration.ofSeconds(30));
                engine.checkpointer().flushWatermark();
                w.awaitDurable();
                long end = engine.logWriter().durableLsn();
                assertTrue(s.replayer.awaitReplayed(end, WAIT), "caught up to " + end + ", replayed "
                        + s.replayer.replayedLsn() + ", " + s.replayer.stats());
                assertEquals(Contents.of(engine.pageSource()), Contents.of(s.replayer.pages()), "the same contents");
                ReplayStats st = s.replayer.stats();
                System.out.println("UnsafePageEvictionTest: " + STANDBY_FRAMES + " frames, end of log " + end + "; "
                        + st + "; " + reported.size() + " pressure reports, max "
                        + reported.stream().mapToDouble(BufferPoolPressure::fraction).max().orElse(0));
                assertEquals(0, st.unsafeEvictions(), "no unsafe page was ever evicted");
                assertTrue(st.guardRefusals() > 0, "the guard refused unsafe pages: the pool was under pressure");
                assertTrue(st.dirtyEvictions() > 0, "replayed pages were evicted once the watermark made them safe");
                assertTrue(st.evictions() > STANDBY_FRAMES, "the pool turned over many times");
                assertTrue(!reported.isEmpty(), "pressure was reported");
                for (String meter : new String[] {"cacdb.replay.lag.bytes", "cacdb.replay.lag.millis",
                        "cacdb.replay.unsafe.pages", "cacdb.replay.pool.pressure", "cacdb.replay.read_io.limit"}) {
                    assertTrue(s.registry.find(meter).gauge() != null, "gauge " + meter);
                }
                assertEquals(0.0, s.registry.get("cacdb.replay.lag.bytes").gauge().value(), "no lag at the end");
                assertEquals((double) st.guardRefusals(),
                        s.registry.get("cacdb.replay.guard.refusals").functionCounter().count());
                s.checkNeverWroteAndNeverEvictedUnsafe();
                assertEquals(0, spy.writes.get() + spy.deletes.get());
            }
        }
    }
}
