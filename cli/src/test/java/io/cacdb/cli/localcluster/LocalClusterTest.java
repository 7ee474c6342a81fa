package io.cacdb.cli.localcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cacdb.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster up} (active and standby), {@code status --json}, a pgjdbc query, {@code down}, for real: the commands run
 * in this JVM through {@link Main}, the nine DAX servers and the node are real child processes
 * ({@code java -cp <test class path> io.cacdb.cli.Main ...}, since no launcher runs the tests).
 */
class LocalClusterTest {

    @TempDir
    Path tmp;

    private final List<Path> clusters = new ArrayList<>();

    /** What a command printed and returned. */
    record Run(int exit, String out, String err) {
    }

    static Run main(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            exit = Main.commandLine().execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        Run run = new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        out.println("$ cacdb " + String.join(" ", args) + " -> " + exit + "\n" + run.out() + run.err());
        return run;
    }

    @AfterEach
    void stopEverything() throws Exception {
        // whatever a failed assertion left running is stopped; down is idempotent
        List<Long> leaked = new ArrayList<>();
        for (Path dir : clusters) {
            main("cluster", "down", "--dir", dir.toString());
            if (Files.exists(ClusterState.file(dir))) {
                // a safety net in case down itself is what is broken: no test leaves a process behind
                for (ClusterState.Member m : ClusterState.read(dir).members()) {
                    ProcessHandle.of(m.pid()).filter(ProcessHandle::isAlive).ifPresent(p -> {
                        leaked.add(p.pid());
                        p.destroyForcibly();
                    });
                }
            }
        }
        assertTrue(leaked.isEmpty(), "cluster down left processes running: " + leaked);
    }

