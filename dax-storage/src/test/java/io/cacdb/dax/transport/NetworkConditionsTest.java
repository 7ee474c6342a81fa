package io.cacdb.dax.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.cluster.ServerInfo;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NetworkConditionsTest {

    @Test
    void delaysOnlyBetweenZonesAndCutsAndHeals() {
        NetworkConditions net = new NetworkConditions(Duration.ofMillis(5));
        assertEquals(0, net.oneWayDelayNanos("a", "a"));
        assertEquals(5_000_000, net.oneWayDelayNanos("a", "b"));
        net.setJitter(Duration.ofMillis(1), 42);
        long d = net.oneWayDelayNanos("a", "a");
        assertTrue(d >= 0 && d <= 1_000_000);
        ServerInfo s = new ServerInfo("d1", "h", 1, "a");
        assertFalse(net.isCutOff(s));
        net.cutOff("d1");
        assertTrue(net.isCutOff(s));
        net.heal("d1");
        net.cutOffZone("a");
        assertTrue(net.isCutOff(s));
        net.healAll();
        assertFalse(net.isCutOff(s));
        assertEquals(0, net.oneWayDelayNanos("a", "a"));
        assertThrows(IllegalArgumentException.class, () -> net.setCrossZoneDelay(Duration.ofMillis(-1)));
    }
}
