package io.cacdb.server.node;

import io.cacdb.dax.placement.InstanceMetadataZone;
import io.cacdb.engine.page.PageFormat;
import io.cacdb.replay.StandbyConfig;
import io.cacdb.replay.policy.SlowStandbyPolicy;
import io.cacdb.replay.prefetch.ReadIoConfig;
import io.cacdb.server.auth.AuthConfig;
import io.cacdb.server.auth.AuthMethod;
import io.cacdb.server.auth.ScramVerifier;
import io.cacdb.server.ha.HaConfig;
import io.cacdb.archive.s3.S3Config;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.Optional;

/**
 * Everything a database node needs to start, typed, with its unit in every name, checked on construction (so a
 * {@code NodeConfig} that exists is one the node can run with). On disk a {@code key = value} file read by
 * {@link #load(Path)}; {@link #toFileText()} writes the same form. {@code docs/operations.md} lists the keys.
 *
 * @param nodeName          the node's name in the cluster map and in logs ({@code n1})
 * @param zone              the node's zone label: DAX replicas in it are "near"
 * @param clusterMapFile    the cluster map naming the DAX servers (absolute once loaded)
 * @param volume            the DAX volume holding this database
 * @param bindHost          address the PostgreSQL and admin ports listen on
 * @param pgPort            PostgreSQL protocol port; 0 = ephemeral (the READY line tells which)
 * @param adminPort         admin HTTP port ({@code /metrics}, {@code /health}); 0 = ephemeral
 * @param maxConnections    client sessions served at once
 * @param bufferPoolBytes   buffer pool size, a multiple of the page size
 * @param logBufferBytes    the log writer's buffer of records not yet durable
 * @param logBudgetBytes    log kept between the truncation point and the end before appends wait
 * @param checkpointIntervalMillis time between fuzzy checkpoints
 * @param zoneDelayMillis   one-way delay injected between this node and DAX servers of other zones (DESIGN §7)
 * @param daxRequestTimeoutMillis deadline of one DAX replica request, retries included
 * @param storageOpenTimeoutMillis bound on each storage step of start-up (create volume, fence, META reads)
 * @param authMethod        users without an entry in {@code users}: TRUST (anyone) or SCRAM_SHA_256 (refused)
 * @param users             SCRAM users: name → stored verifier, or {@code password:<plain>} hashed at start
 * @param role              what the node starts as: active, standby, or auto (active unless another node holds a live
 *                          lease)
 * @param haPort            the HA port (heartbeats between active and standby); 0 = ephemeral
 * @param ha                lease, heartbeat and takeover timing
 * @param slowStandbyPolicy what keeps a slow standby from being lost (DESIGN §6), applied by this node when it is a
 *                          standby; the active side follows from it (the standby publishes its retention floor or not)
 * @param readIoThreads     the standby's replay page reads in flight (CAC-DB's "read-IO threads"): the ceiling the
 *                          adaptive controller may reach under {@code increase-read-io}, the fixed limit under the
 *                          other policies; {@value #READ_IO_THREADS_POLICY_DEFAULT} = the policy's default
 * @param archive           where the active archives the log ({@code archive-s3-*} keys); empty: no archiving
 */
