package io.cacdb.cli;

import io.cacdb.cli.experiment.ComparePostgres;
import io.cacdb.cli.experiment.ExperimentException;
import io.cacdb.tpcc.check.CommitAudit;
import io.cacdb.tpcc.connect.ConnectionSettings;
import io.cacdb.tpcc.load.TpccLoad;
import io.cacdb.tpcc.report.TpccReport;
import io.cacdb.tpcc.run.Isolation;
import io.cacdb.tpcc.run.Mix;
import io.cacdb.tpcc.run.TpccRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./cacdb tpcc load|run}: TPC-C over JDBC against any PostgreSQL-protocol database (cacdb or PostgreSQL),
 * see {@link TpccLoad} and {@link TpccRun}, and docs/tpcc.md.
 */
@Command(name = "tpcc",
        mixinStandardHelpOptions = true,
        description = {"TPC-C over JDBC (pgjdbc): 'load' creates and fills the nine tables, 'run' drives terminals "
                + "and writes summary.json, timeseries.csv and throughput.png.",
                "Works unchanged against cacdb and PostgreSQL. A multi-host URL (jdbc:postgresql://h1:p1,h2:p2/db) "
                + "makes the terminals follow the primary."},
        subcommands = {TpccCommand.Load.class, TpccCommand.Run.class, TpccCommand.ComparePostgresCommand.class})
final class TpccCommand implements Runnable {

