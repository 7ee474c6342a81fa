package io.cacdb.dax.placement;

import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.ServerInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the replicas of a block live.
 *
 * <p><b>Segments.</b> Blocks are grouped into segments (protection groups) of {@link #PAGE_BLOCKS_PER_SEGMENT} pages
 * or {@link #LOG_BLOCKS_PER_SEGMENT} log blocks; every META record is in segment 0. All blocks of a segment have the
 * same N replicas.
 *
 * <p><b>Replicas of a segment.</b> Deterministic in every process and JVM run: only stable hashes of the segment key
 * {@code (volume, space, segmentNo)} and of server ids are used, never identity hashes.
 * <ol>
 *   <li>zones are ordered by a rendezvous weight {@code h(segment, zone)}, so that the zone receiving an extra
 *       replica (when N is not a multiple of the zone count) varies per segment and load spreads;</li>
 *   <li>within a zone, servers are ordered by rendezvous (highest-random-weight) hashing {@code h(segment, server)}, so
 *       adding or removing a server moves only the segments whose top choices it changes;</li>
 *   <li>replicas are taken round-robin over the zones in that order, one per zone per round, skipping zones that
 *       have no server left: exactly the filling {@link ClusterMap#maxReplicasInOneZone()} assumes, so no zone ever
 *       holds more than that many replicas of a segment (the fence rule relies on it).</li>
 * </ol>
 * The resulting list is in placement order (round by round). Immutable and thread-safe.
 */
public final class Placement {

    /**
     * Pages per segment: 1024 pages of 8 KiB = 8 MiB per protection group, small enough that the load of a volume
     * spreads over all servers, large enough that anti-entropy compares few segments.
     */
    public static final int PAGE_BLOCKS_PER_SEGMENT = 1024;

    /** Log blocks per segment: same reasoning as pages; consecutive log blocks share replicas, as group commit does. */
    public static final int LOG_BLOCKS_PER_SEGMENT = 1024;

    private final ClusterMap map;
    private final Map<String, List<ServerInfo>> serversByZone;
    private final Map<String, Long> zoneHashes = new LinkedHashMap<>();
    private final Map<String, Long> serverHashes = new LinkedHashMap<>();

    public Placement(ClusterMap map) {
        this.map = map;
        Map<String, List<ServerInfo>> byZone = new TreeMap<>();
        for (ServerInfo s : map.servers()) {
            byZone.computeIfAbsent(s.zone(), z -> new ArrayList<>()).add(s);
            serverHashes.put(s.id(), stableHash("server:" + s.id()));
        }
        byZone.replaceAll((z, list) -> List.copyOf(list));
        this.serversByZone = byZone;
        byZone.keySet().forEach(z -> zoneHashes.put(z, stableHash("zone:" + z)));
    }

    public ClusterMap clusterMap() {
        return map;
    }

    /** Blocks per segment in {@code space}; META has a single segment. */
    public static long blocksPerSegment(Space space) {
        return switch (space) {
            case PAGE -> PAGE_BLOCKS_PER_SEGMENT;
            case LOG -> LOG_BLOCKS_PER_SEGMENT;
            case META -> Long.MAX_VALUE;
        };
    }

    /** The segment number a block belongs to within its space. */
    public static long segmentOf(Space space, long blockNo) {
        return space == Space.META ? 0 : blockNo / blocksPerSegment(space);
    }

    public static long segmentOf(BlockAddress address) {
        return segmentOf(address.space(), address.blockNo());
    }

    public List<ServerInfo> replicasOf(BlockAddress address) {
        return replicasOf(address.volume(), address.space(), segmentOf(address));
    }

    /** The N replicas of a segment, in placement order. */
    public List<ServerInfo> replicasOf(long volume, Space space, long segmentNo) {
        long segmentKey = segmentKey(volume, space, segmentNo);
        List<String> zoneOrder = new ArrayList<>(serversByZone.keySet());
        zoneOrder.sort(byWeight(z -> weight(segmentKey, zoneHashes.get(z)), z -> z));
        List<List<ServerInfo>> ranked = new ArrayList<>();
        for (String zone : zoneOrder) {
            List<ServerInfo> inZone = new ArrayList<>(serversByZone.get(zone));
            inZone.sort(byWeight(s -> weight(segmentKey, serverHashes.get(s.id())), ServerInfo::id));
            ranked.add(inZone);
        }
        int n = map.quorum().replicas();
        List<ServerInfo> replicas = new ArrayList<>(n);
        for (int round = 0; replicas.size() < n; round++) {
            boolean progress = false;
            for (List<ServerInfo> zone : ranked) {
                if (replicas.size() < n && round < zone.size()) {
                    replicas.add(zone.get(round));
                    progress = true;
                }
            }
            if (!progress) {
                throw new IllegalStateException("cannot place " + n + " replicas on " + map.serversPerZone()
                        + " (ClusterMap validation should have refused this map)");
            }
        }
        return List.copyOf(replicas);
    }

    /** Highest weight first; ties (astronomically rare) broken by name so the order is still total and stable. */
    private static <T> Comparator<T> byWeight(java.util.function.ToLongFunction<T> weight,
            java.util.function.Function<T, String> name) {
        return (a, b) -> {
            int c = Long.compareUnsigned(weight.applyAsLong(b), weight.applyAsLong(a));
            return c != 0 ? c : name.apply(a).compareTo(name.apply(b));
        };
    }

    static long segmentKey(long volume, Space space, long segmentNo) {
        long h = mix64(volume ^ 0x9E3779B97F4A7C15L);
        h = mix64(h ^ space.code());
        return mix64(h ^ segmentNo * 0xC2B2AE3D27D4EB4FL);
    }

    static long weight(long segmentKey, long nameHash) {
        return mix64(segmentKey ^ mix64(nameHash));
    }

    /** 64-bit FNV-1a over UTF-8 bytes, then mixed: stable across JVMs, unlike String.hashCode's weak spread. */
    static long stableHash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix64(h);
    }

    /** The finalizer of MurmurHash3 (fmix64): a bijection with good avalanche. */
    static long mix64(long z) {
        z ^= z >>> 33;
        z *= 0xff51afd7ed558ccdL;
        z ^= z >>> 33;
        z *= 0xc4ceb9fe1a85ec53L;
        z ^= z >>> 33;
        return z;
    }
}
