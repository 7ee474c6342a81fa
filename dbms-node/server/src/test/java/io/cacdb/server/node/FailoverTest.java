package io.cacdb.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.ClusterMapFile;
import io.cacdb.dax.cluster.NodeInfo;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.local.LocalDaxCluster;
import io.cacdb.server.ha.FailureDetector;
import io.cacdb.server.ha.HaConfig;
import io.cacdb.server.ha.HaLinkFaults;
import io.cacdb.server.ha.Takeover;
import io.cacdb.server.proxy.Proxy;
import io.cacdb.server.proxy.ProxyConfig;
import io.cacdb.dax.transport.NetworkConditions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An active and a standby node in one JVM on a real (in-process) 9-server DAX cluster, with the real SQL layer and
 * pgjdbc: the standby refuses sessions with 57P03 and replays; the active crashing (no lease renewal, no release, no
 * flush) makes the standby take over warm with every committed row; a cut between the two nodes alone causes no
 * takeover; an active cut off from storage stops serving by itself, reads included, the standby takes over, and the
 * old active rejoins as standby once storage answers again.
 */
class FailoverTest {

    static LocalDaxCluster dax;
    @TempDir
    static Path dir;
    static final Duration BOUND = Duration.ofSeconds(60);

    final List<Node> nodes = new ArrayList<>();

    @BeforeAll
    static void startDax() {
        dax = LocalDaxCluster.startInProcess();
    }

    @AfterAll
    static void stopDax() {
        if (dax != null) {
            dax.close();
        }
    }

    @AfterEach
    void stopNodes() {
        for (Node n : nodes) {
            n.close();
        }
    }

    private static NodeConfig config(String name, String zone, long volume, StartRole role) throws Exception {
        Path map = dir.resolve("cluster.map");
        ClusterMapFile.write(map, dax.clusterMap());
        return NodeConfig.defaults(name, zone, map).withPorts(0, 0).withHaPort(0).withBufferPoolBytes(16L << 20)
                .withVolume(volume).withRole(role);
    }

    /**
     * A lease of 3 s for tests about something other than detection timing (switchover, warm-up): a machine starved of
     * CPU by parallel builds can delay 500 ms-lease renewals past the lease and fence a healthy active.
     */
    static NodeConfig relaxedLease(NodeConfig c) {
        HaConfig d = HaConfig.defaults();
        return c.withHa(new HaConfig(Duration.ofSeconds(3), d.leaseRenewInterval(), Duration.ofMillis(500),
                d.leasePollInterval(), d.heartbeatInterval(), d.heartbeatTimeout(), d.connectTimeout(),
                d.standbyFloorHold(), d.catchUpTimeout(), d.storageStepTimeout()));
    }

    private Node start(NodeConfig config, NodeFaults faults) {
        Node n = Node.start(config, SqlLayer.engineSql(), faults);
        nodes.add(n);
        return n;
    }

