package io.cacdb.cli.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cacdb.cli.sqlbench.SqlWorkload;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import org.junit.jupiter.api.Test;

/**
 * The throwaway PostgreSQL cluster for real (skipped, saying so, only where no PostgreSQL binaries exist), and the
 * SQL benchmark's workload driven against it, small.
 */
class ThrowawayPostgresTest {

    static PostgresBinaries binaries() {
        List<String> searched = new ArrayList<>();
        Optional<PostgresBinaries> found = PostgresBinaries.find(searched);
        assumeTrue(found.isPresent(), "no PostgreSQL binaries on this machine (looked in " + searched + ")");
        return found.get();
    }

    @Test
    void startsDurableServesTheWorkloadThenStopsAndLeavesNothing() throws Exception {
        PostgresBinaries bins = binaries();
        Path dir;
        int port;
        try (ThrowawayPostgres pg = ThrowawayPostgres.start(bins, new ThrowawayPostgres.Settings(32L << 20, 20))) {
            dir = pg.dir();
            port = pg.port();
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl()); Statement s = c.createStatement()) {
                for (String[] setting : new String[][] {{"fsync", "on"}, {"synchronous_commit", "on"},
                        {"shared_buffers", "32MB"}, {"full_page_writes", "on"}}) {
                    try (ResultSet rs = s.executeQuery("SHOW " + setting[0])) {
                        assertTrue(rs.next());
                        assertEquals(setting[1], rs.getString(1), setting[0]);
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
                    assertTrue(rs.next());
                    assertEquals(bins.major(), rs.getInt(1));
                }
            }
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            SqlWorkload.Result result = new SqlWorkload("postgres", pg.jdbcUrl(), new SqlWorkload.Options(5_000, 4,
                    Duration.ZERO, Duration.ofSeconds(2), 50, 7),
                    new PrintStream(progress, true, StandardCharsets.UTF_8)).run();
            assertEquals("ok", result.invariant(), progress.toString(StandardCharsets.UTF_8));
            assertTrue(result.tps() > 0);
            assertTrue(result.select().count() > 0 && result.update().count() > 0, result.toString());
            assertTrue(result.errors().isEmpty(), result.errors().toString());
        }
        assertFalse(Files.exists(dir), dir + " left behind");
        assertThrows(java.io.IOException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            }
        }, "PostgreSQL still listens on " + port);
    }

    @Test
    void missingBinariesAreReportedWithWhereItLooked(@org.junit.jupiter.api.io.TempDir Path empty) {
        List<String> searched = new ArrayList<>();
        assertTrue(PostgresBinaries.find(empty.toString(), empty.resolve("nope"), searched).isEmpty());
        assertEquals(List.of("PATH and " + empty.resolve("nope") + "/*/bin: no pg_ctl"), searched);
    }

    @Test
    void parsesTheMajorVersion() {
        assertEquals(15, PostgresBinaries.majorFromVersion("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"));
        assertEquals(0, PostgresBinaries.majorFromVersion("something else"));
    }
}
