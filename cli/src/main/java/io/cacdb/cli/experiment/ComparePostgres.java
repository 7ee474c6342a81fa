package io.cacdb.cli.experiment;

import io.cacdb.cli.localcluster.ChildCommand;
import io.cacdb.cli.localcluster.ClusterState;
import io.cacdb.cli.localcluster.HealthProbe;
import io.cacdb.cli.localcluster.LocalCluster;
import io.cacdb.cli.postgres.PostgresBinaries;
import io.cacdb.cli.postgres.ThrowawayPostgres;
import io.cacdb.server.node.NodeConfig;
import io.cacdb.tpcc.report.Json;
import io.cacdb.tpcc.report.TpccReport;
import io.cacdb.tpcc.run.TpccRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code ./cacdb tpcc compare-postgres}: the same TPC-C load and run (same seed, warehouses, terminals, duration,
 * isolation) against a local cacdb cluster ({@code cluster up} shape without a standby: 9 DAX servers, one node) and
 * a throwaway PostgreSQL ({@link ThrowawayPostgres}: fsync and synchronous_commit on, shared_buffers = the node's
 * pool), one after the other — never at once, they share the machine. Each side's TPC-C files go to
 * {@code DIR/cacdb} and {@code DIR/postgres}; {@code DIR/summary.json} has both NOPM and {@code ratio}
 * (cacdb / PostgreSQL). Both servers are stopped at the end, also on failure and on Ctrl-C.
 */
public final class ComparePostgres {

    /**
     * At SERIALIZABLE, PostgreSQL's default 64 predicate locks per transaction promote a Stock-Level's ~200 row reads
     * to a relation lock on STOCK, and most New-Orders then fail with 40001 (docs/tpcc.md "Isolation"): 4096 keeps
     * the comparison about commits, not about SSI's lock granularity.
     */
    static final String PRED_LOCKS_PER_TRANSACTION = "4096";
    /** Connections beyond the terminals: the loader's threads and the checks. */
    static final int EXTRA_CONNECTIONS = 20;

    /**
     * @param warehouses TPC-C warehouses (loaded on both)
     * @param terminals  TPC-C terminals
     * @param duration   measured run time on each system
     * @param out        the comparison's folder
     * @param seed       seed of both loads and both runs
     * @param children   how the cacdb cluster's processes are started
     * @param bufferPoolBytes the cacdb node's buffer pool and PostgreSQL's shared_buffers
     */
    public record Options(int warehouses, int terminals, Duration duration, Path out, long seed,
            ChildCommand children, long bufferPoolBytes) {
        public Options {
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(children, "children");
            if (warehouses < 1 || terminals < 1 || terminals > 10 * warehouses) {
                throw new IllegalArgumentException("need warehouses >= 1 and 1 <= terminals <= 10 per warehouse, were "
                        + warehouses + " and " + terminals);
            }
            if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("--seconds must be >= 1, was " + duration.toSeconds());
            }
        }

        public static Options of(int warehouses, int terminals, Duration duration, Path out) {
            return new Options(warehouses, terminals, duration, out, System.nanoTime(), ChildCommand.ofThisProcess(),
                    NodeConfig.DEFAULT_BUFFER_POOL_BYTES);
        }

        public Options withChildren(ChildCommand c) {
            return new Options(warehouses, terminals, duration, out, seed, c, bufferPoolBytes);
        }