    static Connection connect(Node n) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + n.pgPort()
                + "/cacdb?sslmode=disable&connectTimeout=10&socketTimeout=30", "cacdb", "");
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + BOUND + ": " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }

    private static long rows(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), sum(v) FROM t")) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    /** Inserts {@code n} rows from {@code from}, each its own commit; returns the ids acknowledged. */
    private static List<Integer> insert(Connection c, int from, int n) throws SQLException {
        List<Integer> acked = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
            for (int i = from; i < from + n; i++) {
                ps.setInt(1, i);
                ps.setInt(2, i * 10);
                ps.executeUpdate();
                acked.add(i);
            }
        }
        return acked;
    }

    private static void awaitCaughtUp(Node active, Node standby) {
        long durable = active.database().orElseThrow().engine().logWriter().durableLsn();
        await("the standby replays up to the active's durable LSN " + durable,
                () -> standby.replayer().map(r -> r.replayedLsn() >= durable).orElse(false));
    }

    @Test
    void theStandbyRefusesSessionsThenTakesOverWarmWhenTheActiveCrashes() throws Exception {
        Node n1 = start(config("n1", "a", 31, StartRole.AUTO), NodeFaults.none());
        assertEquals(NodeRole.ACTIVE, n1.role());
        Node n2 = start(config("n2", "b", 31, StartRole.STANDBY), NodeFaults.none());
        assertEquals(NodeRole.STANDBY, n2.role());
        try (Connection c = connect(n1); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
            insert(c, 0, 200);
            try (ResultSet rs = s.executeQuery("SHOW in_hot_standby")) {
                assertTrue(rs.next());
                assertEquals("off", rs.getString(1));
            }
        }
        SQLException refused = assertThrows(SQLException.class, () -> connect(n2).close());
        assertEquals("57P03", refused.getSQLState(), refused.getMessage());
        awaitCaughtUp(n1, n2);
        await("the standby hears heartbeats and sees the lease renewed",
                () -> n2.verdict().orElse(null) == FailureDetector.Verdict.HEALTHY);
        assertTrue(n1.haServer().standbys().containsKey("n2"), "the active hears the standby's status");
        assertTrue(n1.haServer().retentionFloorLsn() <= n1.database().orElseThrow().engine().logWriter().durableLsn());

        // uncommitted work in flight on the active when it dies: a loser for the takeover to undo
        Connection open = connect(n1);
        open.setAutoCommit(false);
        try (Statement s = open.createStatement()) {
            s.executeUpdate("INSERT INTO t (id, v) VALUES (100000, 1)");
            s.executeUpdate("UPDATE t SET v = -1 WHERE id < 50");
        }
        var log = n1.database().orElseThrow().engine().logWriter();
        log.awaitDurable(log.appendedLsn()).get(30, java.util.concurrent.TimeUnit.SECONDS); // its changes reach the log
        awaitCaughtUp(n1, n2);
        assertEquals(1, n2.replayer().orElseThrow().inFlightTransactions().size(), "the standby sees it in flight");
        long crashedAt = System.nanoTime();
        n1.crash();
        await("n2 takes over", () -> n2.role() == NodeRole.ACTIVE);
        long tookMillis = (System.nanoTime() - crashedAt) / 1_000_000;
        Takeover.Result t = n2.lastTakeover().orElseThrow();
        System.out.println("FailoverTest: crash to ACTIVE in " + tookMillis + " ms; takeover " + t.mode() + " in "
                + t.total().toMillis() + " ms, steps " + t.steps());
        assertEquals(Takeover.Mode.WARM, t.mode(), t.coldReason().orElse(""));
        assertEquals(1, t.losers(), "the open transaction");
        assertTrue(n2.epoch() > n1.epoch());
        for (String step : List.of("fence", "lease_check", "log_end", "catch_up", "new_epoch", "undo", "serve")) {
            assertTrue(t.steps().containsKey(step), "step " + step + " in " + t.steps());
        }
        try (Connection c = connect(n2); Statement s = c.createStatement()) {
            assertEquals(200, rows(c), "every committed row, none of the loser's");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM t WHERE v < 0")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getLong(1), "the loser's update is undone");
            }
            insert(c, 200, 20);
            assertEquals(220, rows(c));
        }
        String health = n2.health().toString();
        assertTrue(n2.health().up(), health);
        assertEquals("ACTIVE", n2.health().fields().get("role"));
        assertTrue(n2.registry().scrape().contains("cacdb_takeover_step_seconds_count{"), "takeover step meters");
        open.close();
    }

    @Test
    void aCutBetweenTheNodesAloneCausesNoTakeover() throws Exception {
        HaLinkFaults link1 = HaLinkFaults.none();
        HaLinkFaults link2 = HaLinkFaults.none();
        Node n1 = start(config("n1", "a", 32, StartRole.AUTO), new NodeFaults(link1, NetworkConditions.none()));
        Node n2 = start(config("n2", "b", 32, StartRole.STANDBY), new NodeFaults(link2, NetworkConditions.none()));
        await("healthy", () -> n2.verdict().orElse(null) == FailureDetector.Verdict.HEALTHY);
        link1.cut();
        link2.cut();
        await("the standby notices the heartbeats stopped",
                () -> n2.verdict().orElse(null) == FailureDetector.Verdict.HEARTBEATS_LOST);
        long seq = Long.parseLong(n1.health().fields().get("lease_sequence"));
        // twenty renewals = four lease durations with the link cut: long enough for a wrong takeover to happen
        await("the active keeps renewing its lease", () -> Long.parseLong(n1.health().fields()
                .getOrDefault("lease_sequence", "0")) >= seq + 20);
        assertEquals(NodeRole.STANDBY, n2.role(), "no takeover while the lease is renewed");
        assertEquals(FailureDetector.Verdict.HEARTBEATS_LOST, n2.verdict().orElseThrow());
        assertEquals(NodeRole.ACTIVE, n1.role());
        try (Connection c = connect(n1); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
            insert(c, 0, 5);
        }
        link1.heal();
        link2.heal();
        await("heartbeats again", () -> n2.verdict().orElse(null) == FailureDetector.Verdict.HEALTHY);
        assertEquals(NodeRole.STANDBY, n2.role());
    }

    @Test
    void anActiveCutOffFromStorageStopsServingTheStandbyTakesOverAndTheOldActiveRejoins() throws Exception {
        NetworkConditions storage1 = NetworkConditions.none();
        Node n1 = start(config("n1", "a", 33, StartRole.AUTO), new NodeFaults(HaLinkFaults.none(), storage1));
        Node n2 = start(config("n2", "b", 33, StartRole.STANDBY), NodeFaults.none());
        try (Connection c = connect(n1); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
            insert(c, 0, 50);
        }
        awaitCaughtUp(n1, n2);
        Connection reader = connect(n1);
        assertEquals(50, rows(reader));
        for (ServerInfo server : dax.clusterMap().servers()) {
            storage1.cutOff(server.id());
        }
        await("n1 stops serving once its lease runs out", () -> n1.role() == NodeRole.FENCED
                || n1.role() == NodeRole.STANDBY);
        SQLException cut = assertThrows(SQLException.class, () -> rows(reader), "no reads on a fenced node");
        System.out.println("FailoverTest: a read on the fenced node: " + cut.getSQLState() + " " + cut.getMessage());
        reader.close();
        await("n2 takes over", () -> n2.role() == NodeRole.ACTIVE);
        try (Connection c = connect(n2)) {
            assertEquals(50, rows(c));
            insert(c, 50, 10);
        }
        for (ServerInfo server : dax.clusterMap().servers()) {
            storage1.heal(server.id());
        }
        await("the old active rejoins as standby", () -> n1.role() == NodeRole.STANDBY);
        SQLException refused = assertThrows(SQLException.class, () -> connect(n1).close());
        assertEquals("57P03", refused.getSQLState());
        await("and follows the new active", () -> n1.verdict().orElse(null) == FailureDetector.Verdict.HEALTHY);
        long durable = n2.database().orElseThrow().engine().logWriter().durableLsn();
        await("it replays what the new active wrote",
                () -> n1.replayer().map(r -> r.replayedLsn() >= durable).orElse(false));
    }

    @Test
    void aStandbyWhoseLogWasTruncatedUnderItReseedsItself() throws Exception {
        HaLinkFaults link2 = HaLinkFaults.none();
        NetworkConditions storage2 = NetworkConditions.none();
        link2.cut(); // the active never hears this standby, so it keeps no log for it
        Node n1 = start(config("n1", "a", 35, StartRole.AUTO).withCheckpointIntervalMillis(100), NodeFaults.none());
        try (Connection c = connect(n1); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
        }
        Node n2 = start(config("n2", "b", 35, StartRole.STANDBY), new NodeFaults(link2, storage2));
        for (ServerInfo server : dax.clusterMap().servers()) {
            storage2.cutOff(server.id()); // the standby stalls
        }
        long stalledAt = n2.replayer().orElseThrow().replayedLsn();
        try (Connection c = connect(n1)) {
            int next = 0;
            // write and checkpoint until the log the standby needs next is deleted
            while (n1.database().orElseThrow().engine().checkpointer().truncatedBelowLsn() <= stalledAt + 65_536) {
                insert(c, next, 20);
                next += 20;
                n1.database().orElseThrow().engine().checkpointer().checkpoint();
            }
        }
        for (ServerInfo server : dax.clusterMap().servers()) {
            storage2.heal(server.id());
        }
        await("the standby finds its log truncated and re-seeds", () -> Long.parseLong(n2.health().fields()
                .getOrDefault("reseeds", "0")) >= 1);
        long durable = n1.database().orElseThrow().engine().logWriter().durableLsn();
        await("the re-seeded standby catches up", () -> n2.replayer().map(r -> r.replayedLsn() >= durable)
                .orElse(false));
        assertEquals(NodeRole.STANDBY, n2.role());
        assertTrue(n2.health().up(), n2.health().toString());
    }

    @Test
    void anActiveNodeIsRefusedWhileAnotherHoldsALiveLease() throws Exception {
        start(config("n1", "a", 34, StartRole.AUTO), NodeFaults.none());
        NodeStartException e = assertThrows(NodeStartException.class,
                () -> start(config("n3", "c", 34, StartRole.ACTIVE), NodeFaults.none()));
        assertTrue(e.getMessage().contains("holds a live lease"), e.getMessage());
        Node auto = start(config("n4", "c", 34, StartRole.AUTO), NodeFaults.none());
        assertEquals(NodeRole.STANDBY, auto.role(), "auto joins as standby");
    }

    /** Inserts rows through a multi-host URL until stopped, reconnecting after a failure; records acknowledged ids. */
    private static final class Writer implements Runnable {
        final String url;
        final java.util.Set<Integer> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final java.util.concurrent.atomic.AtomicInteger next;
        final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
        volatile boolean stop;

        Writer(List<Node> servers, int firstId) {
            this(multiHostUrl(servers), firstId);
        }

        Writer(String url, int firstId) {
            this.url = url;
            this.next = new java.util.concurrent.atomic.AtomicInteger(firstId);
        }

        static String multiHostUrl(List<Node> servers) {
            StringBuilder hosts = new StringBuilder();
            for (Node n : servers) {
                hosts.append(hosts.isEmpty() ? "" : ",").append("127.0.0.1:").append(n.pgPort());
            }
            return "jdbc:postgresql://" + hosts + "/cacdb?targetServerType=primary&hostRecheckSeconds=0"
                    + "&sslmode=disable&connectTimeout=5&socketTimeout=10";
        }

        void assertNoneLost(Connection c) throws SQLException {
            java.util.Set<Integer> present = new java.util.HashSet<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM t")) {
                while (rs.next()) {
                    present.add(rs.getInt(1));
                }
            }
            List<Integer> lost = acked.stream().filter(id -> !present.contains(id)).sorted().toList();
            assertEquals(List.of(), lost, "acknowledged commits missing");
        }

        @Override
        public void run() {
            while (!stop) {
                try (Connection c = DriverManager.getConnection(url, "cacdb", "");
                     PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
                    while (!stop) {
                        int id = next.getAndIncrement();
                        ps.setInt(1, id);
                        ps.setInt(2, id);
                        ps.executeUpdate();
                        acked.add(id);
                    }
                } catch (SQLException e) {
                    failures.incrementAndGet(); // not acknowledged: reconnect through the multi-host URL
                    LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
                }
            }
        }
    }

    private static java.net.http.HttpResponse<String> postSwitchover(Node n) throws Exception {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + n.adminPort() + "/switchover")).timeout(BOUND).POST(java.net.http.HttpRequest.BodyPublishers
                    .noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void aSwitchoverUnderWritesLosesNoAcknowledgedCommitAndTheOldActiveRejoinsAsStandby() throws Exception {
        Node n1 = start(relaxedLease(config("n1", "a", 36, StartRole.AUTO)), NodeFaults.none());
        try (Connection c = connect(n1); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
        }
        var lonely = postSwitchover(n1);
        assertEquals(409, lonely.statusCode(), "no standby to hand over to: " + lonely.body());
        assertTrue(lonely.body().contains("no standby"), lonely.body());
        assertEquals(NodeRole.ACTIVE, n1.role(), "a refused switchover changes nothing");

        Node n2 = start(relaxedLease(config("n2", "b", 36, StartRole.STANDBY)), NodeFaults.none());
        assertThrows(Node.SwitchoverRefusedException.class, n2::switchover, "a standby has nothing to hand over");
        Writer w = new Writer(List.of(n1, n2), 0);
        Thread writer = Thread.ofPlatform().name("switchover-writer").start(w);
        try {
            await("writes flow", () -> w.acked.size() >= 100);
            await("the standby is healthy", () -> n2.verdict().orElse(null) == FailureDetector.Verdict.HEALTHY);

            var handedOver = postSwitchover(n1);
            assertEquals(200, handedOver.statusCode(), handedOver.body());
            assertTrue(handedOver.body().contains("\"new_active\":\"n2\""), handedOver.body());
            assertEquals(NodeRole.ACTIVE, n2.role());
            await("n1 rejoins as standby", () -> n1.role() == NodeRole.STANDBY);
            Takeover.Result t = n2.lastTakeover().orElseThrow();
            assertEquals(Takeover.Mode.WARM, t.mode(), t.coldReason().orElse(""));
            assertTrue(n2.epoch() > n1.epoch());
            int atSwitch = w.acked.size();
            await("writes flow to the new active", () -> w.acked.size() >= atSwitch + 100);
            System.out.println("FailoverTest: switchover n1 -> n2: " + handedOver.body() + "; takeover "
                    + t.total().toMillis() + " ms " + t.steps() + "; writer reconnects " + w.failures.get());

            // and back: the old active, now a caught-up standby, takes the role again
            await("n1 replays and hears n2", () -> n1.verdict().orElse(null) == FailureDetector.Verdict.HEALTHY);
            Node.Switchover back = n2.switchover();
            assertEquals("n1", back.newActive().orElseThrow());
            assertEquals(NodeRole.ACTIVE, n1.role());
            await("n2 rejoins as standby", () -> n2.role() == NodeRole.STANDBY);
            int atSwitchBack = w.acked.size();
            await("writes flow to n1 again", () -> w.acked.size() >= atSwitchBack + 100);
        } finally {
            w.stop = true;
            writer.join(BOUND.toMillis());
        }
        try (Connection c = connect(n1)) {
            w.assertNoneLost(c);
        }
    }

    private static ProxyConfig proxyConfig(long volume, Node... nodes) throws Exception {
        List<NodeInfo> lines = new ArrayList<>();
        for (Node n : nodes) {
            lines.add(new NodeInfo(n.config().nodeName(), new NodeInfo.Endpoint("127.0.0.1", n.pgPort()),
                    n.config().zone(), null, null));
        }
        Path map = dir.resolve("proxy-" + volume + ".map");
        ClusterMapFile.write(map, new ClusterMap(dax.clusterMap().servers(), dax.clusterMap().quorum(), lines));
        return ProxyConfig.defaults(map).withVolume(volume).withPorts(0, 0);
    }

    @Test
    void theProxyFollowsTheActiveThroughACrashAndRefusesWhenNoneIsThere() throws Exception {
        Node n1 = start(config("n1", "a", 37, StartRole.AUTO), NodeFaults.none());
        Node n2 = start(config("n2", "b", 37, StartRole.STANDBY), NodeFaults.none());
        try (Connection c = connect(n1); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
        }
        try (Proxy proxy = Proxy.start(proxyConfig(37, n1, n2));
             Proxy none = Proxy.start(proxyConfig(38, n1, n2).withConnectWaitMillis(50));
             Proxy one = Proxy.start(proxyConfig(37, n1, n2).withMaxConnections(1))) {
            await("the proxy finds n1", () -> proxy.target().map(t -> t.node().equals("n1")).orElse(false));
            assertEquals("UP", proxy.health().status());
            String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/cacdb?sslmode=disable&connectTimeout=10"
                    + "&socketTimeout=30";
            Writer w = new Writer(url, 0);
            Thread writer = Thread.ofPlatform().name("proxy-writer").start(w);
            try {
                await("writes flow through the proxy", () -> w.acked.size() >= 100);
                awaitCaughtUp(n1, n2);
                n1.crash();
                await("n2 takes over", () -> n2.role() == NodeRole.ACTIVE);
                await("the proxy follows to n2", () -> proxy.target().map(t -> t.node().equals("n2")).orElse(false));
                int atTakeover = w.acked.size();
                await("writes flow through the proxy to n2", () -> w.acked.size() >= atTakeover + 100);
            } finally {
                w.stop = true;
                writer.join(BOUND.toMillis());
            }
            try (Connection c = DriverManager.getConnection(url, "cacdb", "")) {
                w.assertNoneLost(c);
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW in_hot_standby")) {
                    assertTrue(rs.next());
                    assertEquals("off", rs.getString(1), "the proxy leads to the active");
                }
            }
            assertTrue(proxy.registry().scrape().contains(
                    "cacdb_proxy_connections_opened_total{outcome=\"forwarded\"}"));

            // no lease at all on volume 38: refused with 57P03 once the connect wait is over
            SQLException noActive = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:" + none.port() + "/cacdb?sslmode=disable&connectTimeout=10",
                    "cacdb", "").close());
            assertEquals("57P03", noActive.getSQLState(), noActive.getMessage());
            assertTrue(noActive.getMessage().contains("no active node"), noActive.getMessage());
            assertEquals("NO_ACTIVE", none.health().status());

            // max-connections 1: the second client is refused with 53300 while the first is forwarded
            await("the one-slot proxy finds n2", () -> one.target().isPresent());
            String oneUrl = "jdbc:postgresql://127.0.0.1:" + one.port() + "/cacdb?sslmode=disable&connectTimeout=10";
            try (Connection first = DriverManager.getConnection(oneUrl, "cacdb", "")) {
                SQLException full = assertThrows(SQLException.class, () -> DriverManager.getConnection(oneUrl,
                        "cacdb", "").close());
                assertEquals("53300", full.getSQLState(), full.getMessage());
                assertTrue(first.isValid(5));
            }
        }
    }

    @Test
    void aNewStandbyWarmsItsPoolFromTheActivesHotPages() throws Exception {
        Node n1 = start(relaxedLease(config("n1", "a", 39, StartRole.AUTO)), NodeFaults.none());
        try (Connection c = connect(n1); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
                for (int i = 0; i < 3_000; i++) {
                    ps.setInt(1, i);
                    ps.setInt(2, i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        // pages only in the active's pool are not in storage yet: a standby cannot read them (it counts and skips them)
        n1.database().orElseThrow().engine().bufferPool().flushAll(BOUND);
        long[] hot = n1.database().orElseThrow().engine().bufferPool().residentPages(Integer.MAX_VALUE);
        int stored = n1.publishHotPages();
        assertEquals(hot.length, stored, "a small pool's list fits in one META block");
        assertTrue(stored > 10, "the table's pages are hot: " + stored);

        Node n2 = start(relaxedLease(config("n2", "b", 39, StartRole.STANDBY)), NodeFaults.none());
        var warmer = n2.warmer().orElseThrow(() -> new AssertionError("the standby found no hot-pages list"));
        await("the warm-up finishes", warmer::done);
        assertEquals(0, warmer.failed());
        assertEquals(Math.min(stored, warmer.budget()), warmer.loaded());
        var pool = n2.replayer().orElseThrow().bufferPool();
        long warmHot = java.util.Arrays.stream(hot).limit(warmer.budget()).filter(pool::contains).count();
        assertEquals(Math.min(hot.length, warmer.budget()), warmHot, "every hot page within the budget is resident");
        assertEquals(Long.toString(warmer.loaded()), n2.health().fields().get("warmed_pages"));
    }
}
