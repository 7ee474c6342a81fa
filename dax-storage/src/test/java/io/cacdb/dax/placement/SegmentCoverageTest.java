package io.cacdb.dax.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Space;
import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.ServerInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SegmentCoverageTest {

    private final ClusterMap map = PlacementTest.nineServers();

    private Set<String> allBut(String... down) {
        Set<String> acked = new HashSet<>();
        map.servers().forEach(s -> acked.add(s.id()));
        for (String d : down) {
            acked.remove(d);
        }
        return acked;
    }

    @Test
    void fenceRuleWithDefaults() {
        // N=6, W=4, p=2: the fence needs 3 acked replicas per segment, i.e. Σ min(unacked_z, 2) <= 3.
        assertTrue(SegmentCoverage.fenceComplete(map, allBut()));
        assertTrue(SegmentCoverage.fenceComplete(map, allBut("d1", "d2", "d3")), "a whole zone down");
        assertTrue(SegmentCoverage.fenceComplete(map, allBut("d1", "d2", "d3", "d4")), "a zone plus one");
        assertFalse(SegmentCoverage.fenceComplete(map, allBut("d1", "d2", "d4", "d5")), "two in each of two zones");
        assertFalse(SegmentCoverage.fenceComplete(map, allBut("d1", "d4", "d7", "d8")));
        assertEquals(3, SegmentCoverage.worstCaseUnacked(map, allBut("d1", "d2", "d3", "d7")));
        // Write quorum in every segment: Σ <= N − W = 2.
        assertTrue(SegmentCoverage.everySegmentHas(map, allBut("d1", "d2", "d3"), 4));
        assertFalse(SegmentCoverage.everySegmentHas(map, allBut("d1", "d4", "d7"), 4));
    }

    /** Whenever the rule says yes, every real segment indeed has k acknowledging replicas (seeded random sets). */
    @Test
    void ruleIsSoundAgainstRealPlacement() {
        long seed = Long.getLong("cacdb.test.seed", System.nanoTime());
        System.out.println("SegmentCoverageTest seed=" + seed + " (reproduce with -Dcacdb.test.seed=" + seed + ")");
        Random random = new Random(seed);
        Placement placement = new Placement(map);
        List<ServerInfo> servers = new ArrayList<>(map.servers());
        int yes = 0;
        for (int trial = 0; trial < 300; trial++) {
            Set<String> acked = new HashSet<>();
            for (ServerInfo s : servers) {
                if (random.nextInt(3) != 0) {
                    acked.add(s.id());
                }
            }
            int k = 1 + random.nextInt(map.quorum().replicas());
            if (!SegmentCoverage.everySegmentHas(map, acked, k)) {
                continue;
            }
            yes++;
            for (long seg = 0; seg < 200; seg++) {
                long count = placement.replicasOf(trial, Space.PAGE, seg).stream()
                        .filter(s -> acked.contains(s.id())).count();
                assertTrue(count >= k, "seed " + seed + ": segment " + seg + " has " + count + " < " + k
                        + " acked with " + acked);
            }
        }
        assertTrue(yes > 20, "too few positive trials to mean anything: " + yes);
    }
}
