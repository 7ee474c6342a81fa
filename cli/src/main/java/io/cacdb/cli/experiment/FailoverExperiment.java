package io.cacdb.cli.experiment;

import io.cacdb.cli.localcluster.ChildCommand;
import io.cacdb.cli.localcluster.ChildProcesses;
import io.cacdb.cli.localcluster.ClusterState;
import io.cacdb.cli.localcluster.ClusterState.Member;
import io.cacdb.cli.localcluster.HealthProbe;
import io.cacdb.cli.localcluster.LocalCluster;
import io.cacdb.cli.localcluster.LocalClusterException;
import io.cacdb.server.node.NodeConfig;
import io.cacdb.tpcc.load.TpccLoad;
import io.cacdb.tpcc.run.TpccRun;
import io.cacdb.tpcc.series.PerSecondSeries;
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
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The failover experiment (issue 6, CAC-DB Table 6.3 on our system): on a local 9-server, 3-zone cluster with a zone
 * delay, load TPC-C, run it, SIGKILL the active at {@code before}, keep running for {@code after}, then check
 * consistency and the acknowledged-commit audit and measure downtime, the longest commit gap and the time back to 90%
 * ({@link FailoverMeasures}). Policies: the standby's three slow-standby policies, or {@code restart-only} (no
 * standby; the killed node is started again and recovers cold).
 *
 * <p>Everything it starts is stopped at the end — on success, on failure and on Ctrl-C (a shutdown hook stops the
 * cluster) — and the cluster's folder ({@code DIR/cluster}, with every process's log) stays for inspection.
 * {@link ExperimentReport} writes the files; {@code ./cacdb demo} is this with demo defaults.
 */
public final class FailoverExperiment {

    /** After a load the standby replays what the load wrote; 2 W are ~1 GB of log, a few minutes on 2 cores. */
    static final Duration STANDBY_CATCH_UP_TIMEOUT = Duration.ofMinutes(10);
    /** Detection (lease 500 ms) + takeover are seconds; a minute means it is not coming. */
    static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(60);
    /** How often the takeover wait asks the standby's /health: the ACTIVE instant is known to this resolution. */
    static final Duration TAKEOVER_POLL = Duration.ofMillis(20);
    /** How often the catch-up wait prints the standby's lag. */
    static final Duration CATCH_UP_PROGRESS_INTERVAL = Duration.ofSeconds(10);
    /** Starts of the local cluster before giving up (see {@link #startCluster}). */
    static final int CLUSTER_START_ATTEMPTS = 3;
    /** Loads before giving up (see {@link #load}). */
    static final int LOAD_ATTEMPTS = 3;
    /** A takeover, or a node that lost its lease re-acquiring it, on a starved machine: tens of seconds at worst. */
    static final Duration SERVING_TIMEOUT = Duration.ofMinutes(3);
    /** Error messages in progress lines and reports are cut here (a failed batch's message lists every row). */
    static final int MESSAGE_CHARS_MAX = 300;
    /** A /health probe of a local process answers in milliseconds. */
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

