package io.cacdb.dax.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many writers at once: version order decides whatever the arrival order, and the writer really batches syncs. */
class ConcurrentWritesTest {

    static final long VOL = 1;
    /** Bound on any multi-threaded phase of these tests; far above what they need on a loaded 2-core machine. */
    static final long PHASE_TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;

    DaxServer server;
    ExecutorService pool;

    @BeforeEach
    void start() {
        server = DaxServer.start(DaxServerOperationsTest.testConfig("w1", dir));
        pool = Executors.newFixedThreadPool(8);
        try (RawDaxClient c = RawDaxClient.to(server)) {
            assertInstanceOf(DaxResponse.VolumeCreated.class, c.call(new DaxRequest.CreateVolume(c.nextId(), VOL)));
        }
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
        server.close();
    }

    /**
     * Seeded: every version of every block is sent once (some twice), shuffled, over several pipelined connections.
     * Reproduce a failure with {@code -Dcacdb.seed=<seed>}.
     */
    @Test
    void storedVersionIsTheMaximumWhateverTheOrder() throws Exception {
        long seed = Long.getLong("cacdb.seed", System.nanoTime());
        System.out.println("ConcurrentWritesTest seed=" + seed + " (reproduce with -Dcacdb.seed=" + seed + ")");
        Random random = new Random(seed);
        int blocks = 10 + random.nextInt(40);
        int versions = 2 + random.nextInt(15);
        int connections = 1 + random.nextInt(6);
        double duplicateRate = random.nextDouble() * 0.3;
        List<DaxRequest.Write> writes = new ArrayList<>();
        Map<BlockAddress, Block> newest = new HashMap<>();
        for (int b = 0; b < blocks; b++) {
            Space space = random.nextBoolean() ? Space.PAGE : Space.LOG;
            BlockAddress a = new BlockAddress(VOL, space, b);
            for (int v = 1; v <= versions; v++) {
                Version version = space == Space.LOG
                        ? Version.ofLogBlock(1 + v / 4, 100L * v) // epochs and fill levels interleave
                        : Version.ofPage(1000L * v + random.nextInt(1000));
                byte[] payload = new byte[1 + random.nextInt(200)];
                random.nextBytes(payload);
                Block block = Block.of(a, version, payload);
                writes.add(new DaxRequest.Write(0, 1, block));
                if (random.nextDouble() < duplicateRate) {
                    writes.add(new DaxRequest.Write(0, 1, block));
                }
                newest.merge(a, block, (x, y) -> x.version().isNewerThan(y.version()) ? x : y);
            }
        }
        Collections.shuffle(writes, random);
        System.out.println("  blocks=" + blocks + " versions=" + versions + " connections=" + connections
                + " writes=" + writes.size());

        List<Future<List<String>>> results = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            List<DaxRequest.Write> mine = new ArrayList<>();
            for (int i = c; i < writes.size(); i += connections) {
                mine.add(writes.get(i));
            }
            results.add(pool.submit(() -> sendAndCheck(mine)));
        }
        for (Future<List<String>> f : results) {
            List<String> problems = f.get(PHASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertTrue(problems.isEmpty(), () -> "seed " + seed + ": " + problems);
        }
        try (RawDaxClient c = RawDaxClient.to(server)) {
            for (Block expected : newest.values()) {
                DaxResponse.ReadResult r = assertInstanceOf(DaxResponse.ReadResult.class,
                        c.call(new DaxRequest.Read(c.nextId(), expected.address())));
                assertEquals(expected, r.block(), () -> "seed " + seed + ": " + expected.address());
            }
        }
    }

    /** Sends every write pipelined, then checks every answer: an ack at least as new as what was sent. */
    private List<String> sendAndCheck(List<DaxRequest.Write> writes) {
        List<String> problems = new ArrayList<>();
        try (RawDaxClient c = RawDaxClient.to(server)) {
            Map<Long, DaxRequest.Write> sent = new HashMap<>();
            for (DaxRequest.Write w : writes) {
                DaxRequest.Write withId = new DaxRequest.Write(c.nextId(), w.writerEpoch(), w.block());
                sent.put(withId.requestId(), withId);
                c.send(withId);
            }
            for (DaxResponse r : c.receive(writes.size())) {
                DaxRequest.Write w = sent.remove(r.requestId());
                if (!(r instanceof DaxResponse.WriteAck ack)) {
                    problems.add(w.block() + " answered " + r);
                } else if (!ack.storedVersion().isAtLeast(w.block().version())) {
                    problems.add(w.block() + " acked with older stored version " + ack.storedVersion());
                }
            }
            if (!sent.isEmpty()) {
                problems.add(sent.size() + " requests never answered");
            }
        }
        return problems;
    }

    @Test
    void concurrentWritesShareSyncs() throws Exception {
        int connections = 8;
        int writesPerConnection = 250;
        long batchesBefore = server.syncedBatches();
        List<Future<List<String>>> results = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            List<DaxRequest.Write> mine = new ArrayList<>();
            for (int i = 0; i < writesPerConnection; i++) {
                byte[] payload = new byte[512];
                payload[0] = (byte) i;
                mine.add(new DaxRequest.Write(0, 0, Block.of(BlockAddress.page(VOL, c * 10_000L + i),
                        Version.ofPage(1), payload)));
            }
            results.add(pool.submit(() -> sendAndCheck(mine)));
        }
        for (Future<List<String>> f : results) {
            List<String> problems = f.get(PHASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertTrue(problems.isEmpty(), problems::toString);
        }
        int writes = connections * writesPerConnection;
        long batches = server.syncedBatches() - batchesBefore;
        System.out.println("group commit: " + writes + " writes in " + batches + " synced batches");
        assertTrue(batches > 0);
        assertTrue(batches * 4 <= writes, "expected at least 4 writes per synced batch on average, got " + writes
                + " writes in " + batches + " batches");
        String scrape = server.registry().scrape();
        assertTrue(scrape.contains("cacdb_dax_server_group_commit_synced_batches_total"), scrape);
    }
}
