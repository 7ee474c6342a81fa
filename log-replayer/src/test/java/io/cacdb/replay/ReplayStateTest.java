package io.cacdb.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cacdb.engine.volume.MemoryVolume;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The lifecycle table, and the façade refusing what its state does not allow. */
class ReplayStateTest {

    @Test
    void legalTransitionsAreExactlyTheTable() {
        assertLegal(ReplayState.NEW, EnumSet.of(ReplayState.STARTING, ReplayState.STOPPED));
        assertLegal(ReplayState.STARTING, EnumSet.of(ReplayState.TAILING, ReplayState.FAILED, ReplayState.STOPPED));
        assertLegal(ReplayState.TAILING, EnumSet.of(ReplayState.CAUGHT_UP, ReplayState.FINISHING, ReplayState.FAILED,
                ReplayState.STOPPED));
        assertLegal(ReplayState.CAUGHT_UP, EnumSet.of(ReplayState.LAGGING, ReplayState.TAILING,
                ReplayState.FINISHING, ReplayState.FAILED, ReplayState.STOPPED));
        assertLegal(ReplayState.LAGGING, EnumSet.of(ReplayState.CAUGHT_UP, ReplayState.TAILING,
                ReplayState.FINISHING, ReplayState.FAILED, ReplayState.STOPPED));
        assertLegal(ReplayState.FINISHING, EnumSet.of(ReplayState.FINISHED, ReplayState.FAILED, ReplayState.STOPPED));
        assertLegal(ReplayState.FINISHED, EnumSet.of(ReplayState.HANDED_OVER, ReplayState.STOPPED));
        assertLegal(ReplayState.HANDED_OVER, EnumSet.noneOf(ReplayState.class));
        assertLegal(ReplayState.STOPPED, EnumSet.noneOf(ReplayState.class));
        assertLegal(ReplayState.FAILED, EnumSet.of(ReplayState.STOPPED));
    }

    private static void assertLegal(ReplayState from, Set<ReplayState> to) {
        for (ReplayState s : ReplayState.values()) {
            assertEquals(to.contains(s), from.canMoveTo(s), from + " -> " + s);
        }
    }

    @Test
    void facadeChecksItsState() {
        try (StandbyFixture f = new StandbyFixture(new MemoryVolume(5), StandbyConfig.defaults())) {
            assertEquals(ReplayState.NEW, f.replayer.state());
            assertThrows(IllegalStateException.class, () -> f.replayer.catchUpTo(0, Duration.ofSeconds(1)));
            assertThrows(IllegalStateException.class, f.replayer::handOver);
            f.replayer.start();
            assertThrows(IllegalStateException.class, f.replayer::start, "started twice");
            assertThrows(IllegalStateException.class, f.replayer::handOver, "hand-over needs FINISHED");
            f.replayer.close();
            assertEquals(ReplayState.STOPPED, f.replayer.state());
            f.replayer.close();
        }
    }
}
