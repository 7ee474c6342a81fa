package io.cacdb.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.ioscheduler.IoScheduler;
import io.cacdb.ioscheduler.IoSchedulerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** A standby replayer with its own IO scheduler and registry, closed together; checks the pool on close. */
final class StandbyFixture implements AutoCloseable {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final IoScheduler scheduler = new IoScheduler(IoSchedulerConfig.defaults(), registry);
    final StandbyReplayer replayer;

    StandbyFixture(VolumeReader volume, StandbyConfig config) {
        this.replayer = StandbyReplayer.create(volume, scheduler, config, registry);
    }

    static StandbyFixture started(VolumeReader volume, StandbyConfig config) {
        StandbyFixture f = new StandbyFixture(volume, config);
        f.replayer.start();
        return f;
    }

    /** The invariants every standby test checks at the end. */
    void checkNeverWroteAndNeverEvictedUnsafe() {
        ReplayStats s = replayer.stats();
        assertEquals(0, s.unsafeEvictions(), "unsafe pages evicted");
        assertEquals(0, replayer.bufferPool().pagesWritten(), "pages the standby's pool wrote");
        replayer.bufferPool().checkInvariants();
    }

    @Override
    public void close() {
        replayer.close();
        scheduler.close();
    }
}
