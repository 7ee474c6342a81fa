package io.cacdb.replay.lag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.MockClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Lag in bytes and in milliseconds since the standby first saw the bytes it has not applied. */
class LagTrackerTest {

    @Test
    void millisAreTheAgeOfTheOldestUnappliedBytesSeen() {
        MockClock clock = new MockClock();
        LagTracker t = new LagTracker(clock, 100);
        assertEquals(new ReplayLag(100, 100, 0, 0), t.lag(), "nothing seen, nothing behind");
        t.observeEnd(200);
        clock.add(Duration.ofMillis(30));
        t.observeEnd(300);
        clock.add(Duration.ofMillis(20));
        assertEquals(new ReplayLag(100, 300, 200, 50), t.lag());
        t.replayed(200);
        assertEquals(new ReplayLag(200, 300, 100, 20), t.lag(), "bytes up to 200 applied: the 300 marker is 20 ms old");
        t.replayed(300);
        clock.add(Duration.ofSeconds(5));
        assertEquals(new ReplayLag(300, 300, 0, 0), t.lag(), "caught up on an idle log: no lag however long");
        t.observeEnd(250);
        assertEquals(300, t.tailLsn(), "an older end is ignored");
        assertThrows(IllegalStateException.class, () -> t.replayed(299));
    }

    @Test
    void boundedMarkersOnlyOverEstimate() {
        MockClock clock = new MockClock();
        LagTracker t = new LagTracker(clock, 0);
        for (int i = 1; i <= LagTracker.MARKERS_MAX + 10; i++) {
            t.observeEnd(i);
            clock.add(Duration.ofMillis(1));
        }
        t.replayed(LagTracker.MARKERS_MAX - 1);
        // The last marker absorbed the newest ends with its older time: the lag reads older, never younger.
        ReplayLag lag = t.lag();
        assertEquals(11, lag.bytes());
        assertEquals(11, lag.millis(), "time since the first end the surviving marker stands for");
    }
}
