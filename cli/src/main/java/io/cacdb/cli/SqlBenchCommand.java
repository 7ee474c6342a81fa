package io.cacdb.cli;

import io.cacdb.cli.localcluster.ChildCommand;
import io.cacdb.cli.sqlbench.SqlBench;
import io.cacdb.cli.sqlbench.SqlWorkload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./cacdb sql-bench}: the same pgjdbc workload against cacdb and a throwaway PostgreSQL. */
@Command(name = "sql-bench",
        mixinStandardHelpOptions = true,
        description = {"Loads one table (id BIGINT PRIMARY KEY, k BIGINT, c VARCHAR) and runs the same pgjdbc workload "
                + "-- point selects by id and single-row updates of k, each in autocommit (one statement, one "
                + "transaction) -- against (a) a local cacdb cluster started for the run (9 DAX servers, one node; "
                + "stopped and deleted afterwards) and (b) a throwaway PostgreSQL cluster it creates (initdb in a "
                + "temporary folder, fsync=on, synchronous_commit=on, same memory as the cacdb node), one after "
                + "the other. Reports cacdb_tps, postgres_tps and ratio = cacdb / postgres, latencies and the "
                + "configuration; checks afterwards that sum(k) grew by exactly the acknowledged updates.",
                "PostgreSQL binaries are looked for in PATH and /usr/lib/postgresql/*/bin; as root they run as the "
                        + "'postgres' OS user. If they are missing, cacdb is still measured and reported and the exit "
                        + "code is 3 (0 with --no-postgres).",
                "Exit codes: 0 success, 1 a system failed or its invariant broke, 2 bad options, 3 no PostgreSQL "
                        + "binaries."})
final class SqlBenchCommand implements Callable<Integer> {

    @Option(names = "--json", paramLabel = "FILE", description = "also write the report as JSON to FILE")
    Path json;

    @Option(names = "--seconds", defaultValue = "30", paramLabel = "S",
            description = "measured seconds per system (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "10", paramLabel = "S",
            description = "uncounted warm-up seconds before each measurement (default: ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--connections", defaultValue = "16", paramLabel = "C",
            description = "concurrent connections, one statement at a time each (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--rows", defaultValue = "1000000", paramLabel = "N",
            description = "rows in the table (default: ${DEFAULT-VALUE})")
    long rows;

    @Option(names = "--update-percent", defaultValue = "20", paramLabel = "P",
            description = "share of updates among the statements, the rest point selects (default: ${DEFAULT-VALUE})")
    int updatePercent;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED",
            description = "seed of the random ids (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--memory-mib", defaultValue = "256", paramLabel = "MIB",
            description = "cacdb node buffer pool and PostgreSQL shared_buffers, MiB each (default: ${DEFAULT-VALUE})")
    long memoryMib;

    @Option(names = "--zone-delay-ms", defaultValue = "0", paramLabel = "D",
            description = "one-way cross-zone delay of the local cacdb cluster (default: ${DEFAULT-VALUE})")
    int zoneDelayMs;

    @Option(names = "--no-postgres", description = "measure cacdb only")
    boolean noPostgres;

    @Option(names = "--no-cacdb", description = "measure PostgreSQL only (to check the driver and the machine)")
    boolean noCacdb;

    @Option(names = "--cacdb-url", paramLabel = "JDBC_URL",
            description = "measure this running cacdb (for example from 'cluster up') instead of starting one")
    String cacdbUrl;

    @Override
    public Integer call() throws Exception {
        SqlBench.Options options;
        try {
            long bufferPoolBytes = Math.multiplyExact(memoryMib, 1L << 20);
            options = new SqlBench.Options(new SqlWorkload.Options(rows, connections,
                    Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(seconds), updatePercent, seed),
                    !noCacdb, cacdbUrl, !noPostgres, bufferPoolBytes, Duration.ofMillis(zoneDelayMs),
                    ChildCommand.ofThisProcess());
        } catch (IllegalArgumentException | ArithmeticException e) {
            System.err.println("sql-bench: " + e.getMessage());
            return 2;
        }
        SqlBench.Report report = SqlBench.run(options, System.out);
        if (json != null) {
            Files.writeString(json, report.toJson() + "\n");
            System.out.println("sql-bench: wrote " + json);
        }
        if (!SqlBench.succeeded(report)) {
            return 1;
        }
        return !noPostgres && report.postgres() == null ? 3 : 0;
    }
}
