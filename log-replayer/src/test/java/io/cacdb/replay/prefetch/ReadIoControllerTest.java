package io.cacdb.replay.prefetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The controller's rule, one case per row. */
class ReadIoControllerTest {

    static final ReadIoConfig CFG = ReadIoConfig.defaults().withInFlight(4, 68).withLagBytesAtMax(1 << 20)
            .withDecreaseInterval(Duration.ofMillis(100));
    static final long MS = 1_000_000;

    @Test
    void targetIsProportionalToLagWithinBounds() {
        ReadIoController c = ReadIoController.adaptive(CFG);
        assertEquals(4, c.target(0));
        assertEquals(4, c.target(-5));
        assertEquals(36, c.target(1 << 19));
        assertEquals(5, c.target(1));
        assertEquals(68, c.target(1 << 20));
        assertEquals(68, c.target(1L << 40));
    }

    @Test
    void risesAtOnce() {
        ReadIoController c = ReadIoController.adaptive(CFG);
        assertEquals(4, c.update(0, 0));
        assertEquals(68, c.update(2 << 20, 1 * MS));
        assertEquals(68, c.peak());
    }

    @Test
    void fallsByAQuarterPerIntervalNotBelowTarget() {
        ReadIoController c = ReadIoController.adaptive(CFG);
        c.update(2 << 20, 0);
        assertEquals(51, c.update(0, 1 * MS), "first fall: 68 - 17");
        assertEquals(51, c.update(0, 50 * MS), "not again within the interval");
        assertEquals(39, c.update(0, 101 * MS), "51 - 12");
        long t = 101 * MS;
        int limit = 39;
        while (limit > 4) {
            t += 100 * MS;
            limit = c.update(0, t);
        }
        assertEquals(4, limit, "down to the minimum, never below");
        assertEquals(4, c.update(0, t + 1000 * MS));
        c.update(1 << 19, t + 1001 * MS);
        assertEquals(36, c.limit());
        assertEquals(36, c.update(1 << 19, t + 2000 * MS), "a steady lag holds the limit");
    }

    @Test
    void fixedNeverMoves() {
        ReadIoController c = ReadIoController.fixed(CFG);
        assertEquals(4, c.update(1L << 40, 0));
        assertEquals(4, c.update(0, 10_000 * MS));
        assertEquals(4, c.peak());
    }
}