        public Options withSeed(long s) {
            return new Options(warehouses, terminals, duration, out, s, children, bufferPoolBytes);
        }
    }

    /** No PostgreSQL server programs on this machine: nothing was run. */
    public static final class NoPostgresException extends Exception {
        NoPostgresException(String message) {
            super(message);
        }
    }

    /** Both runs and the summary written to {@code DIR/summary.json}. */
    public record Outcome(TpccRun.Result cacdb, TpccRun.Result postgres, Map<String, Object> summary) {
        public boolean ok() {
            return checked(cacdb) && checked(postgres);
        }

        private static boolean checked(TpccRun.Result r) {
            return r.consistencyOk() && r.audit() != null && r.audit().ok() && r.orderCounterConsistent();
        }

        public double ratio() {
            return (Double) summary.get("ratio");
        }
    }

    private ComparePostgres() {
    }

    public static Outcome run(Options options, PrintStream out)
            throws NoPostgresException, ExperimentException, InterruptedException {
        List<String> searched = new ArrayList<>();
        Optional<PostgresBinaries> found = PostgresBinaries.find(searched);
        if (found.isEmpty()) {
            throw new NoPostgresException("no PostgreSQL server programs (initdb, pg_ctl, postgres) found; looked in "
                    + String.join(", ", searched) + ". Install PostgreSQL 15 (e.g. apt-get install postgresql-15) "
                    + "and run again.");
        }
        PostgresBinaries binaries = found.get();
        Path dir = options.out().toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ExperimentException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        out.printf(Locale.ROOT, "compare-postgres: TPC-C %d warehouse(s), %d terminals, %d s on each system, seed %d; "
                        + "PostgreSQL %s in %s%n", options.warehouses(), options.terminals(),
                options.duration().toSeconds(), options.seed(), binaries.version(), binaries.bin());
        if (binaries.major() != 15) {
            out.println("compare-postgres: note: the comparison target is PostgreSQL 15, this is " + binaries.major());
        }

        Path clusterDir = dir.resolve("cacdb").resolve("cluster");
        out.println("compare-postgres: [1/2] cacdb: a local cluster (9 DAX servers, one node) in " + clusterDir);
        TpccRun.Result cacdb;
        Thread cleanup = new Thread(() -> FailoverExperiment.stopCluster(clusterDir, out), "compare-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            ClusterState state = FailoverExperiment.startCluster(LocalCluster.Options.defaults(clusterDir)
                    .withChildren(options.children()).withNodeBufferPoolBytes(options.bufferPoolBytes()), out);
            HealthProbe probe = new HealthProbe(FailoverExperiment.HEALTH_TIMEOUT);
            cacdb = loadAndRun("cacdb", state.jdbcUrl(), options, dir.resolve("cacdb"), out,
                    () -> FailoverExperiment.awaitServingNode(probe, state, out));
        } finally {
            FailoverExperiment.stopCluster(clusterDir, out);
            FailoverExperiment.removeHook(cleanup, out);
        }

        out.println("compare-postgres: [2/2] PostgreSQL " + binaries.version() + ": a throwaway cluster (fsync and "
                + "synchronous_commit on)");
        TpccRun.Result postgres;
        Map<String, String> pgSettings;
        ThrowawayPostgres.Settings settings = new ThrowawayPostgres.Settings(options.bufferPoolBytes(),
                options.terminals() + EXTRA_CONNECTIONS,
                Map.of("max_pred_locks_per_transaction", PRED_LOCKS_PER_TRANSACTION));
        try (ThrowawayPostgres pg = ThrowawayPostgres.start(binaries, settings)) {
            pgSettings = pg.settings();
            postgres = loadAndRun("postgres", pg.jdbcUrl(), options, dir.resolve("postgres"), out, () -> { });
        } catch (IOException e) {
            throw new ExperimentException("the throwaway PostgreSQL failed: " + e.getMessage(), e);
        }

        Map<String, Object> summary = summary(options, cacdb, postgres, binaries, pgSettings);
        try {
            Files.writeString(dir.resolve(TpccReport.SUMMARY), Json.write(summary));
        } catch (IOException e) {
            throw new ExperimentException("cannot write " + dir.resolve(TpccReport.SUMMARY) + ": " + e.getMessage(), e);
        }
        Outcome outcome = new Outcome(cacdb, postgres, summary);
        out.printf(Locale.ROOT, "compare-postgres: cacdb NOPM %,.0f, PostgreSQL NOPM %,.0f, ratio %.3f; checks %s; "
                + "%s%n", cacdb.nopm(), postgres.nopm(), outcome.ratio(), outcome.ok() ? "OK" : "FAILED",
                dir.resolve(TpccReport.SUMMARY));
        return outcome;
    }

    private static TpccRun.Result loadAndRun(String system, String url, Options options, Path dir, PrintStream out,
            FailoverExperiment.ServingWait awaitServing) throws ExperimentException, InterruptedException {
        try {
            FailoverExperiment.load(url, options.warehouses(), options.seed(), "compare-postgres: " + system + ": ",
                    out, awaitServing);
            TpccRun.Result r = TpccRun.execute(TpccRun.Options.of(url, options.warehouses(), options.terminals(),
                    options.duration()).withSeed(options.seed()),
                    line -> out.println("compare-postgres: " + system + ": " + line));
            TpccReport.write(r, dir);
            out.printf(Locale.ROOT, "compare-postgres: %s: NOPM %,.0f, %,.1f commits/s, checks %s, %d acknowledged "
                            + "New-Orders lost%n", system, r.nopm(), r.commitsPerSecond(),
                    r.consistencyOk() && r.audit() != null && r.audit().ok() ? "OK" : "FAILED",
                    r.audit() == null ? -1 : r.audit().lost());
            return r;
        } catch (SQLException e) {
            throw new ExperimentException(system + ": TPC-C failed: " + FailoverExperiment.brief(e.getMessage()), e);
        } catch (IOException e) {
            throw new ExperimentException(system + ": cannot write the results into " + dir + ": " + e.getMessage(), e);
        }
    }

    static Map<String, Object> summary(Options options, TpccRun.Result cacdb, TpccRun.Result postgres,
            PostgresBinaries binaries, Map<String, String> pgSettings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cacdb_nopm", cacdb.nopm());
        m.put("postgres_nopm", postgres.nopm());
        m.put("ratio", postgres.nopm() > 0 ? cacdb.nopm() / postgres.nopm() : null);
        m.put("cacdb", side(cacdb, "cacdb/"));
        m.put("postgres", side(postgres, "postgres/"));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("warehouses", options.warehouses());
        c.put("terminals", options.terminals());
        c.put("seconds", options.duration().toSeconds());
        c.put("seed", options.seed());
        c.put("isolation", cacdb.options().isolation().name());
        c.put("cacdb_cluster", "9 DAX servers (zones a/b/c, N=6 W=4 R=3), one node, no standby, no zone delay, "
                + "buffer pool " + (options.bufferPoolBytes() >> 20) + " MiB");
        c.put("postgres_version", binaries.version());
        c.put("postgres_settings", new LinkedHashMap<>(pgSettings));
        c.put("client_cores", Runtime.getRuntime().availableProcessors());
        m.put("configuration", c);
        return m;
    }

    private static Map<String, Object> side(TpccRun.Result r, String folder) {
        Map<String, Object> s = new LinkedHashMap<>(TpccReport.summary(r));
        s.keySet().retainAll(List.of("nopm", "commits_per_s", "latency_p50_ms", "latency_p99_ms", "retries", "errors",
                "consistency_ok", "acknowledged_commits", "acknowledged_commits_lost", "audit_ok"));
        s.put("server", r.serverVersion());
        s.put("files", folder);
        return s;
    }
}
