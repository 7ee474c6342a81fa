package io.cacdb.dax.cluster;

import java.util.Objects;

/** One DAX server of the cluster map: a stable id, where it listens for RPC, and its zone label. */
public record ServerInfo(String id, String host, int port, String zone) {

    public ServerInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(zone, "zone");
        if (id.isBlank() || zone.isBlank()) {
            throw new IllegalArgumentException("server id and zone must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("server " + id + ": port must be in 1..65535, was " + port);
        }
    }

    public String hostPort() {
        return host + ":" + port;
    }
}
