package io.cacdb.cli;

import io.cacdb.cli.experiment.ExperimentException;
import io.cacdb.cli.experiment.ExperimentPolicy;
import io.cacdb.cli.experiment.ExperimentReport;
import io.cacdb.cli.experiment.FailoverExperiment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./cacdb failover-experiment}: {@link FailoverExperiment}, one policy or all four (docs/tpcc.md). */
@Command(name = "failover-experiment", mixinStandardHelpOptions = true,
        description = {"CAC-DB's failover experiment on a local 9-server, 3-zone cluster: loads TPC-C, runs it, "
                + "SIGKILLs the active after --before seconds, runs --after seconds more, checks consistency and that "
                + "every acknowledged New-Order is there, and writes DIR/report.json, DIR/throughput.png, "
                + "DIR/report.md.",
                "--all-policies runs increase-read-io, active-wait, unsafe-eviction and restart-only in turn "
                        + "(DIR/<policy>/) and writes DIR/comparison.md and DIR/comparison.png.",
                "Exit: 0 correct; 1 the experiment could not be carried out; 2 bad options; 3 a commit was lost or a "
                        + "check failed."})
final class FailoverExperimentCommand implements Callable<Integer> {

    static final int EXIT_NOT_CARRIED_OUT = 1;

    @Option(names = "--policy", defaultValue = "increase-read-io", paramLabel = "P",
            description = "increase-read-io, active-wait, unsafe-eviction or restart-only (default: ${DEFAULT-VALUE})")
    String policy;

    @Option(names = "--all-policies", description = "run the four policies in turn and compare them")
    boolean allPolicies;

    @Option(names = "--warehouses", defaultValue = "2", paramLabel = "W",
            description = "TPC-C warehouses (default: ${DEFAULT-VALUE})")
    int warehouses;

    @Option(names = "--terminals", paramLabel = "T", description = "TPC-C terminals (default: 4 per warehouse, at "
            + "most 10 per warehouse)")
    Integer terminals;

    @Option(names = "--before", defaultValue = "30", paramLabel = "S",
            description = "seconds of load before the kill (default: ${DEFAULT-VALUE})")
    int before;

    @Option(names = "--after", defaultValue = "30", paramLabel = "S",
            description = "seconds of load after the kill (default: ${DEFAULT-VALUE})")
    int after;

    @Option(names = "--zone-delay-ms", defaultValue = "1", paramLabel = "D",
            description = "one-way delay between zones on the nodes' DAX traffic (default: ${DEFAULT-VALUE})")
    int zoneDelayMs;

    @Option(names = "--seed", paramLabel = "S", description = "seed of the load and the run (default: clock)")
    Long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for the results")
    Path out;

    @Override
    public Integer call() throws Exception {
        FailoverExperiment.Options options;
        try {
            options = FailoverExperiment.Options.of(ExperimentPolicy.parse(policy), warehouses,
                    terminals != null ? terminals : DemoCommand.defaultTerminals(warehouses),
                    Duration.ofSeconds(before), Duration.ofSeconds(after), out)
                    .withZoneDelay(Duration.ofMillis(zoneDelayMs));
            if (seed != null) {
                options = options.withSeed(seed);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("failover-experiment: " + e.getMessage());
            return TpccCommand.EXIT_USAGE;
        }
        if (allPolicies) {
            FailoverExperiment.Comparison c = FailoverExperiment.runAll(options, System.out);
            c.outcomes().forEach(o -> System.out.println("failover-experiment: " + FailoverExperiment.oneLine(o)));
            c.notRun().forEach((p, why) -> System.out.println("failover-experiment: " + p + " not carried out: "
                    + why));
            System.out.println("failover-experiment: " + out.resolve(ExperimentReport.COMPARISON_MD) + ", "
                    + out.resolve(ExperimentReport.COMPARISON_PNG));
            if (!c.notRun().isEmpty()) {
                return EXIT_NOT_CARRIED_OUT;
            }
            return c.ok() ? 0 : TpccCommand.EXIT_CHECKS_FAILED;
        }
        FailoverExperiment.Outcome o;
        try {
            o = FailoverExperiment.run(options, System.out);
        } catch (ExperimentException e) {
            System.err.println("failover-experiment: " + e.getMessage());
            return EXIT_NOT_CARRIED_OUT;
        }
        System.out.println("failover-experiment: " + FailoverExperiment.oneLine(o));
        System.out.println("failover-experiment: " + o.dir().resolve(ExperimentReport.REPORT_JSON) + ", "
                + o.dir().resolve(ExperimentReport.CHART) + ", " + o.dir().resolve(ExperimentReport.REPORT_MD));
        return o.ok() ? 0 : TpccCommand.EXIT_CHECKS_FAILED;
    }
}
