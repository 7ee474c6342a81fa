package io.cacdb.cli;

import io.cacdb.cli.localcluster.ChildProcesses.Stopped;
import io.cacdb.cli.localcluster.ClusterState;
import io.cacdb.cli.localcluster.LocalCluster;
import io.cacdb.cli.localcluster.LocalClusterException;
import io.cacdb.cli.localcluster.StatusJson;
import io.cacdb.server.node.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./cacdb cluster up|status|down --dir DIR}: a local cluster of child processes in one directory. */
@Command(name = "cluster",
        mixinStandardHelpOptions = true,
        description = {"A local cluster in one directory: 9 DAX servers (d1..d9 in zones a, b, c), the active database "
                + "node (n1, zone a) and its standby (n2, zone b), each a detached child process with its "
                + "configuration and log in the directory (docs/operations.md, docs/failover.md)."},
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Status.class, ClusterCommand.Down.class})
final class ClusterCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = {"Starts the cluster of DIR and returns once every process serves (the active) or replays "
                    + "(the standby), leaving it running: a new cluster in an empty or missing DIR, or the stopped "
                    + "cluster of DIR again, or the stopped members of a partly running one such as a killed node "
                    + "(data kept). Refuses a DIR whose whole cluster is running.",
                    "Prints the JDBC URL and a psql command line. Exit 0 when up, 1 if it could not start (the "
                            + "failing process's log tail is shown), 2 for bad options."})
    static final class Up implements Callable<Integer> {

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "the cluster's directory")
        Path dir;

        @Option(names = "--no-standby", description = "a single node (n1) with no standby; by default n2 in zone b "
                + "is the standby")
        boolean noStandby;

        @Option(names = "--zone-delay-ms", defaultValue = "0", paramLabel = "D",
                description = "one-way delay injected between zones on the node's DAX traffic, in milliseconds "
                        + "(default: ${DEFAULT-VALUE})")
        int zoneDelayMs;

        @Option(names = "--pg-port", defaultValue = "0", paramLabel = "P",
                description = "the node's PostgreSQL port on first start; 0 picks a free one (default: "
                        + "${DEFAULT-VALUE}); later starts reuse the port of the first")
        int pgPort;

        @Option(names = "--slow-standby-policy", defaultValue = "increase-read-io", paramLabel = "P",
                description = "the nodes' slow-standby policy: increase-read-io, active-wait or unsafe-eviction "
                        + "(default: ${DEFAULT-VALUE}; written into a new cluster's node configurations)")
        String slowStandbyPolicy;

        @Option(names = "--read-io", defaultValue = "0", paramLabel = "N",
                description = "the standby's replay page reads in flight: the adaptive ceiling under "
                        + "increase-read-io, the fixed limit otherwise; 0 = the policy's default (default: "
                        + "${DEFAULT-VALUE})")
        int readIo;

        @Override
        public Integer call() {
            LocalCluster.Options options;
            try {
                options = LocalCluster.Options.defaults(dir).withStandby(!noStandby)
                        .withZoneDelay(Duration.ofMillis(zoneDelayMs)).withPgPort(pgPort)
                        .withSlowStandbyPolicy(NodeConfig.parsePolicy(slowStandbyPolicy).orElseThrow(() ->
                                new IllegalArgumentException("--slow-standby-policy must be increase-read-io, "
                                        + "active-wait or unsafe-eviction, was '" + slowStandbyPolicy + "'")))
                        .withReadIoThreads(readIo);
            } catch (IllegalArgumentException e) {
                System.err.println("cluster up: " + e.getMessage());
                return 2;
            }
            long started = System.nanoTime();
            ClusterState state;
            try {
                state = LocalCluster.up(options, System.out);
            } catch (LocalClusterException e) {
                System.err.println("cluster up: " + e.getMessage());
                return 1;
            }
            System.out.printf(Locale.ROOT, "cluster: up in %.1f s (%d DAX servers, %d node%s) in %s%n",
                    (System.nanoTime() - started) / 1e9, state.daxServers().size(), state.nodes().size(),
                    state.nodes().size() == 1 ? "" : "s", state.dir());
            System.out.println("  JDBC URL: " + state.jdbcUrl());
            System.out.println("  psql:     " + state.psql());
            System.out.println("  status:   ./cacdb cluster status --dir " + state.dir());
            System.out.println("  stop:     ./cacdb cluster down --dir " + state.dir());
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Reads DIR's state file, checks each process is alive and asks its /health; prints a table "
                    + "or, with --json, JSON (nodes and dax_servers with name, zone, role, pid, ports, alive, health; "
                    + "a standby's replay_lsn, lag_bytes, lag_millis; jdbc_url).",
                    "Exit 0 when every process is alive and healthy, 1 otherwise, 2 when DIR holds no cluster."})
    static final class Status implements Callable<Integer> {

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "the cluster's directory")
        Path dir;

        @Option(names = "--json", description = "print JSON instead of a table")
        boolean json;

        @Override
        public Integer call() {
            LocalCluster.Status status;
            try {
                status = LocalCluster.status(dir);
            } catch (LocalClusterException e) {
                System.err.println("cluster status: " + e.getMessage());
                return 2;
            }
            System.out.println(json ? StatusJson.toJson(status) : StatusJson.toTable(status));
            return status.allUp() ? 0 : 1;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = {"Stops DIR's cluster: SIGTERM to the nodes first, the standby before the active (which ends "
                    + "sessions, flushes, checkpoints and releases its lease), then to the DAX servers; waits with a "
                    + "bound and SIGKILLs stragglers; records the stop in the state file. Idempotent.",
                    "Exit 0 when nothing of the cluster runs any more, 1 otherwise."})
    static final class Down implements Callable<Integer> {

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "the cluster's directory")
        Path dir;

        @Override
        public Integer call() {
            List<LocalCluster.StopResult> results;
            try {
                results = LocalCluster.down(dir, System.out);
            } catch (LocalClusterException e) {
                System.err.println("cluster down: " + e.getMessage());
                return 1;
            }
            if (results.isEmpty()) {
                System.out.println("cluster: no cluster in " + dir.toAbsolutePath().normalize() + "; nothing to stop");
                return 0;
            }
            for (LocalCluster.StopResult r : results) {
                System.out.println("  " + r.name() + ": " + switch (r.outcome()) {
                    case NOT_RUNNING -> "was not running";
                    case TERMINATED -> "stopped";
                    case KILLED -> "killed (did not stop within its bound after SIGTERM)";
                    case STILL_RUNNING -> "STILL RUNNING after SIGKILL";
                });
            }
            long stopped = results.stream().filter(r -> r.outcome() == Stopped.TERMINATED
                    || r.outcome() == Stopped.KILLED).count();
            boolean clean = results.stream().noneMatch(r -> r.outcome() == Stopped.STILL_RUNNING);
            System.out.println("cluster: " + (clean ? "down" : "NOT fully down") + " (" + stopped + " stopped, "
                    + results.stream().filter(r -> r.outcome() == Stopped.NOT_RUNNING).count()
                    + " were not running)");
            return clean ? 0 : 1;
        }
    }
}
