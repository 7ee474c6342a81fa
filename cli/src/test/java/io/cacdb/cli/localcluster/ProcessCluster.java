package io.cacdb.cli.localcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A local cluster of real child processes under test — 9 DAX servers (d1–d3 in zone a, d4–d6 in b, d7–d9 in c), the
 * active n1 in zone a and the standby n2 in zone b — and what the process-level failure tests share: starting it
 * ({@code cluster up}, or {@link LocalCluster#up} with extra node JVM options such as a fault), the clients' URL, the
 * members as {@code cluster status} sees them, SIGKILL of members, bounded waits on a condition (never a sleep), the
 * seed, and the nodes' failure-detection and takeover log lines, printed when the test ends. {@link #close} brings
 * the cluster down and SIGKILLs whatever is left, so no test leaves a process behind.
 */
final class ProcessCluster implements AutoCloseable {

    /** Bounds every wait: far above what any step takes, even on a loaded 2-core machine. */
    static final Duration BOUND = Duration.ofSeconds(90);

    private final String test;
    private final Path dir;
    private boolean started;

    /**
     * @param test the test's name, the prefix of every line this prints
     * @param dir  the cluster's directory (missing or empty)
     */
    ProcessCluster(String test, Path dir) {
        this.test = test;
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** {@code cluster up --dir DIR}, as an operator would: the active n1 and the standby n2. */
    ProcessCluster up() {
        started = true;
        LocalClusterTest.Run up = LocalClusterTest.main("cluster", "up", "--dir", dir.toString());
        assertEquals(0, up.exit(), up.out() + up.err());
        return this;
    }

    /**
     * A new cluster whose nodes' JVMs also get {@code extraNodeJvmOptions} (a fault's system property, say); later
     * {@code cluster up} restarts use the defaults again.
     */
    ProcessCluster upWithNodeJvmOptions(List<String> extraNodeJvmOptions) throws LocalClusterException {
        started = true;
        LocalCluster.Options defaults = LocalCluster.Options.defaults(dir).withStandby(true);
        List<String> options = new ArrayList<>(defaults.nodeJvmOptions());
        options.addAll(extraNodeJvmOptions);
        LocalCluster.up(defaults.withNodeJvmOptions(options), System.out);
        return this;
    }

    /**
     * {@code cluster up} on the running cluster: starts the members that are not running (a killed node probes the
     * lease and becomes active, or rejoins as standby if the other node holds a live lease).
     */
    LocalClusterTest.Run upAgain() {
        LocalClusterTest.Run up = LocalClusterTest.main("cluster", "up", "--dir", dir.toString());
        assertEquals(0, up.exit(), up.out() + up.err());
        return up;
    }

    /**
     * The clients' multi-host URL (with {@code targetServerType=primary&hostRecheckSeconds=1} from the cluster) and
     * timeouts that let a worker notice a dead node and move on.
     */
    String clientUrl() throws IOException {
        return ClusterState.read(dir).jdbcUrl() + "&connectTimeout=5&socketTimeout=20&loginTimeout=10";
    }

    LocalCluster.Status status() {
        try {
            return LocalCluster.status(dir);
        } catch (LocalClusterException e) {
            throw new AssertionError(e);
        }
    }

    /** A live node in {@code role} (ACTIVE, STANDBY, ...), as its {@code /health} says. */
    Optional<LocalCluster.MemberStatus> node(String role) {
        return status().nodes().stream().filter(s -> s.alive() && role.equals(s.role())).findFirst();
    }

    /** The live nodes in {@code role}. */
    List<LocalCluster.MemberStatus> nodes(String role) {
        return status().nodes().stream().filter(s -> s.alive() && role.equals(s.role())).toList();
    }

    LocalCluster.MemberStatus named(String name) {
        return status().nodes().stream().filter(s -> s.member().name().equals(name)).findFirst().orElseThrow();
    }

    /** The epoch a live node's {@code /health} reports. */
    long epoch(String name) {
        LocalCluster.MemberStatus s = named(name);
        assertTrue(s.alive() && s.details().containsKey("epoch"), "no epoch from " + name + ": " + s);
        return Long.parseLong(s.details().get("epoch"));
    }

    /** The DAX servers of {@code zone}, as the state file has them. */
    List<ClusterState.Member> daxServersIn(String zone) throws IOException {
        return ClusterState.read(dir).daxServers().stream().filter(m -> m.zone().equals(zone)).toList();
    }

    ClusterState.Member member(String name) throws IOException {
        return ClusterState.read(dir).members().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow();
    }

    /** SIGKILLs every one of {@code members} back to back (none may get to notice the others go), then waits until all are gone. */
    void sigkill(List<ClusterState.Member> members) {
        List<ProcessHandle> victims = new ArrayList<>();
        for (ClusterState.Member m : members) {
            victims.add(ChildProcesses.find(m.pid(), m.config()).orElseThrow(() -> new AssertionError(m.name()
                    + " (pid " + m.pid() + ") is not running")));
        }
        victims.forEach(ProcessHandle::destroyForcibly); // SIGKILL
        await("the killed processes are gone", () -> victims.stream().noneMatch(ProcessHandle::isAlive));
    }

    /** Waits until a standby is caught up and hears the active (verdict HEALTHY). */
    void awaitStandbyFollowing() {
        await("a standby is caught up and hears the active", () -> node("STANDBY").map(s ->
                "HEALTHY".equals(s.details().get("verdict"))
                        && "CAUGHT_UP".equals(s.details().get("replay_state"))).orElse(false));
    }

    /** A node's log file, as written so far. */
    String log(String name) throws IOException {
        return Files.readString(dir.resolve("logs").resolve(name + ".log"));
    }

    /** Polls {@code condition} every 10 ms until it holds; fails after {@link #BOUND}. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + BOUND + ": " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }

    /** The test's seed: {@code -Dcacdb.seed=...} if given, else a random one; printed so a run can be reproduced. */
    static long seed(String test) {
        String fixed = System.getProperty("cacdb.seed");
        long seed = fixed != null && !fixed.isBlank() ? Long.parseLong(fixed.trim()) : new SplittableRandom().nextLong();
        System.out.println(test + ": seed " + seed + " (reproduce with -Dcacdb.seed=" + seed + ")");
        return seed;
    }

    void println(String line) {
        System.out.println(test + ": " + line);
    }

    /** Prints the nodes' failure-detection and takeover log lines, then brings everything down. */
    @Override
    public void close() throws IOException {
        if (!started) {
            return;
        }
        printTakeoverLogLines();
        LocalClusterTest.main("cluster", "down", "--dir", dir.toString());
        if (Files.exists(ClusterState.file(dir))) {
            // a safety net in case down itself is what failed: no test leaves a process behind
            for (ClusterState.Member m : ClusterState.read(dir).members()) {
                ChildProcesses.find(m.pid(), m.config()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private void printTakeoverLogLines() throws IOException {
        for (String name : List.of("n1", "n2")) {
            Path file = dir.resolve("logs").resolve(name + ".log");
            if (!Files.exists(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                if (line.contains("by " + name + " done") || line.contains("failure detector says")
                        || line.contains("takeover") || line.contains("LOST") || line.contains("cold")
                        || line.contains("standby of volume") || line.contains(" ERROR ")
                        || line.contains("fault injected")) {
                    System.out.println(test + " " + name + ".log: " + line);
                }
            }
        }
    }
}