    /** Until the active's /health lists a standby it hears from (a switchover refuses to hand over to nobody). */
    private static void awaitStandbyHeardBy(Path dir, String active) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Optional<LocalCluster.MemberStatus> a = LocalCluster.status(dir).nodes().stream()
                    .filter(n -> n.member().name().equals(active) && "ACTIVE".equals(n.role())).findFirst();
            if (a.isPresent() && a.get().details().containsKey("standby")) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "the active " + active + " hears no standby: " + a);
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    @Test
    void upStatusQueryDown() throws Exception {
        Path dir = tmp.resolve("c1");
        clusters.add(dir);
        Run up = main("cluster", "up", "--dir", dir.toString());
        assertEquals(0, up.exit(), up.err());
        assertTrue(up.out().contains("JDBC URL: jdbc:postgresql://127.0.0.1:"), up.out());
        assertTrue(up.out().contains("targetServerType=primary"), up.out());
        assertTrue(up.out().contains("psql:     psql \"host=127.0.0.1,127.0.0.1 port="), up.out());
        assertTrue(up.out().contains("n2 STANDBY"), up.out());

        Run again = main("cluster", "up", "--dir", dir.toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already has a running cluster"), again.err());

        Run status = main("cluster", "status", "--dir", dir.toString(), "--json");
        assertEquals(0, status.exit(), status.out());
        JsonNode json = new ObjectMapper().readTree(status.out());
        assertTrue(json.get("all_up").asBoolean());
        assertEquals(2, json.get("nodes").size());
        JsonNode n1 = json.get("nodes").get(0);
        assertEquals("n1", n1.get("name").asText());
        assertEquals("a", n1.get("zone").asText());
        assertEquals("ACTIVE", n1.get("role").asText());
        assertEquals("UP", n1.get("health").asText());
        assertTrue(n1.get("alive").asBoolean());
        JsonNode n2 = json.get("nodes").get(1);
        assertEquals("n2", n2.get("name").asText());
        assertEquals("b", n2.get("zone").asText());
        assertEquals("STANDBY", n2.get("role").asText());
        assertEquals("UP", n2.get("health").asText(), n2.toString());
        assertTrue(n2.get("replay_lsn").asLong() > 0, n2.toString());
        assertTrue(n2.has("lag_bytes") && n2.has("lag_millis"), n2.toString());
        assertTrue(n2.get("ports").get("ha").asInt() > 0, n2.toString());
        long nodePid = n1.get("pid").asLong();
        assertNotEquals(ProcessHandle.current().pid(), nodePid, "the node must be a process of its own");
        assertTrue(ProcessHandle.of(nodePid).map(ProcessHandle::isAlive).orElse(false));
        assertTrue(n1.get("ports").get("pg").asInt() > 0);
        assertEquals(9, json.get("dax_servers").size());
        List<Long> pids = new ArrayList<>(List.of(nodePid, n2.get("pid").asLong()));
        for (JsonNode d : json.get("dax_servers")) {
            assertTrue(d.get("alive").asBoolean(), d.toString());
            assertEquals("UP", d.get("health").asText(), d.toString());
            pids.add(d.get("pid").asLong());
        }
        String url = json.get("jdbc_url").asText();
        String map = Files.readString(dir.resolve("cluster.map"));
        assertTrue(map.contains("node n1 127.0.0.1:" + n1.get("ports").get("pg").asInt() + " zone=a"), map);
        assertTrue(map.contains("ha=127.0.0.1:" + n2.get("ports").get("ha").asInt()), map);

        try (Connection c = DriverManager.getConnection(url + "&connectTimeout=30&socketTimeout=60");
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR(20))");
            s.execute("INSERT INTO t (id, v) VALUES (1, 'one'), (2, 'two')");
            try (ResultSet rs = s.executeQuery("SELECT v FROM t WHERE id = 2")) {
                assertTrue(rs.next());
                assertEquals("two", rs.getString(1));
            }
        }

        // a planned handover and back: each time the other node serves every committed row
        for (String[] hop : new String[][] {{"n1", "n2"}, {"n2", "n1"}}) {
            awaitStandbyHeardBy(dir, hop[0]);
            Run switchover = main("switchover", "--dir", dir.toString());
            assertEquals(0, switchover.exit(), switchover.out() + switchover.err());
            assertTrue(switchover.out().contains("switchover: " + hop[0] + " -> " + hop[1]), switchover.out());
            assertTrue(switchover.out().contains(hop[0] + " is STANDBY"), switchover.out());
            try (Connection c = DriverManager.getConnection(url + "&connectTimeout=30&socketTimeout=60");
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
                assertTrue(rs.next());
                assertEquals(2, rs.getLong(1), "served by " + hop[1]);
            }
        }
        Run noActive = main("switchover", "--admin", "127.0.0.1:" + n2.get("ports").get("admin").asInt());
        assertEquals(1, noActive.exit(), "n2 is the standby again: " + noActive.out());
        assertTrue(noActive.err().contains("a switchover is run on the active"), noActive.err());

        assertThrows(LocalClusterException.class, () -> LocalCluster.removeData(dir), "refused while it runs");
        Run down = main("cluster", "down", "--dir", dir.toString());
        assertEquals(0, down.exit(), down.out() + down.err());
        assertTrue(Files.isDirectory(dir.resolve("d1").resolve("data")));
        assertTrue(down.out().contains("cluster: down (11 stopped, 0 were not running)"), down.out());
        assertTrue(down.out().indexOf("stopping node n2") < down.out().indexOf("stopping node n1"),
                "the standby stops first: " + down.out());
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still runs");
        }
        Run after = main("cluster", "status", "--dir", dir.toString(), "--json");
        assertEquals(1, after.exit());
        JsonNode afterJson = new ObjectMapper().readTree(after.out());
        assertFalse(afterJson.get("nodes").get(0).get("alive").asBoolean());
        assertTrue(LocalCluster.removeData(dir) > 0, "the DAX servers' RocksDB files");
        assertFalse(Files.exists(dir.resolve("d1").resolve("data")));
        assertTrue(Files.isRegularFile(dir.resolve("cluster.map")), "configurations and logs stay");
        Run downAgain = main("cluster", "down", "--dir", dir.toString());
        assertEquals(0, downAgain.exit());
        assertTrue(downAgain.out().contains("(0 stopped, 11 were not running)"), downAgain.out());
    }

    @Test
    void refusesDirectoriesThatAreNotClusters() throws Exception {
        Path dir = tmp.resolve("busy");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("notes.txt"), "mine");
        Run up = main("cluster", "up", "--dir", dir.toString(), "--no-standby");
        assertEquals(1, up.exit());
        assertTrue(up.err().contains("is not empty and holds no cluster.json"), up.err());
        Run badDelay = main("cluster", "up", "--dir", tmp.resolve("x").toString(), "--zone-delay-ms", "-1");
        assertEquals(2, badDelay.exit());
        Run status = main("cluster", "status", "--dir", tmp.resolve("none").toString());
        assertEquals(2, status.exit());
        assertTrue(status.err().contains("no cluster in"), status.err());
        Run down = main("cluster", "down", "--dir", tmp.resolve("none").toString());
        assertEquals(0, down.exit());
        assertTrue(down.out().contains("nothing to stop"), down.out());
    }
}
