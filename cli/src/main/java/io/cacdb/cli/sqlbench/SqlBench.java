package io.cacdb.cli.sqlbench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cacdb.cli.localcluster.ChildCommand;
import io.cacdb.cli.localcluster.ClusterState;
import io.cacdb.cli.localcluster.LocalCluster;
import io.cacdb.cli.localcluster.LocalClusterException;
import io.cacdb.cli.postgres.PostgresBinaries;
import io.cacdb.cli.postgres.ThrowawayPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The SQL benchmark: the same {@link SqlWorkload} against (a) cacdb — a local cluster (9 DAX servers, one node)
 * started for the run in a temporary directory and stopped and deleted afterwards, or a running one given by URL —
 * and (b) a {@link ThrowawayPostgres} PostgreSQL cluster with durable commits, one after the other (never at once,
 * they share the machine). Reports both throughputs and their ratio, latencies, and the configuration.
 */
public final class SqlBench {

    /**
     * What to run.
     *
     * @param workload          the workload, identical for both systems
     * @param runCacdb          run against cacdb
     * @param cacdbUrl          a running cacdb to use instead of starting a local cluster, or null
     * @param runPostgres       run against a throwaway PostgreSQL (if its binaries are found)
     * @param bufferPoolBytes   cacdb node buffer pool, and PostgreSQL's shared_buffers (same memory for both)
     * @param zoneDelay         cross-zone one-way delay of the local cacdb cluster
     * @param children          how the local cluster's processes are started
     */
    public record Options(SqlWorkload.Options workload, boolean runCacdb, String cacdbUrl, boolean runPostgres,
            long bufferPoolBytes, Duration zoneDelay, ChildCommand children) {
        public Options {
            Objects.requireNonNull(workload, "workload");
            Objects.requireNonNull(zoneDelay, "zoneDelay");
            Objects.requireNonNull(children, "children");
            if (!runCacdb && !runPostgres) {
                throw new IllegalArgumentException("nothing to run: both cacdb and PostgreSQL are switched off");
            }
        }
    }

    /** One system's outcome: a result, or why there is none. */
    public record SystemRun(String system, SqlWorkload.Result result, String error, Map<String, Object> setup) {
        boolean ok() {
            return result != null && result.invariantHolds();
        }
    }

    /** Everything a run produced. */
    public record Report(Map<String, Object> config, SystemRun cacdb, SystemRun postgres, String postgresSkipped) {

        public Double cacdbTps() {
            return cacdb != null && cacdb.result() != null ? cacdb.result().tps() : null;
        }

        public Double postgresTps() {
            return postgres != null && postgres.result() != null ? postgres.result().tps() : null;
        }

        /** cacdb throughput over PostgreSQL's, or null unless both ran. */
        public Double ratio() {
            Double c = cacdbTps();
            Double p = postgresTps();
            return c == null || p == null || p == 0 ? null : Math.round(c / p * 1000) / 1000.0;
        }

        public String toJson() {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("benchmark", "sql-bench");
            root.put("cacdb_tps", cacdbTps());
            root.put("postgres_tps", postgresTps());
            root.put("ratio", ratio());
            root.put("config", config);
            root.put("cacdb", cacdb);
            root.put("postgres", postgres);
            if (postgresSkipped != null) {
                root.put("postgres_skipped", postgresSkipped);
            }
            try {
                return JSON.writeValueAsString(root);
            } catch (IOException e) {
                throw new IllegalStateException("cannot render the report", e);
            }
        }
    }

    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private SqlBench() {
    }

    /** Runs everything the options ask for; never throws for a system's failure, which lands in the report. */
    public static Report run(Options options, PrintStream out) {
        Optional<PostgresBinaries> binaries = Optional.empty();
        String postgresSkipped = null;
        if (options.runPostgres()) {
            List<String> searched = new ArrayList<>();
            binaries = PostgresBinaries.find(searched);
            if (binaries.isEmpty()) {
                postgresSkipped = "PostgreSQL binaries (initdb, pg_ctl, postgres) not found; looked in: "
                        + String.join(", ", searched);
                out.println("sql-bench: " + postgresSkipped + " -- reporting cacdb only");
            } else {
                out.println("sql-bench: PostgreSQL: " + binaries.get().version() + " in " + binaries.get().bin());
                if (binaries.get().major() != 15) {
                    out.println("sql-bench: note: the comparison target is PostgreSQL 15, this is "
                            + binaries.get().major());
                }
            }
        } else {
            postgresSkipped = "switched off (--no-postgres)";
        }
        Map<String, Object> config = config(options, binaries);
        SystemRun cacdb = options.runCacdb() ? runCacdb(options, out) : null;
        SystemRun postgres = binaries.isPresent() ? runPostgres(options, binaries.get(), out) : null;
        Report report = new Report(config, cacdb, postgres, postgresSkipped);
        out.printf(Locale.ROOT, "sql-bench: cacdb %s statements/s, PostgreSQL %s statements/s, ratio %s%n",
                format(report.cacdbTps()), format(report.postgresTps()),
                report.ratio() == null ? "-" : String.format(Locale.ROOT, "%.3f", report.ratio()));
        return report;
    }

