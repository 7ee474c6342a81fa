package io.cacdb.cli.localcluster;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Detached child processes: started with stdin from {@code /dev/null} and stdout and stderr appended to a log file
 * (no pipe back to us, so they keep running after we exit), found again later by pid, and stopped with signals.
 *
 * <p>A process is ours only if its pid is alive <em>and</em> its command line names its configuration file: a
 * recycled pid of some other program is never signalled.
 */
public final class ChildProcesses {

    /** Lines of a failed child's log quoted in the error: a stack trace's head. */
    static final int LOG_TAIL_LINES = 30;
    /** How often a READY wait looks at the log again: small next to a JVM's start time. */
    static final Duration READY_POLL = Duration.ofMillis(25);

    private ChildProcesses() {
    }

    /** Starts {@code pb} detached, appending its output to {@code log}. */
    public static Process startDetached(ProcessBuilder pb, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.redirectErrorStream(true);
        return pb.start();
    }

    /**
     * Waits until a line starting with {@code prefix + " "} appears in {@code log} after byte {@code fromOffset}
     * and returns its {@code key=value} fields. Fails, with the log's tail, if the process exits first or the line
     * does not come within {@code timeout}.
     */
    public static Map<String, String> awaitReadyLine(String name, Process process, Path log, long fromOffset,
            String prefix, Duration timeout) throws TimeoutException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long offset = fromOffset;
        StringBuilder partial = new StringBuilder();
        while (true) {
            boolean alive = process.isAlive();  // read before the log, so a line written just before exit is seen
            if (Files.exists(log)) {
                try (RandomAccessFile in = new RandomAccessFile(log.toFile(), "r")) {
                    if (in.length() > offset) {
                        in.seek(offset);
                        byte[] bytes = new byte[(int) Math.min(in.length() - offset, 1 << 20)];
                        in.readFully(bytes);
                        offset += bytes.length;
                        partial.append(new String(bytes, StandardCharsets.UTF_8));
                        int nl;
                        while ((nl = partial.indexOf("\n")) >= 0) {
                            String line = partial.substring(0, nl);
                            partial.delete(0, nl + 1);
                            if (line.startsWith(prefix + " ")) {
                                return fields(line);
                            }
                        }
                    }
                }
            }
            if (!alive) {
                throw new IOException(name + " exited with code " + process.exitValue() + " before it was ready; "
                        + "last lines of " + log + ":\n" + tail(log));
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(name + " was not ready within " + timeout + "; last lines of " + log
                        + ":\n" + tail(log));
            }
            try {
                process.waitFor(READY_POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + name, e);
            }
        }
    }

    /** The {@code key=value} words of a READY line. */
    static Map<String, String> fields(String line) {
        Map<String, String> fields = new HashMap<>();
        for (String part : line.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return fields;
    }

    /** The port of a READY field {@code host:port}. */
    static int port(Map<String, String> fields, String key, String name) {
        String hostPort = fields.get(key);
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalStateException(name + ": READY line without " + key + "=<host:port> (" + fields + ")");
        }
        return Integer.parseInt(hostPort.substring(colon + 1));
    }

    /** The last lines of a log, for error messages. */
    public static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /**
     * The process with this pid if it is alive and is the one started with {@code configFile} (its command line
     * names the file); empty otherwise.
     */
    public static Optional<ProcessHandle> find(long pid, String configFile) {
        if (pid <= 0) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> commandLine(h).map(cmd -> cmd.contains(configFile)).orElse(false));
    }

    /**
     * The whole command line: {@code /proc/<pid>/cmdline} where there is one, since {@link ProcessHandle.Info}
     * gives up on long command lines (a test's class path), else what {@link ProcessHandle.Info} knows.
     */
    static Optional<String> commandLine(ProcessHandle process) {
        Path proc = Path.of("/proc", Long.toString(process.pid()), "cmdline");
        try {
            if (Files.isReadable(proc)) {
                return Optional.of(new String(Files.readAllBytes(proc), StandardCharsets.UTF_8).replace('\0', ' '));
            }
        } catch (IOException e) {
            // the process exited between the check and the read, or /proc hides it: ask the JDK instead
            return process.info().commandLine();
        }
        return process.info().commandLine().or(() -> process.info().arguments().map(a -> String.join(" ", a)));
    }

    /** How a stop went. */
    public enum Stopped { NOT_RUNNING, TERMINATED, KILLED, STILL_RUNNING }

    /**
     * SIGTERM, then waits up to {@code graceful}; SIGKILL if still alive, then waits up to {@code afterKill}.
     */
    public static Stopped stop(ProcessHandle process, Duration graceful, Duration afterKill) {
        if (!process.isAlive()) {
            return Stopped.NOT_RUNNING;
        }
        process.destroy();
        if (awaitExit(process, graceful)) {
            return Stopped.TERMINATED;
        }
        process.destroyForcibly();
        return awaitExit(process, afterKill) ? Stopped.KILLED : Stopped.STILL_RUNNING;
    }

    /** Stops several processes at once: SIGTERM to all, then each waited for (SIGKILL on a straggler). */
    public static List<Stopped> stopAll(List<Optional<ProcessHandle>> processes, Duration graceful,
            Duration afterKill) {
        processes.forEach(p -> p.ifPresent(ProcessHandle::destroy));
        long deadline = System.nanoTime() + graceful.toNanos();
        List<Stopped> result = new ArrayList<>();
        for (Optional<ProcessHandle> p : processes) {
            if (p.isEmpty()) {
                result.add(Stopped.NOT_RUNNING);
                continue;
            }
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            if (awaitExit(p.get(), left)) {
                result.add(Stopped.TERMINATED);
            } else {
                p.get().destroyForcibly();
                result.add(awaitExit(p.get(), afterKill) ? Stopped.KILLED : Stopped.STILL_RUNNING);
            }
        }
        return result;
    }

    static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !process.isAlive();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("waiting for process " + process.pid() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }
}
