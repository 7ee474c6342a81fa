package io.cacdb.cli;

import io.cacdb.dax.bench.DaxBench;
import io.cacdb.dax.local.LocalDaxCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./cacdb dax-bench}: the DAX storage benchmark (see {@link DaxBench}). */
@Command(name = "dax-bench",
        mixinStandardHelpOptions = true,
        description = {"Benchmarks DAX: concurrent quorum writes, then readAtLeast reads of the written blocks, and a "
                + "single-threaded synced RocksDB put as the reference (so group commit shows as a ratio).",
                "With --local it starts a 9-server, 3-zone cluster in temporary folders and stops it afterwards."})
final class DaxBenchCommand implements Callable<Integer> {

    static final class Target {
        @Option(names = "--local", required = true,
                description = "start a local 9-server, 3-zone cluster (N=6, W=4, R=3) for the run")
        boolean local;

        @Option(names = "--cluster", required = true, paramLabel = "FILE",
                description = "use the running cluster described by this cluster map file")
        Path clusterFile;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--child-processes", description = "with --local: run the 9 servers as child JVMs instead of "
            + "inside this one (on a 2-core machine ten JVMs mostly measure JIT and CPU contention)")
    boolean childProcesses;

    @Option(names = "--seconds", defaultValue = "10", paramLabel = "S",
            description = "length of the write phase and of the read phase, each (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "5", paramLabel = "S",
            description = "uncounted warm-up writes before the write phase, for the JIT (default: ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--clients", defaultValue = "32", paramLabel = "C",
            description = "concurrent clients, each one operation at a time (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--block-bytes", defaultValue = "8192", paramLabel = "B",
            description = "payload bytes per block (default: ${DEFAULT-VALUE})")
    int blockBytes;

    @Option(names = "--zone-delay-ms", defaultValue = "0", paramLabel = "D",
            description = "one-way delay injected between different zones, in milliseconds (default: "
                    + "${DEFAULT-VALUE})")
    int zoneDelayMs;

    @Option(names = "--zone", defaultValue = "a", paramLabel = "Z",
            description = "the benchmark client's zone (default: ${DEFAULT-VALUE})")
    String zone;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || warmupSeconds < 0 || zoneDelayMs < 0) {
            System.err.println("dax-bench: --seconds must be >= 1, --warmup-seconds and --zone-delay-ms >= 0");
            return 2;
        }
        if (target.clusterFile != null && !Files.isRegularFile(target.clusterFile)) {
            System.err.println("dax-bench: cluster map " + target.clusterFile + " does not exist");
            return 2;
        }
        DaxBench.Options options;
        try {
            options = new DaxBench.Options(target.clusterFile,
                    childProcesses ? LocalDaxCluster.Mode.CHILD_PROCESSES : LocalDaxCluster.Mode.IN_PROCESS,
                    Duration.ofSeconds(seconds), Duration.ofSeconds(warmupSeconds), clients, blockBytes,
                    Duration.ofMillis(zoneDelayMs), zone);
        } catch (IllegalArgumentException e) {
            System.err.println("dax-bench: " + e.getMessage());
            return 2;
        }
        DaxBench.Result result = DaxBench.run(options, System.out);
        if (json != null) {
            Files.writeString(json, result.toJson());
            System.out.println("dax-bench: wrote " + json);
        }
        return result.writes().errors() + result.reads().errors() == 0 ? 0 : 1;
    }
}
