package io.cacdb.dax.placement;

import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.ServerInfo;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decides, from the set of servers that acknowledged a cluster-wide operation (FENCE, DELETE_BELOW, CREATE_VOLUME),
 * whether <em>every</em> segment of every volume has at least {@code k} acknowledging replicas, without enumerating
 * segments (there are unboundedly many).
 *
 * <p>{@link Placement} puts at most {@code p = }{@link ClusterMap#maxReplicasInOneZone()} replicas of a segment in
 * one zone. So the replicas of any segment that did <em>not</em> acknowledge are at most
 * {@code Σ_zones min(unacked servers in zone, p)}, and if that sum is {@code ≤ N − k}, every segment has at least
 * {@code k} acknowledging replicas. The test is sufficient, not necessary: it may wait for a server that a given
 * segment does not use, never the other way round.
 */
public final class SegmentCoverage {

    private SegmentCoverage() {
    }

    /** Whether every segment has at least {@code k} replicas among {@code acked} (server ids). */
    public static boolean everySegmentHas(ClusterMap map, Collection<String> acked, int k) {
        return worstCaseUnacked(map, acked) <= map.quorum().replicas() - k;
    }

    /** Fencing: at least N − W + 1 replicas per segment, so no write of an older epoch can reach W again. */
    public static boolean fenceComplete(ClusterMap map, Collection<String> acked) {
        return everySegmentHas(map, acked, map.quorum().fenceQuorum());
    }

    /** An upper bound on the unacknowledged replicas of any one segment. */
    public static int worstCaseUnacked(ClusterMap map, Collection<String> acked) {
        int p = map.maxReplicasInOneZone();
        Map<String, Integer> unackedPerZone = new TreeMap<>();
        for (ServerInfo s : map.servers()) {
            if (!acked.contains(s.id())) {
                unackedPerZone.merge(s.zone(), 1, Integer::sum);
            }
        }
        return unackedPerZone.values().stream().mapToInt(u -> Math.min(u, p)).sum();
    }
}
