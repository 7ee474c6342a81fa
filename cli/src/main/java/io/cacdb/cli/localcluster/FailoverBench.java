package io.cacdb.cli.localcluster;

import io.cacdb.cli.localcluster.ClusterState.Member;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * {@code ./cacdb failover-bench}: the takeover benchmark of issue 5 on a local cluster of real processes (9 DAX servers
 * in 3 zones, the active n1 in zone a, its standby n2 in zone b), under the JDBC bank-transfer + audit workload
 * ({@link BankAuditWorkload}, whose every acknowledged commit is recorded):
 *
 * <ol>
 *   <li>commits per second without a standby (a cluster started with none), then with one (a second cluster),
 *       measured over the same window one after the other: {@code throughput_ratio_with_standby};</li>
 *   <li>during the with-standby window, the standby's replay lag ({@code /health} {@code lag_millis}) sampled every
 *       {@link #LAG_SAMPLE_INTERVAL}: {@code replay_lag_ms_p99};</li>
 *   <li>{@code runs} times: wait until the standby follows, SIGKILL the active's JVM, measure the client-observed
 *       downtime (the longest pause between two commit completions of any worker around the kill), restart the killed
 *       node (it rejoins as the standby) — {@code downtime_ms_p50}, {@code downtime_ms_max};</li>
 *   <li>stop the workload and check every acknowledged commit and the bank total: {@code acknowledged_commits_lost}.</li>
 * </ol>
 * Everything it started is stopped at the end, also on failure.
 */
public final class FailoverBench {

    static final Duration LAG_SAMPLE_INTERVAL = Duration.ofMillis(100);
    /** Bounds every wait for a role change or a caught-up standby: far above what any step takes here. */
    static final Duration STEP_BOUND = Duration.ofSeconds(120);
    static final Duration POLL = Duration.ofMillis(10);
    /** Commits the workload makes before a window or a kill, so that connections and JIT are warm. */
    static final long WARM_COMMITS = 300;
    /** Commits after a kill that show the clients are served again. */
    static final long COMMITS_AFTER_KILL = 30;

    public record Options(Path dir, int runs, Duration zoneDelay, int workers, Duration window, long seed) {
        public Options {
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(zoneDelay, "zoneDelay");
            Objects.requireNonNull(window, "window");
            if (runs < 1 || runs > 1000) {
                throw new IllegalArgumentException("--runs must be in 1..1000, was " + runs);
            }
            if (workers < 1 || workers > 256) {
                throw new IllegalArgumentException("--workers must be in 1..256, was " + workers);
            }
            if (window.toSeconds() < 1) {
                throw new IllegalArgumentException("--window-seconds must be >= 1");
            }
        }
    }

    /** One kill. */
    public record Round(int run, String killed, String promoted, long downtimeMillis, long killToActiveMillis,
                        String takeoverMode, String takeoverMillis) {
    }

    public record Result(Options options, double commitsPerSecondWithoutStandby, double commitsPerSecondWithStandby,
                         List<Long> lagSamplesMillis, List<Round> rounds, BankAuditWorkload.Check check, long commits,
                         long reconnects) {

        public double throughputRatioWithStandby() {
            return commitsPerSecondWithoutStandby == 0 ? 0 : commitsPerSecondWithStandby
                    / commitsPerSecondWithoutStandby;
        }

        public long downtimeMillisP50() {
            return percentile(rounds.stream().map(Round::downtimeMillis).toList(), 50);
        }

        public long downtimeMillisMax() {
            return rounds.stream().mapToLong(Round::downtimeMillis).max().orElse(0);
        }

        public long replayLagMillisP99() {
            return percentile(lagSamplesMillis, 99);
        }

        public long acknowledgedCommitsLost() {
            return check.missing();
        }

        public boolean ok() {
            return check.intact() && rounds.size() == options.runs();
        }

        /** The JSON report (keys as the issue names them). */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("runs", rounds.size());
            m.put("zone_delay_ms", options.zoneDelay().toMillis());
            m.put("workers", options.workers());
            m.put("downtime_ms_p50", downtimeMillisP50());
            m.put("downtime_ms_max", downtimeMillisMax());
            m.put("downtime_ms", rounds.stream().map(Round::downtimeMillis).toList());
            m.put("kill_to_active_ms", rounds.stream().map(Round::killToActiveMillis).toList());
            m.put("takeover_ms", rounds.stream().map(Round::takeoverMillis).toList());
            m.put("takeover_modes", rounds.stream().map(Round::takeoverMode).toList());
            m.put("acknowledged_commits_lost", acknowledgedCommitsLost());
            m.put("invariants_ok", check.intact());
            m.put("replay_lag_ms_p99", replayLagMillisP99());
            m.put("replay_lag_samples", lagSamplesMillis.size());
            m.put("commits_per_s_without_standby", Math.round(commitsPerSecondWithoutStandby * 10) / 10.0);
            m.put("commits_per_s_with_standby", Math.round(commitsPerSecondWithStandby * 10) / 10.0);
            m.put("throughput_ratio_with_standby", Math.round(throughputRatioWithStandby() * 1000) / 1000.0);
            m.put("commits", commits);
            m.put("reconnects", reconnects);
            m.put("seed", options.seed());
            return m;
        }
    }

    private FailoverBench() {
    }

    static long percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return 0;
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    public static Result run(Options o, PrintStream out) throws LocalClusterException, SQLException {
        Path without = o.dir().resolve("without-standby");
        Path with = o.dir().resolve("with-standby");
        double cpsWithout;
        out.println("failover-bench: 1/3 throughput without a standby (" + o.window().toSeconds() + " s, "
                + o.workers() + " workers, seed " + o.seed() + ")");
        try {
            LocalCluster.up(clusterOptions(without, o).withStandby(false), out);
            try (BankAuditWorkload w = new BankAuditWorkload(url(without), o.workers(), o.seed())) {
                w.setUp();
                w.start();
                await("the workload warms up", () -> w.commits() >= WARM_COMMITS);
                cpsWithout = measure(w, o.window(), () -> { });
            }
        } finally {
            LocalCluster.down(without, out);
            LocalCluster.removeData(without);
        }
        out.printf("failover-bench: %.1f commits/s without a standby%n", cpsWithout);

        out.println("failover-bench: 2/3 throughput and replay lag with the standby");
        try {
            LocalCluster.up(clusterOptions(with, o), out);
            HealthProbe probe = new HealthProbe(Duration.ofSeconds(2));
            try (BankAuditWorkload w = new BankAuditWorkload(url(with), o.workers(), o.seed() + 1)) {
                w.setUp();
                w.start();
                await("the workload warms up", () -> w.commits() >= WARM_COMMITS);
                List<Long> lag = new ArrayList<>();
                Member standby = nodeIn(with, probe, "STANDBY");
                long[] nextSample = {System.nanoTime()};
                double cpsWith = measure(w, o.window(), () -> {
                    if (System.nanoTime() >= nextSample[0]) {
                        nextSample[0] += LAG_SAMPLE_INTERVAL.toNanos();
                        Map<String, String> h = probe.health(standby.host(), standby.port("admin"));
                        Optional.ofNullable(h.get("lag_millis")).map(Long::parseLong).ifPresent(lag::add);
                    }
                });
                out.printf("failover-bench: %.1f commits/s with the standby (ratio %.3f); replay lag p99 %d ms over %d"
                        + " samples%n", cpsWith, cpsWith / cpsWithout, percentile(lag, 99), lag.size());

                out.println("failover-bench: 3/3 " + o.runs() + " SIGKILLs of the active");
                List<Round> rounds = new ArrayList<>();
                for (int run = 1; run <= o.runs(); run++) {
                    rounds.add(killOnce(run, with, o, probe, w, out));
                }
                w.close();
                BankAuditWorkload.Check check = w.check();
                out.println("failover-bench: final check " + check + (check.intact() ? " (intact)" : " BROKEN"));
                return new Result(o, cpsWithout, cpsWith, lag, rounds, check, w.commits(), w.reconnects());
            }
        } finally {
            LocalCluster.down(with, out);
            LocalCluster.removeData(with);
        }
    }

    private static Round killOnce(int run, Path dir, Options o, HealthProbe probe, BankAuditWorkload w,
                                  PrintStream out) throws LocalClusterException {
        Member active = nodeIn(dir, probe, "ACTIVE");
        Member standby = nodeIn(dir, probe, "STANDBY");
        await(standby.name() + " follows the active", () -> {
            Map<String, String> h = probe.health(standby.host(), standby.port("admin"));
            return "CAUGHT_UP".equals(h.get("replay_state")) && "HEALTHY".equals(h.get("verdict"));
        });
        long warm = w.commits() + WARM_COMMITS;
        await("the workload commits under " + active.name(), () -> w.commits() >= warm);
        long killedAt = System.nanoTime();
        ProcessHandle.of(active.pid()).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        AtomicReference<Map<String, String>> seen = new AtomicReference<>(Map.of());
        await(standby.name() + " takes over", () -> {
            seen.set(probe.health(standby.host(), standby.port("admin")));
            return "ACTIVE".equals(seen.get().get("role")) && "UP".equals(seen.get().get("status"));
        });
        long toActive = (System.nanoTime() - killedAt) / 1_000_000;
        await("the clients commit on " + standby.name(), () -> w.commitsAfter(killedAt) >= COMMITS_AFTER_KILL);
        long downtime = w.longestGapNanos(killedAt - Duration.ofSeconds(1).toNanos(), System.nanoTime()) / 1_000_000;
        Round r = new Round(run, active.name(), standby.name(), downtime, toActive,
                seen.get().getOrDefault("takeover_mode", "?"), seen.get().getOrDefault("takeover_millis", "?"));
        out.printf("failover-bench: run %d: killed %s, %s ACTIVE after %d ms (takeover %s in %s ms), client-observed"
                + " downtime %d ms%n", run, r.killed(), r.promoted(), toActive, r.takeoverMode(), r.takeoverMillis(),
                downtime);
        LocalCluster.up(clusterOptions(dir, o), out); // restarts the killed node: it rejoins as the standby
        await(active.name() + " rejoins as standby", () -> {
            Map<String, String> h = probe.health(active.host(), active.port("admin"));
            return "STANDBY".equals(h.get("role")) && "UP".equals(h.get("status"));
        });
        return r;
    }

    /** Counts commits over {@code window}, calling {@code duringWindow} about every poll. */
    private static double measure(BankAuditWorkload w, Duration window, Runnable duringWindow) {
        long c0 = w.commits();
        long t0 = System.nanoTime();
        long end = t0 + window.toNanos();
        while (System.nanoTime() < end) {
            duringWindow.run();
            LockSupport.parkNanos(POLL.toNanos());
        }
        return (w.commits() - c0) / ((System.nanoTime() - t0) / 1e9);
    }

    private static LocalCluster.Options clusterOptions(Path dir, Options o) {
        return LocalCluster.Options.defaults(dir).withStandby(true).withZoneDelay(o.zoneDelay());
    }

    private static String url(Path dir) throws LocalClusterException {
        return LocalCluster.readState(dir).jdbcUrl() + "&connectTimeout=5&socketTimeout=20&loginTimeout=10";
    }

    /** The live node whose {@code /health} says {@code role} (the roles swap at every kill). */
    private static Member nodeIn(Path dir, HealthProbe probe, String role) throws LocalClusterException {
        long deadline = System.nanoTime() + STEP_BOUND.toNanos();
        while (true) {
            for (Member m : LocalCluster.readState(dir).nodes()) {
                if (role.equals(probe.health(m.host(), m.port("admin")).get("role"))) {
                    return m;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new LocalClusterException("no node of " + dir + " is " + role + " within " + STEP_BOUND);
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + STEP_BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("failover-bench: not true within " + STEP_BOUND + ": " + what);
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
    }
}