    /**
     * One experiment.
     *
     * @param policy         how the cluster survives the kill
     * @param warehouses     TPC-C warehouses loaded and driven
     * @param terminals      TPC-C terminals (at most 10 per warehouse)
     * @param before         run time before the kill
     * @param after          run time after the kill
     * @param zoneDelay      one-way delay between zones on the nodes' DAX traffic
     * @param out            the experiment's folder (report, chart, the TPC-C run's files, the cluster)
     * @param seed           seed of the load and the run
     * @param children       how the cluster's processes are started
     * @param nodeBufferPoolBytes each node's buffer pool
     */
    public record Options(ExperimentPolicy policy, int warehouses, int terminals, Duration before, Duration after,
            Duration zoneDelay, Path out, long seed, ChildCommand children, long nodeBufferPoolBytes) {

        public Options {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(children, "children");
            if (warehouses < 1 || terminals < 1) {
                throw new IllegalArgumentException("warehouses and terminals must be >= 1, were " + warehouses
                        + " and " + terminals);
            }
            if (terminals > 10 * warehouses) {
                throw new IllegalArgumentException(terminals + " terminals for " + warehouses
                        + " warehouse(s): at most 10 per warehouse");
            }
            if (before.compareTo(Duration.ofSeconds(2)) < 0 || after.compareTo(Duration.ofSeconds(2)) < 0) {
                throw new IllegalArgumentException("--before and --after must be >= 2 s (a baseline needs complete "
                        + "seconds before the kill), were " + before.toSeconds() + " and " + after.toSeconds());
            }
            if (zoneDelay.isNegative()) {
                throw new IllegalArgumentException("zone delay must be >= 0, was " + zoneDelay);
            }
        }

        public static Options of(ExperimentPolicy policy, int warehouses, int terminals, Duration before,
                Duration after, Path out) {
            return new Options(policy, warehouses, terminals, before, after, Duration.ofMillis(1), out,
                    System.nanoTime(), ChildCommand.ofThisProcess(), NodeConfig.DEFAULT_BUFFER_POOL_BYTES);
        }

        public Options withPolicy(ExperimentPolicy p, Path dir) {
            return new Options(p, warehouses, terminals, before, after, zoneDelay, dir, seed, children,
                    nodeBufferPoolBytes);
        }

        public Options withZoneDelay(Duration d) {
            return new Options(policy, warehouses, terminals, before, after, d, out, seed, children,
                    nodeBufferPoolBytes);
        }

        public Options withSeed(long s) {
            return new Options(policy, warehouses, terminals, before, after, zoneDelay, out, s, children,
                    nodeBufferPoolBytes);
        }

        public Options withChildren(ChildCommand c) {
            return new Options(policy, warehouses, terminals, before, after, zoneDelay, out, seed, c,
                    nodeBufferPoolBytes);
        }

        public Options withNodeBufferPoolBytes(long bytes) {
            return new Options(policy, warehouses, terminals, before, after, zoneDelay, out, seed, children, bytes);
        }

        Path clusterDir() {
            return out.resolve("cluster");
        }
    }

    /** What happened at the kill, as the cluster saw it. */
    public record Takeover(String killedNode, String servingNode, double servingAfterKillMillis, String mode,
            Double nodeMillis, String coldReason, Map<String, Double> stepsMillis) {
    }

    /**
     * The measured outcome (report.json's content; {@link ExperimentReport} writes it).
     *
     * @param failures what broke (a lost or damaged commit, a failed check); empty when the run is correct
     */
    public record Outcome(Options options, TpccRun.Result run, long killNanos, Takeover takeover,
            double baselinePerSecond, Double downtimeMillis, double maxZeroCommitGapMillis,
            FailoverMeasures.Recovery recovery, List<OccupancyPoller.Sample> occupancy, List<String> failures,
            Path dir) {

        public boolean ok() {
            return failures.isEmpty();
        }

        public double killSecond() {
            return killNanos / 1e9;
        }

        public long lost() {
            return run.audit() == null ? -1 : run.audit().lost();
        }
    }

    private FailoverExperiment() {
    }

    /**
     * Runs one experiment into {@code options.out()} and writes its report; throws when it could not be carried out
     * (the cluster did not start, the load failed, no takeover). A run that loses a commit returns normally with the
     * loss in {@link Outcome#failures()}.
     */
    public static Outcome run(Options options, PrintStream out) throws ExperimentException, InterruptedException {
        Path dir = options.out().toAbsolutePath().normalize();
        Path clusterDir = dir.resolve("cluster");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ExperimentException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        ExperimentPolicy policy = options.policy();
        LocalCluster.Options cluster = LocalCluster.Options.defaults(clusterDir).withStandby(policy.hasStandby())
                .withZoneDelay(options.zoneDelay()).withChildren(options.children())
                .withNodeBufferPoolBytes(options.nodeBufferPoolBytes());
        if (policy.standbyPolicy().isPresent()) {
            cluster = cluster.withSlowStandbyPolicy(policy.standbyPolicy().get());
        }
        Thread cleanup = new Thread(() -> stopCluster(clusterDir, out), "experiment-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            return runOnCluster(options, cluster, dir, out);
        } finally {
            stopCluster(clusterDir, out);
            removeHook(cleanup, out);
        }
    }

