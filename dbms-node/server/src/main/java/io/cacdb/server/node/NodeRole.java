package io.cacdb.server.node;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The lifecycle of a database node, with its legal transitions. Today a node is a single active:
 * {@code STARTING → ACTIVE → STOPPING → STOPPED}, or {@code STARTING → STOPPED} when start-up fails. The standby
 * (a later issue) adds {@code STANDBY → PROMOTING → ACTIVE} and {@code ACTIVE → FENCED}.
 */
public enum NodeRole {
    /** Reading the cluster map, fencing, recovering; not serving clients yet. */
    STARTING,
    /** Fenced to its epoch, recovered, serving clients. */
    ACTIVE,
    /** Refusing new clients, flushing and checkpointing. */
    STOPPING,
    /** Everything closed. */
    STOPPED;

    private static final Map<NodeRole, Set<NodeRole>> NEXT = Map.of(
            STARTING, EnumSet.of(ACTIVE, STOPPED),
            ACTIVE, EnumSet.of(STOPPING),
            STOPPING, EnumSet.of(STOPPED),
            STOPPED, EnumSet.noneOf(NodeRole.class));

    public boolean canMoveTo(NodeRole next) {
        return NEXT.get(this).contains(next);
    }
}
