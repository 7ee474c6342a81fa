package io.cacdb.dax.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The DAX servers of a cluster with their zones, the quorum settings, and the database nodes (which DAX clients
 * ignore). Validated on construction, so a process that holds a {@code ClusterMap} holds a usable one:
 *
 * <ul>
 *   <li>server ids and addresses are unique;</li>
 *   <li>there are at least N servers, spread over at least two zones;</li>
 *   <li>N, W, R satisfy {@link QuorumConfig}'s rules;</li>
 *   <li>a write quorum always spans two zones: W exceeds the most replicas placement can put in one zone;</li>
 *   <li>node names are unique, and no two nodes or servers share an address.</li>
 * </ul>
 */
public record ClusterMap(List<ServerInfo> servers, QuorumConfig quorum, List<NodeInfo> nodes) {

    /** A map of DAX servers only, with no database nodes. */
    public ClusterMap(List<ServerInfo> servers, QuorumConfig quorum) {
        this(servers, quorum, List.of());
    }

    public ClusterMap {
        Objects.requireNonNull(quorum, "quorum");
        servers = List.copyOf(servers);
        nodes = List.copyOf(nodes);
        Set<String> ids = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        for (ServerInfo s : servers) {
            if (!ids.add(s.id())) {
                throw new IllegalArgumentException("duplicate server id " + s.id());
            }
            if (!addresses.add(s.hostPort())) {
                throw new IllegalArgumentException("duplicate server address " + s.hostPort());
            }
        }
        if (servers.size() < quorum.replicas()) {
            throw new IllegalArgumentException("N=" + quorum.replicas() + " replicas need at least N servers, the map has "
                    + servers.size());
        }
        Set<String> names = new HashSet<>();
        for (NodeInfo n : nodes) {
            if (!names.add(n.name())) {
                throw new IllegalArgumentException("duplicate node name " + n.name());
            }
            for (NodeInfo.Endpoint e : new NodeInfo.Endpoint[] {n.pg(), n.ha(), n.admin()}) {
                if (e != null && !addresses.add(e.host() + ":" + e.port())) {
                    throw new IllegalArgumentException("node " + n.name() + ": address " + e + " is already used");
                }
            }
        }
        Map<String, Integer> perZone = serversPerZone(servers);
        if (perZone.size() < 2) {
            throw new IllegalArgumentException("a write quorum must span two zones, but every server is in zone "
                    + perZone.keySet());
        }
        int maxInOneZone = maxReplicasInOneZone(perZone, quorum.replicas());
        if (quorum.writeQuorum() <= maxInOneZone) {
            throw new IllegalArgumentException("a write quorum must span two zones: W=" + quorum.writeQuorum()
                    + " but placement can put " + maxInOneZone + " of N=" + quorum.replicas()
                    + " replicas in one zone (zones: " + perZone + ")");
        }
    }

    /** This map with {@code newNodes} as its database nodes (the servers and quorum unchanged). */
    public ClusterMap withNodes(List<NodeInfo> newNodes) {
        return new ClusterMap(servers, quorum, newNodes);
    }

    public Optional<NodeInfo> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    public Optional<ServerInfo> server(String id) {
        return servers.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** Zone label → number of servers, in zone-name order. */
    public Map<String, Integer> serversPerZone() {
        return serversPerZone(servers);
    }

    public List<String> zones() {
        return new ArrayList<>(serversPerZone().keySet());
    }

    /**
     * The most replicas of one segment that placement puts into a single zone: replicas are spread round-robin over
     * the zones, so a zone gets {@code ceil(N / zones)} unless it has fewer servers, in which case the others absorb
     * the rest.
     */
    public int maxReplicasInOneZone() {
        return maxReplicasInOneZone(serversPerZone(), quorum.replicas());
    }

    private static Map<String, Integer> serversPerZone(List<ServerInfo> servers) {
        Map<String, Integer> perZone = new TreeMap<>();
        for (ServerInfo s : servers) {
            perZone.merge(s.zone(), 1, Integer::sum);
        }
        return perZone;
    }

    /** Fills zones round-robin, one replica per zone per round, skipping zones that are full. */
    static int maxReplicasInOneZone(Map<String, Integer> perZone, int replicas) {
        Map<String, Integer> placed = new LinkedHashMap<>();
        perZone.keySet().forEach(z -> placed.put(z, 0));
        int remaining = replicas;
        while (remaining > 0) {
            boolean progress = false;
            for (Map.Entry<String, Integer> e : placed.entrySet()) {
                if (remaining > 0 && e.getValue() < perZone.get(e.getKey())) {
                    e.setValue(e.getValue() + 1);
                    remaining--;
                    progress = true;
                }
            }
            if (!progress) {
                throw new IllegalArgumentException("cannot place " + replicas + " replicas on " + perZone);
            }
        }
        return placed.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }
}
