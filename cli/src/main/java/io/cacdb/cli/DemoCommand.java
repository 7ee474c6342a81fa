package io.cacdb.cli;

import io.cacdb.cli.experiment.ExperimentException;
import io.cacdb.cli.experiment.ExperimentPolicy;
import io.cacdb.cli.experiment.ExperimentReport;
import io.cacdb.cli.experiment.FailoverExperiment;
import io.cacdb.cli.experiment.FailoverExperiment.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./cacdb demo}: the command a newcomer runs first. The failover experiment ({@link FailoverExperiment}, policy
 * increase-read-io) with demo defaults — 2 warehouses, about 90 s of load, the kill halfway, a 1 ms zone delay — and
 * a short report at the end. Exit 0 when no acknowledged commit was lost and every check passed.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Starts a local cluster (9 DAX servers in 3 zones, the active in zone a, a hot standby in zone "
                + "b, a small zone delay), loads TPC-C, runs it with progress, SIGKILLs the active halfway, "
                + "watches the standby take over, finishes, checks consistency and every acknowledged commit, prints "
                + "a short report and stops everything.",
                "Exit: 0 correct; 1 the demo could not be carried out; 2 bad options; 3 a commit was lost or a check "
                        + "failed."})
final class DemoCommand implements Callable<Integer> {

    /** 4 terminals per warehouse: enough to load the 2-core machine the demo is tuned on, no more. */
    static final int TERMINALS_PER_WAREHOUSE_DEFAULT = 4;

    @Option(names = "--out", paramLabel = "DIR",
            description = "folder for the results (default: a new ./cacdb-demo-<date>-<time>)")
    Path out;

    @Option(names = "--warehouses", defaultValue = "2", paramLabel = "W",
            description = "TPC-C warehouses (default: ${DEFAULT-VALUE})")
    int warehouses;

    @Option(names = "--terminals", paramLabel = "T", description = "TPC-C terminals (default: 4 per warehouse)")
    Integer terminals;

    @Option(names = "--seconds", defaultValue = "90", paramLabel = "S",
            description = "seconds of load; the active is killed halfway (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--zone-delay-ms", defaultValue = "1", paramLabel = "D",
            description = "one-way delay between zones (default: ${DEFAULT-VALUE})")
    int zoneDelayMs;

    static int defaultTerminals(int warehouses) {
        return Math.max(1, TERMINALS_PER_WAREHOUSE_DEFAULT * warehouses);
    }

    @Override
    public Integer call() throws Exception {
        Path dir = out != null ? out : Path.of("cacdb-demo-" + LocalDateTime.now().format(
                DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        FailoverExperiment.Options options;
        try {
            Duration half = Duration.ofSeconds(seconds / 2);
            options = FailoverExperiment.Options.of(ExperimentPolicy.INCREASE_READ_IO, warehouses,
                    terminals != null ? terminals : defaultTerminals(warehouses), half,
                    Duration.ofSeconds(seconds).minus(half), dir).withZoneDelay(Duration.ofMillis(zoneDelayMs));
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage());
            return TpccCommand.EXIT_USAGE;
        }
        System.out.println("""
                cacdb demo: a hot standby takes over from a killed active under TPC-C load.
                  1. start 9 DAX storage servers in 3 zones, the active node n1 (zone a) and its standby n2 (zone b)
                  2. load TPC-C, then run it; halfway, kill n1 with SIGKILL
                  3. n2 takes over; the terminals reconnect; the run finishes
                  4. check the TPC-C consistency conditions and that every acknowledged New-Order is there
                """);
        Outcome o;
        try {
            o = FailoverExperiment.run(options, System.out);
        } catch (ExperimentException e) {
            System.err.println("demo: could not be carried out: " + e.getMessage());
            System.err.println("demo: the cluster's logs are in " + dir.toAbsolutePath().resolve("cluster/logs"));
            return FailoverExperimentCommand.EXIT_NOT_CARRIED_OUT;
        }
        System.out.println(report(o));
        return o.ok() ? 0 : TpccCommand.EXIT_CHECKS_FAILED;
    }

    static String report(Outcome o) {
        StringBuilder sb = new StringBuilder("\n===== cacdb demo: result =====\n");
        sb.append(String.format(Locale.ROOT, "  before the kill:     %.1f transactions/s%n", o.baselinePerSecond()));
        sb.append(String.format(Locale.ROOT, "  downtime:            %s (kill -> first commit on %s; %s takeover)%n",
                o.downtimeMillis() == null ? "no commit after the kill" : String.format(Locale.ROOT, "%.0f ms",
                        o.downtimeMillis()), o.takeover().servingNode(), o.takeover().mode()));
        sb.append(String.format(Locale.ROOT, "  back to 90%%:         %s%n", o.recovery().reached()
                ? String.format(Locale.ROOT, "%.1f s after the kill", o.recovery().millis() / 1000.0)
                : "not reached (" + o.recovery().reason() + ")"));
        var a = o.run().audit();
        sb.append(String.format(Locale.ROOT, "  commits lost:        %s%n", a == null ? "audit did not run"
                : a.lost() + " of " + a.acknowledged() + " acknowledged New-Orders"));
        sb.append(String.format(Locale.ROOT, "  consistency:         %s%n", o.run().consistencyOk() ? "OK" : "FAILED"));
        sb.append("  chart:               ").append(o.dir().resolve(ExperimentReport.CHART)).append('\n');
        sb.append("  report:              ").append(o.dir().resolve(ExperimentReport.REPORT_JSON)).append(", ")
                .append(o.dir().resolve(ExperimentReport.REPORT_MD)).append('\n');
        sb.append(o.ok() ? "  verdict:             OK: no acknowledged commit lost, every check passed\n"
                : "  verdict:             FAILED: " + String.join("; ", o.failures()) + "\n");
        return sb.toString();
    }
}
