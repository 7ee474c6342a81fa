package io.cacdb.cli.localcluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The two renderings of {@link LocalCluster.Status}: JSON for scripts and tests, a table for people. */
public final class StatusJson {

    private StatusJson() {
    }

    /**
     * {@code {"dir", "jdbc_url", "psql", "all_up", "nodes": [...], "dax_servers": [...]}}, each member with name,
     * kind, zone, role, pid, ports, alive, health, config, log; a node also with what its {@code /health} says of
     * epoch, replay position and lag (standby: replay_lsn, lag_bytes, lag_millis, verdict, ...).
     */
    public static String toJson(LocalCluster.Status status) {
        Map<String, Object> root = new LinkedHashMap<>();
        ClusterState state = status.state();
        root.put("dir", state.dir());
        root.put("jdbc_url", state.jdbcUrl());
        root.put("psql", state.psql());
        root.put("all_up", status.allUp());
        root.put("nodes", members(status.nodes()));
        root.put("dax_servers", members(status.daxServers()));
        try {
            return ClusterState.JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot render the status as JSON", e);
        }
    }

    private static List<Map<String, Object>> members(List<LocalCluster.MemberStatus> list) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LocalCluster.MemberStatus s : list) {
            ClusterState.Member m = s.member();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", m.name());
            e.put("kind", m.kind() == ClusterState.Kind.NODE ? "node" : "dax-server");
            e.put("zone", m.zone());
            e.put("role", s.role());
            e.put("host", m.host());
            e.put("pid", m.pid());
            e.put("ports", m.ports());
            e.put("alive", s.alive());
            e.put("health", s.health());
            s.details().forEach((k, v) -> e.put(k, number(v)));
            e.put("config", m.config());
            e.put("log", m.log());
            out.add(e);
        }
        return out;
    }

    /** A health field as a JSON number when it is one (LSNs, lags, epochs), else as text. */
    private static Object number(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return v;
        }
    }

    /** A fixed-width table, nodes first, then the client access lines. */
    public static String toTable(LocalCluster.Status status) {
        StringBuilder sb = new StringBuilder();
        String format = "%-5s %-10s %-4s %-9s %-8s %-5s %-11s %s%n";
        sb.append(String.format(format, "NAME", "KIND", "ZONE", "ROLE", "PID", "ALIVE", "HEALTH", "PORTS"));
        List<LocalCluster.MemberStatus> all = new ArrayList<>(status.nodes());
        all.addAll(status.daxServers());
        for (LocalCluster.MemberStatus s : all) {
            ClusterState.Member m = s.member();
            StringBuilder ports = new StringBuilder();
            m.ports().forEach((k, v) -> ports.append(ports.isEmpty() ? "" : " ").append(k).append('=').append(m.host())
                    .append(':').append(v));
            sb.append(String.format(format, m.name(), m.kind() == ClusterState.Kind.NODE ? "node" : "dax-server",
                    m.zone(), s.role(), m.pid() > 0 ? Long.toString(m.pid()) : "-", s.alive() ? "yes" : "no",
                    s.health(), ports));
            if (s.details().containsKey("replay_lsn")) {
                sb.append(String.format("      replay LSN %s, lag %s bytes / %s ms, %s%n", s.details().get("replay_lsn"),
                        s.details().getOrDefault("lag_bytes", "?"), s.details().getOrDefault("lag_millis", "?"),
                        s.details().getOrDefault("verdict", "")));
            }
        }
        sb.append("JDBC URL: ").append(status.state().jdbcUrl()).append('\n');
        sb.append("psql:     ").append(status.state().psql()).append('\n');
        sb.append(status.allUp() ? "every process is up" : "NOT every process is up");
        return sb.toString();
    }
}
