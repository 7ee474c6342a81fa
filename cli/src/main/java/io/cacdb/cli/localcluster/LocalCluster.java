package io.cacdb.cli.localcluster;

import io.cacdb.cli.localcluster.ChildProcesses.Stopped;
import io.cacdb.cli.localcluster.ClusterState.Kind;
import io.cacdb.cli.localcluster.ClusterState.Member;
import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.ClusterMapFile;
import io.cacdb.dax.cluster.NodeInfo;
import io.cacdb.dax.cluster.QuorumConfig;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.server.DaxServerMain;
import io.cacdb.dax.server.ServerConfig;
import io.cacdb.replay.policy.SlowStandbyPolicy;
import io.cacdb.server.node.NodeConfig;
import io.cacdb.server.node.NodeMain;
import io.cacdb.server.node.StartRole;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A local cluster in one directory: 9 DAX servers ({@code d1..d9}, zones a, b, c), the active database node
 * ({@code n1}, zone a, role auto) and, unless {@code --no-standby}, its standby ({@code n2}, zone b, role standby),
 * each a detached child process of the launcher, each with its configuration file and its
 * log in the directory, all described by the state file {@link ClusterState} ({@code cluster.json}) and the
 * cluster map ({@code cluster.map}, DAX servers and node lines).
 *
 * <pre>
 * DIR/cluster.json          state: every process, its pid, ports, config, log; JDBC URL, psql command
 * DIR/cluster.map           cluster map: quorum settings, server lines, node lines
 * DIR/d1/dax.conf, d1/data/ a DAX server's configuration and RocksDB data (d1..d9)
 * DIR/n1/node.conf          a node's configuration (n1, n2)
 * DIR/logs/&lt;name&gt;.log      each process's stdout and stderr (appended across restarts)
 * </pre>
 *
 * <p>{@link #up} starts a new cluster in an empty (or missing) directory, or restarts a stopped one — or the stopped
 * members of a partly running one, such as a killed node — from its configuration files (data kept, ports pinned at
 * first start), and refuses a directory whose whole cluster runs.
 * {@link #status} checks each pid and asks each process's {@code /health}. {@link #down} stops nodes first, then
 * DAX servers (SIGTERM, bounded wait, SIGKILL) and is idempotent. A lock file keeps two commands from working on
 * one directory at once.
 */
public final class LocalCluster {

    public static final List<String> ZONES = List.of("a", "b", "c");
    public static final int SERVERS_PER_ZONE = 3;
    public static final String DATABASE = "cacdb";
    public static final String USER = "cacdb";
    public static final String MAP_FILE = "cluster.map";
    static final String LOCK_FILE = ".cluster.lock";
    /** A DAX server is a JVM plus a RocksDB open: seconds, more on a loaded 2-core machine. */
    public static final Duration DAX_READY_TIMEOUT = Duration.ofSeconds(90);
    /** A node fences, recovers (replays the log since the last checkpoint) and opens its port. */
    public static final Duration NODE_READY_TIMEOUT = Duration.ofSeconds(180);
    /** A node's graceful stop ends sessions, flushes the buffer pool and checkpoints. */
    public static final Duration NODE_STOP_TIMEOUT = Duration.ofSeconds(60);
    /** A DAX server's graceful stop drains queued writes (bounded by its shutdown timeout, 10 s) and closes RocksDB. */
    public static final Duration DAX_STOP_TIMEOUT = Duration.ofSeconds(30);
    /** After SIGKILL the kernel reaps at once; this only bounds a wait for a stuck zombie. */
    static final Duration AFTER_KILL_TIMEOUT = Duration.ofSeconds(10);
    /** A health probe of a local process answers in milliseconds; 2 s means it is stuck. */
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
    /** Block cache of each DAX server: nine share one machine with the node. */
    static final long DAX_CACHE_BYTES = 32L << 20;

    /**
     * How to build the cluster.
     *
     * @param dir              the cluster's directory
     * @param standby          a standby node too ({@code n2} in zone b)
     * @param zoneDelay        one-way delay the node's DAX client injects towards other zones
     * @param pgPort           the node's PostgreSQL port on first start; 0 = a free one
     * @param nodeBufferPoolBytes the node's buffer pool
     * @param bindHost         the address every process listens on
     * @param children         how child processes are started
     * @param daxJvmOptions    JVM options of DAX servers
     * @param nodeJvmOptions   JVM options of nodes
     * @param slowStandbyPolicy the nodes' {@code slow-standby-policy} (DESIGN §6)
     * @param readIoThreads    the nodes' {@code read-io-threads}; 0 = the policy's default
     */
    public record Options(Path dir, boolean standby, Duration zoneDelay, int pgPort, long nodeBufferPoolBytes,
            String bindHost, ChildCommand children, List<String> daxJvmOptions, List<String> nodeJvmOptions,
            SlowStandbyPolicy slowStandbyPolicy, int readIoThreads) {

        public Options {
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(zoneDelay, "zoneDelay");
            Objects.requireNonNull(bindHost, "bindHost");
            Objects.requireNonNull(children, "children");
            Objects.requireNonNull(slowStandbyPolicy, "slowStandbyPolicy");
            daxJvmOptions = List.copyOf(daxJvmOptions);
            nodeJvmOptions = List.copyOf(nodeJvmOptions);
            if (zoneDelay.isNegative()) {
                throw new IllegalArgumentException("zone delay must be >= 0, was " + zoneDelay);
            }
            if (pgPort < 0 || pgPort > 65535) {
                throw new IllegalArgumentException("pg port must be in 0..65535, was " + pgPort);
            }
            if (readIoThreads < 0 || readIoThreads > NodeConfig.MAX_READ_IO_THREADS) {
                throw new IllegalArgumentException("read-IO threads must be in 0.." + NodeConfig.MAX_READ_IO_THREADS
                        + " (0 = the policy's default), was " + readIoThreads);
            }
        }

        /** No standby, no delay, a free PostgreSQL port, the node's default pool, children like this process. */
        public static Options defaults(Path dir) {
            return new Options(dir, false, Duration.ZERO, 0, NodeConfig.DEFAULT_BUFFER_POOL_BYTES, "127.0.0.1",
                    ChildCommand.ofThisProcess(), List.of("-Xmx256m", "-XX:+UseSerialGC"), List.of("-Xmx1g"),
                    SlowStandbyPolicy.INCREASE_READ_IO, NodeConfig.READ_IO_THREADS_POLICY_DEFAULT);
        }

        public Options withStandby(boolean withStandby) {
            return new Options(dir, withStandby, zoneDelay, pgPort, nodeBufferPoolBytes, bindHost, children,
                    daxJvmOptions, nodeJvmOptions, slowStandbyPolicy, readIoThreads);
        }

        public Options withZoneDelay(Duration d) {
            return new Options(dir, standby, d, pgPort, nodeBufferPoolBytes, bindHost, children, daxJvmOptions,
                    nodeJvmOptions, slowStandbyPolicy, readIoThreads);
        }

        public Options withPgPort(int port) {
            return new Options(dir, standby, zoneDelay, port, nodeBufferPoolBytes, bindHost, children, daxJvmOptions,
                    nodeJvmOptions, slowStandbyPolicy, readIoThreads);
        }

        public Options withNodeBufferPoolBytes(long bytes) {
            return new Options(dir, standby, zoneDelay, pgPort, bytes, bindHost, children, daxJvmOptions,
                    nodeJvmOptions, slowStandbyPolicy, readIoThreads);
        }

        public Options withChildren(ChildCommand c) {
            return new Options(dir, standby, zoneDelay, pgPort, nodeBufferPoolBytes, bindHost, c, daxJvmOptions,
                    nodeJvmOptions, slowStandbyPolicy, readIoThreads);
        }

        public Options withNodeJvmOptions(List<String> options) {
            return new Options(dir, standby, zoneDelay, pgPort, nodeBufferPoolBytes, bindHost, children,
                    daxJvmOptions, options, slowStandbyPolicy, readIoThreads);
        }

        public Options withSlowStandbyPolicy(SlowStandbyPolicy policy) {
            return new Options(dir, standby, zoneDelay, pgPort, nodeBufferPoolBytes, bindHost, children,
                    daxJvmOptions, nodeJvmOptions, policy, readIoThreads);
        }

        public Options withReadIoThreads(int threads) {
            return new Options(dir, standby, zoneDelay, pgPort, nodeBufferPoolBytes, bindHost, children,
                    daxJvmOptions, nodeJvmOptions, slowStandbyPolicy, threads);
        }
    }

    private LocalCluster() {
    }

    // ================================================================================================== up

    /**
     * Starts the cluster of {@code options.dir()} (new, or stopped) and returns its state once every process is
     * ready. On failure everything this call started is stopped again and the logs stay for inspection.
     */
    public static ClusterState up(Options options, PrintStream progress) throws LocalClusterException {
        Path dir = options.dir().toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LocalClusterException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        try (DirLock ignored = DirLock.take(dir)) {
            ClusterState state;
            java.util.Set<String> runningNames = java.util.Set.of();
            if (Files.exists(ClusterState.file(dir))) {
                state = readState(dir);
                List<String> running = running(state);
                runningNames = java.util.Set.copyOf(state.members().stream()
                        .filter(m -> ChildProcesses.find(m.pid(), m.config()).isPresent()).map(Member::name).toList());
                if (runningNames.size() == state.members().size()) {
                    throw new LocalClusterException(dir + " already has a running cluster (" + String.join(", ",
                            running) + "); stop it first with: cacdb cluster down --dir " + dir);
                }
                if (running.isEmpty()) {
                    progress.println("cluster: restarting the stopped cluster in " + dir + " (data kept)");
                } else {
                    java.util.Set<String> keep = runningNames;
                    progress.println("cluster: starting the members of " + dir + " that are not running ("
                            + String.join(", ", state.members().stream().map(Member::name)
                            .filter(n -> !keep.contains(n)).toList()) + "); running: " + String.join(", ", running));
                }
            } else {
                requireEmpty(dir);
                progress.println("cluster: creating a new cluster in " + dir);
                state = create(dir, options);
            }
            return launch(state, options, progress, runningNames);
        } catch (IOException e) {
            throw new LocalClusterException(e.getMessage(), e);
        }
    }

    /** Writes every configuration file and the initial state (nothing running yet). */
    private static ClusterState create(Path dir, Options options) throws IOException {
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        List<Member> dax = new ArrayList<>();
        int n = 1;
        for (String zone : ZONES) {
            for (int i = 0; i < SERVERS_PER_ZONE; i++, n++) {
                String id = "d" + n;
                Path home = dir.resolve(id);
                Files.createDirectories(home);
                ServerConfig config = ServerConfig.defaults(id, zone, home.resolve("data"))
                        .withBindHost(options.bindHost()).withPorts(0, 0).withThreads(1, 2)
                        .withCacheBytes(DAX_CACHE_BYTES);
                Path file = home.resolve("dax.conf");
                Files.writeString(file, config.toFileText());
                dax.add(new Member(id, Kind.DAX_SERVER, zone, "DAX", options.bindHost(), 0, Map.of(),
                        file.toString(), logs.resolve(id + ".log").toString(), null, null));
            }
        }
        Path map = dir.resolve(MAP_FILE);
        List<Member> nodes = new ArrayList<>();
        int nodeCount = options.standby() ? 2 : 1;
        long volume = NodeConfig.DEFAULT_VOLUME;
        for (int i = 1; i <= nodeCount; i++) {
            String name = "n" + i;
            Path home = dir.resolve(name);
            Files.createDirectories(home);
            // n1 is active unless another node holds a live lease (so a returning n1 rejoins as standby); n2 starts
            // as the standby
            NodeConfig config = NodeConfig.defaults(name, ZONES.get(i - 1), map)
                    .withPorts(i == 1 ? options.pgPort() : 0, 0)
                    .withHaPort(0)
                    .withRole(i == 1 ? StartRole.AUTO : StartRole.STANDBY)
                    .withBufferPoolBytes(options.nodeBufferPoolBytes())
                    .withZoneDelayMillis(options.zoneDelay().toMillis())
                    .withBindHost(options.bindHost())
                    .withSlowStandby(options.slowStandbyPolicy(), options.readIoThreads());
            volume = config.volume();
            Path file = home.resolve("node.conf");
            Files.writeString(file, config.toFileText());
            nodes.add(new Member(name, Kind.NODE, config.zone(), i == 1 ? "ACTIVE" : "STANDBY", options.bindHost(), 0,
                    Map.of(), file.toString(), logs.resolve(name + ".log").toString(), null, null));
        }
        ClusterState state = new ClusterState(ClusterState.FORMAT, dir.toString(), map.toString(), volume,
                options.zoneDelay().toMillis(), options.standby(), DATABASE, USER, null, null, nodes, dax);
        state.write();
        return state;
    }

    /**
     * Starts every member from its configuration file: DAX servers in parallel, then the cluster map, then the
     * nodes; pins the ports each process reported into its configuration, so restarts come back on them.
     */
    private static ClusterState launch(ClusterState state, Options options, PrintStream progress,
            java.util.Set<String> running) throws LocalClusterException {
        Map<String, Process> started = new LinkedHashMap<>();
        try {
            long toStart = state.daxServers().stream().filter(m -> !running.contains(m.name())).count();
            if (toStart > 0) {
                progress.println("cluster: starting " + toStart + " DAX servers ("
                        + String.join(", ", ZONES.stream().map(z -> "zone " + z).toList()) + ") with "
                        + options.children().describe());
            }
            Map<String, Long> offsets = new LinkedHashMap<>();
            for (Member m : state.daxServers()) {
                if (running.contains(m.name())) {
                    continue;
                }
                offsets.put(m.name(), logSize(m));
                started.put(m.name(), start(m, "dax-server", options.daxJvmOptions(), options.children()));
            }
            // Pids go to the state file at once: if this command dies before the processes are ready, `down` still
            // finds them.
            state = recordPids(state, started);
            List<Member> dax = new ArrayList<>();
            for (Member m : state.daxServers()) {
                if (running.contains(m.name())) {
                    dax.add(m);
                    continue;
                }
                Map<String, String> ready = awaitReady(m, started.get(m.name()), offsets.get(m.name()),
                        DaxServerMain.READY_PREFIX, DAX_READY_TIMEOUT);
                int rpc = ChildProcesses.port(ready, "rpc", m.name());
                int admin = ChildProcesses.port(ready, "admin", m.name());
                Path config = Path.of(m.config());
                Files.writeString(config, ServerConfig.load(config).withPorts(rpc, admin).toFileText());
                dax.add(m.started(started.get(m.name()).pid(), ports("rpc", rpc, "admin", admin), now()));
                progress.println("cluster:   " + m.name() + " (zone " + m.zone() + ") ready: rpc " + m.host() + ":"
                        + rpc + ", admin " + m.host() + ":" + admin + ", pid " + started.get(m.name()).pid());
            }
            state = state.withMembers(state.nodes(), dax);
            writeMap(state);
            state.write();

            List<Member> nodes = new ArrayList<>();
            for (Member m : state.nodes()) {
                if (running.contains(m.name())) {
                    nodes.add(m);
                    continue;
                }
                progress.println("cluster: starting node " + m.name() + " (zone " + m.zone() + "): "
                        + (NodeConfig.load(Path.of(m.config())).role() == StartRole.STANDBY
                        ? "replay the log, watch the active" : "fence, recover, serve (or rejoin as standby)"));
                long offset = logSize(m);
                Process p = start(m, "node", options.nodeJvmOptions(), options.children());
                started.put(m.name(), p);
                state = recordPids(state, started);
                Map<String, String> ready = awaitReady(m, p, offset, NodeMain.READY_PREFIX, NODE_READY_TIMEOUT);
                int pg = ChildProcesses.port(ready, "pg", m.name());
                int admin = ChildProcesses.port(ready, "admin", m.name());
                int ha = ChildProcesses.port(ready, "ha", m.name());
                Path config = Path.of(m.config());
                Files.writeString(config, NodeConfig.load(config).withPorts(pg, admin).withHaPort(ha).toFileText());
                Map<String, Integer> nodePorts = ports("pg", pg, "admin", admin);
                nodePorts.put("ha", ha);
                Member up = m.started(p.pid(), nodePorts, now());
                up = new Member(up.name(), up.kind(), up.zone(), ready.getOrDefault("role", up.role()), up.host(),
                        up.pid(), up.ports(), up.config(), up.log(), up.startedAt(), null);
                nodes.add(up);
                progress.println("cluster:   " + m.name() + " " + up.role() + " at epoch " + ready.get("epoch")
                        + ": PostgreSQL " + m.host() + ":" + pg + ", admin " + m.host() + ":" + admin + ", HA "
                        + m.host() + ":" + ha + ", pid " + p.pid());
            }
            state = state.withMembers(nodes, state.daxServers());
            state = state.withClientAccess(ClusterState.jdbcUrl(nodes, state.database(), state.user()),
                    ClusterState.psqlCommand(nodes, state.database(), state.user()));
            writeMap(state);
            state.write();
            return state;
        } catch (IOException | TimeoutException | RuntimeException e) {
            progress.println("cluster: start failed, stopping what was started: " + firstLine(e.getMessage()));
            List<Optional<ProcessHandle>> handles = new ArrayList<>();
            started.values().forEach(p -> handles.add(Optional.of(p.toHandle())));
            ChildProcesses.stopAll(handles, DAX_STOP_TIMEOUT, AFTER_KILL_TIMEOUT);
            throw new LocalClusterException("cannot start the cluster in " + state.dir() + ": " + e.getMessage(), e);
        }
    }

    private static ClusterState recordPids(ClusterState state, Map<String, Process> started) throws IOException {
        ClusterState updated = state.mapMembers(m -> started.containsKey(m.name()) && m.pid() != started.get(m.name()).pid()
                ? m.started(started.get(m.name()).pid(), m.ports(), now()) : m);
        updated.write();
        return updated;
    }

    private static Process start(Member m, String command, List<String> jvmOptions, ChildCommand children)
            throws IOException {
        ProcessBuilder pb = children.processBuilder(jvmOptions, List.of(command, "--config", m.config()));
        pb.directory(Path.of(m.config()).getParent().toFile());
        return ChildProcesses.startDetached(pb, Path.of(m.log()));
    }

    private static Map<String, String> awaitReady(Member m, Process p, long offset, String prefix, Duration timeout)
            throws IOException, TimeoutException {
        return ChildProcesses.awaitReadyLine(m.name(), p, Path.of(m.log()), offset, prefix, timeout);
    }

    /** The cluster map: the DAX servers (with the ports they serve on) and every node whose ports are known. */
    private static void writeMap(ClusterState state) throws IOException {
        List<ServerInfo> servers = new ArrayList<>();
        for (Member m : state.daxServers()) {
            servers.add(new ServerInfo(m.name(), m.host(), m.port("rpc"), m.zone()));
        }
        List<NodeInfo> nodes = new ArrayList<>();
        for (Member m : state.nodes()) {
            if (m.ports().containsKey("pg")) {
                nodes.add(new NodeInfo(m.name(), new NodeInfo.Endpoint(m.host(), m.port("pg")), m.zone(),
                        m.ports().containsKey("ha") ? new NodeInfo.Endpoint(m.host(), m.port("ha")) : null,
                        new NodeInfo.Endpoint(m.host(), m.port("admin"))));
            }
        }
        ClusterMapFile.write(Path.of(state.clusterMap()), new ClusterMap(servers, QuorumConfig.DEFAULT, nodes));
    }

    // ================================================================================================== status

    /**
     * One member as {@link #status} found it.
     *
     * @param details what a node's {@code /health} said beyond status and role (epoch, replay position, lag, ...)
     */
    public record MemberStatus(Member member, boolean alive, String health, String role, Map<String, String> details) {
        public MemberStatus {
            details = Map.copyOf(details);
        }
    }

    /** What {@link #status} found. */
    public record Status(ClusterState state, List<MemberStatus> nodes, List<MemberStatus> daxServers) {

        /** Every process alive and healthy. */
        public boolean allUp() {
            return Stream.concat(nodes.stream(), daxServers.stream())
                    .allMatch(s -> s.alive() && "UP".equals(s.health()));
        }
    }

    /** What {@link #status} copies from a node's {@code /health} (docs/operations.md). */
    static final List<String> NODE_DETAILS = List.of("epoch", "replay_state", "replay_lsn", "lag_bytes", "lag_millis",
            "verdict", "heartbeat_age_millis", "active", "durable_lsn", "lease_sequence", "standby",
            "standby_replay_lsn", "standby_lag_bytes", "takeover_mode", "takeover_millis", "takeover_cold_reason");

    /** Reads the state file, checks each pid and asks each live process's {@code /health}. */
    public static Status status(Path dir) throws LocalClusterException {
        ClusterState state = readState(dir.toAbsolutePath().normalize());
        HealthProbe probe = new HealthProbe(HEALTH_TIMEOUT);
        List<MemberStatus> nodes = state.nodes().stream().map(m -> check(m, probe)).toList();
        List<MemberStatus> dax = state.daxServers().stream().map(m -> check(m, probe)).toList();
        return new Status(state, nodes, dax);
    }

    private static MemberStatus check(Member m, HealthProbe probe) {
        boolean alive = ChildProcesses.find(m.pid(), m.config()).isPresent();
        if (!alive) {
            return new MemberStatus(m, false, "-", m.kind() == Kind.NODE ? "-" : m.role(), Map.of());
        }
        Map<String, String> health = m.ports().containsKey("admin") ? probe.health(m.host(), m.port("admin"))
                : Map.of("status", "unknown");
        String role = m.kind() == Kind.NODE ? health.getOrDefault("role", "?") : m.role();
        Map<String, String> details = new LinkedHashMap<>();
        if (m.kind() == Kind.NODE) {
            for (String key : NODE_DETAILS) {
                if (health.containsKey(key)) {
                    details.put(key, health.get(key));
                }
            }
        }
        return new MemberStatus(m, true, health.getOrDefault("status", "?"), role, details);
    }

    // ================================================================================================== down

    /** How one member's stop went. */
    public record StopResult(String name, Stopped outcome) {
    }

    /**
     * Stops every member (nodes first, then DAX servers), records the stop in the state file, and reports.
     * Idempotent: members not running are reported as such. Empty if {@code dir} has no cluster.
     */
    public static List<StopResult> down(Path dir, PrintStream progress) throws LocalClusterException {
        dir = dir.toAbsolutePath().normalize();
        if (!Files.exists(ClusterState.file(dir))) {
            return List.of();
        }
        try (DirLock ignored = DirLock.take(dir)) {
            ClusterState state = readState(dir);
            List<StopResult> results = new ArrayList<>();
            // Standbys first: an active that stops releases its lease, and a standby still watching would take over.
            HealthProbe probe = new HealthProbe(HEALTH_TIMEOUT);
            List<Member> order = new ArrayList<>(state.nodes());
            order.sort(java.util.Comparator.comparingInt(m -> "ACTIVE".equals(check(m, probe).role()) ? 1 : 0));
            for (Member m : order) {
                Optional<ProcessHandle> p = ChildProcesses.find(m.pid(), m.config());
                if (p.isPresent()) {
                    progress.println("cluster: stopping node " + m.name() + " (pid " + m.pid() + "): sessions, "
                            + "flush, checkpoint");
                }
                Stopped outcome = p.map(h -> ChildProcesses.stop(h, NODE_STOP_TIMEOUT, AFTER_KILL_TIMEOUT))
                        .orElse(Stopped.NOT_RUNNING);
                results.add(new StopResult(m.name(), outcome));
            }
            List<Optional<ProcessHandle>> dax = state.daxServers().stream()
                    .map(m -> ChildProcesses.find(m.pid(), m.config())).toList();
            if (dax.stream().anyMatch(Optional::isPresent)) {
                progress.println("cluster: stopping " + dax.stream().filter(Optional::isPresent).count()
                        + " DAX servers");
            }
            List<Stopped> daxOutcomes = ChildProcesses.stopAll(dax, DAX_STOP_TIMEOUT, AFTER_KILL_TIMEOUT);
            for (int i = 0; i < dax.size(); i++) {
                results.add(new StopResult(state.daxServers().get(i).name(), daxOutcomes.get(i)));
            }
            String at = now();
            Map<String, Stopped> byName = new LinkedHashMap<>();
            results.forEach(r -> byName.put(r.name(), r.outcome()));
            state.mapMembers(m -> byName.get(m.name()) == Stopped.STILL_RUNNING || m.stoppedAt() != null
                    ? m : m.stopped(at)).write();
            return results;
        } catch (IOException e) {
            throw new LocalClusterException(e.getMessage(), e);
        }
    }

    /**
     * Deletes the DAX servers' data folders of DIR's stopped cluster (a 90-second TPC-C run leaves gigabytes of RocksDB
     * files); configurations, logs and the state file stay. Refused while any member runs.
     *
     * @return bytes deleted
     */
    public static long removeData(Path dir) throws LocalClusterException {
        dir = dir.toAbsolutePath().normalize();
        ClusterState state = readState(dir);
        for (Member m : state.members()) {
            if (ChildProcesses.find(m.pid(), m.config()).isPresent()) {
                throw new LocalClusterException("cannot remove the data of " + dir + ": " + m.name() + " (pid "
                        + m.pid() + ") still runs; run ./cacdb cluster down --dir " + dir + " first");
            }
        }
        long bytes = 0;
        for (Member m : state.daxServers()) {
            Path data = dir.resolve(m.name()).resolve("data");
            if (!Files.isDirectory(data)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(data)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    if (Files.isRegularFile(p)) {
                        bytes += Files.size(p);
                    }
                    Files.delete(p);
                }
            } catch (IOException e) {
                throw new LocalClusterException("removing " + data + ": " + e, e);
            }
        }
        return bytes;
    }

    // ================================================================================================== helpers

    public static ClusterState readState(Path dir) throws LocalClusterException {
        if (!Files.exists(ClusterState.file(dir))) {
            throw new LocalClusterException("no cluster in " + dir + " (no " + ClusterState.FILE_NAME + "); start one "
                    + "with: cacdb cluster up --dir " + dir);
        }
        try {
            return ClusterState.read(dir);
        } catch (IOException e) {
            throw new LocalClusterException(e.getMessage(), e);
        }
    }

    /** Names (with pids) of the members of {@code state} that are running. */
    static List<String> running(ClusterState state) {
        return state.members().stream().filter(m -> ChildProcesses.find(m.pid(), m.config()).isPresent())
                .map(m -> m.name() + " pid " + m.pid()).toList();
    }

    private static void requireEmpty(Path dir) throws IOException, LocalClusterException {
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> other = entries.map(p -> p.getFileName().toString()).filter(n -> !n.equals(LOCK_FILE))
                    .toList();
            if (!other.isEmpty()) {
                throw new LocalClusterException(dir + " is not empty and holds no " + ClusterState.FILE_NAME + " ("
                        + other.size() + " entries, e.g. " + other.getFirst() + "): choose a new or empty directory");
            }
        }
    }

    private static long logSize(Member m) throws IOException {
        Path log = Path.of(m.log());
        return Files.exists(log) ? Files.size(log) : 0;
    }

    private static Map<String, Integer> ports(String k1, int v1, String k2, int v2) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put(k1, v1);
        ports.put(k2, v2);
        return ports;
    }

    private static String now() {
        return Instant.now().toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** An exclusive lock on {@code DIR/.cluster.lock}, so two cluster commands never work on one directory at once. */
    private record DirLock(FileChannel channel, FileLock lock) implements AutoCloseable {

        static DirLock take(Path dir) throws LocalClusterException {
            FileChannel channel = null;
            try {
                channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    channel.close();
                    throw new LocalClusterException("another cluster command is working on " + dir + " right now");
                }
                return new DirLock(channel, lock);
            } catch (OverlappingFileLockException e) {
                closeAfterFailure(channel);
                throw new LocalClusterException("another cluster command in this process is working on " + dir, e);
            } catch (IOException e) {
                closeAfterFailure(channel);
                throw new LocalClusterException("cannot lock " + dir.resolve(LOCK_FILE) + ": " + e.getMessage(), e);
            }
        }

        private static void closeAfterFailure(FileChannel channel) {
            if (channel == null) {
                return;
            }
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close the lock file", e);
            }
        }

        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot release the cluster directory lock", e);
            }
        }
    }
}
