package io.cacdb.dax.local;

import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.QuorumConfig;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.server.DaxServer;
import io.cacdb.dax.server.DaxServerMain;
import io.cacdb.dax.server.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local DAX cluster: by default 9 servers {@code d1..d9} in zones {@code a, b, c} (d1–d3 in a, d4–d6 in b, d7–d9
 * in c), the default {@link QuorumConfig}, each server in its own folder under one base directory (a fresh temporary
 * one unless given).
 *
 * <p>Two modes. {@link Mode#IN_PROCESS}: {@link DaxServer} instances in this JVM; {@link #crash} drops unsynced
 * state the way {@link DaxServer#crash()} does. {@link Mode#CHILD_PROCESSES}: one JVM per server, started with this
 * JVM's class path ({@code java --enable-native-access=ALL-UNNAMED -cp ... DaxServerMain --config FILE}), ready when
 * it prints its READY line; {@link #kill} is a real SIGKILL.
 *
 * <p>Ports: each server first binds ephemeral ports (no race with other processes picking "free" ports), then the
 * ports it got are written into its configuration, so {@link #restart} comes back on the same ports and the
 * {@link #clusterMap()} stays valid for the cluster's life.
 *
 * <p>{@link #close()} stops everything this cluster started (gracefully, then forcibly after a bound) and deletes a
 * base directory it created; a JVM shutdown hook kills child processes if the owner never gets to close.
 * Not thread-safe: one owner drives it.
 */
public final class LocalDaxCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalDaxCluster.class);

    /** How long a child JVM may take to print READY: JVM start plus RocksDB open, slow on a loaded 2-core box. */
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(60);
    /** How long a stopped or killed child may take to exit before it is killed or reported. */
    static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
    /** Lines of a failed child's stderr quoted in the error: enough for a stack trace's head. */
    static final int STDERR_TAIL_LINES = 30;

    public enum Mode { IN_PROCESS, CHILD_PROCESSES }

    /**
     * How to build the cluster. {@code configure} adjusts each server's generated configuration (threads, cache,
     * queues); {@code childJvmArgs} are extra flags for child JVMs. A null {@code baseDir} means a fresh temporary
     * directory, deleted on close.
     */
    public record Options(Mode mode, List<String> zones, int serversPerZone, QuorumConfig quorum, Path baseDir,
            String bindHost, Duration readyTimeout, UnaryOperator<ServerConfig> configure, List<String> childJvmArgs) {

        public Options {
            Objects.requireNonNull(mode, "mode");
            zones = List.copyOf(zones);
            Objects.requireNonNull(quorum, "quorum");
            Objects.requireNonNull(bindHost, "bindHost");
            Objects.requireNonNull(readyTimeout, "readyTimeout");
            Objects.requireNonNull(configure, "configure");
            childJvmArgs = List.copyOf(childJvmArgs);
            if (zones.isEmpty() || serversPerZone < 1) {
                throw new IllegalArgumentException("need at least one zone and one server per zone");
            }
        }

        /** 9 servers in zones a, b, c; small thread counts and a 32 MiB cache each, since they share a machine. */
        public static Options defaults(Mode mode) {
            return new Options(mode, List.of("a", "b", "c"), 3, QuorumConfig.DEFAULT, null, "127.0.0.1",
                    DEFAULT_READY_TIMEOUT,
                    c -> c.withThreads(1, 2).withCacheBytes(32L << 20),
                    List.of("-Xmx256m", "-XX:+UseSerialGC"));
        }

        public Options withShape(List<String> newZones, int newServersPerZone, QuorumConfig newQuorum) {
            return new Options(mode, newZones, newServersPerZone, newQuorum, baseDir, bindHost, readyTimeout,
                    configure, childJvmArgs);
        }

        public Options withBaseDir(Path newBaseDir) {
            return new Options(mode, zones, serversPerZone, quorum, newBaseDir, bindHost, readyTimeout, configure,
                    childJvmArgs);
        }

        public Options withConfigure(UnaryOperator<ServerConfig> newConfigure) {
            return new Options(mode, zones, serversPerZone, quorum, baseDir, bindHost, readyTimeout, newConfigure,
                    childJvmArgs);
        }
    }

    /** One server slot: its configuration (ports pinned once known) and what runs it now, if anything. */
    private static final class Slot {
        final String id;
        ServerConfig config;
        final Path configFile;
        DaxServer inProcess;
        ChildServer child;

        Slot(String id, ServerConfig config, Path configFile) {
            this.id = id;
            this.config = config;
            this.configFile = configFile;
        }

        boolean running() {
            return inProcess != null || (child != null && child.process.isAlive());
        }
    }

    private final Options options;
    private final Path baseDir;
    private final boolean ownsBaseDir;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Thread killChildrenHook;
    private ClusterMap clusterMap;
    private boolean closed;

    private LocalDaxCluster(Options options, Path baseDir, boolean ownsBaseDir) {
        this.options = options;
        this.baseDir = baseDir;
        this.ownsBaseDir = ownsBaseDir;
        this.killChildrenHook = new Thread(this::killChildrenNow, "local-dax-cluster-kill-children");
    }

    /** The default 9-server cluster in this JVM. */
    public static LocalDaxCluster startInProcess() {
        return start(Options.defaults(Mode.IN_PROCESS));
    }

    /** The default 9-server cluster as child processes. */
    public static LocalDaxCluster startChildProcesses() {
        return start(Options.defaults(Mode.CHILD_PROCESSES));
    }

    /** Starts every server (child processes in parallel) and returns once all serve. */
    public static LocalDaxCluster start(Options options) {
        Path base;
        boolean owns = options.baseDir() == null;
        try {
            base = owns ? Files.createTempDirectory("cacdb-dax-") : Files.createDirectories(options.baseDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster's base directory", e);
        }
        LocalDaxCluster cluster = new LocalDaxCluster(options, base, owns);
        if (options.mode() == Mode.CHILD_PROCESSES) {
            Runtime.getRuntime().addShutdownHook(cluster.killChildrenHook);
        }
        try {
            cluster.startAll();
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void startAll() {
        int n = 1;
        for (String zone : options.zones()) {
            for (int i = 0; i < options.serversPerZone(); i++, n++) {
                String id = "d" + n;
                Path dir = baseDir.resolve(id);
                ServerConfig config = options.configure().apply(
                        ServerConfig.defaults(id, zone, dir.resolve("data")).withBindHost(options.bindHost())
                                .withPorts(0, 0));
                slots.put(id, new Slot(id, config, dir.resolve("dax.conf")));
            }
        }
        if (options.mode() == Mode.IN_PROCESS) {
            slots.values().forEach(this::startSlot);
        } else {
            slots.values().forEach(this::launchChild);
            slots.values().forEach(this::awaitChildReady);
        }
        List<ServerInfo> infos = new ArrayList<>();
        for (Slot s : slots.values()) {
            infos.add(new ServerInfo(s.id, s.config.bindHost(), s.config.rpcPort(), s.config.zone()));
        }
        clusterMap = new ClusterMap(infos, options.quorum());
        log.info("local DAX cluster ({}) up in {}: {}", options.mode(), baseDir, infos);
    }

    // ----------------------------------------------------------------------------------------------- queries

    public ClusterMap clusterMap() {
        return clusterMap;
    }

    public Mode mode() {
        return options.mode();
    }

    public Path baseDir() {
        return baseDir;
    }

    public List<String> serverIds() {
        return List.copyOf(slots.keySet());
    }

    /** The server's configuration, with its pinned ports. */
    public ServerConfig config(String id) {
        return slot(id).config;
    }

    public boolean isRunning(String id) {
        return slot(id).running();
    }

    /** The running in-process server (in-process mode only). */
    public DaxServer server(String id) {
        Slot s = slot(id);
        requireMode(Mode.IN_PROCESS, "server()");
        if (s.inProcess == null) {
            throw new IllegalStateException(id + " is not running");
        }
        return s.inProcess;
    }

    /** The running child process (child-process mode only). */
    public Process process(String id) {
        Slot s = slot(id);
        requireMode(Mode.CHILD_PROCESSES, "process()");
        if (s.child == null) {
            throw new IllegalStateException(id + " was never started");
        }
        return s.child.process;
    }

    // ----------------------------------------------------------------------------------------------- faults

    /**
     * Graceful stop: {@link DaxServer#close()} in process, SIGTERM for a child. Returns the child's exit code (0 for
     * a clean shutdown), or 0 in process.
     */
    public int stop(String id) {
        Slot s = slot(id);
        if (s.inProcess != null) {
            s.inProcess.close();
            s.inProcess = null;
            return 0;
        }
        if (s.child != null && s.child.process.isAlive()) {
            s.child.process.destroy();
            return s.child.awaitExit(EXIT_TIMEOUT);
        }
        return s.child == null ? 0 : s.child.process.exitValue();
    }

    /** Abrupt stop: {@link DaxServer#crash()} in process, SIGKILL for a child. */
    public void crash(String id) {
        Slot s = slot(id);
        if (s.inProcess != null) {
            s.inProcess.crash();
            s.inProcess = null;
        } else if (s.child != null && s.child.process.isAlive()) {
            kill(id);
        }
    }

    /** A real SIGKILL of a child process, then waits for it to be gone (child-process mode only). */
    public void kill(String id) {
        requireMode(Mode.CHILD_PROCESSES, "kill()");
        Slot s = slot(id);
        if (s.child != null && s.child.process.isAlive()) {
            s.child.process.destroyForcibly();
            s.child.awaitExit(EXIT_TIMEOUT);
        }
    }

    /** Starts a stopped, crashed or killed server again on the same data directory and ports (stops it first). */
    public void restart(String id) {
        Slot s = slot(id);
        if (s.running()) {
            stop(id);
        }
        if (options.mode() == Mode.IN_PROCESS) {
            startSlot(s);
        } else {
            launchChild(s);
            awaitChildReady(s);
        }
    }

    /** Stops every running server gracefully (forcibly after a bound) and deletes a base directory it created. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RuntimeException> failures = new ArrayList<>();
        for (Slot s : slots.values()) {
            try {
                if (s.inProcess != null) {
                    s.inProcess.close();
                    s.inProcess = null;
                } else if (s.child != null && s.child.process.isAlive()) {
                    s.child.process.destroy();
                    s.child.awaitExitOrKill(EXIT_TIMEOUT);
                }
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (options.mode() == Mode.CHILD_PROCESSES) {
            try {
                Runtime.getRuntime().removeShutdownHook(killChildrenHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down and the hook is running or ran: nothing left to undo
                log.debug("shutdown in progress; kill hook stays", e);
            }
        }
        if (ownsBaseDir) {
            deleteRecursively(baseDir);
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.getFirst();
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }

    // ----------------------------------------------------------------------------------------------- internals

    private Slot slot(String id) {
        Slot s = slots.get(id);
        if (s == null) {
            throw new IllegalArgumentException("no server " + id + " in this cluster (servers: " + slots.keySet() + ")");
        }
        return s;
    }

    private void requireMode(Mode mode, String what) {
        if (options.mode() != mode) {
            throw new IllegalStateException(what + " needs mode " + mode + ", this cluster runs " + options.mode());
        }
    }

    private void startSlot(Slot s) {
        s.inProcess = DaxServer.start(s.config);
        s.config = s.config.withPorts(s.inProcess.rpcPort(), s.inProcess.adminPort());
    }

    private void launchChild(Slot s) {
        try {
            Files.createDirectories(s.configFile.getParent());
            Files.writeString(s.configFile, s.config.toFileText());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + s.configFile, e);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(options.childJvmArgs());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(DaxServerMain.class.getName());
        command.add("--config");
        command.add(s.configFile.toString());
        Path dir = s.configFile.getParent();
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("stderr.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        try {
            s.child = new ChildServer(s.id, pb.start(), dir.resolve("stdout.log"), dir.resolve("stderr.log"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start child server " + s.id + ": " + command, e);
        }
    }

    private void awaitChildReady(Slot s) {
        Map<String, String> ready = s.child.awaitReady(options.readyTimeout());
        int rpc = port(ready.get("rpc"), s.id);
        int admin = port(ready.get("admin"), s.id);
        s.config = s.config.withPorts(rpc, admin);
    }

    private static int port(String hostPort, String id) {
        if (hostPort == null || hostPort.lastIndexOf(':') < 0) {
            throw new IllegalStateException(id + ": READY line without a host:port (" + hostPort + ")");
        }
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private void killChildrenNow() {
        for (Slot s : slots.values()) {
            if (s.child != null) {
                s.child.process.destroyForcibly();
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("could not delete the cluster directory {}: {}", dir, e.toString());
        }
    }

    /** A child server process and the thread that reads its stdout (READY line, then everything to a log file). */
    private static final class ChildServer {
        final String id;
        final Process process;
        final Path stderrLog;
        final CompletableFuture<Map<String, String>> ready = new CompletableFuture<>();

        ChildServer(String id, Process process, Path stdoutLog, Path stderrLog) {
            this.id = id;
            this.process = process;
            this.stderrLog = stderrLog;
            Thread.ofPlatform().name("dax-child-stdout-" + id).daemon(true).start(() -> pump(stdoutLog));
        }

        /** Reads stdout to its end so the child never blocks on a full pipe; completes {@link #ready}. */
        private void pump(Path stdoutLog) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
                    Writer out = Files.newBufferedWriter(stdoutLog, StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                for (String line; (line = in.readLine()) != null; ) {
                    out.write(line);
                    out.write('\n');
                    out.flush();
                    if (!ready.isDone() && line.startsWith(DaxServerMain.READY_PREFIX + " ")) {
                        ready.complete(parseReady(line));
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            if (!ready.isDone()) {
                ready.completeExceptionally(new IllegalStateException("child server " + id
                        + " closed its stdout before READY"));
            }
        }

        private static Map<String, String> parseReady(String line) {
            Map<String, String> fields = new HashMap<>();
            for (String part : line.split(" ")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    fields.put(part.substring(0, eq), part.substring(eq + 1));
                }
            }
            return fields;
        }

        Map<String, String> awaitReady(Duration timeout) {
            try {
                return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                process.destroyForcibly();
                throw new IllegalStateException("child server " + id + " did not become ready within " + timeout
                        + " (" + e + "); stderr tail:\n" + stderrTail(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IllegalStateException("interrupted while waiting for child server " + id, e);
            }
        }

        /** Waits for the process to exit; returns its exit code. */
        int awaitExit(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("child server " + id + " did not exit within " + timeout);
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for child server " + id + " to exit", e);
            }
        }

        void awaitExitOrKill(Duration timeout) {
            try {
                awaitExit(timeout);
            } catch (IllegalStateException e) {
                log.warn("{}; killing it", e.getMessage());
                process.destroyForcibly();
                awaitExit(timeout);
            }
        }

        String stderrTail() {
            try {
                List<String> lines = Files.readAllLines(stderrLog, StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - STDERR_TAIL_LINES), lines.size()));
            } catch (IOException e) {
                return "(cannot read " + stderrLog + ": " + e + ")";
            }
        }
    }
}
