package io.cacdb.dax.cluster;

import java.util.Objects;

/**
 * One database node of the cluster map: a stable name, where it serves the PostgreSQL protocol, its zone label, and
 * optionally its HA port (heartbeats and control between the active and the standby) and its admin HTTP port
 * ({@code /metrics}, {@code /health}). DAX clients ignore nodes; clients, proxies and the other node use them.
 *
 * @param ha    the HA endpoint, or null when the node has none (a single node without a standby)
 * @param admin the admin HTTP endpoint, or null when not published
 */
public record NodeInfo(String name, Endpoint pg, String zone, Endpoint ha, Endpoint admin) {

    /** A {@code host:port} pair; IPv6 hosts are written in brackets by {@link #toString()}. */
    public record Endpoint(String host, int port) {
        public Endpoint {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("empty host");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be in 1..65535, was " + port);
            }
        }

        /** Parses {@code host:port} or {@code [v6]:port}. */
        public static Endpoint parse(String hostPort) {
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0 || colon == hostPort.length() - 1) {
                throw new IllegalArgumentException("address '" + hostPort + "' is not <host>:<port>");
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port in '" + hostPort + "' is not a number");
            }
            return new Endpoint(host, port);
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public NodeInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pg, "pg");
        Objects.requireNonNull(zone, "zone");
        if (name.isBlank() || zone.isBlank()) {
            throw new IllegalArgumentException("node name and zone must not be blank");
        }
    }
}
