package io.cacdb.cli;

import io.cacdb.dax.local.LocalDaxCluster;
import io.cacdb.engine.bench.EngineBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./cacdb engine-bench}: the transactional engine's benchmark (see {@link EngineBench}). */
@Command(name = "engine-bench",
        mixinStandardHelpOptions = true,
        description = {"Benchmarks the transactional engine on DAX: loads a table of --rows rows, then measures "
                + "single-row update transactions (begin, update by primary key, durable commit), point reads on a "
                + "hot set that fits the buffer pool, and point reads over the whole table; checks at the end that "
                + "the sum of the updated counters equals the number of committed updates.",
                "With --local it starts a 9-server, 3-zone cluster in temporary folders and stops it afterwards."})
final class EngineBenchCommand implements Callable<Integer> {

    static final class Target {
        @Option(names = "--local", required = true,
                description = "start a local 9-server, 3-zone cluster (N=6, W=4, R=3) for the run")
        boolean local;

        @Option(names = "--cluster", required = true, paramLabel = "FILE",
                description = "use the running cluster described by this cluster map file (give a fresh --volume)")
        Path clusterFile;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--child-processes", description = "with --local: run the 9 servers as child JVMs instead of "
            + "inside this one (on a 2-core machine ten JVMs mostly measure JIT and CPU contention)")
    boolean childProcesses;

    @Option(names = "--seconds", defaultValue = "30", paramLabel = "S",
            description = "length of each measured phase (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "5", paramLabel = "S",
            description = "uncounted warm-up before each measured phase, for the JIT (default: ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--threads", defaultValue = "32", paramLabel = "T",
            description = "concurrent sessions, each one transaction at a time (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--rows", defaultValue = "1000000", paramLabel = "N",
            description = "rows in the table (default: ${DEFAULT-VALUE})")
    long rows;

    @Option(names = "--hot-rows", paramLabel = "H",
            description = "rows of the hot read set, ids 0..H-1; it must fit the buffer pool (default: the smaller of"
                    + " 100000 and --rows)")
    Long hotRows;

    @Option(names = "--buffer-pool-mb", defaultValue = "256", paramLabel = "MB",
            description = "buffer pool size in MiB (default: ${DEFAULT-VALUE}, which holds a 1,000,000-row table)")
    int bufferPoolMb;

    @Option(names = "--zone-delay-ms", defaultValue = "0", paramLabel = "D",
            description = "one-way delay injected between different zones, in milliseconds (default: "
                    + "${DEFAULT-VALUE})")
    int zoneDelayMs;

    @Option(names = "--zone", defaultValue = "a", paramLabel = "Z",
            description = "the engine's zone (default: ${DEFAULT-VALUE})")
    String zone;

    @Option(names = "--volume", defaultValue = "" + EngineBench.DEFAULT_VOLUME, paramLabel = "V",
            description = "the volume the engine creates and writes; must be new (default: ${DEFAULT-VALUE})")
    long volume;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
    Path json;

    static final long HOT_ROWS_DEFAULT = 100_000;

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || warmupSeconds < 0 || zoneDelayMs < 0) {
            System.err.println("engine-bench: --seconds must be >= 1, --warmup-seconds and --zone-delay-ms >= 0");
            return 2;
        }
        if (target.clusterFile != null && !Files.isRegularFile(target.clusterFile)) {
            System.err.println("engine-bench: cluster map " + target.clusterFile + " does not exist");
            return 2;
        }
        EngineBench.Options options;
        try {
            options = new EngineBench.Options(target.clusterFile,
                    childProcesses ? LocalDaxCluster.Mode.CHILD_PROCESSES : LocalDaxCluster.Mode.IN_PROCESS, volume,
                    Duration.ofSeconds(seconds), Duration.ofSeconds(warmupSeconds), threads, rows,
                    hotRows != null ? hotRows : Math.min(HOT_ROWS_DEFAULT, rows), bufferPoolMb,
                    Duration.ofMillis(zoneDelayMs), zone);
        } catch (IllegalArgumentException e) {
            System.err.println("engine-bench: " + e.getMessage());
            return 2;
        }
        EngineBench.Result result = EngineBench.run(options, System.out);
        if (json != null) {
            Files.writeString(json, result.toJson());
            System.out.println("engine-bench: wrote " + json);
        }
        return result.checkPassed() ? 0 : 1;
    }
}