    /** Exit code when the run finished but a consistency condition or the audit failed. */
    static final int EXIT_CHECKS_FAILED = 3;
    static final int EXIT_USAGE = 2;
    /** compare-postgres: no PostgreSQL server programs found (nothing was run). */
    static final int EXIT_NO_POSTGRES = 4;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Drops and creates the TPC-C tables and loads W warehouses in parallel (batched inserts), "
                    + "then checks consistency conditions on the fresh database.")
    static final class Load implements Callable<Integer> {

        @Option(names = "--url", required = true, paramLabel = "URL",
                description = "pgjdbc URL, e.g. jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres")
        String url;

        @Option(names = "--warehouses", required = true, paramLabel = "W", description = "warehouses to load")
        int warehouses;

        @Option(names = "--loader-threads", paramLabel = "N",
                description = "parallel loading connections (default: cores, at least 2)")
        Integer loaderThreads;

        @Option(names = "--batch-rows", defaultValue = "" + TpccLoad.DEFAULT_BATCH_ROWS, paramLabel = "R",
                description = "rows per committed batch (default: ${DEFAULT-VALUE})")
        int batchRows;

        @Option(names = "--seed", paramLabel = "S", description = "random seed of the data (default: from the clock)")
        Long seed;

        @Option(names = "--progress-seconds", defaultValue = "5", paramLabel = "S",
                description = "seconds between progress lines, 0 for none (default: ${DEFAULT-VALUE})")
        int progressSeconds;

        @Override
        public Integer call() throws Exception {
            if (warehouses < 1 || batchRows < 1 || progressSeconds < 0
                    || (loaderThreads != null && loaderThreads < 1)) {
                System.err.println("tpcc load: --warehouses, --batch-rows and --loader-threads must be >= 1, "
                        + "--progress-seconds >= 0");
                return EXIT_USAGE;
            }
            TpccLoad.Options defaults = TpccLoad.Options.of(url, warehouses);
            TpccLoad.Options options = new TpccLoad.Options(defaults.connection(), warehouses,
                    loaderThreads != null ? loaderThreads : defaults.loaderThreads(), batchRows,
                    seed != null ? seed : defaults.seed(), true, Duration.ofSeconds(progressSeconds), true);
            TpccLoad.Result r = TpccLoad.run(options, System.out::println);
            return r.consistency() == null || r.consistency().ok() ? 0 : EXIT_CHECKS_FAILED;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Runs T terminals (no keying/think time unless --spec-pacing) for S seconds, then checks "
                    + "consistency conditions and that every acknowledged New-Order is in the database.",
                    "Writes DIR/summary.json, DIR/timeseries.csv (one row per second, by commit completion time) and "
                    + "DIR/throughput.png. Exit code 3 if a check failed."})
    static final class Run implements Callable<Integer> {

        @Option(names = "--url", required = true, paramLabel = "URL",
                description = "pgjdbc URL; several hosts (h1:p1,h2:p2) are tried in order for the primary")
        String url;

        @Option(names = "--warehouses", defaultValue = "0", paramLabel = "W",
                description = "warehouses to drive (default: all that were loaded)")
        int warehouses;

        @Option(names = "--terminals", required = true, paramLabel = "T",
                description = "concurrent terminals, at most 10 per warehouse")
        int terminals;

        @Option(names = "--seconds", defaultValue = "60", paramLabel = "S",
                description = "measured seconds (default: ${DEFAULT-VALUE})")
        int seconds;

        @Option(names = "--warmup-seconds", defaultValue = "0", paramLabel = "S",
                description = "seconds before the measurement (in the time series, not in the rates; "
                        + "default: ${DEFAULT-VALUE})")
        int warmupSeconds;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for the results")
        Path out;

        @Option(names = "--isolation", defaultValue = "SERIALIZABLE", paramLabel = "LEVEL",
                description = "SERIALIZABLE, REPEATABLE_READ, READ_COMMITTED or SERVER_DEFAULT "
                        + "(default: ${DEFAULT-VALUE})")
        Isolation isolation;

        @Option(names = "--spec-pacing", description = "keying and think times of the spec "
                + "(caps throughput at 12.86 tpmC per warehouse)")
        boolean specPacing;

        @Option(names = "--mix", defaultValue = "45,43,4,4,4", paramLabel = "NO,P,OS,D,SL",
                description = "transaction weights (default: ${DEFAULT-VALUE})")
        String mix;

        @Option(names = "--seed", paramLabel = "S", description = "random seed of the inputs (default: clock)")
        Long seed;

        @Option(names = "--max-retries", defaultValue = "" + TpccRun.Options.DEFAULT_MAX_RETRIES, paramLabel = "N",
                description = "retries of a transaction after 40001/40P01 (default: ${DEFAULT-VALUE})")
        int maxRetries;

        @Option(names = "--connect-timeout-ms", defaultValue = "2000", paramLabel = "MS",
                description = "pgjdbc connectTimeout, rounded up to whole seconds (default: ${DEFAULT-VALUE})")
        long connectTimeoutMs;

        @Option(names = "--socket-timeout-ms", defaultValue = "5000", paramLabel = "MS",
                description = "pgjdbc socketTimeout: a silent server is given up after this long, rounded up to "
                        + "whole seconds (default: ${DEFAULT-VALUE})")
        long socketTimeoutMs;

        @Option(names = "--reconnect-backoff-max-ms", defaultValue = "500", paramLabel = "MS",
                description = "cap of the reconnect backoff (first retry immediate; default: ${DEFAULT-VALUE})")
        long reconnectBackoffMaxMs;

        @Option(names = "--progress-seconds", defaultValue = "5", paramLabel = "S",
                description = "seconds between progress lines, 0 for none (default: ${DEFAULT-VALUE})")
        int progressSeconds;

        @Option(names = "--no-check", description = "skip the consistency conditions and the audit")
        boolean noCheck;

        @Override
        public Integer call() throws Exception {
            TpccRun.Options options;
            try {
                options = TpccRun.Options.of(url, warehouses, terminals, Duration.ofSeconds(seconds))
                        .withConnection(new ConnectionSettings(url, Duration.ofMillis(connectTimeoutMs),
                                Duration.ofMillis(socketTimeoutMs), false))
                        .withWarmup(Duration.ofSeconds(warmupSeconds)).withIsolation(isolation)
                        .withSpecPacing(specPacing).withMix(Mix.parse(mix)).withMaxRetries(maxRetries)
                        .withReconnectBackoffMax(Duration.ofMillis(reconnectBackoffMaxMs))
                        .withProgressInterval(Duration.ofSeconds(progressSeconds)).withCheckAfterRun(!noCheck);
                if (seed != null) {
                    options = options.withSeed(seed);
                }
            } catch (IllegalArgumentException e) {
                System.err.println("tpcc run: " + e.getMessage());
                return EXIT_USAGE;
            }
            TpccRun.Result r;
            try {
                r = TpccRun.execute(options, System.out::println);
            } catch (IllegalArgumentException e) {
                System.err.println("tpcc run: " + e.getMessage());
                return EXIT_USAGE;
            }
            TpccReport.write(r, out);
            System.out.printf("run: %s%n", TpccRun.describe(r));
            System.out.printf("run: NOPM %,.0f (with the 1%% rollbacks %,.0f), %,.1f commits/s, p50 %s ms, p99 %s ms, "
                            + "retries %d, errors %d%n", r.nopm(), r.newOrdersPerMinuteWithRollbacks(),
                    r.commitsPerSecond(), TpccReport.summary(r).get("latency_p50_ms"),
                    TpccReport.summary(r).get("latency_p99_ms"), r.totals().retries(),
                    r.totals().connectionErrors() + r.totals().otherErrors() + r.totals().gaveUp());
            if (noCheck) {
                System.out.println("run: checks skipped; results in " + out);
                return 0;
            }
            boolean ok = r.consistencyOk() && r.audit() != null && r.audit().ok() && r.orderCounterConsistent();
            if (r.consistency() != null) {
                System.out.print(r.consistency().describe());
            }
            CommitAudit a = r.audit();
            if (a != null) {
                System.out.printf("audit: %d acknowledged New-Orders, %d lost, %d damaged%s; sum(d_next_o_id) grew by "
                                + "%d (%s)%n", a.acknowledged(), a.lost(), a.damaged(),
                        a.complete() ? "" : " (incomplete: " + a.notRecorded() + " not recorded)", r.ordersCreated(),
                        r.orderCounterConsistent() ? "consistent" : "INCONSISTENT");
                a.samples().forEach(s -> System.out.println("audit: " + s));
            }
            if (r.checkFailure() != null) {
                System.out.println("run: " + r.checkFailure());
            }
            System.out.println("run: " + (ok ? "checks OK" : "CHECKS FAILED") + "; results in " + out);
            return ok ? 0 : EXIT_CHECKS_FAILED;
        }
    }

    @Command(name = "compare-postgres", mixinStandardHelpOptions = true,
            description = {"The same TPC-C load and run against a local cacdb cluster (9 DAX servers, one node) and a "
                    + "throwaway PostgreSQL (initdb in a temporary folder, fsync and synchronous_commit on), one after "
                    + "the other. Writes DIR/summary.json (cacdb_nopm, postgres_nopm, ratio) and each side's files in "
                    + "DIR/cacdb and DIR/postgres.",
                    "Exit: 0 both correct; 1 a system could not be run; 2 bad options; 3 a check failed; 4 no "
                            + "PostgreSQL binaries."})
    static final class ComparePostgresCommand implements Callable<Integer> {

        @Option(names = "--warehouses", required = true, paramLabel = "W", description = "warehouses to load")
        int warehouses;

        @Option(names = "--terminals", required = true, paramLabel = "T",
                description = "concurrent terminals, at most 10 per warehouse")
        int terminals;

        @Option(names = "--seconds", defaultValue = "60", paramLabel = "S",
                description = "measured seconds on each system (default: ${DEFAULT-VALUE})")
        int seconds;

        @Option(names = "--seed", paramLabel = "S", description = "seed of both loads and runs (default: clock)")
        Long seed;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for the results")
        Path out;

        @Override
        public Integer call() throws Exception {
            ComparePostgres.Options options;
            try {
                options = ComparePostgres.Options.of(warehouses, terminals, Duration.ofSeconds(seconds), out);
                if (seed != null) {
                    options = options.withSeed(seed);
                }
            } catch (IllegalArgumentException e) {
                System.err.println("tpcc compare-postgres: " + e.getMessage());
                return EXIT_USAGE;
            }
            try {
                return ComparePostgres.run(options, System.out).ok() ? 0 : EXIT_CHECKS_FAILED;
            } catch (ComparePostgres.NoPostgresException e) {
                System.err.println("tpcc compare-postgres: " + e.getMessage());
                return EXIT_NO_POSTGRES;
            } catch (ExperimentException e) {
                System.err.println("tpcc compare-postgres: " + e.getMessage());
                return 1;
            }
        }
    }
}