    /** Removes a cleanup hook once the cleanup has been done in line; during shutdown (Ctrl-C) it runs anyway. */
    static void removeHook(Thread hook, PrintStream out) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            out.println("experiment: shutting down (" + e.getMessage() + "); the cleanup hook stops what is left");
        }
    }

    /** The outcomes of {@link #runAll}: the runs that finished, and why the others could not be carried out. */
    public record Comparison(List<Outcome> outcomes, Map<String, String> notRun) {
        public boolean ok() {
            return notRun.isEmpty() && outcomes.stream().allMatch(Outcome::ok);
        }
    }

    /**
     * Every policy in turn, each on a fresh cluster in {@code DIR/<policy>}, then {@code comparison.md} and
     * {@code comparison.png} in {@code DIR}. A policy that cannot be carried out is reported and the next one runs.
     */
    public static Comparison runAll(Options base, PrintStream out) throws InterruptedException, IOException {
        List<Outcome> outcomes = new ArrayList<>();
        Map<String, String> notRun = new LinkedHashMap<>();
        ExperimentPolicy[] policies = ExperimentPolicy.values();
        for (int i = 0; i < policies.length; i++) {
            ExperimentPolicy p = policies[i];
            out.printf(Locale.ROOT, "experiment: ===== policy %d of %d: %s =====%n", i + 1, policies.length, p.word());
            try {
                Outcome o = run(base.withPolicy(p, base.out().resolve(p.word())), out);
                outcomes.add(o);
                out.println("experiment: " + oneLine(o));
            } catch (ExperimentException e) {
                out.println("experiment: policy " + p.word() + " could not be carried out: " + brief(e.getMessage()));
                notRun.put(p.word(), brief(e.getMessage()));
            }
        }
        ExperimentReport.writeComparison(base.out(), outcomes, notRun);
        return new Comparison(List.copyOf(outcomes), Map.copyOf(notRun));
    }

    /** A one-line summary for logs. */
    public static String oneLine(Outcome o) {
        return String.format(Locale.ROOT, "%s: downtime %s ms, longest gap %.0f ms, back to 90%% %s, baseline %.1f "
                        + "commits/s, %s takeover, %d lost, consistency %s%s", o.options().policy().word(),
                o.downtimeMillis() == null ? "-" : String.format(Locale.ROOT, "%.0f", o.downtimeMillis()),
                o.maxZeroCommitGapMillis(), o.recovery().reached() ? String.format(Locale.ROOT, "in %.1f s",
                        o.recovery().millis() / 1000.0) : "not reached", o.baselinePerSecond(), o.takeover().mode(),
                o.lost(), o.run().consistencyOk() ? "ok" : "FAILED", o.ok() ? "" : "; FAILED: "
                        + String.join("; ", o.failures()));
    }

    private static Outcome runOnCluster(Options options, LocalCluster.Options cluster, Path dir, PrintStream out)
            throws ExperimentException, InterruptedException {
        ExperimentPolicy policy = options.policy();
        out.printf(Locale.ROOT, "experiment: policy %s, %d warehouse(s), %d terminals, %d s before the kill, %d s "
                        + "after, zone delay %d ms, in %s%n", policy.word(), options.warehouses(), options.terminals(),
                options.before().toSeconds(), options.after().toSeconds(), options.zoneDelay().toMillis(), dir);
        out.println("experiment: [1/5] starting the local cluster (9 DAX servers in 3 zones, "
                + (policy.hasStandby() ? "active n1 in zone a, standby n2 in zone b" : "node n1 in zone a, no standby")
                + ")");
        ClusterState state = startCluster(cluster, out);
        String url = state.jdbcUrl();
        out.println("experiment: [2/5] loading TPC-C (" + options.warehouses() + " warehouse(s)) through " + url);
        HealthProbe probe = new HealthProbe(HEALTH_TIMEOUT);
        TpccLoad.Result load = load(url, options.warehouses(), options.seed(), "experiment: ", out,
                () -> awaitServingNode(probe, state, out));
        List<String> failures = new ArrayList<>();
        if (load.consistency() != null && !load.consistency().ok()) {
            failures.add("consistency conditions failed right after the load");
        }
        // normally n2; after a lease loss during the load (a starved machine) the two may have swapped roles
        Member survivor = policy.hasStandby() ? awaitStandbyCaughtUp(probe, state, out) : node(state, "n1");

        Duration total = options.before().plus(options.after());
        out.printf(Locale.ROOT, "experiment: [3/5] running TPC-C for %d s; SIGKILL of the active at %d s%n",
                total.toSeconds(), options.before().toSeconds());
        TpccRun run;
        try {
            run = TpccRun.start(TpccRun.Options.of(url, options.warehouses(), options.terminals(), total)
                    .withSeed(options.seed()), line -> out.println("experiment: " + line));
        } catch (SQLException e) {
            throw new ExperimentException("the TPC-C run did not start: " + brief(e.getMessage()), e);
        }
        PerSecondSeries series = run.series();
        OccupancyPoller poller = new OccupancyPoller(survivor.host(), survivor.port("admin"), series.startNanos(),
                (int) total.toSeconds() + 120);
        TpccRun.Result result;
        long killNanos;
        Takeover takeover;
        try {
            long killAt = series.startNanos() + options.before().toNanos();
            while (System.nanoTime() < killAt) {
                LockSupport.parkNanos(Math.min(killAt - System.nanoTime(), Duration.ofMillis(100).toNanos()));
                if (Thread.interrupted()) {
                    run.stop();
                    throw new InterruptedException("interrupted before the kill");
                }
            }
            Member victim = activeNode(probe, state);
            ProcessHandle handle = ChildProcesses.find(victim.pid(), victim.config()).orElseThrow(() ->
                    new ExperimentException("the active " + victim.name() + " (pid " + victim.pid() + ") is not "
                            + "running at the kill"));
            long killedAt = System.nanoTime();
            handle.destroyForcibly(); // SIGKILL
            killNanos = killedAt - series.startNanos();
            run.markEvent("SIGKILL " + victim.name());
            out.println("experiment: [4/5] killed the active " + victim.name() + " (pid " + victim.pid() + ") with "
                    + "SIGKILL; " + (policy.hasStandby() ? "waiting for the standby to take over"
                    : "restarting it (crash recovery, cold pool)"));
            // normally n1 dies and n2 takes over; if a lease loss already swapped them, the other way round
            takeover = policy.hasStandby() ? awaitTakeover(probe, victim, otherNode(state, victim), killedAt, out)
                    : restart(cluster, probe, victim, handle, killedAt, out);
            result = run.awaitResult();
        } catch (ExperimentException | RuntimeException | InterruptedException e) {
            run.stop();
            throw e;
        } finally {
            poller.close();
        }
        out.println("experiment: [5/5] checks: consistency conditions and the acknowledged-commit audit done");
        Outcome outcome = measure(options, result, killNanos, takeover, poller.samples(), failures, dir);
        try {
            ExperimentReport.write(outcome);
        } catch (IOException e) {
            throw new ExperimentException("cannot write the report into " + dir + ": " + e.getMessage(), e);
        }
        return outcome;
    }

    /**
     * {@code cluster up}, tried {@link #CLUSTER_START_ATTEMPTS} times: on a loaded machine a cold DAX server can miss
     * the node's first storage deadline (2 s) and {@code up} stops everything again; a second start from the same
     * configurations usually works.
     */
    static ClusterState startCluster(LocalCluster.Options cluster, PrintStream out) throws ExperimentException {
        for (int attempt = 1; ; attempt++) {
            try {
                return LocalCluster.up(cluster, out);
            } catch (LocalClusterException e) {
                if (attempt >= CLUSTER_START_ATTEMPTS) {
                    throw new ExperimentException("the cluster did not start (" + attempt + " attempts): "
                            + e.getMessage(), e);
                }
                out.println("experiment: the cluster did not start (attempt " + attempt + " of "
                        + CLUSTER_START_ATTEMPTS + "), trying again: " + brief(e.getMessage()));
            }
        }
    }

    /**
     * {@code tpcc load}, tried {@link #LOAD_ATTEMPTS} times: on a starved machine a node can miss its lease renewals
     * (500 ms) during the load's long write bursts and stop serving, which ends the loader's sessions; the load
     * drops and recreates the tables, so a second attempt starts clean (on whichever node is active then).
     */
    static TpccLoad.Result load(String url, int warehouses, long seed, String prefix, PrintStream out,
            ServingWait awaitServing) throws ExperimentException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return TpccLoad.run(TpccLoad.Options.of(url, warehouses).withSeed(seed),
                        line -> out.println(prefix + line));
            } catch (SQLException e) {
                if (attempt >= LOAD_ATTEMPTS) {
                    throw new ExperimentException("the TPC-C load failed (" + attempt + " attempts): "
                            + brief(e.getMessage()), e);
                }
                out.println(prefix + "the load failed (attempt " + attempt + " of " + LOAD_ATTEMPTS + "): "
                        + brief(e.getMessage()) + "; loading again from scratch once a node serves");
                awaitServing.await();
            }
        }
    }

    /** Waits until the database serves again (a node says ACTIVE and UP). */
    @FunctionalInterface
    interface ServingWait {
        void await() throws ExperimentException, InterruptedException;
    }

    /** Until some node of the cluster says ACTIVE and UP on /health, at most {@link #SERVING_TIMEOUT}. */
    static void awaitServingNode(HealthProbe probe, ClusterState state, PrintStream out)
            throws ExperimentException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + SERVING_TIMEOUT.toNanos();
        while (true) {
            for (Member m : state.nodes()) {
                Map<String, String> h = probe.health(m.host(), m.port("admin"));
                if ("ACTIVE".equals(h.get("role")) && "UP".equals(h.get("status"))) {
                    out.printf(Locale.ROOT, "experiment:   %s serves (after %.1f s)%n", m.name(),
                            (System.nanoTime() - start) / 1e9);
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new ExperimentException("no node of " + state.dir() + " serves within " + SERVING_TIMEOUT);
            }
            Thread.sleep(200);
        }
    }

    /** The first line of a message, at most {@link #MESSAGE_CHARS_MAX} characters (a failed batch names every row). */
    public static String brief(String message) {
        if (message == null) {
            return "(no message)";
        }
        String line = message.lines().findFirst().orElse("");
        return line.length() <= MESSAGE_CHARS_MAX ? line : line.substring(0, MESSAGE_CHARS_MAX) + "...";
    }

    /** The measures and the verdict of one run. */
    static Outcome measure(Options options, TpccRun.Result r, long killNanos, Takeover takeover,
            List<OccupancyPoller.Sample> occupancy, List<String> earlierFailures, Path dir) {
        long[] instants = r.series().commitInstants().sortedNanosSinceStart();
        int runSeconds = (int) Math.floor(r.measureFromSecond() + r.measuredSeconds());
        long[] perSecond = new long[Math.max(1, runSeconds)];
        for (PerSecondSeries.Row row : r.series().rows(0, perSecond.length)) {
            perSecond[row.second()] = row.commits();
        }
        OptionalLong downtime = FailoverMeasures.downtimeNanos(instants, killNanos);
        long runEndNanos = Math.round((r.measureFromSecond() + r.measuredSeconds()) * 1e9);
        long gapFrom = instants.length > 0 ? instants[0] : 0;
        long gap = FailoverMeasures.longestGapNanos(instants, Math.min(gapFrom, runEndNanos), runEndNanos);
        OptionalDouble baseline = FailoverMeasures.baselinePerSecond(perSecond, killNanos);
        FailoverMeasures.Recovery recovery = FailoverMeasures.timeToRecovered(perSecond, runSeconds - 1, killNanos,
                baseline.orElse(0));
        List<String> failures = new ArrayList<>(earlierFailures);
        if (r.checkFailure() != null) {
            failures.add(r.checkFailure());
        }
        if (r.audit() == null) {
            failures.add("the acknowledged-commit audit did not run");
        } else {
            if (r.audit().lost() > 0) {
                failures.add(r.audit().lost() + " acknowledged New-Order(s) LOST");
            }
            if (r.audit().damaged() > 0) {
                failures.add(r.audit().damaged() + " acknowledged New-Order(s) damaged");
            }
            if (!r.audit().complete()) {
                failures.add("the audit is incomplete (" + r.audit().notRecorded() + " not recorded)");
            }
        }
        if (!r.consistencyOk()) {
            failures.add("TPC-C consistency conditions failed");
        }
        if (r.audit() != null && !r.orderCounterConsistent()) {
            failures.add("sum(d_next_o_id) does not match the acknowledged New-Orders");
        }
        if (downtime.isEmpty()) {
            failures.add("no commit after the kill");
        }
        return new Outcome(options, r, killNanos, takeover, baseline.orElse(0),
                downtime.isPresent() ? downtime.getAsLong() / 1e6 : null, gap / 1e6, recovery, occupancy,
                List.copyOf(failures), dir);
    }

    private static Member node(ClusterState state, String name) throws ExperimentException {
        return state.nodes().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new ExperimentException("the cluster has no node " + name));
    }

    private static Member otherNode(ClusterState state, Member node) throws ExperimentException {
        return state.nodes().stream().filter(m -> !m.name().equals(node.name())).findFirst()
                .orElseThrow(() -> new ExperimentException("the cluster has no node besides " + node.name()));
    }

    private static Member activeNode(HealthProbe probe, ClusterState state) throws ExperimentException {
        for (Member m : state.nodes()) {
            if ("ACTIVE".equals(probe.health(m.host(), m.port("admin")).get("role"))) {
                return m;
            }
        }
        throw new ExperimentException("no node of " + state.dir() + " says it is ACTIVE at the kill");
    }

    /** Until one node is ACTIVE and the other STANDBY, CAUGHT_UP and HEALTHY; returns the standby. */
    private static Member awaitStandbyCaughtUp(HealthProbe probe, ClusterState state, PrintStream out)
            throws ExperimentException, InterruptedException {
        out.println("experiment: waiting for the standby to replay the load and hear the active (CAUGHT_UP, HEALTHY)");
        long start = System.nanoTime();
        long deadline = start + STANDBY_CATCH_UP_TIMEOUT.toNanos();
        long nextPrint = start + CATCH_UP_PROGRESS_INTERVAL.toNanos();
        while (true) {
            Map<String, Map<String, String>> health = new LinkedHashMap<>();
            for (Member m : state.nodes()) {
                health.put(m.name(), probe.health(m.host(), m.port("admin")));
            }
            boolean activeUp = health.values().stream()
                    .anyMatch(h -> "ACTIVE".equals(h.get("role")) && "UP".equals(h.get("status")));
            for (Member m : state.nodes()) {
                Map<String, String> h = health.get(m.name());
                if (activeUp && "STANDBY".equals(h.get("role")) && "CAUGHT_UP".equals(h.get("replay_state"))
                        && "HEALTHY".equals(h.get("verdict"))) {
                    out.printf(Locale.ROOT, "experiment:   standby %s caught up after %.1f s%n", m.name(),
                            (System.nanoTime() - start) / 1e9);
                    return m;
                }
            }
            long now = System.nanoTime();
            if (now > deadline) {
                throw new ExperimentException("no standby caught up within " + STANDBY_CATCH_UP_TIMEOUT + ": "
                        + health);
            }
            if (now > nextPrint) {
                nextPrint += CATCH_UP_PROGRESS_INTERVAL.toNanos();
                StringBuilder sb = new StringBuilder("experiment:  ");
                health.forEach((name, h) -> sb.append(' ').append(name).append(' ').append(h.get("role"))
                        .append('/').append(h.get("status"))
                        .append(h.containsKey("replay_state") ? " " + h.get("replay_state") + ", lag "
                                + h.get("lag_bytes") + " bytes / " + h.get("lag_millis") + " ms" : "").append(';'));
                out.println(sb);
            }
            Thread.sleep(200);
        }
    }

    private static Takeover awaitTakeover(HealthProbe probe, Member victim, Member standby, long killedAt,
            PrintStream out) throws ExperimentException, InterruptedException {
        long deadline = killedAt + TAKEOVER_TIMEOUT.toNanos();
        Map<String, String> h;
        while (true) {
            h = probe.health(standby.host(), standby.port("admin"));
            if ("ACTIVE".equals(h.get("role")) && "UP".equals(h.get("status"))) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new ExperimentException(standby.name() + " did not take over within " + TAKEOVER_TIMEOUT
                        + " of the kill: " + h);
            }
            Thread.sleep(TAKEOVER_POLL);
        }
        double servingAfter = (System.nanoTime() - killedAt) / 1e6;
        Map<String, Double> steps = Map.of();
        try {
            steps = NodeMetrics.scrape(standby.host(), standby.port("admin")).takeoverStepsMillis();
        } catch (IOException e) {
            out.println("experiment:   cannot read the takeover steps from " + standby.name() + "'s /metrics: "
                    + e.getMessage());
        }
        Double nodeMillis = parse(h.get("takeover_millis"));
        out.printf(Locale.ROOT, "experiment:   %s ACTIVE %.0f ms after the kill (%s takeover, %s ms inside the node%s)"
                        + "%n", standby.name(), servingAfter, h.get("takeover_mode"), h.get("takeover_millis"),
                h.containsKey("takeover_cold_reason") ? ", cold because " + h.get("takeover_cold_reason") : "");
        return new Takeover(victim.name(), standby.name(), servingAfter, h.get("takeover_mode"), nodeMillis,
                h.get("takeover_cold_reason"), steps);
    }

    private static Takeover restart(LocalCluster.Options cluster, HealthProbe probe, Member victim,
            ProcessHandle handle, long killedAt, PrintStream out) throws ExperimentException, InterruptedException {
        long deadline = killedAt + TAKEOVER_TIMEOUT.toNanos();
        while (handle.isAlive()) {
            if (System.nanoTime() > deadline) {
                throw new ExperimentException(victim.name() + " (pid " + victim.pid() + ") still alive "
                        + TAKEOVER_TIMEOUT + " after SIGKILL");
            }
            Thread.sleep(10);
        }
        long exited = System.nanoTime();
        try {
            LocalCluster.up(cluster, out);
        } catch (LocalClusterException e) {
            throw new ExperimentException("the killed node did not restart: " + e.getMessage(), e);
        }
        double servingAfter = (System.nanoTime() - killedAt) / 1e6;
        Map<String, String> h = probe.health(victim.host(), victim.port("admin"));
        Map<String, Double> steps = new LinkedHashMap<>();
        steps.put("process_exit", (exited - killedAt) / 1e6);
        steps.put("restart_recover_serve", (System.nanoTime() - exited) / 1e6);
        out.printf(Locale.ROOT, "experiment:   %s restarted and %s %.0f ms after the kill%n", victim.name(),
                h.get("role"), servingAfter);
        return new Takeover(victim.name(), victim.name(), servingAfter, "RESTART", null, null, steps);
    }

    private static Double parse(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null; // a field the node did not fill; the report shows null
        }
    }

    /** Stops the cluster (idempotent); used at the end and from the shutdown hook. */
    static void stopCluster(Path clusterDir, PrintStream out) {
        try {
            for (LocalCluster.StopResult r : LocalCluster.down(clusterDir, out)) {
                if (r.outcome() != ChildProcesses.Stopped.NOT_RUNNING) {
                    out.println("experiment:   " + r.name() + " " + r.outcome().name().toLowerCase(Locale.ROOT));
                }
            }
            long freed = LocalCluster.removeData(clusterDir);
            if (freed > 0) {
                out.printf("experiment: removed the DAX servers' data (%.1f GiB); logs and configurations are kept in"
                        + " %s%n", freed / (double) (1L << 30), clusterDir);
            }
        } catch (LocalClusterException e) {
            // e.g. the main thread holds the directory lock while the hook runs: kill what the state file names
            out.println("experiment: orderly stop failed (" + e.getMessage() + "); killing the cluster's processes");
            try {
                for (Member m : ClusterState.read(clusterDir).members()) {
                    Optional<ProcessHandle> p = ChildProcesses.find(m.pid(), m.config());
                    p.ifPresent(ProcessHandle::destroyForcibly);
                }
            } catch (IOException io) {
                out.println("experiment: cannot read " + clusterDir + "'s state to kill its processes: " + io);
            }
        }
    }
}
