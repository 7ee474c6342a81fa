package io.cacdb.server.node;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The lifecycle of a database node, with its legal transitions ({@link #canMoveTo}, checked on every change;
 * {@code docs/failover.md} has the table). Only ACTIVE serves clients; every other role refuses sessions with
 * SQLSTATE 57P03.
 *
 * <pre>
 *   STARTING ─▶ ACTIVE                      (role active/auto, no live lease of another node: fence, recover, serve)
 *   STARTING ─▶ STANDBY                     (role standby, or auto with a live lease: tail and replay)
 *   STANDBY  ─▶ PROMOTING ─▶ ACTIVE         (heartbeats stopped and the lease ran out: takeover)
 *   PROMOTING ─▶ FENCED                     (the takeover failed after fencing: another node fenced higher, storage gone)
 *   ACTIVE   ─▶ FENCED                      (the lease could not be renewed in time, or a write met a higher epoch)
 *   FENCED   ─▶ STANDBY                     (storage reachable again: rejoin as the standby of the new active)
 *   STARTING | STANDBY | PROMOTING | ACTIVE | FENCED ─▶ STOPPING ─▶ STOPPED;  STARTING ─▶ STOPPED (start failed)
 * </pre>
 */
public enum NodeRole {
    /** Reading the cluster map, probing the lease, fencing, recovering; not serving clients yet. */
    STARTING(0),
    /** Fenced to its epoch, holding the lease, serving clients. */
    ACTIVE(1),
    /** Refusing new clients, flushing and checkpointing. */
    STOPPING(2),
    /** Everything closed. */
    STOPPED(3),
    /** Tailing and replaying the shared log into a warm pool; watching the active's heartbeats and lease. */
    STANDBY(4),
    /** Taking over: fence, end of log, catch-up, undo, then serve. */
    PROMOTING(5),
    /** Lost the right to serve (lease ran out, or fenced by a newer epoch): serves nothing, writes nothing. */
    FENCED(6);

    /** The value of the {@code cacdb_node_role} gauge: stable across releases (dashboards key on it). */
    private final int code;

    NodeRole(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    private static final Map<NodeRole, Set<NodeRole>> NEXT = new EnumMap<>(NodeRole.class);

    static {
        NEXT.put(STARTING, EnumSet.of(ACTIVE, STANDBY, STOPPING, STOPPED));
        NEXT.put(STANDBY, EnumSet.of(PROMOTING, STOPPING));
        NEXT.put(PROMOTING, EnumSet.of(ACTIVE, FENCED, STOPPING));
        NEXT.put(ACTIVE, EnumSet.of(FENCED, STOPPING));
        NEXT.put(FENCED, EnumSet.of(STANDBY, STOPPING));
        NEXT.put(STOPPING, EnumSet.of(STOPPED));
        NEXT.put(STOPPED, EnumSet.noneOf(NodeRole.class));
    }

    public boolean canMoveTo(NodeRole next) {
        return NEXT.get(this).contains(next);
    }

    /** Whether clients may run sessions on a node in this role. */
    public boolean serves() {
        return this == ACTIVE;
    }
}
