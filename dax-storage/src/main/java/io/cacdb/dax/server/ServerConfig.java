package io.cacdb.dax.server;

import io.cacdb.dax.placement.InstanceMetadataZone;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything a DAX server needs to start, typed and with its unit in every name. Relations between the values are
 * checked on construction, so a {@code ServerConfig} that exists is one the server can run with.
 *
 * <p>On disk it is a {@code key = value} file (see {@link #load(Path)}); {@link #toFileText()} writes the same form.
 * A port of 0 asks for an ephemeral port; {@link DaxServer#rpcPort()} tells which one was bound.
 */
public record ServerConfig(
        String serverId,
        String zone,
        String bindHost,
        int rpcPort,
        int adminPort,
        Path dataDir,
        long cacheBytes,
        int eventLoopThreads,
        int readThreads,
        int readQueueCapacity,
        int writeQueueCapacity,
        int groupCommitMaxRequests,
        long groupCommitMaxBytes,
        long shutdownTimeoutMillis) {

    /** Default RPC port of a DAX server (nothing else in cacdb listens there). */
    public static final int DEFAULT_RPC_PORT = 7400;
    /** Default admin HTTP port: RPC port + 80, easy to remember next to it. */
    public static final int DEFAULT_ADMIN_PORT = 7480;
    /** Cache of hot blocks: 256 MiB holds 32k pages of 8 KiB, the standby's prefetch working set in our benchmarks. */
    public static final long DEFAULT_CACHE_BYTES = 256L << 20;
    /** Event-loop threads: decoding and encoding are cheap, the machines we target have few cores. */
    public static final int DEFAULT_EVENT_LOOP_THREADS = 2;
    /** Read pool threads: RocksDB reads block on disk; 4 keeps a few in flight without starving the writer's core. */
    public static final int DEFAULT_READ_THREADS = 4;
    /** Queued reads before OVERLOADED: the standby keeps up to a few hundred reads in flight against each server. */
    public static final int DEFAULT_READ_QUEUE_CAPACITY = 4096;
    /** Queued mutations before OVERLOADED: several group-commit batches' worth, so a sync stall does not refuse at once. */
    public static final int DEFAULT_WRITE_QUEUE_CAPACITY = 4096;
    /** Requests per synced batch: one fsync amortised over up to 512 writes; more only lengthens the batch's latency. */
    public static final int DEFAULT_GROUP_COMMIT_MAX_REQUESTS = 512;
    /** Payload bytes per synced batch: 8 MiB keeps one batch's WAL write well under a disk's per-fsync sweet spot. */
    public static final long DEFAULT_GROUP_COMMIT_MAX_BYTES = 8L << 20;
    /** How long a graceful close waits for queued work before giving up and closing anyway. */
    public static final long DEFAULT_SHUTDOWN_TIMEOUT_MILLIS = 10_000;

    /** Upper bound for thread counts: far above any useful value, catches unit mistakes (bytes for threads). */
    static final int MAX_THREADS = 256;
    /** Upper bound for queue capacities: one million queued requests is already minutes of work. */
    static final int MAX_QUEUE_CAPACITY = 1 << 20;

    public ServerConfig {
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(dataDir, "dataDir");
        requireLabel("server-id", serverId);
        requireLabel("zone", zone);
        if (bindHost.isBlank()) {
            throw new ConfigException("bind-host must not be blank");
        }
        requireRange("rpc-port", rpcPort, 0, 65535);
        requireRange("admin-port", adminPort, 0, 65535);
        if (rpcPort != 0 && rpcPort == adminPort) {
            throw new ConfigException("rpc-port and admin-port must differ, both are " + rpcPort);
        }
        requireRange("cache-bytes", cacheBytes, 0, Long.MAX_VALUE);
        requireRange("event-loop-threads", eventLoopThreads, 1, MAX_THREADS);
        requireRange("read-threads", readThreads, 1, MAX_THREADS);
        requireRange("read-queue-capacity", readQueueCapacity, 1, MAX_QUEUE_CAPACITY);
        requireRange("write-queue-capacity", writeQueueCapacity, 1, MAX_QUEUE_CAPACITY);
        requireRange("group-commit-max-requests", groupCommitMaxRequests, 1, MAX_QUEUE_CAPACITY);
        if (groupCommitMaxRequests > writeQueueCapacity) {
            throw new ConfigException("group-commit-max-requests (" + groupCommitMaxRequests
                    + ") must not exceed write-queue-capacity (" + writeQueueCapacity + "): a batch is drained from"
                    + " that queue");
        }
        // A batch always takes its first request whatever its size, so this bound is about efficiency, not safety;
        // still, a bound below one largest block would make every large write a batch of its own.
        requireRange("group-commit-max-bytes", groupCommitMaxBytes, io.cacdb.dax.wire.WireLimits.MAX_BLOCK_PAYLOAD_BYTES,
                Long.MAX_VALUE);
        requireRange("shutdown-timeout-millis", shutdownTimeoutMillis, 1, Long.MAX_VALUE);
    }

    /** A configuration with every default, for a server with the given identity and data directory. */
    public static ServerConfig defaults(String serverId, String zone, Path dataDir) {
        return new ServerConfig(serverId, zone, "127.0.0.1", DEFAULT_RPC_PORT, DEFAULT_ADMIN_PORT, dataDir,
                DEFAULT_CACHE_BYTES, DEFAULT_EVENT_LOOP_THREADS, DEFAULT_READ_THREADS, DEFAULT_READ_QUEUE_CAPACITY,
                DEFAULT_WRITE_QUEUE_CAPACITY, DEFAULT_GROUP_COMMIT_MAX_REQUESTS, DEFAULT_GROUP_COMMIT_MAX_BYTES,
                DEFAULT_SHUTDOWN_TIMEOUT_MILLIS);
    }

    public ServerConfig withPorts(int newRpcPort, int newAdminPort) {
        return new ServerConfig(serverId, zone, bindHost, newRpcPort, newAdminPort, dataDir, cacheBytes,
                eventLoopThreads, readThreads, readQueueCapacity, writeQueueCapacity, groupCommitMaxRequests,
                groupCommitMaxBytes, shutdownTimeoutMillis);
    }

    public ServerConfig withBindHost(String newBindHost) {
        return new ServerConfig(serverId, zone, newBindHost, rpcPort, adminPort, dataDir, cacheBytes,
                eventLoopThreads, readThreads, readQueueCapacity, writeQueueCapacity, groupCommitMaxRequests,
                groupCommitMaxBytes, shutdownTimeoutMillis);
    }

    public ServerConfig withCacheBytes(long newCacheBytes) {
        return new ServerConfig(serverId, zone, bindHost, rpcPort, adminPort, dataDir, newCacheBytes,
                eventLoopThreads, readThreads, readQueueCapacity, writeQueueCapacity, groupCommitMaxRequests,
                groupCommitMaxBytes, shutdownTimeoutMillis);
    }

    public ServerConfig withThreads(int newEventLoopThreads, int newReadThreads) {
        return new ServerConfig(serverId, zone, bindHost, rpcPort, adminPort, dataDir, cacheBytes,
                newEventLoopThreads, newReadThreads, readQueueCapacity, writeQueueCapacity, groupCommitMaxRequests,
                groupCommitMaxBytes, shutdownTimeoutMillis);
    }

    public ServerConfig withQueues(int newReadQueueCapacity, int newWriteQueueCapacity, int newGroupCommitMaxRequests) {
        return new ServerConfig(serverId, zone, bindHost, rpcPort, adminPort, dataDir, cacheBytes,
                eventLoopThreads, readThreads, newReadQueueCapacity, newWriteQueueCapacity, newGroupCommitMaxRequests,
                groupCommitMaxBytes, shutdownTimeoutMillis);
    }

    public Duration shutdownTimeout() {
        return Duration.ofMillis(shutdownTimeoutMillis);
    }

    // ------------------------------------------------------------------------------------------------ file form

    /** The keys of the file form, in the order {@link #toFileText()} writes them. */
    static final List<String> KEYS = List.of("server-id", "zone", "bind-host", "rpc-port", "admin-port", "data-dir",
            "cache-bytes", "event-loop-threads", "read-threads", "read-queue-capacity", "write-queue-capacity",
            "group-commit-max-requests", "group-commit-max-bytes", "shutdown-timeout-millis");

    /**
     * Reads a {@code key = value} file: one setting per line, {@code #} starts a comment line, blank lines are
     * ignored. {@code server-id}, {@code zone} and {@code data-dir} are required; every other key has the default
     * of {@link #defaults}. Byte sizes accept a {@code KiB}, {@code MiB} or {@code GiB} suffix. A relative
     * {@code data-dir} is resolved against the file's directory. Unknown or repeated keys are errors.
     * {@code zone = imds} asks the EC2 instance metadata service ({@link InstanceMetadataZone#fromEnvironment()}).
     *
     * @throws ConfigException naming the file, line, key and value when anything is wrong
     */
    public static ServerConfig load(Path file) {
        return load(file, InstanceMetadataZone::fromEnvironment);
    }

    /** {@link #load(Path)} asking {@code imds} for the zone when the file says {@code zone = imds}. */
    public static ServerConfig load(Path file, Supplier<InstanceMetadataZone> imds) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read server config " + file + ": " + e, e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String where = file + ":" + (i + 1);
            if (eq < 0) {
                throw new ConfigException(where + ": expected 'key = value', got '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!KEYS.contains(key)) {
                throw new ConfigException(where + ": unknown key '" + key + "' (known keys: " + KEYS + ")");
            }
            if (values.putIfAbsent(key, value) != null) {
                throw new ConfigException(where + ": key '" + key + "' repeated (first on line " + lineOf.get(key)
                        + ")");
            }
            lineOf.put(key, i + 1);
        }
        for (String required : List.of("server-id", "zone", "data-dir")) {
            if (!values.containsKey(required)) {
                throw new ConfigException(file + ": required key '" + required + "' is missing");
            }
        }
        Parser p = new Parser(file, values, lineOf);
        Path dataDir = Path.of(values.get("data-dir"));
        if (!dataDir.isAbsolute()) {
            Path parent = file.toAbsolutePath().getParent();
            dataDir = parent == null ? dataDir.toAbsolutePath() : parent.resolve(dataDir);
        }
        String zone = values.get("zone");
        if (InstanceMetadataZone.CONFIG_VALUE.equals(zone)) {
            try {
                zone = imds.get().availabilityZone();
            } catch (InstanceMetadataZone.InstanceMetadataException e) {
                throw new ConfigException(file + ":" + lineOf.get("zone") + ": key 'zone' = imds: " + e.getMessage(),
                        e);
            }
        }
        ServerConfig d = defaults(values.get("server-id"), zone, dataDir);
        try {
            return new ServerConfig(d.serverId, d.zone,
                    values.getOrDefault("bind-host", d.bindHost),
                    (int) p.number("rpc-port", d.rpcPort, false),
                    (int) p.number("admin-port", d.adminPort, false),
                    dataDir,
                    p.number("cache-bytes", d.cacheBytes, true),
                    (int) p.number("event-loop-threads", d.eventLoopThreads, false),
                    (int) p.number("read-threads", d.readThreads, false),
                    (int) p.number("read-queue-capacity", d.readQueueCapacity, false),
                    (int) p.number("write-queue-capacity", d.writeQueueCapacity, false),
                    (int) p.number("group-commit-max-requests", d.groupCommitMaxRequests, false),
                    p.number("group-commit-max-bytes", d.groupCommitMaxBytes, true),
                    p.number("shutdown-timeout-millis", d.shutdownTimeoutMillis, false));
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    /** The file form of this configuration, every key written, readable by {@link #load(Path)}. */
    public String toFileText() {
        StringBuilder sb = new StringBuilder("# DAX server configuration\n");
        Object[] values = {serverId, zone, bindHost, rpcPort, adminPort, dataDir.toAbsolutePath(), cacheBytes,
                eventLoopThreads, readThreads, readQueueCapacity, writeQueueCapacity, groupCommitMaxRequests,
                groupCommitMaxBytes, shutdownTimeoutMillis};
        for (int i = 0; i < KEYS.size(); i++) {
            sb.append(KEYS.get(i)).append(" = ").append(values[i]).append('\n');
        }
        return sb.toString();
    }

    private record Parser(Path file, Map<String, String> values, Map<String, Integer> lineOf) {

        long number(String key, long defaultValue, boolean bytes) {
            String raw = values.get(key);
            if (raw == null) {
                return defaultValue;
            }
            String digits = raw;
            long multiplier = 1;
            if (bytes) {
                String lower = raw.toLowerCase(Locale.ROOT);
                for (var suffix : List.of(Map.entry("kib", 1L << 10), Map.entry("mib", 1L << 20),
                        Map.entry("gib", 1L << 30))) {
                    if (lower.endsWith(suffix.getKey())) {
                        digits = raw.substring(0, raw.length() - 3).strip();
                        multiplier = suffix.getValue();
                    }
                }
            }
            try {
                long v = Math.multiplyExact(Long.parseLong(digits), multiplier);
                if (!bytes && !key.endsWith("millis") && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
                    throw new NumberFormatException("out of int range");
                }
                return v;
            } catch (NumberFormatException | ArithmeticException e) {
                throw new ConfigException("line " + lineOf.get(key) + ": key '" + key + "' has bad value '" + raw
                        + "': expected " + (bytes ? "a byte count (optionally with KiB, MiB or GiB)" : "an integer"));
            }
        }
    }

    private static void requireRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigException("key '" + key + "' has bad value '" + value + "': must be in " + min + ".." + max);
        }
    }

    private static void requireLabel(String key, String value) {
        if (value.isBlank() || !value.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new ConfigException("key '" + key + "' has bad value '" + value
                    + "': expected 1 to 64 letters, digits, '.', '_' or '-'");
        }
    }
}
