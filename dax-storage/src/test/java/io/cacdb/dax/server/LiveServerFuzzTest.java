package io.cacdb.dax.server;

import static io.cacdb.dax.server.FuzzCases.LOG_TRUNCATION;
import static io.cacdb.dax.server.FuzzCases.PAGE_TRUNCATION;
import static io.cacdb.dax.server.FuzzCases.VOL;
import static io.cacdb.dax.server.FuzzCases.VOL2;
import static io.cacdb.dax.server.FuzzCases.VOL_EPOCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.server.FuzzModel.Snapshot;
import io.cacdb.dax.server.FuzzModel.VolumeSpace;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.leakcheck.NoLeaks;
import io.cacdb.dax.wire.WireLimits;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live DAX server under a seeded stream of hostile connections: random bytes, mutated valid frames, frames that
 * are well-formed but wrong in meaning, disconnects inside a frame, and pipelines closed without reading. Afterwards
 * the server must still serve, its state must be one the {@link FuzzModel} allows (no block of the known set at a
 * lower version or with other bytes at the same version, fenced epochs and truncation points never back, every
 * change one a valid request could have made), SCAN must agree with READ, and the same state must come back after a
 * graceful restart.
 *
 * <p>Reproduce: the seed is printed; {@code -Dcacdb.seed=N} replays its cases (same bytes per connection). {@code
 * -Dcacdb.fuzz.cases=N} sets the number of connections, {@code -Dcacdb.fuzz.parallel=N} how many run at once (1
 * replays them in order, which also fixes the order the server sees them in).
 */
@ExtendWith(NoLeaks.class)
class LiveServerFuzzTest {

    /** Connections per run by default: about 5 s of fuzzing on a busy 2-core machine. */
    private static final int DEFAULT_CASES = 2000;
    private static final int DEFAULT_PARALLEL = 4;
    /** A volume created after the fuzzing, to check that valid work still succeeds. */
    private static final long AFTER_VOL = 0xAF7E_0000L;
    /** Upper bound on waiting for the server to finish what fuzzed connections left queued. */
    private static final long SETTLE_MILLIS = 60_000;

    @TempDir
    Path dir;

