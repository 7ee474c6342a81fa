package io.cacdb.server.ha;

/**
 * Injected faults on a node's HA link (DESIGN §7: partitions are injected in the transport): while cut, the node
 * sends no HA frames and drops every frame it receives, and a standby does not connect — as if the network between
 * the two nodes were cut, while each still reaches storage. Thread-safe; a test holds one per node.
 */
public final class HaLinkFaults {

    private volatile boolean cut;

    public static HaLinkFaults none() {
        return new HaLinkFaults();
    }

    public void cut() {
        cut = true;
    }

    public void heal() {
        cut = false;
    }

    public boolean isCut() {
        return cut;
    }
}
