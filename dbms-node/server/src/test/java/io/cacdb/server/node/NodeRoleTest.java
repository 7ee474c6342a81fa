package io.cacdb.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The role table, one test per row: every cell of the row is checked, legal and illegal. */
class NodeRoleTest {

    @Test
    void starting() {
        assertRow(NodeRole.STARTING, EnumSet.of(NodeRole.ACTIVE, NodeRole.STANDBY, NodeRole.STOPPING,
                NodeRole.STOPPED));
    }

    @Test
    void standby() {
        assertRow(NodeRole.STANDBY, EnumSet.of(NodeRole.PROMOTING, NodeRole.STOPPING));
    }

    @Test
    void promoting() {
        assertRow(NodeRole.PROMOTING, EnumSet.of(NodeRole.ACTIVE, NodeRole.FENCED, NodeRole.STOPPING));
    }

    @Test
    void active() {
        assertRow(NodeRole.ACTIVE, EnumSet.of(NodeRole.FENCED, NodeRole.STOPPING));
    }

    @Test
    void fenced() {
        assertRow(NodeRole.FENCED, EnumSet.of(NodeRole.STANDBY, NodeRole.STOPPING));
    }

    @Test
    void stopping() {
        assertRow(NodeRole.STOPPING, EnumSet.of(NodeRole.STOPPED));
    }

    @Test
    void stopped() {
        assertRow(NodeRole.STOPPED, EnumSet.noneOf(NodeRole.class));
    }

    @Test
    void onlyActiveServesAndGaugeCodesAreStableAndDistinct() {
        for (NodeRole r : NodeRole.values()) {
            assertEquals(r == NodeRole.ACTIVE, r.serves(), r.name());
        }
        assertEquals(0, NodeRole.STARTING.code());
        assertEquals(1, NodeRole.ACTIVE.code());
        assertEquals(2, NodeRole.STOPPING.code());
        assertEquals(3, NodeRole.STOPPED.code());
        Set<Integer> codes = new HashSet<>();
        for (NodeRole r : NodeRole.values()) {
            assertTrue(codes.add(r.code()), "code " + r.code() + " used twice");
        }
        assertFalse(NodeRole.STANDBY.canMoveTo(NodeRole.ACTIVE), "a standby becomes active only by promoting");
    }

    private static void assertRow(NodeRole from, Set<NodeRole> legal) {
        for (NodeRole to : NodeRole.values()) {
            assertEquals(legal.contains(to), from.canMoveTo(to), from + " -> " + to);
        }
    }
}
