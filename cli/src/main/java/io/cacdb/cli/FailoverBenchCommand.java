package io.cacdb.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cacdb.cli.localcluster.FailoverBench;
import io.cacdb.cli.localcluster.LocalClusterException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./cacdb failover-bench --runs N}: repeated SIGKILLs of the active under a JDBC write workload. */
@Command(name = "failover-bench", mixinStandardHelpOptions = true,
        description = {"The takeover benchmark on local clusters of real processes (9 DAX servers in 3 zones, n1 "
                + "active in zone a, n2 standby in zone b) under a JDBC bank-transfer + audit workload: commits/s "
                + "without and with a standby, the standby's replay lag, then N SIGKILLs of the active (the killed "
                + "node restarted as the new standby each time) with the client-observed downtime of each, and the "
                + "check that no acknowledged commit was lost (docs/benchmarks.md).",
                "Prints downtime_ms_p50, downtime_ms_max, acknowledged_commits_lost, replay_lag_ms_p99 and "
                        + "throughput_ratio_with_standby; --json writes the full report. Exit 0 when no acknowledged "
                        + "commit was lost and the invariants hold, 1 otherwise, 2 for bad options."})
final class FailoverBenchCommand implements Callable<Integer> {

    @Option(names = "--runs", defaultValue = "20", paramLabel = "N", description = "SIGKILLs of the active (20)")
    int runs;

    @Option(names = "--zone-delay-ms", defaultValue = "0", paramLabel = "D",
            description = "one-way delay injected between zones (0)")
    long zoneDelayMillis;

    @Option(names = "--workers", defaultValue = "4", paramLabel = "W", description = "JDBC client threads (4)")
    int workers;

    @Option(names = "--window-seconds", defaultValue = "20", paramLabel = "S",
            description = "length of each throughput window, without and with the standby (20)")
    int windowSeconds;

    @Option(names = "--dir", paramLabel = "DIR", description = "where the clusters live (default: a new temp folder)")
    Path dir;

    @Option(names = "--seed", paramLabel = "S", description = "workload seed (default: from the clock)")
    Long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "write the report as JSON here")
    Path json;

    @Override
    public Integer call() throws IOException {
        FailoverBench.Options options;
        try {
            options = new FailoverBench.Options(dir != null ? dir : Files.createTempDirectory("cacdb-failover-bench"),
                    runs, Duration.ofMillis(zoneDelayMillis), workers, Duration.ofSeconds(windowSeconds),
                    seed != null ? seed : System.nanoTime());
        } catch (IllegalArgumentException e) {
            System.err.println("failover-bench: " + e.getMessage());
            return 2;
        }
        FailoverBench.Result r;
        try {
            r = FailoverBench.run(options, System.out);
        } catch (LocalClusterException | SQLException | IllegalStateException e) {
            System.err.println("failover-bench: " + e.getMessage());
            return 1;
        }
        String report = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r.toJson());
        System.out.println(report);
        if (json != null) {
            Files.writeString(json, report + "\n");
            System.out.println("failover-bench: report in " + json);
        }
        return r.ok() ? 0 : 1;
    }
}
