package io.cacdb.server.node;

import io.cacdb.dax.transport.NetworkConditions;
import io.cacdb.server.ha.HaLinkFaults;
import java.util.Objects;

/**
 * Faults injected into a node's network (DESIGN §7), for tests: its HA link to the other node, and its traffic to
 * the DAX servers (cross-zone delay, cut-offs). A production node gets {@link #none()}; the configured cross-zone
 * delay is set on {@link #storage()} at start.
 */
public record NodeFaults(HaLinkFaults ha, NetworkConditions storage) {

    public NodeFaults {
        Objects.requireNonNull(ha, "ha");
        Objects.requireNonNull(storage, "storage");
    }

    public static NodeFaults none() {
        return new NodeFaults(HaLinkFaults.none(), NetworkConditions.none());
    }
}
