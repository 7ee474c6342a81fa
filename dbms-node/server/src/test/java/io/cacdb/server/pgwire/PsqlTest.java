package io.cacdb.server.pgwire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cacdb.server.auth.AuthConfig;
import io.cacdb.server.auth.AuthMethod;
import io.cacdb.server.auth.ScramVerifier;
import io.cacdb.server.session.TinySqlBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine's psql (PostgreSQL 15 client, libpq) runs scripts against the server. */
class PsqlTest {

    /** The server the scripts run against; {@link PsqlOnDatabaseTest} runs them over the real SQL layer. */
    TestServer server(PgServerConfig config) {
        return new TestServer(config, new TinySqlBackend());
    }

    boolean standIn() {
        return true;
    }

    static final Path PSQL = Path.of("/usr/bin/psql");
    /** A script that hangs must not hang the build. */
    static final long PSQL_TIMEOUT_SECONDS = 30;

    record Run(int exitCode, String stdout, String stderr) {
    }

    static Run psql(int port, String user, String password, Path script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(PSQL.toString(), "host=127.0.0.1 port=" + port + " user=" + user
                + " dbname=test sslmode=prefer connect_timeout=10", "-X", "-v", "ON_ERROR_STOP=1", "-f",
                script.toString());
        pb.environment().remove("PGPASSWORD");
        if (password != null) {
            pb.environment().put("PGPASSWORD", password);
        }
        pb.environment().put("PGTZ", "UTC");
        Process p = pb.start();
        p.getOutputStream().close();
        var out = p.getInputStream();
        var err = p.getErrorStream();
        var stdout = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(out));
        var stderr = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(err));
        if (!p.waitFor(PSQL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("psql did not finish within " + PSQL_TIMEOUT_SECONDS + " s");
        }
        return new Run(p.exitValue(), stdout.join(), stderr.join());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void runsAScript(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(PSQL), "psql is installed at " + PSQL);
        Path script = dir.resolve("script.sql");
        Files.writeString(script, """
                CREATE TABLE items (id int, name varchar(20), price numeric(8,2), added date, ok boolean);
                INSERT INTO items VALUES (1, 'apple', 1.25, '2024-01-02', true), (2, 'pear', 2.5, '2024-01-03', false);
                BEGIN;
                UPDATE items SET price = 3 WHERE id = 2;
                COMMIT;
                SELECT * FROM items;
                SELECT count(*) FROM items;
                \\echo done
                """);
        try (TestServer s = server(PgServerConfig.defaults())) {
            Run r = psql(s.port(), "tester", null, script);
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals("""
                    CREATE TABLE
                    INSERT 0 2
                    BEGIN
                    UPDATE 1
                    COMMIT
                     id | name  | price |   added    | ok\s
                    ----+-------+-------+------------+----
                      1 | apple |  1.25 | 2024-01-02 | t
                      2 | pear  |  3.00 | 2024-01-03 | f
                    (2 rows)

                     count\s
                    -------
                         2
                    (1 row)

                    done
                    """, r.stdout());
            assertEquals("", r.stderr());
        }
    }

    @Test
    void stopsAtTheFirstErrorWithItsMessage(@TempDir Path dir) throws Exception {
        assumeTrue(standIn(), "needs the stand-in's cacdb_fail()");
        assumeTrue(Files.isExecutable(PSQL), "psql is installed at " + PSQL);
        Path script = dir.resolve("fail.sql");
        Files.writeString(script, "SELECT 1 AS one;\nSELECT cacdb_fail('22012');\nSELECT 'not reached';\n");
        try (TestServer s = new TestServer()) {
            Run r = psql(s.port(), "tester", null, script);
            assertEquals(3, r.exitCode(), "psql's exit code for a script stopped by ON_ERROR_STOP");
            assertTrue(r.stdout().contains(" one \n-----\n   1\n(1 row)"), r.stdout());
            assertTrue(!r.stdout().contains("not reached"), r.stdout());
            assertTrue(r.stderr().contains("ERROR:  failure requested: 22012"), r.stderr());
            assertTrue(r.stderr().contains("DETAIL:  the test asked for SQLSTATE 22012"), r.stderr());
            assertTrue(r.stderr().contains("HINT:  this is what the hint looks like"), r.stderr());
            assertTrue(r.stderr().contains("LINE 1: SELECT cacdb_fail('22012');\n               ^"), r.stderr());
        }
    }

    @Test
    void authenticatesWithScram(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(PSQL), "psql is installed at " + PSQL);
        Path script = dir.resolve("who.sql");
        Files.writeString(script, "SHOW application_name;\n");
        AuthConfig auth = AuthConfig.withPasswords(Map.of("alice", "correct horse"), AuthMethod.SCRAM_SHA_256,
                ScramVerifier.DEFAULT_ITERATIONS);
        try (TestServer s = server(PgServerConfig.defaults().withAuthentication(auth))) {
            Run ok = psql(s.port(), "alice", "correct horse", script);
            assertEquals(0, ok.exitCode(), ok.stderr());
            assertEquals(List.of(" application_name ", "------------------", " psql", "(1 row)", ""),
                    ok.stdout().lines().toList());
            Run bad = psql(s.port(), "alice", "wrong", script);
            assertEquals(2, bad.exitCode());
            assertTrue(bad.stderr().contains("password authentication failed for user \"alice\""), bad.stderr());
        }
    }
}
