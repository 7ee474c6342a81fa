package io.cacdb.dax.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class DaxClientConfigTest {

    @Test
    void defaultsAreValidAndRoundTrip() {
        DaxClientConfig c = DaxClientConfig.defaults("a");
        assertEquals("a", c.clientZone());
        assertEquals(DaxClientConfig.DEFAULT_REQUEST_TIMEOUT, c.requestTimeout());
        assertEquals(c, c.toBuilder().build());
        assertEquals(Duration.ZERO, c.antiEntropyInterval());
    }

    @Test
    void rejectsEachBadValue() {
        List<UnaryOperator<DaxClientConfig.Builder>> bad = List.of(
                b -> b.clientZone(" "),
                b -> b.requestTimeout(Duration.ZERO),
                b -> b.connectTimeout(Duration.ofMillis(-1)),
                b -> b.connectTimeout(Duration.ofSeconds(5)).requestTimeout(Duration.ofSeconds(1)),
                b -> b.retryAttempts(-1),
                b -> b.retryBackoff(Duration.ofMillis(10), Duration.ofMillis(5)),
                b -> b.reconnectBackoff(Duration.ofSeconds(3), Duration.ofSeconds(2)),
                b -> b.hintProbe(Duration.ofSeconds(6), Duration.ofSeconds(5)),
                b -> b.versionListMaxEntries(0),
                b -> b.hintedHandoffMaxBytes(1000),
                b -> b.maxInFlightPerServer(0),
                b -> b.antiEntropyInterval(Duration.ofSeconds(-1)),
                b -> b.ioThreads(0),
                b -> b.ioThreads(DaxClientConfig.MAX_IO_THREADS + 1));
        for (UnaryOperator<DaxClientConfig.Builder> change : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> change.apply(DaxClientConfig.builder("a")).build());
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        }
        assertThrows(NullPointerException.class, () -> DaxClientConfig.builder(null).build());
    }
}
