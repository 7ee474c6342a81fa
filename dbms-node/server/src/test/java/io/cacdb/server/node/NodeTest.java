package io.cacdb.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.archive.s3.S3Config;
import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.ClusterMapFile;
import io.cacdb.dax.cluster.QuorumConfig;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.local.LocalDaxCluster;
import io.cacdb.server.session.TinySqlBackend;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node on a real (in-process) 9-server DAX cluster: start, serve, health and metrics, graceful stop, restart
 * at a newer epoch; and a start that cannot reach storage fails cleanly. The SQL layer is the protocol tests'
 * stand-in: what is tested here is the node around it.
 */
class NodeTest {

    static LocalDaxCluster dax;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;

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

    private static NodeConfig config(String name, long volume) throws Exception {
        Path map = dir.resolve("cluster.map");
        ClusterMapFile.write(map, dax.clusterMap());
        return NodeConfig.defaults(name, "a", map).withPorts(0, 0).withHaPort(0).withBufferPoolBytes(8L << 20)
                .withVolume(volume);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesReportsAndStopsThenRestartsAtANewerEpoch() throws Exception {
        NodeConfig config = config("n1", 11);
        long firstEpoch;
        try (Node node = Node.start(config, SqlLayer.backend(db -> new TinySqlBackend()))) {
            assertEquals(NodeRole.ACTIVE, node.role());
            firstEpoch = node.epoch();
            assertTrue(firstEpoch >= 1);
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + node.pgPort()
                    + "/cacdb?sslmode=disable&connectTimeout=10", "cacdb", "");
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT 42 AS answer")) {
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1));
            }
            HttpResponse<String> health = get(node.adminPort(), "/health");
            assertEquals(200, health.statusCode());
            assertTrue(health.body().contains("\"role\":\"ACTIVE\""), health.body());
            assertTrue(health.body().contains("\"node\":\"n1\""), health.body());
            String metrics = get(node.adminPort(), "/metrics").body();
            for (String meter : List.of("cacdb_txn_commits", "cacdb_dax_client_", "cacdb_pgwire_",
                    "cacdb_node_role")) {
                assertTrue(metrics.contains(meter), "no " + meter + " in /metrics");
            }
        }
        try (Node again = Node.start(config, SqlLayer.backend(db -> new TinySqlBackend()))) {
            assertTrue(again.epoch() > firstEpoch, again.epoch() + " after " + firstEpoch);
            assertEquals(200, get(again.adminPort(), "/health").statusCode());
        }
    }

    /**
     * Archiving configured but S3 unreachable (a port nobody listens on): the node still becomes active and serves,
     * the archiver keeps retrying and counts its failures in /metrics, and nothing is archived.
     */
    @Test
    void anActiveWithAnUnreachableArchiveServesAndReportsUploadFailures() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        NodeConfig config = config("n5", 15).withArchive(Optional.of(S3Config.of(S3Config.DEFAULT_REGION,
                "cacdb-node-test", "nodes", Optional.of(URI.create("http://127.0.0.1:" + deadPort)))));
        // the default credential chain reads these first; set so the test never waits for an instance-metadata call
        System.setProperty("aws.accessKeyId", "node-test");
        System.setProperty("aws.secretAccessKey", "node-test-secret");
        try (Node node = Node.start(config, SqlLayer.backend(db -> new TinySqlBackend()))) {
            assertEquals(NodeRole.ACTIVE, node.role());
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + node.pgPort()
                    + "/cacdb?sslmode=disable&connectTimeout=10", "cacdb", "");
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT 7 AS answer")) {
                assertTrue(rs.next());
                assertEquals(7, rs.getInt(1));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            double failures = 0;
            while (failures == 0 && System.nanoTime() < deadline) {
                var counter = node.registry().find("cacdb.archive.upload.failures").counter();
                failures = counter == null ? 0 : counter.count();
                if (failures == 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
                }
            }
            assertTrue(failures > 0, "the archiver counts its failed attempts");
            String metrics = get(node.adminPort(), "/metrics").body();
            for (String meter : List.of("cacdb_archive_upload_failures_total", "cacdb_archive_lag_bytes",
                    "cacdb_archive_archived_lsn")) {
                assertTrue(metrics.contains(meter), "no " + meter + " in /metrics");
            }
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    @Test
    void closeIsIdempotentAndHealthSaysStopped() throws Exception {
        Node node = Node.start(config("n2", 12), SqlLayer.backend(db -> new TinySqlBackend()));
        node.close();
        node.close();
        assertEquals(NodeRole.STOPPED, node.role());
        assertEquals("STOPPED", node.health().status());
    }

    @Test
    void aStartThatCannotReachStorageFailsAndClosesWhatItOpened() throws Exception {
        List<ServerInfo> nowhere = new ArrayList<>();
        List<ServerSocket> held = new ArrayList<>();
        try {
            int n = 1;
            for (String zone : List.of("a", "b", "c")) {
                for (int i = 0; i < 3; i++, n++) {
                    ServerSocket free = new ServerSocket(0); // held open until all nine are chosen: nine distinct ports
                    held.add(free);
                    nowhere.add(new ServerInfo("d" + n, "127.0.0.1", free.getLocalPort(), zone));
                }
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        Path map = dir.resolve("nowhere.map");
        ClusterMapFile.write(map, new ClusterMap(nowhere, QuorumConfig.DEFAULT));
        NodeConfig config = NodeConfig.defaults("n3", "a", map).withPorts(0, 0).withHaPort(0)
                .withBufferPoolBytes(8L << 20);
        NodeStartException e = assertThrows(NodeStartException.class,
                () -> Node.start(config, SqlLayer.backend(db -> new TinySqlBackend())));
        assertTrue(e.getMessage().contains("creating volume 1"), e.getMessage());
    }

    @Test
    void aBusyPortFailsTheStartNamingTheStep() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            NodeConfig config = config("n4", 13).withPorts(0, busy.getLocalPort());
            NodeStartException e = assertThrows(NodeStartException.class,
                    () -> Node.start(config, SqlLayer.backend(db -> new TinySqlBackend())));
            assertTrue(e.getMessage().startsWith("starting admin HTTP on 127.0.0.1:" + busy.getLocalPort()),
                    e.getMessage());
        }
    }
}