    private DaxServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void serverSurvivesHostileConnectionsAndKeepsItsBlocks() throws Exception {
        String given = System.getProperty("cacdb.seed");
        long seed = given != null ? Long.parseLong(given) : System.nanoTime();
        int cases = Integer.getInteger("cacdb.fuzz.cases", DEFAULT_CASES);
        int parallel = Integer.getInteger("cacdb.fuzz.parallel", DEFAULT_PARALLEL);
        System.out.println("LiveServerFuzzTest seed=" + seed + " cases=" + cases + " parallel=" + parallel
                + " (reproduce with -Dcacdb.seed=" + seed + ")");
        long t0 = System.nanoTime();

        ServerConfig config = DaxServerOperationsTest.testConfig("fz", dir).withThreads(2, 2);
        server = DaxServer.start(config);
        FuzzModel model = new FuzzModel();
        List<BlockAddress> truncated;
        try (RawDaxClient c = RawDaxClient.to(server)) {
            truncated = writeKnownSet(c, model, new Random(seed));
            Snapshot initial = snapshot(server, c, model);
            assertEquals(model.initialBlocks, initial.blocks(), "known set as written");
            assertEquals(model.initialFences, initial.fences(), "fenced epochs as written");
            assertEquals(List.of(), model.check(initial), "the known set satisfies its own model");
        }

        // ---- fuzzing
        FuzzCases generator = new FuzzCases(model.initialBlocks, truncated);
        double badBefore = badConnections(server.registry());
        int[] stats = fuzz(generator, model, seed, cases, parallel);
        long fuzzMillis = (System.nanoTime() - t0) / 1_000_000;

        // ---- the server still serves, and what it holds is what the model allows
        Snapshot before;
        try (RawDaxClient c = RawDaxClient.to(server)) {
            long pingStart = System.nanoTime();
            assertInstanceOf(DaxResponse.Pong.class, c.call(new DaxRequest.Ping(c.nextId())));
            System.out.println("PING after fuzzing answered in " + (System.nanoTime() - pingStart) / 1000 + " us");
            settle(server, c);
            assertEquals(List.of(), model.checkDeferred(), "answers to seed " + seed + "'s semantic frames");
            validWorkStillSucceeds(c, model);
            before = snapshot(server, c, model);
            assertEquals(List.of(), model.check(before), "state after fuzzing, seed " + seed);
        }
        System.out.println("server answers by op and status: " + answersByOpAndStatus(server.registry()));
        double bad = badConnections(server.registry()) - badBefore;
        System.out.println("bad connections counted by the server: " + (long) bad + "; connections whose refusal we"
                + " read: " + stats[1]);
        assertTrue(stats[1] > 0, "the fuzzer got at least one refusal answered");
        assertTrue(bad >= stats[1], "every connection whose refusal we read is counted as bad: " + bad + " < "
                + stats[1]);

        // ---- graceful restart on the same data: the same state, nothing more, nothing less
        server.close();
        server = DaxServer.start(config);
        try (RawDaxClient c = RawDaxClient.to(server)) {
            assertInstanceOf(DaxResponse.Pong.class, c.call(new DaxRequest.Ping(c.nextId())));
            Snapshot after = snapshot(server, c, model);
            assertEquals(List.of(), model.check(after), "state after restart, seed " + seed);
            assertEquals(before, after, "state after restart equals state before, seed " + seed);
        }
        System.out.println("LiveServerFuzzTest seed=" + seed + ": " + model.summary() + "; " + before.blocks().size()
                + " blocks in " + before.fences().size() + " volumes; fuzzing " + fuzzMillis + " ms, total "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    // ------------------------------------------------------------------------------------------------ fuzzing

    /**
     * Runs every case, {@code parallel} connections at a time; returns {answers read, connections with a refusal
     * answered, connections closed by the server}. Stops at the first failed connection (connections still blocked
     * in a read end when the server is closed after the test).
     */
    private int[] fuzz(FuzzCases generator, FuzzModel model, long seed, int cases, int parallel)
            throws InterruptedException {
        String host = server.config().bindHost();
        int port = server.rpcPort();
        Map<FuzzCases.Kind, int[]> kinds = new EnumMap<>(FuzzCases.Kind.class);
        ExecutorService pool = Executors.newFixedThreadPool(parallel,
                Thread.ofPlatform().name("fuzz-", 0).daemon(true).factory());
        CompletionService<FuzzConnection.Outcome> done = new ExecutorCompletionService<>(pool);
        Map<Future<FuzzConnection.Outcome>, FuzzCases.Kind> kindOf = new HashMap<>();
        try {
            for (int n = 0; n < cases; n++) {
                FuzzCases.FuzzCase c = generator.generate(seed, n);
                kinds.computeIfAbsent(c.kind(), k -> new int[3])[0]++;
                String where = "seed " + seed + " case " + n + " (" + c.kind() + ", " + c.ending() + ")";
                kindOf.put(done.submit(() -> FuzzConnection.run(c, host, port, model, where)), c.kind());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120 + cases / 5);
            int[] stats = new int[3];
            for (int n = 0; n < cases; n++) {
                Future<FuzzConnection.Outcome> f = done.poll(Math.max(1, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS);
                if (f == null) {
                    fail("fuzzing with seed " + seed + " did not finish in time (" + n + " of " + cases + " done)");
                }
                FuzzConnection.Outcome o;
                try {
                    o = f.get();
                } catch (ExecutionException e) {
                    throw new AssertionError("a fuzzed connection failed (seed " + seed + "): "
                            + e.getCause().getMessage(), e.getCause());
                }
                int[] k = kinds.get(kindOf.get(f));
                k[1] += o.frames();
                k[2] += o.wellFormed();
                stats[0] += o.answers();
                stats[1] += o.refusalAnswered() ? 1 : 0;
                stats[2] += o.closedByServer() ? 1 : 0;
            }
            StringBuilder byKind = new StringBuilder();
            kinds.forEach((k, v) -> byKind.append(' ').append(k).append('=').append(v[0]).append('/').append(v[1])
                    .append('/').append(v[2]));
            System.out.println("connections/frames/well-formed by kind:" + byKind + "; answers read " + stats[0]
                    + ", refusals answered on " + stats[1] + " connections, " + stats[2] + " closed by the server");
            return stats;
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------------------------------------ known set

    /**
     * Writes the known set with valid requests and records it in the model: volume {@code VOL} (a block written
     * before its fence to {@code VOL_EPOCH}, pages rewritten at higher versions, log blocks, META records, truncation
     * points in PAGE and LOG) and volume {@code VOL2} (unfenced). Returns the addresses the truncations removed.
     */
    static List<BlockAddress> writeKnownSet(RawDaxClient c, FuzzModel model, Random r) {
        assertInstanceOf(DaxResponse.VolumeCreated.class, c.call(new DaxRequest.CreateVolume(c.nextId(), VOL)));
        assertInstanceOf(DaxResponse.VolumeCreated.class, c.call(new DaxRequest.CreateVolume(c.nextId(), VOL2)));
        Map<BlockAddress, Block> blocks = new TreeMap<>();
        put(c, blocks, 3, Block.of(BlockAddress.meta(VOL, 9), Version.ofMeta(1), payload(r)));
        assertEquals(VOL_EPOCH, assertInstanceOf(DaxResponse.Fenced.class,
                c.call(new DaxRequest.Fence(c.nextId(), VOL, VOL_EPOCH))).currentEpoch());
        for (int i = 0; i < 12; i++) {
            if (i % 2 == 0) {
                put(c, blocks, VOL_EPOCH, Block.of(BlockAddress.page(VOL, i), Version.ofPage(10L * i + 1), payload(r)));
            }
            put(c, blocks, VOL_EPOCH, Block.of(BlockAddress.page(VOL, i), Version.ofPage(10L * i + 5), payload(r)));
        }
        for (int i = 0; i < 16; i++) {
            put(c, blocks, VOL_EPOCH, Block.of(BlockAddress.log(VOL, i), Version.ofLogBlock(VOL_EPOCH, 512 + 16L * i),
                    payload(r)));
        }
        for (int i = 0; i < 4; i++) {
            put(c, blocks, VOL_EPOCH, Block.of(BlockAddress.meta(VOL, i), Version.ofMeta(i + 1), payload(r)));
        }
        for (int i = 0; i < 5; i++) {
            put(c, blocks, 0, Block.of(BlockAddress.page(VOL2, i), Version.ofPage(7 + i), payload(r)));
        }
        for (int i = 0; i < 3; i++) {
            put(c, blocks, 0, Block.of(BlockAddress.log(VOL2, i), Version.ofLogBlock(1, 100 + i), payload(r)));
        }
        List<BlockAddress> truncated = new ArrayList<>();
        for (Space space : List.of(Space.PAGE, Space.LOG)) {
            long point = space == Space.PAGE ? PAGE_TRUNCATION : LOG_TRUNCATION;
            assertEquals(point, assertInstanceOf(DaxResponse.Deleted.class,
                    c.call(new DaxRequest.DeleteBelow(c.nextId(), VOL_EPOCH, VOL, space, point))).truncatedBelow());
            for (long b = 0; b < point; b++) {
                BlockAddress a = new BlockAddress(VOL, space, b);
                truncated.add(a);
                blocks.remove(a);
            }
            model.initialTruncations.put(new VolumeSpace(VOL, space), point);
        }
        model.initialFences.put(VOL, VOL_EPOCH);
        model.initialFences.put(VOL2, 0L);
        model.initialBlocks.putAll(blocks);
        return truncated;
    }

    private static void put(RawDaxClient c, Map<BlockAddress, Block> blocks, long epoch, Block b) {
        DaxResponse.WriteAck ack = assertInstanceOf(DaxResponse.WriteAck.class,
                c.call(new DaxRequest.Write(c.nextId(), epoch, b)));
        assertEquals(DaxResponse.WriteOutcome.APPLIED, ack.outcome(), "setup write of " + b);
        blocks.put(b.address(), b);
    }

    private static byte[] payload(Random r) {
        byte[] p = new byte[r.nextInt(700)];
        r.nextBytes(p);
        return p;
    }

    // ------------------------------------------------------------------------------------------------ checking

    /**
     * Valid work after the fuzzing: a new volume takes a write, and a block of the known volume takes a higher
     * version with the volume's current epoch (whatever the fuzzing legitimately moved it to). Both read back.
     */
    private static void validWorkStillSucceeds(RawDaxClient c, FuzzModel model) {
        DaxRequest create = new DaxRequest.CreateVolume(c.nextId(), AFTER_VOL);
        model.sent(create);
        assertInstanceOf(DaxResponse.VolumeCreated.class, c.call(create));
        writeAndReadBack(c, model, 0, Block.of(BlockAddress.page(AFTER_VOL, 1), Version.ofPage(1), new byte[] {42}));

        long epoch = assertInstanceOf(DaxResponse.Fenced.class, c.call(new DaxRequest.Fence(c.nextId(), VOL, 0)))
                .currentEpoch();
        long truncation = assertInstanceOf(DaxResponse.Deleted.class, c.call(new DaxRequest.DeleteBelow(c.nextId(),
                Long.MAX_VALUE, VOL, Space.PAGE, 0))).truncatedBelow();
        if (truncation >= Long.MAX_VALUE - 1) {
            System.out.println("PAGE of volume " + VOL + " was truncated to the end by a valid fuzzed request;"
                    + " no write to it is possible");
            return;
        }
        BlockAddress a = BlockAddress.page(VOL, Math.max(truncation, 5));
        c.send(new DaxRequest.Read(c.nextId(), a));
        DaxResponse.ReadResult current = assertInstanceOf(DaxResponse.ReadResult.class, c.receive());
        Version next = !current.found() ? Version.ofPage(1)
                : current.block().version().minor() < Long.MAX_VALUE
                        ? new Version(current.block().version().major(), current.block().version().minor() + 1)
                        : new Version(current.block().version().major() + 1, 0);
        writeAndReadBack(c, model, epoch, Block.of(a, next, "after fuzzing".getBytes()));
    }

    private static void writeAndReadBack(RawDaxClient c, FuzzModel model, long epoch, Block b) {
        DaxRequest.Write w = new DaxRequest.Write(c.nextId(), epoch, b);
        model.sent(w);
        DaxResponse.WriteAck ack = assertInstanceOf(DaxResponse.WriteAck.class, c.call(w), "valid write of " + b);
        assertEquals(DaxResponse.WriteOutcome.APPLIED, ack.outcome(), "valid write of " + b);
        model.stored(b);
        assertEquals(b, assertInstanceOf(DaxResponse.ReadResult.class,
                c.call(new DaxRequest.Read(c.nextId(), b.address()))).block());
    }

    /**
     * Waits until the server has finished what fuzzed connections left behind: mutations queued or still in an event
     * loop. Each round trip of a (no-op) FENCE passes the writer's queue; the server is settled when the writer
     * queue is empty and, over two consecutive round trips, the server answered nothing but them.
     */
    private static void settle(DaxServer server, RawDaxClient c) {
        MeterRegistry registry = server.registry();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS);
        double last = answered(registry);
        int quietRounds = 0;
        while (quietRounds < 2) {
            if (System.nanoTime() > deadline) {
                fail("the server kept answering fuzzed requests for " + SETTLE_MILLIS + " ms after the fuzzing");
            }
            assertInstanceOf(DaxResponse.Fenced.class, c.call(new DaxRequest.Fence(c.nextId(), VOL, 0)));
            double now = answered(registry);
            double queued = registry.get(ServerMetrics.PREFIX + "write.queue.depth").gauge().value();
            quietRounds = now - last == 1 && queued == 0 ? quietRounds + 1 : 0;
            last = now;
        }
    }

    private static double answered(MeterRegistry registry) {
        return registry.find(ServerMetrics.PREFIX + "requests").timers().stream().mapToDouble(Timer::count).sum();
    }

    private static Map<String, Long> answersByOpAndStatus(MeterRegistry registry) {
        Map<String, Long> counts = new TreeMap<>();
        for (Timer t : registry.find(ServerMetrics.PREFIX + "requests").timers()) {
            counts.merge(t.getId().getTag("op") + "/" + t.getId().getTag("status"), t.count(), Long::sum);
        }
        registry.find(ServerMetrics.PREFIX + "write.outcomes").counters().forEach(c ->
                counts.put("WRITE/OK/" + c.getId().getTag("outcome"), (long) c.count()));
        return counts;
    }

    private static double badConnections(MeterRegistry registry) {
        return registry.get(ServerMetrics.PREFIX + "bad.connections").counter().count();
    }

    /**
     * Reads the server's whole state as seen through the protocol: its volumes (from the fenced-epoch gauges), each
     * volume's fenced epoch (FENCE to 0 changes nothing and answers it), truncation points (DELETE_BELOW 0 likewise),
     * full SCANs of every space, and a READ of every address the model or a SCAN knows.
     */
    static Snapshot snapshot(DaxServer server, RawDaxClient c, FuzzModel model) {
        Set<Long> volumes = new TreeSet<>();
        for (Gauge g : server.registry().find(ServerMetrics.PREFIX + "fenced.epoch").gauges()) {
            volumes.add(Long.parseLong(g.getId().getTag("volume")));
        }
        Map<Long, Long> fences = new TreeMap<>();
        Map<VolumeSpace, Long> truncations = new HashMap<>();
        Map<VolumeSpace, List<BlockSummary>> scans = new HashMap<>();
        Set<BlockAddress> addresses = new TreeSet<>(model.addresses());
        for (long v : volumes) {
            fences.put(v, assertInstanceOf(DaxResponse.Fenced.class, c.call(new DaxRequest.Fence(c.nextId(), v, 0)))
                    .currentEpoch());
            for (Space space : Space.values()) {
                VolumeSpace vs = new VolumeSpace(v, space);
                truncations.put(vs, assertInstanceOf(DaxResponse.Deleted.class, c.call(new DaxRequest.DeleteBelow(
                        c.nextId(), Long.MAX_VALUE, v, space, 0))).truncatedBelow());
                List<BlockSummary> entries = new ArrayList<>();
                long from = 0;
                while (true) {
                    DaxResponse.ScanResult page = assertInstanceOf(DaxResponse.ScanResult.class, c.call(
                            new DaxRequest.Scan(c.nextId(), v, space, from, Long.MAX_VALUE,
                                    WireLimits.MAX_SCAN_ENTRIES)));
                    entries.addAll(page.entries());
                    if (!page.more()) {
                        break;
                    }
                    from = page.nextFromBlockNo();
                }
                entries.forEach(e -> addresses.add(new BlockAddress(v, space, e.blockNo())));
                scans.put(vs, entries);
            }
        }
        addresses.removeIf(a -> !volumes.contains(a.volume()));
        Map<BlockAddress, Block> blocks = new TreeMap<>();
        List<BlockAddress> all = new ArrayList<>(addresses);
        int batch = 256;
        for (int i = 0; i < all.size(); i += batch) {
            Map<Long, BlockAddress> pending = new HashMap<>();
            for (BlockAddress a : all.subList(i, Math.min(all.size(), i + batch))) {
                DaxRequest.Read read = new DaxRequest.Read(c.nextId(), a);
                pending.put(read.requestId(), a);
                c.send(read);
            }
            for (DaxResponse r : c.receive(pending.size())) {
                BlockAddress a = pending.remove(r.requestId());
                DaxResponse.ReadResult rr = assertInstanceOf(DaxResponse.ReadResult.class, r, "READ of " + a);
                if (rr.found()) {
                    assertEquals(a, rr.block().address());
                    blocks.put(a, rr.block());
                }
            }
            assertEquals(Map.of(), pending, "every READ answered once");
        }
        return new Snapshot(fences, truncations, blocks, scans);
    }
}
