package io.cacdb.server.node;

import io.cacdb.dax.transport.NetworkConditions;
import io.cacdb.server.ha.HaLinkFaults;
import java.util.Objects;

/**
 * Faults injected into a node (DESIGN §7), for tests: its HA link to the other node, its traffic to the DAX servers
 * (cross-zone delay, cut-offs), and a point of its own takeover at which it halts ({@link TakeoverFault}). A
 * production node gets {@link #none()}; the configured cross-zone delay is set on {@link #storage()} at start.
 */
public record NodeFaults(HaLinkFaults ha, NetworkConditions storage, TakeoverFault takeover) {

    public NodeFaults {
        Objects.requireNonNull(ha, "ha");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(takeover, "takeover");
    }

    /** Network faults only; the takeover runs undisturbed. */
    public NodeFaults(HaLinkFaults ha, NetworkConditions storage) {
        this(ha, storage, TakeoverFault.none());
    }

    /** These faults, with {@code fault} in the takeover. */
    public NodeFaults withTakeover(TakeoverFault fault) {
        return new NodeFaults(ha, storage, fault);
    }

    public static NodeFaults none() {
        return new NodeFaults(HaLinkFaults.none(), NetworkConditions.none());
    }
}