public record NodeConfig(
        String nodeName,
        String zone,
        Path clusterMapFile,
        long volume,
        String bindHost,
        int pgPort,
        int adminPort,
        int maxConnections,
        long bufferPoolBytes,
        long logBufferBytes,
        long logBudgetBytes,
        long checkpointIntervalMillis,
        long zoneDelayMillis,
        long daxRequestTimeoutMillis,
        long storageOpenTimeoutMillis,
        AuthMethod authMethod,
        Map<String, String> users,
        StartRole role,
        int haPort,
        HaConfig ha,
        SlowStandbyPolicy slowStandbyPolicy,
        int readIoThreads,
        Optional<S3Config> archive) {

    /** The volume of a cluster's one database unless configured otherwise. */
    public static final long DEFAULT_VOLUME = 1;
    /** PostgreSQL's own port: clients find the node where they look first. */
    public static final int DEFAULT_PG_PORT = 5432;
    /** The HA port: 8432, next to the admin port's 8480 and PostgreSQL's 5432. */
    public static final int DEFAULT_HA_PORT = 8432;
    /** Admin HTTP: 8480, apart from DAX's 7480 so a node and a DAX server can share a host. */
    public static final int DEFAULT_ADMIN_PORT = 8480;
    /** Far above what TPC-C terminals or the SQL benchmark open; each session is a virtual thread. */
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    /** 256 MiB = 32 Ki pages: holds the SQL benchmark's 1 M-row table and its index on a small machine. */
    public static final long DEFAULT_BUFFER_POOL_BYTES = 256L << 20;
    /** The engine's default log buffer (16 MiB): many group commits in flight. */
    public static final long DEFAULT_LOG_BUFFER_BYTES = 16L << 20;
    /** The engine's default log budget (4 GiB) before appends wait for truncation. */
    public static final long DEFAULT_LOG_BUDGET_BYTES = 4L << 30;
    /** The engine's default checkpoint interval. */
    public static final long DEFAULT_CHECKPOINT_INTERVAL_MILLIS = 30_000;
    /** The DAX client's default request deadline. */
    public static final long DEFAULT_DAX_REQUEST_TIMEOUT_MILLIS = 2_000;
    /** A healthy quorum answers in milliseconds; 30 s means the storage tier is not there. */
    public static final long DEFAULT_STORAGE_OPEN_TIMEOUT_MILLIS = 30_000;

    /** A buffer pool below 64 pages cannot hold one B+tree path per session thread plus the catalog. */
    static final long MIN_BUFFER_POOL_BYTES = 64L * PageFormat.PAGE_SIZE_BYTES;
    /** 64 GiB: far beyond this machine; catches a unit mistake (KiB for bytes) before the JVM dies of it. */
    static final long MAX_BUFFER_POOL_BYTES = 64L << 30;
    /** An injected delay above 10 s is a typo, not a zone. */
    static final long MAX_ZONE_DELAY_MILLIS = 10_000;
    /** {@code read-io-threads = 0}: the policy's default limit (96 adaptive ceiling, else 8 fixed). */
    public static final int READ_IO_THREADS_POLICY_DEFAULT = 0;
    /**
     * The replay reads must leave the IO scheduler's REPLAY_READ class room for foreground misses after a takeover:
     * the default ceiling ({@link ReadIoConfig#IN_FLIGHT_MAX_DEFAULT}) is the most a node accepts.
     */
    public static final int MAX_READ_IO_THREADS = ReadIoConfig.IN_FLIGHT_MAX_DEFAULT;
    /** Prefix of a {@code user.<name>} value that is a plain password to hash at start (local clusters, tests). */
    public static final String PLAIN_PASSWORD_PREFIX = "password:";

    public NodeConfig {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(clusterMapFile, "clusterMapFile");
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(authMethod, "authMethod");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(ha, "ha");
        Objects.requireNonNull(slowStandbyPolicy, "slowStandbyPolicy");
        Objects.requireNonNull(archive, "archive");
        users = Map.copyOf(users);
        requireRange("read-io-threads", readIoThreads, 0, MAX_READ_IO_THREADS);
        requireLabel("node-name", nodeName);
        requireLabel("zone", zone);
        if (bindHost.isBlank()) {
            throw new NodeConfigException("bind-host must not be blank");
        }
        requireRange("volume", volume, 0, Long.MAX_VALUE);
        requireRange("pg-port", pgPort, 0, 65535);
        requireRange("admin-port", adminPort, 0, 65535);
        if (pgPort != 0 && pgPort == adminPort) {
            throw new NodeConfigException("pg-port and admin-port must differ, both are " + pgPort);
        }
        requireRange("ha-port", haPort, 0, 65535);
        if (haPort != 0 && (haPort == pgPort || haPort == adminPort)) {
            throw new NodeConfigException("ha-port must differ from pg-port and admin-port, is " + haPort);
        }
        requireRange("max-connections", maxConnections, 1, 1 << 16);
        requireRange("buffer-pool-bytes", bufferPoolBytes, MIN_BUFFER_POOL_BYTES, MAX_BUFFER_POOL_BYTES);
        if (bufferPoolBytes % PageFormat.PAGE_SIZE_BYTES != 0) {
            throw new NodeConfigException("key 'buffer-pool-bytes' has bad value '" + bufferPoolBytes
                    + "': must be a multiple of the page size, " + PageFormat.PAGE_SIZE_BYTES + " bytes");
        }
        requireRange("log-buffer-bytes", logBufferBytes, 1 << 20, Integer.MAX_VALUE);
        requireRange("log-budget-bytes", logBudgetBytes, logBufferBytes, Long.MAX_VALUE);
        requireRange("checkpoint-interval-millis", checkpointIntervalMillis, 1, Long.MAX_VALUE);
        requireRange("zone-delay-millis", zoneDelayMillis, 0, MAX_ZONE_DELAY_MILLIS);
        requireRange("dax-request-timeout-millis", daxRequestTimeoutMillis, 1, Long.MAX_VALUE);
        requireRange("storage-open-timeout-millis", storageOpenTimeoutMillis, 1, Long.MAX_VALUE);
        users.forEach((user, secret) -> {
            if (!user.matches("[A-Za-z0-9_.-]{1,63}")) {
                throw new NodeConfigException("user name '" + user + "' must be 1 to 63 letters, digits, '_', '.'"
                        + " or '-'");
            }
            if (secret.startsWith(PLAIN_PASSWORD_PREFIX)) {
                if (secret.length() == PLAIN_PASSWORD_PREFIX.length()) {
                    throw new NodeConfigException("user." + user + ": empty password");
                }
            } else {
                try {
                    ScramVerifier.parse(secret);
                } catch (IllegalArgumentException e) {
                    throw new NodeConfigException("user." + user + ": expected 'password:<plain>' or a stored "
                            + "'SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>' verifier: "
                            + e.getMessage());
                }
            }
        });
        if (authMethod == AuthMethod.SCRAM_SHA_256 && users.isEmpty()) {
            throw new NodeConfigException("auth = scram-sha-256 with no 'user.<name>' keys would refuse everyone");
        }
    }

    /** Every default, for a node with this identity reading this cluster map. */
    public static NodeConfig defaults(String nodeName, String zone, Path clusterMapFile) {
        return new NodeConfig(nodeName, zone, clusterMapFile, DEFAULT_VOLUME, "127.0.0.1", DEFAULT_PG_PORT,
                DEFAULT_ADMIN_PORT, DEFAULT_MAX_CONNECTIONS, DEFAULT_BUFFER_POOL_BYTES, DEFAULT_LOG_BUFFER_BYTES,
                DEFAULT_LOG_BUDGET_BYTES, DEFAULT_CHECKPOINT_INTERVAL_MILLIS, 0, DEFAULT_DAX_REQUEST_TIMEOUT_MILLIS,
                DEFAULT_STORAGE_OPEN_TIMEOUT_MILLIS, AuthMethod.TRUST, Map.of(), StartRole.AUTO, DEFAULT_HA_PORT,
                HaConfig.defaults(), SlowStandbyPolicy.INCREASE_READ_IO, READ_IO_THREADS_POLICY_DEFAULT,
                Optional.empty());
    }

    public NodeConfig withPorts(int newPgPort, int newAdminPort) {
        return new NodeConfig(nodeName, zone, clusterMapFile, volume, bindHost, newPgPort, newAdminPort,
                maxConnections, bufferPoolBytes, logBufferBytes, logBudgetBytes, checkpointIntervalMillis,
                zoneDelayMillis, daxRequestTimeoutMillis, storageOpenTimeoutMillis, authMethod, users, role, haPort, ha,
                slowStandbyPolicy, readIoThreads, archive);
    }

    public NodeConfig withCheckpointIntervalMillis(long millis) {
        return new NodeConfig(nodeName, zone, clusterMapFile, volume, bindHost, pgPort, adminPort, maxConnections,
                bufferPoolBytes, logBufferBytes, logBudgetBytes, millis, zoneDelayMillis, daxRequestTimeoutMillis,
                storageOpenTimeoutMillis, authMethod, users, role, haPort, ha,
                slowStandbyPolicy, readIoThreads, archive);
    }

    public NodeConfig withHaPort(int newHaPort) {
        return new NodeConfig(nodeName, zone, clusterMapFile, volume, bindHost, pgPort, adminPort, maxConnections,
                bufferPoolBytes, logBufferBytes, logBudgetBytes, checkpointIntervalMillis, zoneDelayMillis,
                daxRequestTimeoutMillis, storageOpenTimeoutMillis, authMethod, users, role, newHaPort, ha,
                slowStandbyPolicy, readIoThreads, archive);
    }

    public NodeConfig withRole(StartRole newRole) {
        return new NodeConfig(nodeName, zone, clusterMapFile, volume, bindHost, pgPort, adminPort, maxConnections,
                bufferPoolBytes, logBufferBytes, logBudgetBytes, checkpointIntervalMillis, zoneDelayMillis,
                daxRequestTimeoutMillis, storageOpenTimeoutMillis, authMethod, users, newRole, haPort, ha,
                slowStandbyPolicy, readIoThreads, archive);
    }

    public NodeConfig withHa(HaConfig newHa) {
        return new NodeConfig(nodeName, zone, clusterMapFile, volume, bindHost, pgPort, adminPort, maxConnections,
                bufferPoolBytes, logBufferBytes, logBudgetBytes, checkpointIntervalMillis, zoneDelayMillis,
                daxRequestTimeoutMillis, storageOpenTimeoutMillis, authMethod, users, role, haPort, newHa,
                slowStandbyPolicy, readIoThreads, archive);
    }

    public NodeConfig withBindHost(String newBindHost) {
        return new NodeConfig(nodeName, zone, clusterMapFile, volume, newBindHost, pgPort, adminPort, maxConnections,
                bufferPoolBytes, logBufferBytes, logBudgetBytes, checkpointIntervalMillis, zoneDelayMillis,
                daxRequestTimeoutMillis, storageOpenTimeoutMillis, authMethod, users, role, haPort, ha,
                slowStandbyPolicy, readIoThreads, archive);
    }

    public NodeConfig withVolume(long newVolume) {
        return new NodeConfig(nodeName, zone, clusterMapFile, newVolume, bindHost, pgPort, adminPort, maxConnections,
                bufferPoolBytes, logBufferBytes, logBudgetBytes, checkpointIntervalMillis, zoneDelayMillis,
                daxRequestTimeoutMillis, storageOpenTimeoutMillis, authMethod, users, role, haPort, ha,
                slowStandbyPolicy, readIoThreads, archive);
    }

    public NodeConfig withBufferPoolBytes(long bytes) {
        return new NodeConfig(nodeName, zone, clusterMapFile, volume, bindHost, pgPort, adminPort, maxConnections,
                bytes, logBufferBytes, logBudgetBytes, checkpointIntervalMillis, zoneDelayMillis,
                daxRequestTimeoutMillis, storageOpenTimeoutMillis, authMethod, users, role, haPort, ha,
                slowStandbyPolicy, readIoThreads, archive);
    }

    public NodeConfig withZoneDelayMillis(long millis) {
        return new NodeConfig(nodeName, zone, clusterMapFile, volume, bindHost, pgPort, adminPort, maxConnections,
                bufferPoolBytes, logBufferBytes, logBudgetBytes, checkpointIntervalMillis, millis,
                daxRequestTimeoutMillis, storageOpenTimeoutMillis, authMethod, users, role, haPort, ha,
                slowStandbyPolicy, readIoThreads, archive);
    }

    public NodeConfig withAuthentication(AuthMethod method, Map<String, String> newUsers) {
        return new NodeConfig(nodeName, zone, clusterMapFile, volume, bindHost, pgPort, adminPort, maxConnections,
                bufferPoolBytes, logBufferBytes, logBudgetBytes, checkpointIntervalMillis, zoneDelayMillis,
                daxRequestTimeoutMillis, storageOpenTimeoutMillis, method, newUsers, role, haPort, ha,
                slowStandbyPolicy, readIoThreads, archive);
    }

    public NodeConfig withSlowStandby(SlowStandbyPolicy policy, int newReadIoThreads) {
        return new NodeConfig(nodeName, zone, clusterMapFile, volume, bindHost, pgPort, adminPort, maxConnections,
                bufferPoolBytes, logBufferBytes, logBudgetBytes, checkpointIntervalMillis, zoneDelayMillis,
                daxRequestTimeoutMillis, storageOpenTimeoutMillis, authMethod, users, role, haPort, ha, policy,
                newReadIoThreads, archive);
    }

    /**
     * The standby's replay read-IO limits under {@link #slowStandbyPolicy}: with {@link #readIoThreads} = N, an
     * adaptive policy ranges from the default minimum (or N if smaller) up to N, a fixed one stays at N.
     */
    public ReadIoConfig readIo() {
        ReadIoConfig d = ReadIoConfig.defaults();
        if (readIoThreads == READ_IO_THREADS_POLICY_DEFAULT) {
            return d;
        }
        return slowStandbyPolicy.adaptsReadIo()
                ? d.withInFlight(Math.min(ReadIoConfig.IN_FLIGHT_MIN_DEFAULT, readIoThreads), readIoThreads)
                : d.withInFlight(readIoThreads, readIoThreads);
    }

    /** What this node's standby replayer runs with: its pool size, the slow-standby policy and read-IO limits. */
    public StandbyConfig standbyConfig() {
        return StandbyConfig.defaults().withFrames(bufferPoolFrames()).withPolicy(slowStandbyPolicy)
                .withReadIo(readIo());
    }

    public NodeConfig withArchive(Optional<S3Config> newArchive) {
        return new NodeConfig(nodeName, zone, clusterMapFile, volume, bindHost, pgPort, adminPort, maxConnections,
                bufferPoolBytes, logBufferBytes, logBudgetBytes, checkpointIntervalMillis, zoneDelayMillis,
                daxRequestTimeoutMillis, storageOpenTimeoutMillis, authMethod, users, role, haPort, ha, slowStandbyPolicy,
                readIoThreads, newArchive);
    }

    /** Buffer pool frames: {@link #bufferPoolBytes} in pages. */
    public int bufferPoolFrames() {
        return Math.toIntExact(bufferPoolBytes / PageFormat.PAGE_SIZE_BYTES);
    }

    public Duration checkpointInterval() {
        return Duration.ofMillis(checkpointIntervalMillis);
    }

    public Duration zoneDelay() {
        return Duration.ofMillis(zoneDelayMillis);
    }

    public Duration daxRequestTimeout() {
        return Duration.ofMillis(daxRequestTimeoutMillis);
    }

    public Duration storageOpenTimeout() {
        return Duration.ofMillis(storageOpenTimeoutMillis);
    }

    /**
     * The protocol server's authentication: listed users with SCRAM (plain passwords hashed here, with PostgreSQL's
     * default iteration count), everyone else as {@link #authMethod}.
     */
    public AuthConfig authConfig() {
        if (users.isEmpty() && authMethod == AuthMethod.TRUST) {
            return AuthConfig.trust();
        }
        SecureRandom random = new SecureRandom();
        Map<String, ScramVerifier> verifiers = new LinkedHashMap<>();
        users.forEach((user, secret) -> {
            if (secret.startsWith(PLAIN_PASSWORD_PREFIX)) {
                byte[] salt = new byte[ScramVerifier.SALT_BYTES];
                random.nextBytes(salt);
                verifiers.put(user, ScramVerifier.fromPassword(secret.substring(PLAIN_PASSWORD_PREFIX.length()),
                        salt, ScramVerifier.DEFAULT_ITERATIONS));
            } else {
                verifiers.put(user, ScramVerifier.parse(secret));
            }
        });
        return AuthConfig.withVerifiers(verifiers, authMethod);
    }

    // ------------------------------------------------------------------------------------------------ file form

    /** The fixed keys of the file form, in the order {@link #toFileText()} writes them; {@code user.<name>} too. */
    static final List<String> KEYS = List.of("node-name", "zone", "cluster-map", "volume", "bind-host", "pg-port",
            "admin-port", "max-connections", "buffer-pool-bytes", "log-buffer-bytes", "log-budget-bytes",
            "checkpoint-interval-millis", "zone-delay-millis", "dax-request-timeout-millis",
            "storage-open-timeout-millis", "auth", "role", "ha-port", "lease-duration-millis",
            "lease-renew-interval-millis", "lease-guard-millis", "lease-poll-interval-millis",
            "heartbeat-interval-millis", "heartbeat-timeout-millis", "slow-standby-policy", "read-io-threads");
    /** The archive's keys (docs/archive.md): optional, written only when archiving is on. */
    static final List<String> ARCHIVE_KEYS = List.of("archive-s3-bucket", "archive-s3-region", "archive-s3-prefix",
            "archive-s3-endpoint");
    static final String USER_KEY_PREFIX = "user.";
    private static final List<String> REQUIRED = List.of("node-name", "zone", "cluster-map");

    /**
     * Reads a {@code key = value} file: one setting per line, {@code #} starts a comment line, blank lines are
     * ignored. {@code node-name}, {@code zone} and {@code cluster-map} are required, every other key has the default
     * of {@link #defaults}. Byte sizes take a {@code KiB}, {@code MiB} or {@code GiB} suffix. A relative
     * {@code cluster-map} is resolved against the file's directory. Unknown or repeated keys are errors.
     * {@code zone = imds} asks the EC2 instance metadata service ({@link InstanceMetadataZone#fromEnvironment()}).
     *
     * @throws NodeConfigException naming the file, line, key and value when anything is wrong
     */
    public static NodeConfig load(Path file) {
        return load(file, InstanceMetadataZone::fromEnvironment);
    }

    /** {@link #load(Path)} asking {@code imds} for the zone when the file says {@code zone = imds}. */
    public static NodeConfig load(Path file, Supplier<InstanceMetadataZone> imds) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NodeConfigException("cannot read node config " + file + ": " + e, e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        Map<String, String> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + ":" + (i + 1);
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new NodeConfigException(where + ": expected 'key = value', got '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!KEYS.contains(key) && !ARCHIVE_KEYS.contains(key) && !key.startsWith(USER_KEY_PREFIX)) {
                throw new NodeConfigException(where + ": unknown key '" + key + "' (known keys: " + KEYS + ", "
                        + ARCHIVE_KEYS + " and user.<name>)");
            }
            Integer earlier = lineOf.putIfAbsent(key, i + 1);
            if (earlier != null) {
                throw new NodeConfigException(where + ": key '" + key + "' repeated (first on line " + earlier + ")");
            }
            if (key.startsWith(USER_KEY_PREFIX)) {
                users.put(key.substring(USER_KEY_PREFIX.length()), value);
            } else {
                values.put(key, value);
            }
        }
        for (String required : REQUIRED) {
            if (!values.containsKey(required) || values.get(required).isEmpty()) {
                throw new NodeConfigException(file + ": required key '" + required + "' is missing");
            }
        }
        Path map = Path.of(values.get("cluster-map"));
        if (!map.isAbsolute()) {
            Path parent = file.toAbsolutePath().getParent();
            map = parent == null ? map.toAbsolutePath() : parent.resolve(map).normalize();
        }
        String zone = values.get("zone");
        if (InstanceMetadataZone.CONFIG_VALUE.equals(zone)) {
            try {
                zone = imds.get().availabilityZone();
            } catch (InstanceMetadataZone.InstanceMetadataException e) {
                throw new NodeConfigException(file + ":" + lineOf.get("zone") + ": key 'zone' = imds: "
                        + e.getMessage(), e);
            }
        }
        NodeConfig d = defaults(values.get("node-name"), zone, map);
        Values v = new Values(file, values, lineOf);
        try {
            return new NodeConfig(d.nodeName, d.zone, map,
                    v.number("volume", d.volume, false),
                    values.getOrDefault("bind-host", d.bindHost),
                    (int) v.number("pg-port", d.pgPort, false),
                    (int) v.number("admin-port", d.adminPort, false),
                    (int) v.number("max-connections", d.maxConnections, false),
                    v.number("buffer-pool-bytes", d.bufferPoolBytes, true),
                    v.number("log-buffer-bytes", d.logBufferBytes, true),
                    v.number("log-budget-bytes", d.logBudgetBytes, true),
                    v.number("checkpoint-interval-millis", d.checkpointIntervalMillis, false),
                    v.number("zone-delay-millis", d.zoneDelayMillis, false),
                    v.number("dax-request-timeout-millis", d.daxRequestTimeoutMillis, false),
                    v.number("storage-open-timeout-millis", d.storageOpenTimeoutMillis, false),
                    v.auth(d.authMethod),
                    users,
                    v.role(d.role),
                    (int) v.number("ha-port", d.haPort, false),
                    v.ha(d.ha),
                    v.policy(d.slowStandbyPolicy),
                    (int) v.number("read-io-threads", d.readIoThreads, false),
                    v.archive());
        } catch (NodeConfigException e) {
            throw new NodeConfigException(file + ": " + e.getMessage(), e);
        }
    }

    /** The file form of this configuration, every key written, readable by {@link #load(Path)}. */
    public String toFileText() {
        StringBuilder sb = new StringBuilder("# cacdb database node configuration (docs/operations.md)\n");
        Object[] values = {nodeName, zone, clusterMapFile.toAbsolutePath(), volume, bindHost, pgPort, adminPort,
                maxConnections, bufferPoolBytes, logBufferBytes, logBudgetBytes, checkpointIntervalMillis,
                zoneDelayMillis, daxRequestTimeoutMillis, storageOpenTimeoutMillis, authWord(authMethod), role.word(),
                haPort, ha.leaseDuration().toMillis(), ha.leaseRenewInterval().toMillis(), ha.leaseGuard().toMillis(),
                ha.leasePollInterval().toMillis(), ha.heartbeatInterval().toMillis(),
                ha.heartbeatTimeout().toMillis(), policyWord(slowStandbyPolicy), readIoThreads};
        for (int i = 0; i < KEYS.size(); i++) {
            sb.append(KEYS.get(i)).append(" = ").append(values[i]).append('\n');
        }
        archive.ifPresent(a -> {
            sb.append("archive-s3-bucket = ").append(a.bucket()).append('\n');
            sb.append("archive-s3-region = ").append(a.region()).append('\n');
            sb.append("archive-s3-prefix = ").append(a.prefix()).append('\n');
            a.endpoint().ifPresent(e -> sb.append("archive-s3-endpoint = ").append(e).append('\n'));
        });
        users.forEach((user, secret) -> sb.append(USER_KEY_PREFIX).append(user).append(" = ").append(secret)
                .append('\n'));
        return sb.toString();
    }

    static String authWord(AuthMethod method) {
        return switch (method) {
            case TRUST -> "trust";
            case SCRAM_SHA_256 -> "scram-sha-256";
        };
    }

    /** The file form of a policy: {@code increase-read-io}, {@code active-wait}, {@code unsafe-eviction}. */
    public static String policyWord(SlowStandbyPolicy policy) {
        return policy.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The policy a word names ({@link #policyWord}'s inverse, case-insensitive), if any. */
    public static java.util.Optional<SlowStandbyPolicy> parsePolicy(String word) {
        for (SlowStandbyPolicy p : SlowStandbyPolicy.values()) {
            if (policyWord(p).equalsIgnoreCase(word.strip())) {
                return java.util.Optional.of(p);
            }
        }
        return java.util.Optional.empty();
    }

    private record Values(Path file, Map<String, String> values, Map<String, Integer> lineOf) {

        StartRole role(StartRole defaultValue) {
            String raw = values.get("role");
            if (raw == null) {
                return defaultValue;
            }
            return StartRole.parse(raw).orElseThrow(() -> new NodeConfigException("line " + lineOf.get("role")
                    + ": key 'role' has bad value '" + raw + "': expected 'active', 'standby' or 'auto'"));
        }

        SlowStandbyPolicy policy(SlowStandbyPolicy defaultValue) {
            String raw = values.get("slow-standby-policy");
            if (raw == null) {
                return defaultValue;
            }
            return parsePolicy(raw).orElseThrow(() -> new NodeConfigException("line "
                    + lineOf.get("slow-standby-policy") + ": key 'slow-standby-policy' has bad value '" + raw
                    + "': expected 'increase-read-io', 'active-wait' or 'unsafe-eviction'"));
        }

        /** The archive's S3 location, present when {@code archive-s3-bucket} is set; the rest needs the bucket. */
        Optional<S3Config> archive() {
            String bucket = values.get("archive-s3-bucket");
            if (bucket == null) {
                for (String key : ARCHIVE_KEYS) {
                    if (values.containsKey(key)) {
                        throw new NodeConfigException("line " + lineOf.get(key) + ": key '" + key + "' needs"
                                + " 'archive-s3-bucket' (archiving is on only with a bucket)");
                    }
                }
                return Optional.empty();
            }
            String endpoint = values.get("archive-s3-endpoint");
            try {
                return Optional.of(S3Config.of(values.getOrDefault("archive-s3-region", S3Config.DEFAULT_REGION),
                        bucket, values.getOrDefault("archive-s3-prefix", ""),
                        endpoint == null ? Optional.empty() : Optional.of(URI.create(endpoint))));
            } catch (IllegalArgumentException e) {
                throw new NodeConfigException("archive settings: " + e.getMessage());
            }
        }

        HaConfig ha(HaConfig d) {
            try {
                return new HaConfig(
                        millis("lease-duration-millis", d.leaseDuration()),
                        millis("lease-renew-interval-millis", d.leaseRenewInterval()),
                        millis("lease-guard-millis", d.leaseGuard()),
                        millis("lease-poll-interval-millis", d.leasePollInterval()),
                        millis("heartbeat-interval-millis", d.heartbeatInterval()),
                        millis("heartbeat-timeout-millis", d.heartbeatTimeout()),
                        d.connectTimeout(), d.standbyFloorHold(), d.catchUpTimeout(), d.storageStepTimeout());
            } catch (IllegalArgumentException e) {
                throw new NodeConfigException("lease and heartbeat settings do not fit together: " + e.getMessage());
            }
        }

        private Duration millis(String key, Duration defaultValue) {
            return Duration.ofMillis(number(key, defaultValue.toMillis(), false));
        }

        AuthMethod auth(AuthMethod defaultValue) {
            String raw = values.get("auth");
            if (raw == null) {
                return defaultValue;
            }
            return switch (raw.toLowerCase(Locale.ROOT)) {
                case "trust" -> AuthMethod.TRUST;
                case "scram-sha-256" -> AuthMethod.SCRAM_SHA_256;
                default -> throw new NodeConfigException("line " + lineOf.get("auth") + ": key 'auth' has bad value '"
                        + raw + "': expected 'trust' or 'scram-sha-256'");
            };
        }

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
                if (!bytes && !key.endsWith("millis") && !key.equals("volume")
                        && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
                    throw new NumberFormatException("out of int range");
                }
                return v;
            } catch (NumberFormatException | ArithmeticException e) {
                throw new NodeConfigException("line " + lineOf.get(key) + ": key '" + key + "' has bad value '" + raw
                        + "': expected " + (bytes ? "a byte count (optionally with KiB, MiB or GiB)" : "an integer"));
            }
        }
    }

    private static void requireRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new NodeConfigException("key '" + key + "' has bad value '" + value + "': must be in " + min + ".."
                    + max);
        }
    }

    private static void requireLabel(String key, String value) {
        if (!value.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new NodeConfigException("key '" + key + "' has bad value '" + value
                    + "': expected 1 to 64 letters, digits, '.', '_' or '-'");
        }
    }
}
