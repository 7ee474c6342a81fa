package io.cacdb.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cacdb.cli.localcluster.ChildProcesses;
import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.ClusterMapFile;
import io.cacdb.dax.cluster.NodeInfo;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.placement.InstanceMetadataZone;
import io.cacdb.dax.server.ServerConfig;
import io.cacdb.instancemetadata.FakeImdsV2Server;
import io.cacdb.server.node.NodeConfig;
import io.cacdb.server.proxy.ProxyConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Unpacks {@code cacdb-VERSION.tar.gz} into a temporary folder and runs a cluster from it, the way an operator would:
 * three DAX servers from {@code conf/dax-server.conf} (one with {@code zone = imds}, answered by a fake IMDSv2 on
 * loopback), node n1 from {@code conf/node.conf} with the cluster map of {@code conf/cluster.map}, its standby n2,
 * and the proxy from {@code conf/proxy.conf}, all through the tarball's {@code bin/cacdb}; only ports (0 = any
 * free), names, data folders, sizes and lease timing are rewritten. Then: SQL through the proxy (to n1),
 * {@code /metrics} of every process, SIGTERM of n1 (exit 0), the standby's takeover, the rows again through the proxy
 * (now to n2), SIGTERM of the rest (exit 0 each). The tests below check what that run recorded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackagedClusterTest {

    /** A JVM start plus RocksDB or recovery on a loaded 2-core machine: far above the usual 2-5 s. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    /** A node's graceful stop (sessions, flush, checkpoint, lease release); the unit's TimeoutStopSec is 90 s too. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Pattern METRIC_IN_EXPR = Pattern.compile("\\bcacdb_[a-z0-9_]+");

    private Path root;
    private Path home;
    private final List<Process> started = new ArrayList<>();
    private final Map<String, Integer> exitCodes = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> ready = new LinkedHashMap<>();
    private final Set<String> scrapedNames = new TreeSet<>();
    private int imdsZoneAnswers;
    private String takeoverRole;
    private long rowsReadBack;
    private long rowsThroughProxyAfterTakeover;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void runAClusterFromTheTarball() throws Exception {
        root = Files.createTempDirectory("cacdb-dist-test");
        Path tarball = Path.of(System.getProperty("cacdb.dist.tarball"));
        assertTrue(Files.isRegularFile(tarball), "no tarball at " + tarball + " (built by the package phase)");
        run(List.of("tar", "-xzf", tarball.toString(), "-C", root.toString()));
        home = root.resolve("cacdb-" + System.getProperty("cacdb.dist.version"));
        Path run = Files.createDirectories(root.resolve("run"));
        try (FakeImdsV2Server imds = FakeImdsV2Server.start("c")) {
            ClusterMap example = ClusterMapFile.read(home.resolve("conf/cluster.map"));
            String daxExample = Files.readString(home.resolve("conf/dax-server.conf"));
            List<ServerInfo> servers = new ArrayList<>();
            Map<String, Process> dax = new LinkedHashMap<>();
            for (ServerInfo s : example.servers()) {
                String conf = daxExample;
                conf = setKey(conf, "server-id", s.id());
                // the last server learns its zone from (fake) EC2 instance metadata, as on EC2
                boolean fromImds = s.equals(example.servers().getLast());
                conf = setKey(conf, "zone", fromImds ? InstanceMetadataZone.CONFIG_VALUE : s.zone());
                conf = setKey(conf, "rpc-port", "0");
                conf = setKey(conf, "admin-port", "0");
                conf = setKey(conf, "data-dir", "data/" + s.id());
                conf = setKey(conf, "cache-bytes", "16MiB");
                Path file = Files.writeString(run.resolve(s.id() + ".conf"), conf);
                Map<String, String> env = Map.of("CACDB_JAVA_OPTS", "-Xmx192m -XX:+UseSerialGC",
                        InstanceMetadataZone.ENDPOINT_ENV, imds.endpoint().toString());
                dax.put(s.id(), start(s.id(), List.of("dax-server", "--config", file.toString()), env, run));
            }
            for (ServerInfo s : example.servers()) {
                Map<String, String> line = awaitReady(s.id(), dax.get(s.id()), run, "DAX_SERVER_READY");
                assertEquals(s.zone(), line.get("zone"), s.id() + "'s zone");
                servers.add(new ServerInfo(s.id(), s.host(), port(line.get("rpc")), s.zone()));
            }
            imdsZoneAnswers = imds.zoneAnswers();
            Path map = run.resolve("cluster.map");
            ClusterMapFile.write(map, new ClusterMap(servers, example.quorum()));

            String nodeExample = Files.readString(home.resolve("conf/node.conf"));
            Process n1 = start("n1", nodeCommand(run, nodeExample, "n1", "a", "auto", map), nodeEnv(), run);
            Map<String, String> n1Ready = awaitReady("n1", n1, run, "NODE_READY");
            Process n2 = start("n2", nodeCommand(run, nodeExample, "n2", "b", "standby", map), nodeEnv(), run);
            Map<String, String> n2Ready = awaitReady("n2", n2, run, "NODE_READY");

            // the proxy from conf/proxy.conf, over a map that names the nodes: clients reach the active through it
            Path proxyMap = run.resolve("proxy.map");
            ClusterMapFile.write(proxyMap, new ClusterMap(servers, example.quorum(), List.of(
                    new NodeInfo("n1", NodeInfo.Endpoint.parse(n1Ready.get("pg")), "a", null, null),
                    new NodeInfo("n2", NodeInfo.Endpoint.parse(n2Ready.get("pg")), "b", null, null))));
            String proxyConf = Files.readString(home.resolve("conf/proxy.conf"));
            proxyConf = setKey(proxyConf, "cluster-map", proxyMap.toString());
            proxyConf = setKey(proxyConf, "port", "0");
            proxyConf = setKey(proxyConf, "admin-port", "0");
            Path proxyFile = Files.writeString(run.resolve("proxy.conf"), proxyConf);
            Process proxy = start("proxy", List.of("proxy", "--config", proxyFile.toString()),
                    Map.of("CACDB_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC"), run);
            Map<String, String> proxyReady = awaitReady("proxy", proxy, run, "PROXY_READY");

            rowsReadBack = sql(proxyReady.get("port"));
            for (Map<String, String> line : ready.values()) {
                scrape(line.get("admin"));
            }
            exitCodes.put("n1", stop(n1));
            takeoverRole = awaitActive(n2, n2Ready.get("admin"));
            scrape(n2Ready.get("admin"));
            rowsThroughProxyAfterTakeover = count(proxyReady.get("port"));
            exitCodes.put("proxy", stop(proxy));
            exitCodes.put("n2", stop(n2));
            dax.values().forEach(Process::destroy);  // SIGTERM to all servers at once, as cluster down does
            for (Map.Entry<String, Process> e : dax.entrySet()) {
                exitCodes.put(e.getKey(), stop(e.getValue()));
            }
        }
    }

    @AfterAll
    void cleanUp() throws IOException {
        started.forEach(Process::destroyForcibly);
        if (root != null) {
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theTarballHasTheLauncherLibrariesExampleConfigurationsAndUnits() throws IOException {
        assertTrue(Files.isExecutable(home.resolve("bin/cacdb")));
        assertTrue(Files.isRegularFile(home.resolve("bin/jdk.sh")));
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            List<String> jars = lib.map(p -> p.getFileName().toString()).toList();
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("cacdb-cli-")), jars.toString());
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("rocksdbjni-")), jars.toString());
            assertFalse(jars.stream().anyMatch(j -> j.startsWith("junit")), "test jars in lib/: " + jars);
        }
        for (String conf : List.of("dax-server.conf", "node.conf", "cluster.map", "proxy.conf")) {
            assertTrue(Files.readString(home.resolve("conf").resolve(conf)).startsWith("# "), conf + " is commented");
        }
        // The examples load as shipped (the single-machine trial cluster they describe).
        assertEquals("d1", ServerConfig.load(home.resolve("conf/dax-server.conf")).serverId());
        assertEquals("n1", NodeConfig.load(home.resolve("conf/node.conf")).nodeName());
        assertEquals(6432, ProxyConfig.load(home.resolve("conf/proxy.conf")).port());
        ClusterMap example = ClusterMapFile.read(home.resolve("conf/cluster.map"));
        assertEquals(List.of("a", "b", "c"), example.zones());
        assertEquals(2, example.nodes().size());
        for (String role : List.of("dax-server", "node", "proxy")) {
            String unit = Files.readString(home.resolve("systemd/cacdb-" + role + ".service"));
            for (String line : List.of("ExecStart=/opt/cacdb/bin/cacdb " + role + " --config /etc/cacdb/",
                    "User=cacdb", "Restart=on-failure", "KillSignal=SIGTERM", "TimeoutStopSec=", "LimitNOFILE=",
                    "MemoryMax=", "StandardOutput=journal")) {
                assertTrue(unit.contains("\n" + line), "cacdb-" + role + ".service lacks " + line);
            }
        }
    }

    @Test
    void everyProcessStartedFromTheTarballServedAndExitedZeroOnSigterm() {
        assertEquals(Set.of("d1", "d2", "d3", "n1", "n2", "proxy"), ready.keySet());
        assertEquals("ACTIVE", ready.get("n1").get("role"));
        assertEquals("STANDBY", ready.get("n2").get("role"));
        assertEquals(3, rowsReadBack, "rows read back through the proxy, from n1");
        assertEquals("ACTIVE", takeoverRole, "n2 after n1's graceful stop");
        assertEquals(3, rowsThroughProxyAfterTakeover, "the proxy followed the lease to n2");
        assertEquals(Map.of("n1", 0, "n2", 0, "d1", 0, "d2", 0, "d3", 0, "proxy", 0), Map.copyOf(exitCodes));
    }

    @Test
    void aServerWithZoneImdsTookItsZoneFromTheMetadataService() {
        assertEquals(1, imdsZoneAnswers);
        assertEquals("c", ready.get("d3").get("zone"));
    }

    @Test
    void everyMetricTheDashboardPlotsIsExportedByANodeOrADaxServer() throws IOException {
        Path dashboard = Path.of(System.getProperty("cacdb.repo.root"),
                "infra/observability/grafana/cacdb-dashboard.json");
        Set<String> used = new TreeSet<>();
        for (JsonNode panel : new ObjectMapper().readTree(dashboard.toFile()).get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher m = METRIC_IN_EXPR.matcher(target.get("expr").asText());
                while (m.find()) {
                    used.add(m.group());
                }
            }
        }
        assertTrue(used.size() >= 10, "the dashboard plots " + used);
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(scrapedNames);
        assertTrue(missing.isEmpty(), "dashboard metrics nobody exports: " + missing + " (exported: " + scrapedNames
                + ")");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static List<String> nodeCommand(Path run, String example, String name, String zone, String role, Path map)
            throws IOException {
        String conf = example;
        conf = setKey(conf, "node-name", name);
        conf = setKey(conf, "zone", zone);
        conf = setKey(conf, "role", role);
        conf = setKey(conf, "cluster-map", map.toString());
        for (String port : List.of("pg-port", "admin-port", "ha-port")) {
            conf = setKey(conf, port, "0");
        }
        conf = setKey(conf, "buffer-pool-bytes", "32MiB");
        // Longer leases and DAX deadlines than the example's: on a loaded shared machine a 500 ms lease can lapse
        // in a GC or scheduling pause (and a freshly started DAX server's first answer can take seconds), and this
        // test is about the package, not about takeover timing.
        conf = setKey(conf, "dax-request-timeout-millis", "15000");
        conf = setKey(conf, "lease-duration-millis", "4000");
        conf = setKey(conf, "lease-renew-interval-millis", "500");
        conf = setKey(conf, "lease-guard-millis", "500");
        conf = setKey(conf, "lease-poll-interval-millis", "250");
        conf = setKey(conf, "heartbeat-interval-millis", "250");
        conf = setKey(conf, "heartbeat-timeout-millis", "3000");
        Path file = Files.writeString(run.resolve(name + ".conf"), conf);
        return List.of("node", "--config", file.toString());
    }

    private static Map<String, String> nodeEnv() {
        return Map.of("CACDB_JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC");
    }

    /** Replaces the example's {@code key = ...} line; the key must be there (the example documents every key). */
    private static String setKey(String text, String key, String value) {
        Pattern line = Pattern.compile("(?m)^" + Pattern.quote(key) + "\\s*=.*$");
        Matcher m = line.matcher(text);
        assertTrue(m.find(), "the example configuration has no '" + key + " = ' line");
        return m.replaceFirst(Matcher.quoteReplacement(key + " = " + value));
    }

    private Process start(String name, List<String> args, Map<String, String> env, Path run) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/cacdb").toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(run.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        Process p = ChildProcesses.startDetached(pb, run.resolve(name + ".log"));
        started.add(p);
        return p;
    }

    private Map<String, String> awaitReady(String name, Process p, Path run, String prefix) throws Exception {
        Map<String, String> line = ChildProcesses.awaitReadyLine(name, p, run.resolve(name + ".log"), 0, prefix,
                READY_TIMEOUT);
        ready.put(name, line);
        return line;
    }

    private static int stop(Process p) throws InterruptedException {
        p.destroy();  // SIGTERM
        if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return -1;
        }
        return p.exitValue();
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private String get(String hostPort, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private void scrape(String adminHostPort) throws IOException, InterruptedException {
        for (String line : get(adminHostPort, "/metrics").split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                scrapedNames.add(line.split("[{ ]", 2)[0]);
            }
        }
    }

    /** Polls the standby's /health until it reports ACTIVE (it takes over once n1 released the lease). */
    private String awaitActive(Process standby, String adminHostPort) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TAKEOVER_TIMEOUT.toNanos();
        String role = "?";
        while (System.nanoTime() < deadline) {
            JsonNode health = new ObjectMapper().readTree(get(adminHostPort, "/health"));
            role = health.path("role").asText();
            if (role.equals("ACTIVE") && health.path("status").asText().equals("UP")) {
                return role;
            }
            if (standby.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                return "exited with " + standby.exitValue();
            }
        }
        return role;
    }

    /** Creates a table through the active, commits three rows, reads them back; returns how many came back. */
    private static long sql(String pgHostPort) throws Exception {
        String url = "jdbc:postgresql://" + pgHostPort + "/cacdb?user=cacdb&sslmode=disable";
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE dist_check (id BIGINT PRIMARY KEY, v BIGINT NOT NULL)");
            s.execute("INSERT INTO dist_check (id, v) VALUES (1, 10), (2, 20), (3, 30)");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM dist_check")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Counts the rows {@link #sql} committed, through {@code pgHostPort}. */
    private static long count(String pgHostPort) throws Exception {
        String url = "jdbc:postgresql://" + pgHostPort + "/cacdb?user=cacdb&sslmode=disable&connectTimeout=30";
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM dist_check")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", command));
    }
}
