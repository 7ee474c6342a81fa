package io.cacdb.server.sql.pgcatalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.server.pgwire.PgServerConfig;
import io.cacdb.server.sql.backend.SqlNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * psql 15 describes cacdb's tables as it describes PostgreSQL's: the machine's {@code /usr/bin/psql} runs a script
 * of DDL (several types, PRIMARY KEY, UNIQUE, NOT NULL, DEFAULT, a secondary and a unique index), DML, {@code \dt}
 * and {@code \d table} against a real server on a real Database, and its whole output must equal what it printed
 * for the same script against PostgreSQL 15.18 ({@code describe.expected-pg15.txt}, captured with the same user
 * name, so even the Owner column matches).
 */
class PsqlDescribeTest {

    static final Path PSQL = Path.of("/usr/bin/psql");
    /** A script that hangs must not hang the build. */
    static final long PSQL_TIMEOUT_SECONDS = 60;
    /** The role the expected output was captured with (psql's \dt prints the owner). */
    static final String USER = "cacdb";

    @Test
    void describeOutputMatchesPostgres(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(PSQL), "psql is installed at " + PSQL);
        Path script = dir.resolve("describe.sql");
        Files.writeString(script, resource("describe.sql"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SqlNode node = SqlNode.start(new MemoryVolume(7), EngineConfig.defaults(),
                PgServerConfig.defaults().withPort(0), registry)) {
            Run run = psql(node.port(), script);
            assertEquals("", run.stderr, "psql's errors");
            assertEquals(0, run.exitCode, "psql's exit code");
            assertEquals(resource("describe.expected-pg15.txt"), run.stdout);
        }
    }

    record Run(int exitCode, String stdout, String stderr) {
    }

    static Run psql(int port, Path script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(PSQL.toString(), "host=127.0.0.1 port=" + port + " user=" + USER
                + " dbname=cacdb sslmode=disable connect_timeout=10", "-X", "-v", "ON_ERROR_STOP=1", "-f",
                script.toString());
        pb.environment().remove("PGPASSWORD");
        pb.environment().put("PGTZ", "UTC");
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(PSQL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("psql did not finish within " + PSQL_TIMEOUT_SECONDS + " s");
        }
        return new Run(p.exitValue(), stdout.join(), stderr.join());
    }

    static String resource(String name) throws IOException {
        try (InputStream in = PsqlDescribeTest.class.getResourceAsStream("/pgcatalog/" + name)) {
            if (in == null) {
                throw new IOException("test resource /pgcatalog/" + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
