package io.cacdb.tpcc.postgres;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster for this module's tests: initdb into a temporary folder, durable settings (fsync and
 * synchronous_commit on), 127.0.0.1 on a free port, started with pg_ctl; {@link #close()} stops it and deletes the
 * folder. As root, PostgreSQL programs run as the {@code postgres} OS user (runuser).
 *
 * <p>TO BE UNIFIED: the node branch has the full version of this, {@code io.cacdb.cli.postgres.ThrowawayPostgres}
 * (used by sql-bench), but it lives in the {@code cli} module, which depends on this one. When that class moves to a
 * module both can use, delete this fixture and use it instead.
 */
public final class TestPostgres implements AutoCloseable {

    /** Overrides where the server programs are looked for. */
    public static final String BIN_PROPERTY = "tpcc.test.pg.bin";
    static final long PROCESS_TIMEOUT_SECONDS = 120;

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean root;
    private boolean started;

    private TestPostgres(Path bin, Path dir, int port, boolean root) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.root = root;
    }

    /** The folder with initdb and pg_ctl: -Dtpcc.test.pg.bin, else the newest /usr/lib/postgresql/N/bin. */
    public static Optional<Path> findBinaries() {
        String given = System.getProperty(BIN_PROPERTY);
        if (given != null) {
            return Optional.of(Path.of(given)).filter(p -> Files.isExecutable(p.resolve("initdb")));
        }
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            return Optional.empty();
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(base)) {
            for (Path v : versions) {
                if (Files.isExecutable(v.resolve("bin/initdb")) && Files.isExecutable(v.resolve("bin/pg_ctl"))) {
                    found.add(v.resolve("bin"));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + base, e);
        }
        return found.stream().max(Comparator.comparingInt(p -> major(p.getParent().getFileName().toString())));
    }

    private static int major(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public static TestPostgres start(Path bin) throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("tpcc-test-postgres-");
        TestPostgres pg = new TestPostgres(bin, dir, freePort(), root);
        try {
            pg.initAndStart();
        } catch (IOException | RuntimeException | InterruptedException e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    private void initAndStart() throws IOException, InterruptedException {
        if (root) {
            Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
        }
        run(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--auth=trust",
                "--encoding=UTF8", "--locale=C");
        String conf = "\n# tpcc tests: a throwaway cluster with durable commits\n"
                + "port = " + port + "\n"
                + "listen_addresses = '127.0.0.1'\n"
                + "unix_socket_directories = '" + dir + "'\n"
                + "fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n"
                + "shared_buffers = 128MB\nmax_connections = 50\nlogging_collector = off\n"
                // SERIALIZABLE TPC-C: with the default 64, Stock-Level's ~200 row reads are promoted to a
                // relation-level predicate lock on STOCK and most New-Orders then fail with 40001.
                + "max_pred_locks_per_transaction = 4096\n";
        Files.writeString(data.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        run(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("postgres.log").toString(),
                "-w", "-t", "60", "start");
        started = true;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&sslmode=disable";
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (started) {
                started = false;
                run(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
            }
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void run(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        Path out = Files.createTempFile("tpcc-test-postgres-", ".out");
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + PROCESS_TIMEOUT_SECONDS
                        + " s: " + Files.readString(out));
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): "
                        + Files.readString(out));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
