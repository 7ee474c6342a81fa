package io.cacdb.cli.postgres;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL cluster that exists for one benchmark run: {@code initdb} into a fresh temporary folder, durable
 * settings ({@code fsync = on}, {@code synchronous_commit = on}, {@code full_page_writes = on}), listening on
 * 127.0.0.1 at a free port with its socket in the folder, started with {@code pg_ctl -w}. {@link #close()} stops it
 * ({@code pg_ctl stop -m fast}, SIGKILL of the postmaster if that fails) and deletes the folder; a JVM shutdown hook
 * does the same if the owner never gets to close (Ctrl-C during a run).
 *
 * <p>PostgreSQL refuses to run as root. When this process is root, every PostgreSQL program runs as the
 * {@code postgres} OS user ({@code runuser -u postgres --}), and the folder is handed to that user first.
 */
public final class ThrowawayPostgres implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ThrowawayPostgres.class);

    /** initdb writes a few dozen MB and fsyncs them: seconds, more on a slow disk. */
    static final Duration INITDB_TIMEOUT = Duration.ofSeconds(120);
    /** pg_ctl -w waits for the server to accept connections (crash recovery of a fresh cluster: none). */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** A fast shutdown ends sessions and writes one checkpoint. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    /** The OS user PostgreSQL runs as when we are root; Debian's package creates it. */
    static final String OS_USER = "postgres";
    /** The database superuser initdb creates and clients connect as (trust authentication on 127.0.0.1 only). */
    public static final String DB_USER = "postgres";
    public static final String DATABASE = "postgres";

    /**
     * How to configure the cluster.
     *
     * @param sharedBuffersBytes {@code shared_buffers}; give it what the system it is compared with gets
     * @param maxConnections     {@code max_connections}
     * @param extra              further {@code postgresql.conf} lines (name → value as written), e.g. TPC-C's
     *                           {@code max_pred_locks_per_transaction}; they cannot override the durable settings
     */
    public record Settings(long sharedBuffersBytes, int maxConnections, Map<String, String> extra) {

        /** The settings the durability of the comparison rests on, which {@code extra} may not change. */
        static final List<String> FIXED = List.of("listen_addresses", "unix_socket_directories", "fsync",
                "synchronous_commit", "full_page_writes", "shared_buffers", "max_connections", "port");

        public Settings(long sharedBuffersBytes, int maxConnections) {
            this(sharedBuffersBytes, maxConnections, Map.of());
        }

        public Settings {
            extra = Map.copyOf(extra);
            for (String key : extra.keySet()) {
                if (FIXED.contains(key) || !key.matches("[a-z_]+")) {
                    throw new IllegalArgumentException("extra PostgreSQL setting '" + key + "' is not allowed (one of "
                            + FIXED + " or not a setting name)");
                }
            }
            if (sharedBuffersBytes < (1L << 20)) {
                throw new IllegalArgumentException("shared_buffers below 1 MiB: " + sharedBuffersBytes);
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("max_connections must be >= 1, was " + maxConnections);
            }
        }
    }

    private final PostgresBinaries binaries;
    private final Path dir;
    private final Path data;
    private final Path logFile;
    private final int port;
    private final boolean asPostgresUser;
    private final Map<String, String> settings;
    private final Thread cleanupHook;
    private boolean started;
    private boolean closed;

    private ThrowawayPostgres(PostgresBinaries binaries, Path dir, int port, boolean asPostgresUser,
            Map<String, String> settings) {
        this.binaries = binaries;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.logFile = dir.resolve("postgres.log");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
        this.settings = settings;
        this.cleanupHook = new Thread(this::closeFromHook, "throwaway-postgres-cleanup");
    }

    /** Creates, configures and starts the cluster; on any failure stops and deletes what was made. */
    public static ThrowawayPostgres start(PostgresBinaries binaries, Settings config) throws IOException {
        Objects.requireNonNull(binaries, "binaries");
        boolean root = isRoot();
        Path dir = Files.createTempDirectory("cacdb-postgres-");
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listen_addresses", "'127.0.0.1'");
        settings.put("unix_socket_directories", "'" + dir + "'");
        settings.put("fsync", "on");
        settings.put("synchronous_commit", "on");
        settings.put("full_page_writes", "on");
        settings.put("shared_buffers", (config.sharedBuffersBytes() >> 10) + "kB");
        settings.put("max_connections", Integer.toString(config.maxConnections()));
        settings.put("logging_collector", "off");
        settings.putAll(new java.util.TreeMap<>(config.extra()));
        ThrowawayPostgres pg = new ThrowawayPostgres(binaries, dir, freePort(), root, settings);
        Runtime.getRuntime().addShutdownHook(pg.cleanupHook);
        try {
            pg.initAndStart();
        } catch (IOException | RuntimeException e) {
            try {
                pg.close();
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
        return pg;
    }

    private void initAndStart() throws IOException {
        if (asPostgresUser) {
            UserPrincipal owner;
            try {
                owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
            } catch (UserPrincipalNotFoundException e) {
                throw new IOException("running as root, PostgreSQL must run as another user, but there is no '"
                        + OS_USER + "' OS user (create one, or run sql-bench as a normal user)", e);
            }
            Files.setOwner(dir, owner);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        run(List.of(binaries.initdb().toString(), "-D", data.toString(), "-U", DB_USER, "--auth=trust",
                "--encoding=UTF8", "--locale=C"), INITDB_TIMEOUT, "initdb");
        StringBuilder conf = new StringBuilder("\n# cacdb sql-bench: a throwaway cluster with durable commits\n");
        conf.append("port = ").append(port).append('\n');
        settings.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(data.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        run(List.of(binaries.pgCtl().toString(), "-D", data.toString(), "-l", logFile.toString(), "-w", "-t",
                Long.toString(START_TIMEOUT.toSeconds()), "start"), START_TIMEOUT.plusSeconds(10), "pg_ctl start");
        started = true;
        log.info("throwaway PostgreSQL {} serving on 127.0.0.1:{} from {}", binaries.version(), port, data);
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    public PostgresBinaries binaries() {
        return binaries;
    }

    /** The settings written into postgresql.conf (besides the port), for reports. */
    public Map<String, String> settings() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** pgjdbc URL of the {@code postgres} database as the {@code postgres} superuser. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE + "?user=" + DB_USER + "&sslmode=disable";
    }

    /** Stops the server and deletes its folder. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down and this runs from (or after) the hook: nothing to unregister
            log.debug("shutdown in progress", e);
        }
        stopAndDelete();
    }

    private synchronized void closeFromHook() {
        if (!closed) {
            closed = true;
            stopAndDelete();
        }
    }

    private void stopAndDelete() {
        if (started) {
            try {
                run(List.of(binaries.pgCtl().toString(), "-D", data.toString(), "-m", "fast", "-w", "-t",
                        Long.toString(STOP_TIMEOUT.toSeconds()), "stop"), STOP_TIMEOUT.plusSeconds(10), "pg_ctl stop");
            } catch (IOException | RuntimeException e) {
                log.warn("pg_ctl stop failed ({}); killing the postmaster", e.getMessage());
                killPostmaster();
            }
        }
        deleteRecursively(dir);
    }

    private void killPostmaster() {
        Path pidFile = data.resolve("postmaster.pid");
        try {
            if (Files.exists(pidFile)) {
                long pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().strip());
                ProcessHandle.of(pid).ifPresent(h -> {
                    h.destroyForcibly();
                    h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join();
                });
            }
        } catch (IOException | RuntimeException e) {
            log.warn("cannot kill the throwaway PostgreSQL in {}: {}", data, e.toString());
        }
    }

    /** Runs a PostgreSQL program (as the postgres user when we are root), bounded; fails with its output's tail. */
    private void run(List<String> command, Duration timeout, String what) throws IOException {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", OS_USER, "--"));
        }
        full.addAll(command);
        Path out = Files.createTempFile("cacdb-postgres-" + what.replace(' ', '-') + "-", ".out");
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(out.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.destroyForcibly();
                throw new IOException(what + " did not finish within " + timeout + ": " + tail(out));
            }
            if (p.exitValue() != 0) {
                throw new IOException(what + " failed with exit code " + p.exitValue() + ": " + tail(out)
                        + (Files.exists(logFile) ? "\nserver log: " + tail(logFile) : ""));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + what, e);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** A port free right now on 127.0.0.1 (PostgreSQL needs a fixed one; a collision fails pg_ctl start). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("could not delete the throwaway PostgreSQL folder {}: {}", dir, e.toString());
        }
    }
}
