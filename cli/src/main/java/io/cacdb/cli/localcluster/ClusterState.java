package io.cacdb.cli.localcluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The state file of a local cluster, {@code DIR/cluster.json}: every process the cluster runs (nodes and DAX
 * servers) with its name, role, zone, pid, ports, configuration file and log file, plus what clients need (the JDBC
 * URL, a {@code psql} command line). {@code cluster up} writes it, {@code status} reads it, {@code down} updates it.
 * Written atomically (temporary file, then rename), so a reader never sees half a file.
 *
 * <p>A second node (the standby, a later issue) is one more entry in {@link #nodes()}: nothing else changes,
 * the JDBC URL then lists every node with {@code targetServerType=primary}.
 *
 * @param format        version of this file's layout
 * @param dir           the cluster's directory
 * @param clusterMap    the cluster map file (DAX servers and node lines)
 * @param volume        the DAX volume of the database
 * @param zoneDelayMs   one-way delay injected between zones by the nodes' DAX clients
 * @param standby       whether the cluster has a standby node
 * @param database      the database name clients connect to
 * @param user          the user clients connect as
 * @param jdbcUrl       pgjdbc URL reaching the active node
 * @param psql          a {@code psql} command line reaching the active node
 * @param nodes         database nodes, active first
 * @param daxServers    DAX servers
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterState(int format, String dir, String clusterMap, long volume, long zoneDelayMs, boolean standby,
        String database, String user, String jdbcUrl, String psql, List<Member> nodes, List<Member> daxServers) {

    public static final int FORMAT = 1;
    public static final String FILE_NAME = "cluster.json";

    /** What a member is. */
    public enum Kind { NODE, DAX_SERVER }

    /**
     * One process of the cluster.
     *
     * @param role      for a node its role when last seen (ACTIVE; later STANDBY...), for a DAX server {@code DAX}
     * @param pid       the process id of its last start
     * @param ports     named ports: {@code pg}, {@code admin} for nodes; {@code rpc}, {@code admin} for DAX servers
     * @param config    its configuration file (also how a pid is recognised as ours)
     * @param log       its stdout and stderr
     * @param startedAt when it last started (ISO-8601)
     * @param stoppedAt when {@code cluster down} last stopped it, or null while running
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Member(String name, Kind kind, String zone, String role, String host, long pid,
            Map<String, Integer> ports, String config, String log, String startedAt, String stoppedAt) {

        public Member {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            ports = ports == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(ports));
        }

        public Member started(long newPid, Map<String, Integer> newPorts, String at) {
            return new Member(name, kind, zone, role, host, newPid, newPorts, config, log, at, null);
        }

        public Member stopped(String at) {
            return new Member(name, kind, zone, role, host, pid, ports, config, log, startedAt, at);
        }

        public int port(String which) {
            Integer p = ports.get(which);
            if (p == null) {
                throw new IllegalStateException(name + " has no " + which + " port (ports: " + ports + ")");
            }
            return p;
        }
    }

    public ClusterState {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        daxServers = daxServers == null ? List.of() : List.copyOf(daxServers);
    }

    /** Every member: nodes first, then DAX servers (the order {@code down} stops them in). */
    public List<Member> members() {
        List<Member> all = new ArrayList<>(nodes);
        all.addAll(daxServers);
        return all;
    }

    public ClusterState withMembers(List<Member> newNodes, List<Member> newDaxServers) {
        return new ClusterState(format, dir, clusterMap, volume, zoneDelayMs, standby, database, user, jdbcUrl, psql,
                newNodes, newDaxServers);
    }

    public ClusterState mapMembers(UnaryOperator<Member> f) {
        return withMembers(nodes.stream().map(f).toList(), daxServers.stream().map(f).toList());
    }

    public ClusterState withClientAccess(String newJdbcUrl, String newPsql) {
        return new ClusterState(format, dir, clusterMap, volume, zoneDelayMs, standby, database, user, newJdbcUrl,
                newPsql, nodes, daxServers);
    }

    // ------------------------------------------------------------------------------------------------ client access

    /**
     * The pgjdbc URL for these nodes: one host, or every node with {@code targetServerType=primary} so the driver
     * finds the active (DESIGN §5), and {@code hostRecheckSeconds=1}: pgjdbc remembers a host that refused it (a
     * standby's 57P03) for that long, JVM-wide, and skips it meanwhile — with its default of 10 s a client would not
     * follow a switchover back to that host for ten seconds.
     */
    public static String jdbcUrl(List<Member> nodes, String database, String user) {
        StringBuilder hosts = new StringBuilder();
        for (Member n : nodes) {
            if (!hosts.isEmpty()) {
                hosts.append(',');
            }
            hosts.append(n.host()).append(':').append(n.port("pg"));
        }
        return "jdbc:postgresql://" + hosts + "/" + database + "?user=" + user + "&sslmode=disable"
                + (nodes.size() > 1 ? "&targetServerType=primary&hostRecheckSeconds=1" : "");
    }

    /** A {@code psql} command line for the node (libpq's multi-host form when there are several). */
    public static String psqlCommand(List<Member> nodes, String database, String user) {
        String hosts = String.join(",", nodes.stream().map(Member::host).toList());
        String ports = String.join(",", nodes.stream().map(n -> Integer.toString(n.port("pg"))).toList());
        return "psql \"host=" + hosts + " port=" + ports + " dbname=" + database + " user=" + user
                + " sslmode=disable" + (nodes.size() > 1 ? " target_session_attrs=read-write" : "") + "\"";
    }

    // ------------------------------------------------------------------------------------------------ file

    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static Path file(Path dir) {
        return dir.resolve(FILE_NAME);
    }

    /** Reads {@code DIR/cluster.json}. */
    public static ClusterState read(Path dir) throws IOException {
        Path file = file(dir);
        ClusterState state;
        try {
            state = JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), ClusterState.class);
        } catch (IOException e) {
            throw new IOException("cannot read the cluster state " + file + ": " + e.getMessage(), e);
        }
        if (state.format() != FORMAT) {
            throw new IOException(file + " has format " + state.format() + ", this cacdb reads format " + FORMAT);
        }
        return state;
    }

    /** Writes {@code DIR/cluster.json} atomically. */
    public void write() throws IOException {
        Path target = file(Path.of(dir));
        Path tmp = target.resolveSibling(FILE_NAME + ".tmp");
        Files.writeString(tmp, toJson() + "\n", StandardCharsets.UTF_8);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the cluster state", e);
        }
    }
}
