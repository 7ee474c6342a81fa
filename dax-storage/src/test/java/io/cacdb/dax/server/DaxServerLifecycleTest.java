package io.cacdb.dax.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.Status;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bounded queues, crash and graceful close, as clients see them. */
class DaxServerLifecycleTest {

    @TempDir
    Path dir;

    static Block page(long n) {
        byte[] payload = new byte[256];
        payload[0] = (byte) n;
        return Block.of(BlockAddress.page(1, n), Version.ofPage(1), payload);
    }

    @Test
    void fullWriteQueueAnswersOverloadedAndLosesNothingAcknowledged() {
        ServerConfig config = DaxServerOperationsTest.testConfig("q1", dir).withQueues(1, 1, 1);
        try (DaxServer server = DaxServer.start(config); RawDaxClient c = RawDaxClient.to(server)) {
            c.call(new DaxRequest.CreateVolume(c.nextId(), 1));
            int n = 400;
            Map<Long, Block> sent = new HashMap<>();
            for (int i = 0; i < n; i++) {
                DaxRequest.Write w = new DaxRequest.Write(c.nextId(), 0, page(i));
                sent.put(w.requestId(), w.block());
                c.send(w);
            }
            int overloaded = 0;
            List<Block> acked = new ArrayList<>();
            for (DaxResponse r : c.receive(n)) {
                if (r instanceof DaxResponse.Error e) {
                    assertEquals(Status.OVERLOADED, e.status(), e::message);
                    assertTrue(e.status().retryable());
                    overloaded++;
                } else {
                    acked.add(sent.get(assertInstanceOf(DaxResponse.WriteAck.class, r).requestId()));
                }
            }
            System.out.println("write queue of 1: " + acked.size() + " acked, " + overloaded + " overloaded");
            assertTrue(overloaded > 0, "a one-slot queue under 400 pipelined writes must overflow");
            for (Block b : acked) {
                assertEquals(b, assertInstanceOf(DaxResponse.ReadResult.class,
                        c.call(new DaxRequest.Read(c.nextId(), b.address()))).block());
            }
        }
    }

    @Test
    void fullReadQueueAnswersOverloaded() {
        ServerConfig config = DaxServerOperationsTest.testConfig("q2", dir).withThreads(1, 1).withQueues(1, 16, 16);
        try (DaxServer server = DaxServer.start(config); RawDaxClient c = RawDaxClient.to(server)) {
            c.call(new DaxRequest.CreateVolume(c.nextId(), 1));
            int n = 1000;
            for (int i = 0; i < n; i++) {
                // missing blocks are never cached, so every read goes through the pool
                c.send(new DaxRequest.Read(c.nextId(), BlockAddress.page(1, i)));
            }
            int overloaded = 0;
            for (DaxResponse r : c.receive(n)) {
                if (r instanceof DaxResponse.Error e) {
                    assertEquals(Status.OVERLOADED, e.status(), e::message);
                    overloaded++;
                } else {
                    assertInstanceOf(DaxResponse.ReadResult.class, r);
                }
            }
            System.out.println("read queue of 1: " + overloaded + " of " + n + " overloaded");
            assertTrue(overloaded > 0, "a one-slot read queue under 1000 pipelined reads must overflow");
        }
    }

    @Test
    void crashDropsUnansweredWorkAndKeepsEverythingAcknowledged() {
        ServerConfig config = DaxServerOperationsTest.testConfig("c1", dir);
        DaxServer server = DaxServer.start(config);
        List<Block> acked = new ArrayList<>();
        try (RawDaxClient c = RawDaxClient.to(server)) {
            c.call(new DaxRequest.CreateVolume(c.nextId(), 1));
            Map<Long, Block> sent = new HashMap<>();
            for (int i = 0; i < 2000; i++) {
                DaxRequest.Write w = new DaxRequest.Write(c.nextId(), 0, page(i));
                sent.put(w.requestId(), w.block());
                c.send(w);
            }
            for (int i = 0; i < 50; i++) {
                acked.add(sent.get(assertInstanceOf(DaxResponse.WriteAck.class, c.receive()).requestId()));
            }
            server.crash();
            assertEquals(ServerState.CRASHED, server.state());
            try {
                while (true) {
                    DaxResponse r = c.receive();
                    if (r instanceof DaxResponse.Error e) {
                        // requests decoded between the crash and the closing of the connection
                        assertEquals(Status.SHUTTING_DOWN, e.status(), e::message);
                    } else {
                        acked.add(sent.get(assertInstanceOf(DaxResponse.WriteAck.class, r).requestId()));
                    }
                }
            } catch (UncheckedIOException e) {
                System.out.println("crash ended the connection after " + acked.size() + " acks of 2000");
            }
        }
        server.close(); // no effect after a crash
        try (DaxServer again = DaxServer.start(config); RawDaxClient c = RawDaxClient.to(again)) {
            for (Block b : acked) {
                assertEquals(b, assertInstanceOf(DaxResponse.ReadResult.class,
                        c.call(new DaxRequest.Read(c.nextId(), b.address()))).block());
            }
        }
    }

    @Test
    void gracefulCloseAnswersWhatWasQueuedAndFreesThePort() {
        ServerConfig config = DaxServerOperationsTest.testConfig("g1", dir);
        DaxServer server = DaxServer.start(config);
        int port = server.rpcPort();
        try (RawDaxClient c = RawDaxClient.to(server)) {
            c.call(new DaxRequest.CreateVolume(c.nextId(), 1));
            c.call(new DaxRequest.Write(c.nextId(), 0, page(1)));
            server.close();
            assertEquals(ServerState.STOPPED, server.state());
            assertTrue(c.closedByPeer(), "connections are closed after the queued work is answered");
        }
        try (DaxServer again = DaxServer.start(config.withPorts(port, 0)); RawDaxClient c = RawDaxClient.to(again)) {
            assertEquals(port, again.rpcPort(), "the port is free again at once");
            assertEquals(page(1), assertInstanceOf(DaxResponse.ReadResult.class,
                    c.call(new DaxRequest.Read(c.nextId(), page(1).address()))).block());
        }
    }

    @Test
    void startFailsCleanlyWhenThePortIsTaken() {
        ServerConfig config = DaxServerOperationsTest.testConfig("p1", dir);
        try (DaxServer first = DaxServer.start(config)) {
            ServerConfig clash = DaxServerOperationsTest.testConfig("p2", dir).withPorts(first.rpcPort(), 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> DaxServer.start(clash));
            assertTrue(e.getMessage().contains(Integer.toString(first.rpcPort())), e.getMessage());
            // the failed start closed its RocksDB: the same directory opens again
            try (DaxServer second = DaxServer.start(clash.withPorts(0, 0))) {
                assertEquals(ServerState.SERVING, second.state());
            }
        }
    }
}