    /** Whether every system that ran succeeded with its invariant intact. */
    public static boolean succeeded(Report report) {
        return (report.cacdb() == null || report.cacdb().ok()) && (report.postgres() == null || report.postgres().ok());
    }

    private static String format(Double tps) {
        return tps == null ? "-" : String.format(Locale.ROOT, "%,.0f", tps);
    }

    private static Map<String, Object> config(Options options, Optional<PostgresBinaries> binaries) {
        SqlWorkload.Options w = options.workload();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("started_at", Instant.now().toString());
        c.put("rows", w.rows());
        c.put("connections", w.connections());
        c.put("warmup_seconds", w.warmup().toSeconds());
        c.put("measured_seconds", w.duration().toSeconds());
        c.put("update_percent", w.updatePercent());
        c.put("seed", w.seed());
        c.put("transactions", "autocommit: every statement is its own transaction (each update one durable commit)");
        c.put("statements", List.of("SELECT k, c FROM sbtest WHERE id = ?", "UPDATE sbtest SET k = k + 1 WHERE id = ?"));
        c.put("load", "INSERT batches of " + SqlWorkload.LOAD_BATCH_ROWS + " rows per transaction from "
                + SqlWorkload.LOAD_THREADS + " connections (pgjdbc " + SqlWorkload.LOAD_CONNECTION_OPTIONS + ")");
        c.put("memory_bytes_each", options.bufferPoolBytes());
        c.put("cores", Runtime.getRuntime().availableProcessors());
        c.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        c.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        binaries.ifPresent(b -> c.put("postgres_version", b.version()));
        return c;
    }

    // ------------------------------------------------------------------------------------------------ cacdb

    private static SystemRun runCacdb(Options options, PrintStream out) {
        Map<String, Object> setup = new LinkedHashMap<>();
        if (options.cacdbUrl() != null) {
            setup.put("cluster", "given: " + options.cacdbUrl());
            return workload("cacdb", options.cacdbUrl(), options, setup, out);
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("cacdb-sql-bench-");
        } catch (IOException e) {
            return new SystemRun("cacdb", null, "cannot create a temporary directory: " + e, setup);
        }
        setup.put("cluster", "local: 9 DAX servers (zones a, b, c; N=6, W=4, R=3) and one node, child processes");
        setup.put("node_buffer_pool_bytes", options.bufferPoolBytes());
        setup.put("zone_delay_ms", options.zoneDelay().toMillis());
        Thread cleanup = new Thread(() -> stopQuietly(dir, out), "sql-bench-cluster-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            LocalCluster.Options clusterOptions = LocalCluster.Options.defaults(dir).withChildren(options.children())
                    .withZoneDelay(options.zoneDelay()).withNodeBufferPoolBytes(options.bufferPoolBytes());
            ClusterState state = LocalCluster.up(clusterOptions, out);
            return workload("cacdb", state.jdbcUrl(), options, setup, out);
        } catch (LocalClusterException e) {
            return new SystemRun("cacdb", null, "cluster did not start: " + e.getMessage(), setup);
        } finally {
            stopQuietly(dir, out);
            deleteRecursively(dir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running or ran, nothing to unregister
                out.println("sql-bench: shutting down");
            }
        }
    }

    private static void stopQuietly(Path dir, PrintStream out) {
        try {
            LocalCluster.down(dir, out);
        } catch (LocalClusterException e) {
            out.println("sql-bench: stopping the cluster in " + dir + " failed: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------ PostgreSQL

    private static SystemRun runPostgres(Options options, PostgresBinaries binaries, PrintStream out) {
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("version", binaries.version());
        setup.put("bin", binaries.bin().toString());
        ThrowawayPostgres.Settings settings = new ThrowawayPostgres.Settings(options.bufferPoolBytes(),
                options.workload().connections() + SqlWorkload.LOAD_THREADS + 10);
        out.println("sql-bench: starting a throwaway PostgreSQL cluster (initdb, fsync=on, synchronous_commit=on)");
        try (ThrowawayPostgres pg = ThrowawayPostgres.start(binaries, settings)) {
            setup.put("settings", pg.settings());
            setup.put("port", pg.port());
            return workload("postgres", pg.jdbcUrl(), options, setup, out);
        } catch (IOException e) {
            return new SystemRun("postgres", null, "PostgreSQL did not start: " + e.getMessage(), setup);
        }
    }

    // ------------------------------------------------------------------------------------------------ common

    private static SystemRun workload(String system, String url, Options options, Map<String, Object> setup,
            PrintStream out) {
        try {
            SqlWorkload.Result result = new SqlWorkload(system, url, options.workload(), out).run();
            return new SystemRun(system, result, result.invariantHolds() ? null : result.invariant(), setup);
        } catch (Exception e) {
            out.println("sql-bench: " + system + " failed: " + e);
            return new SystemRun(system, null, e.toString(), setup);
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
            throw new java.io.UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
