package io.cacdb.server.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.cluster.NodeInfo;
import io.micrometer.core.instrument.MockClock;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The HA port over real sockets: heartbeats flow from an active server to a standby client, each answered with the
 * standby's status, which becomes the active's retention floor (held for a while after the standby goes quiet); a
 * malformed frame closes only its own connection; a server that is not active, or a cut link, sends no heartbeats.
 */
class HaLinkTest {

    static final Duration BOUND = Duration.ofSeconds(30);

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + BOUND + ": " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
        }
    }

    @Test
    void heartbeatsStatusesFloorMalformedPeersAndCuts() throws Exception {
        HaConfig config = HaConfig.defaults();
        MockClock clock = new MockClock();
        HaLinkFaults serverFaults = HaLinkFaults.none();
        AtomicLong replayed = new AtomicLong(1000);
        AtomicLong linkEnds = new AtomicLong();
        HaClient.Listener listener = new HaClient.Listener() {
            @Override
            public void heartbeat(HaFrame.Heartbeat heartbeat) {
            }

            @Override
            public void linkEnded() {
                linkEnds.incrementAndGet();
            }
        };
        try (HaServer server = HaServer.start("127.0.0.1", 0, "n1", config, clock, serverFaults);
             HaClient client = new HaClient("n2", config, () -> new HaFrame.StandbyStatus("n2", "CAUGHT_UP",
                     replayed.get(), replayed.get(), 0, 0, 3, 1, 64), listener, HaLinkFaults.none())) {
            assertEquals(Long.MAX_VALUE, server.retentionFloorLsn(), "no standby yet: keep nothing for one");
            client.target(Optional.of(new NodeInfo.Endpoint("127.0.0.1", server.port())));
            client.start();
            assertEquals(0, client.heartbeats(), "a server that is not active sends nothing");

            server.activate(seq -> Optional.of(new HaFrame.Heartbeat("n1", 1, 7, 5000, seq)));
            await("heartbeats arrive", () -> client.heartbeats() >= 3);
            await("the standby's status arrives", () -> server.standbys().containsKey("n2"));
            assertEquals(1000, server.retentionFloorLsn());
            replayed.set(2000);
            await("the floor follows the standby", () -> server.retentionFloorLsn() == 2000);
            assertEquals(4.0 / 64, server.standbys().get("n2").status().pressure());

            // a malformed peer: a frame length far above the limit closes that connection only
            try (Socket bad = new Socket("127.0.0.1", server.port())) {
                OutputStream out = bad.getOutputStream();
                out.write(ByteBuffer.allocate(4).putInt(1 << 20).array());
                out.flush();
                bad.setSoTimeout(10_000);
                InputStream in = bad.getInputStream();
                assertEquals(-1, in.read(), "the server closed the malformed connection");
            }
            long before = client.heartbeats();
            await("the standby still gets heartbeats", () -> client.heartbeats() >= before + 3);

            // the link is cut at the active: no heartbeats leave it
            serverFaults.cut();
            long atCut = client.heartbeats();
            await("the standby's connection drops for want of heartbeats", () -> server.connectionCount() == 0);
            assertTrue(client.heartbeats() <= atCut + 1, "at most one heartbeat in flight at the cut");
            serverFaults.heal();
            await("heartbeats again after healing", () -> client.heartbeats() >= atCut + 3);

            // the standby goes quiet: its floor holds for standbyFloorHold, then no longer holds log back
            long endsBeforeOwnClose = linkEnds.get();
            client.target(Optional.empty());
            await("disconnected", () -> server.connectionCount() == 0);
            assertEquals(endsBeforeOwnClose, linkEnds.get(), "the standby closing its own link is no end of heartbeats");
            assertEquals(2000, server.retentionFloorLsn(), "held while recent");
            clock.add(config.standbyFloorHold().toNanos() + 1, TimeUnit.NANOSECONDS);
            assertEquals(Long.MAX_VALUE, server.retentionFloorLsn(), "released after the hold");

            // deactivating closes every standby connection
            client.target(Optional.of(new NodeInfo.Endpoint("127.0.0.1", server.port())));
            await("reconnected", () -> server.connectionCount() == 1);
            long beforeReconnect = client.heartbeats();
            await("heartbeats on the new link", () -> client.heartbeats() > beforeReconnect);
            long endsBeforeDeactivate = linkEnds.get();
            server.deactivate();
            long atDeactivate = client.heartbeats();
            await("no connection after deactivation", () -> server.connectionCount() == 0);
            assertTrue(client.heartbeats() <= atDeactivate + 1);
            await("the standby hears the link end at once", () -> linkEnds.get() == endsBeforeDeactivate + 1);
        }
    }
}
