package io.cacdb.dax.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.QuorumConfig;
import io.cacdb.dax.cluster.ServerInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PlacementTest {

    static ClusterMap nineServers() {
        List<ServerInfo> servers = new ArrayList<>();
        String[] zones = {"a", "b", "c"};
        for (int i = 1; i <= 9; i++) {
            servers.add(new ServerInfo("d" + i, "127.0.0.1", 7100 + i, zones[(i - 1) / 3]));
        }
        return new ClusterMap(servers, QuorumConfig.DEFAULT);
    }

    @Test
    void deterministicAcrossInstancesAndKnownValues() {
        Placement a = new Placement(nineServers());
        Placement b = new Placement(nineServers());
        for (long seg = 0; seg < 1000; seg++) {
            assertEquals(a.replicasOf(7, Space.PAGE, seg), b.replicasOf(7, Space.PAGE, seg));
        }
        // Pinned values: a change here moves every block of every existing volume; it must be deliberate.
        assertEquals(List.of("d2", "d4", "d8", "d1", "d6", "d7"), ids(a.replicasOf(1, Space.PAGE, 0)));
        assertEquals(List.of("d8", "d4", "d3", "d7", "d6", "d2"), ids(a.replicasOf(1, Space.LOG, 5)));
    }

    @Test
    void segmentsGroupBlocks() {
        assertEquals(0, Placement.segmentOf(BlockAddress.page(1, 1023)));
        assertEquals(1, Placement.segmentOf(BlockAddress.page(1, 1024)));
        assertEquals(3, Placement.segmentOf(BlockAddress.log(1, 3 * 1024 + 5)));
        assertEquals(0, Placement.segmentOf(BlockAddress.meta(1, 1_000_000)));
        Placement p = new Placement(nineServers());
        assertEquals(p.replicasOf(BlockAddress.page(3, 0)), p.replicasOf(BlockAddress.page(3, 1023)));
    }

    @Test
    void twoReplicasPerZoneAndZoneOrderVaries() {
        Placement p = new Placement(nineServers());
        Map<String, Integer> firstZone = new TreeMap<>();
        for (long seg = 0; seg < 3000; seg++) {
            List<ServerInfo> r = p.replicasOf(seg % 5, Space.PAGE, seg);
            assertEquals(6, r.size());
            assertEquals(6, new HashSet<>(r).size());
            Map<String, Integer> perZone = new HashMap<>();
            r.forEach(s -> perZone.merge(s.zone(), 1, Integer::sum));
            assertEquals(Map.of("a", 2, "b", 2, "c", 2), perZone);
            firstZone.merge(r.get(0).zone(), 1, Integer::sum);
        }
        for (int count : firstZone.values()) {
            assertTrue(count > 800, "zone order should vary per segment: " + firstZone);
        }
    }

    @Test
    void unevenZonesNeverExceedMaxReplicasInOneZone() {
        List<ServerInfo> servers = new ArrayList<>();
        servers.add(new ServerInfo("a1", "h", 1, "a"));
        for (int i = 0; i < 5; i++) {
            servers.add(new ServerInfo("b" + i, "h", 10 + i, "b"));
            servers.add(new ServerInfo("c" + i, "h", 20 + i, "c"));
        }
        ClusterMap map = new ClusterMap(servers, new QuorumConfig(6, 4, 3));
        Placement p = new Placement(map);
        int max = map.maxReplicasInOneZone();
        assertEquals(3, max);
        for (long seg = 0; seg < 2000; seg++) {
            Map<String, Integer> perZone = new HashMap<>();
            p.replicasOf(1, Space.LOG, seg).forEach(s -> perZone.merge(s.zone(), 1, Integer::sum));
            assertEquals(1, perZone.get("a"));
            assertTrue(perZone.values().stream().allMatch(c -> c <= max), perZone.toString());
        }
    }

    @Test
    void balancedOverManySegments() {
        Placement p = new Placement(nineServers());
        Map<String, Integer> load = new TreeMap<>();
        int segments = 30_000;
        for (long seg = 0; seg < segments; seg++) {
            p.replicasOf(seg / 1000, Space.PAGE, seg % 1000).forEach(s -> load.merge(s.id(), 1, Integer::sum));
        }
        double mean = segments * 6 / 9.0;
        for (Map.Entry<String, Integer> e : load.entrySet()) {
            assertTrue(Math.abs(e.getValue() - mean) < 0.03 * mean, "unbalanced: " + load + " mean " + mean);
        }
    }

    @Test
    void addingAServerMovesFewReplicas() {
        ClusterMap before = nineServers();
        List<ServerInfo> more = new ArrayList<>(before.servers());
        more.add(new ServerInfo("d10", "127.0.0.1", 7110, "a"));
        Placement p0 = new Placement(before);
        Placement p1 = new Placement(new ClusterMap(more, QuorumConfig.DEFAULT));
        int segments = 10_000;
        int changed = 0;
        for (long seg = 0; seg < segments; seg++) {
            Set<String> r0 = new HashSet<>(ids(p0.replicasOf(2, Space.PAGE, seg)));
            Set<String> r1 = new HashSet<>(ids(p1.replicasOf(2, Space.PAGE, seg)));
            Set<String> removed = new HashSet<>(r0);
            removed.removeAll(r1);
            Set<String> added = new HashSet<>(r1);
            added.removeAll(r0);
            assertTrue(added.isEmpty() || added.equals(Set.of("d10")), "only the new server may gain: " + added);
            assertTrue(removed.size() <= 1, "at most one replica moves per segment: " + removed);
            if (!removed.isEmpty()) {
                changed++;
                assertTrue(removed.stream().allMatch(id -> List.of("d1", "d2", "d3").contains(id)),
                        "only zone a replicas may move: " + removed);
            }
        }
        // d10 ranks in the top 2 of 4 servers in zone a for half of the segments.
        double fraction = changed / (double) segments;
        assertTrue(fraction > 0.45 && fraction < 0.55, "moved fraction " + fraction);
    }

    private static List<String> ids(List<ServerInfo> servers) {
        return servers.stream().map(ServerInfo::id).toList();
    }
}
