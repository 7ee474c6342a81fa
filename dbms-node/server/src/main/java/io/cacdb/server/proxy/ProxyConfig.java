package io.cacdb.server.proxy;

import io.cacdb.dax.admin.ConfigFileException;
import io.cacdb.dax.admin.KeyValueFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The proxy's configuration, typed, units in the names; a {@code key = value} file ({@link #load}). Keys and defaults
 * in {@code docs/operations.md} "The proxy".
 *
 * @param clusterMapFile          the cluster map: DAX servers (to read the lease) and node lines (their PostgreSQL
 *                                endpoints)
 * @param volume                  the database's volume
 * @param zone                    the proxy's zone label: DAX replicas in it are "near" ({@code proxy} when not given)
 * @param bindHost                address of the client port and the admin port
 * @param port                    the client port (PostgreSQL protocol, forwarded); 0 = ephemeral
 * @param adminPort               admin HTTP ({@code /metrics}, {@code /health}); 0 = ephemeral
 * @param maxConnections          client connections forwarded at once; the next one is refused with 53300
 * @param leasePollIntervalMillis how often the lease is read
 * @param connectWaitMillis       how long a new client waits for an active node before it is refused with 57P03
 * @param backendConnectTimeoutMillis bound on connecting to the active node
 * @param daxRequestTimeoutMillis deadline of one DAX replica request
 */
public record ProxyConfig(Path clusterMapFile, long volume, String zone, String bindHost, int port, int adminPort,
                          int maxConnections, long leasePollIntervalMillis, long connectWaitMillis,
                          long backendConnectTimeoutMillis, long daxRequestTimeoutMillis) {

    public static final int DEFAULT_PORT = 6432;
    public static final int DEFAULT_ADMIN_PORT = 6480;
    /** Four times a node's default session limit: the proxy fronts whichever node is active. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    /** Twice a standby's lease poll: a switch is seen within 100 ms of the new lease. */
    public static final long DEFAULT_LEASE_POLL_INTERVAL_MILLIS = 100;
    /** A takeover takes about a second; a client waits a few for the new active rather than failing at once. */
    public static final long DEFAULT_CONNECT_WAIT_MILLIS = 5_000;
    public static final long DEFAULT_BACKEND_CONNECT_TIMEOUT_MILLIS = 2_000;
    public static final long DEFAULT_DAX_REQUEST_TIMEOUT_MILLIS = 2_000;

    static final List<String> KEYS = List.of("cluster-map", "volume", "zone", "bind-host", "port", "admin-port",
            "max-connections", "lease-poll-interval-millis", "connect-wait-millis", "backend-connect-timeout-millis",
            "dax-request-timeout-millis");

    public ProxyConfig {
        Objects.requireNonNull(clusterMapFile, "clusterMapFile");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(bindHost, "bindHost");
        if (!zone.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new ConfigFileException("zone '" + zone + "': expected 1 to 64 letters, digits, '.', '_' or '-'");
        }
        if (port < 0 || port > 65535 || adminPort < 0 || adminPort > 65535) {
            throw new ConfigFileException("port " + port + " / admin-port " + adminPort + ": must be in 0..65535");
        }
        if (maxConnections < 1 || leasePollIntervalMillis < 1 || connectWaitMillis < 0
                || backendConnectTimeoutMillis < 1 || daxRequestTimeoutMillis < 1 || volume < 0) {
            throw new ConfigFileException("max-connections, lease-poll-interval-millis, backend-connect-timeout-millis"
                    + " and dax-request-timeout-millis must be >= 1, connect-wait-millis and volume >= 0");
        }
        if (port != 0 && port == adminPort) {
            throw new ConfigFileException("port and admin-port must differ, both are " + port);
        }
    }

    /** Every default, reading this cluster map. */
    public static ProxyConfig defaults(Path clusterMapFile) {
        return new ProxyConfig(clusterMapFile, 1, "proxy", "127.0.0.1", DEFAULT_PORT, DEFAULT_ADMIN_PORT,
                DEFAULT_MAX_CONNECTIONS, DEFAULT_LEASE_POLL_INTERVAL_MILLIS, DEFAULT_CONNECT_WAIT_MILLIS,
                DEFAULT_BACKEND_CONNECT_TIMEOUT_MILLIS, DEFAULT_DAX_REQUEST_TIMEOUT_MILLIS);
    }

    public ProxyConfig withPorts(int newPort, int newAdminPort) {
        return new ProxyConfig(clusterMapFile, volume, zone, bindHost, newPort, newAdminPort, maxConnections,
                leasePollIntervalMillis, connectWaitMillis, backendConnectTimeoutMillis, daxRequestTimeoutMillis);
    }

    public ProxyConfig withConnectWaitMillis(long millis) {
        return new ProxyConfig(clusterMapFile, volume, zone, bindHost, port, adminPort, maxConnections,
                leasePollIntervalMillis, millis, backendConnectTimeoutMillis, daxRequestTimeoutMillis);
    }

    public ProxyConfig withMaxConnections(int n) {
        return new ProxyConfig(clusterMapFile, volume, zone, bindHost, port, adminPort, n,
                leasePollIntervalMillis, connectWaitMillis, backendConnectTimeoutMillis, daxRequestTimeoutMillis);
    }

    public ProxyConfig withVolume(long newVolume) {
        return new ProxyConfig(clusterMapFile, newVolume, zone, bindHost, port, adminPort, maxConnections,
                leasePollIntervalMillis, connectWaitMillis, backendConnectTimeoutMillis, daxRequestTimeoutMillis);
    }

    /**
     * Reads a {@code key = value} file; {@code cluster-map} is required (relative to the file's folder), every other
     * key has the default of {@link #defaults}.
     *
     * @throws ConfigFileException naming the file, line, key and value when anything is wrong
     */
    public static ProxyConfig load(Path file) {
        KeyValueFile f = KeyValueFile.read(file, KEYS);
        Path map = f.path("cluster-map").orElseThrow(() -> new ConfigFileException(file
                + ": required key 'cluster-map' is missing"));
        ProxyConfig d = defaults(map);
        try {
            return new ProxyConfig(map,
                    f.integer("volume", d.volume, 0, Long.MAX_VALUE),
                    f.string("zone").orElse(d.zone),
                    f.string("bind-host").orElse(d.bindHost),
                    (int) f.integer("port", d.port, 0, 65535),
                    (int) f.integer("admin-port", d.adminPort, 0, 65535),
                    (int) f.integer("max-connections", d.maxConnections, 1, 1 << 16),
                    f.integer("lease-poll-interval-millis", d.leasePollIntervalMillis, 1, 60_000),
                    f.integer("connect-wait-millis", d.connectWaitMillis, 0, 600_000),
                    f.integer("backend-connect-timeout-millis", d.backendConnectTimeoutMillis, 1, 600_000),
                    f.integer("dax-request-timeout-millis", d.daxRequestTimeoutMillis, 1, 600_000));
        } catch (ConfigFileException e) {
            throw e.getMessage().startsWith(file.toString()) ? e : new ConfigFileException(file + ": "
                    + e.getMessage());
        }
    }

    public Duration leasePollInterval() {
        return Duration.ofMillis(leasePollIntervalMillis);
    }

    public Duration connectWait() {
        return Duration.ofMillis(connectWaitMillis);
    }

    public Duration backendConnectTimeout() {
        return Duration.ofMillis(backendConnectTimeoutMillis);
    }

    public Duration daxRequestTimeout() {
        return Duration.ofMillis(daxRequestTimeoutMillis);
    }
}
