package io.cacdb.dax.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.cluster.QuorumConfig;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.server.RawDaxClient;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real processes, real signals: a SIGKILLed server keeps every write it acknowledged; SIGTERM shuts down cleanly.
 * Two servers (zones a and b, N=2 W=2 R=1) keep the JVM count low; each test uses its own server.
 */
class ChildProcessDurabilityTest {

    /** Acknowledgements to collect before the kill, so the kill lands while later writes are still in flight. */
    static final int ACKS_BEFORE_KILL = 300;
    static final int WRITES_SENT = 3000;
    static final long SEND_TIMEOUT_SECONDS = 60;

    static LocalDaxCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.CHILD_PROCESSES)
                .withShape(List.of("a", "b"), 1, new QuorumConfig(2, 2, 1)));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        long seed = Long.getLong("cacdb.seed", System.nanoTime());
        System.out.println("ChildProcessDurabilityTest seed=" + seed);
        Random random = new Random(seed);
        ServerInfo d1 = cluster.clusterMap().server("d1").orElseThrow();
        Map<Long, Block> sentById = new HashMap<>();
        List<Block> acked = new ArrayList<>();
        try (RawDaxClient c = new RawDaxClient(d1.host(), d1.port())) {
            c.call(new DaxRequest.CreateVolume(c.nextId(), 1));
            List<DaxRequest.Write> writes = new ArrayList<>();
            for (int i = 0; i < WRITES_SENT; i++) {
                byte[] payload = new byte[1024 + random.nextInt(4096)];
                random.nextBytes(payload);
                Block b = Block.of(BlockAddress.page(1, i), Version.ofPage(1 + random.nextInt(1000)), payload);
                DaxRequest.Write w = new DaxRequest.Write(c.nextId(), 0, b);
                sentById.put(w.requestId(), b);
                writes.add(w);
            }
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    writes.forEach(c::send);
                } catch (UncheckedIOException e) {
                    // expected once the server is killed mid-stream
                    System.out.println("sender stopped by the kill: " + e.getMessage());
                }
            });
            while (acked.size() < ACKS_BEFORE_KILL) {
                DaxResponse r = c.receive();
                acked.add(sentById.get(assertInstanceOf(DaxResponse.WriteAck.class, r).requestId()));
            }
            cluster.kill("d1");
            assertFalse(cluster.process("d1").isAlive());
            // drain acks that were already on the wire before the kill: they count as acknowledged too
            try {
                while (true) {
                    DaxResponse r = c.receive();
                    acked.add(sentById.get(assertInstanceOf(DaxResponse.WriteAck.class, r).requestId()));
                }
            } catch (UncheckedIOException e) {
                System.out.println("connection ended by the kill after " + acked.size() + " acks of " + WRITES_SENT
                        + " writes: " + e.getMessage());
            }
            sender.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        assertTrue(acked.size() >= ACKS_BEFORE_KILL);

        cluster.restart("d1");
        assertEquals(d1.port(), cluster.config("d1").rpcPort());
        try (RawDaxClient c = new RawDaxClient(d1.host(), d1.port())) {
            for (Block b : acked) {
                DaxResponse r = c.call(new DaxRequest.Read(c.nextId(), b.address()));
                assertEquals(b, assertInstanceOf(DaxResponse.ReadResult.class, r, r::toString).block(),
                        () -> "acknowledged write lost: " + b + " (seed " + seed + ")");
            }
        }
    }

    @Test
    void sigtermShutsDownCleanlyAndRestartKeepsData() throws Exception {
        ServerInfo d2 = cluster.clusterMap().server("d2").orElseThrow();
        Block b = Block.of(BlockAddress.meta(2, 0), Version.ofMeta(9), new byte[] {9, 9});
        try (RawDaxClient c = new RawDaxClient(d2.host(), d2.port())) {
            c.call(new DaxRequest.CreateVolume(c.nextId(), 2));
            assertInstanceOf(DaxResponse.WriteAck.class, c.call(new DaxRequest.Write(c.nextId(), 0, b)));
        }
        assertEquals(0, cluster.stop("d2"), "SIGTERM → graceful close → exit 0");
        String stderr = Files.readString(cluster.baseDir().resolve("d2").resolve("stderr.log"));
        assertTrue(stderr.contains("DAX server d2 stopped"), stderr);
        String stdout = Files.readString(cluster.baseDir().resolve("d2").resolve("stdout.log"));
        assertTrue(stdout.startsWith("DAX_SERVER_READY id=d2 zone=b rpc=127.0.0.1:" + d2.port() + " admin=127.0.0.1:"),
                stdout);
        cluster.restart("d2");
        try (RawDaxClient c = new RawDaxClient(d2.host(), d2.port())) {
            assertEquals(b, assertInstanceOf(DaxResponse.ReadResult.class,
                    c.call(new DaxRequest.Read(c.nextId(), b.address()))).block());
        }
    }
}
