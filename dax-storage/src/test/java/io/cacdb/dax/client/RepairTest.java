package io.cacdb.dax.client;

import io.cacdb.dax.local.LocalDaxCluster;
import static io.cacdb.dax.client.TestBlocks.await;
import static io.cacdb.dax.client.TestBlocks.block;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.placement.Placement;
import io.cacdb.dax.store.RocksBlockStorage;
import io.cacdb.dax.transport.NetworkConditions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Anti-entropy, hinted handoff and checksum-driven read repair bring lagging or damaged replicas back. */
class RepairTest {

    static final long VOLUME = 6;

    @Test
    void antiEntropyConvergesAServerThatMissedManyWrites(@TempDir Path dir) {
        try (LocalDaxCluster servers = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir))) {
            List<Block> written = new ArrayList<>();
            try (DaxClient writer = client(servers)) {
                await(writer.createVolume(VOLUME));
                servers.crash("d2");
                List<CompletableFuture<Void>> writes = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    Block b = i % 3 == 0
                            ? block(BlockAddress.log(VOLUME, i * 7L), Version.ofLogBlock(1, i + 1))
                            : block(BlockAddress.page(VOLUME, i * 37L), Version.ofPage(i + 1));
                    written.add(b);
                    writes.add(writer.write(1, b));
                }
                writes.add(writer.write(1, block(BlockAddress.meta(VOLUME, 0), Version.ofMeta(1))));
                await(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)));
            } // the writer's hints for d2 die with it
            servers.restart("d2");
            try (DaxClient repairer = client(servers)) {
                assertFalse(converged(repairer), "d2 missed writes, so replicas must differ first");
                AntiEntropyReport idle = await(new PassiveClient(servers).antiEntropy());
                assertTrue(idle.repairSkipped() && idle.copiesWritten() == 0 && idle.blocksDivergent() > 0,
                        "a client without an epoch compares but does not repair: " + idle);
                await(repairer.fence(VOLUME, 1)); // same epoch: idempotent, gives the repairer its epoch
                AntiEntropyReport report = await(repairer.antiEntropy(VOLUME));
                assertTrue(report.copiesWritten() > 0 && report.copiesFailed() == 0, report.toString());
                assertTrue(converged(repairer), "replicas differ after anti-entropy: " + report);
                AntiEntropyReport again = await(repairer.antiEntropy(VOLUME));
                assertEquals(0, again.blocksDivergent(), again.toString());
                for (Block b : written) {
                    assertEquals(Optional.of(b), await(repairer.readQuorum(b.address())));
                }
            }
        }
    }

    /** A client with no epoch for the volume (a standby): anti-entropy must only compare. */
    private record PassiveClient(LocalDaxCluster servers) {
        CompletableFuture<AntiEntropyReport> antiEntropy() {
            DaxClient c = client(servers);
            c.openVolume(VOLUME);
            return c.antiEntropy(VOLUME).whenComplete((r, e) -> c.close());
        }
    }

    /** Every segment's replicas hold identical SCAN summaries, in every space. */
    private static boolean converged(DaxClient client) {
        Placement placement = client.placement();
        for (Space space : Space.values()) {
            Map<String, Map<Long, List<BlockSummary>>> bySegmentByServer = new TreeMap<>();
            for (ServerInfo s : client.clusterMap().servers()) {
                Map<Long, List<BlockSummary>> segments = new TreeMap<>();
                for (BlockSummary b : await(client.scanReplica(s, VOLUME, space))) {
                    segments.computeIfAbsent(Placement.segmentOf(space, b.blockNo()), k -> new ArrayList<>()).add(b);
                }
                bySegmentByServer.put(s.id(), segments);
            }
            java.util.Set<Long> allSegments = new java.util.TreeSet<>();
            bySegmentByServer.values().forEach(m -> allSegments.addAll(m.keySet()));
            for (long segment : allSegments) {
                List<BlockSummary> first = null;
                for (ServerInfo r : placement.replicasOf(VOLUME, space, segment)) {
                    List<BlockSummary> mine = bySegmentByServer.get(r.id()).getOrDefault(segment, List.of());
                    if (first == null) {
                        first = mine;
                    } else if (!first.equals(mine)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    @Test
    void hintedHandoffDeliversToAServerThatComesBack(@TempDir Path dir) {
        try (LocalDaxCluster servers = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir));
                DaxClient writer = DaxClient.create(servers.clusterMap(), DaxClientConfig.builder("a")
                        .hintProbe(java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(100)).build(),
                        new SimpleMeterRegistry())) {
            await(writer.createVolume(VOLUME));
            servers.crash("d5");
            List<Block> toD5 = new ArrayList<>();
            for (int i = 0; toD5.size() < 20; i++) {
                Block b = block(BlockAddress.page(VOLUME, i * 1024L), Version.ofPage(7));
                await(writer.write(1, b));
                if (writer.placement().replicasOf(b.address()).stream().anyMatch(s -> s.id().equals("d5"))) {
                    toD5.add(b);
                }
            }
            await(writer.settled());
            assertTrue(writer.pendingHintBytes() > 0);
            servers.restart("d5");
            await(writer.hintsDrained());
            ServerInfo d5 = servers.clusterMap().server("d5").orElseThrow();
            for (Block b : toD5) {
                ReplicaCopy copy = await(writer.readReplica(d5, b.address()));
                assertEquals(new ReplicaCopy.Good("d5", b), copy);
            }
        }
    }

    @Test
    void hintQueueIsBoundedInBytesAndDropsOldest(@TempDir Path dir) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        long capacity = 1 << 20;
        try (LocalDaxCluster servers = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir));
                DaxClient writer = DaxClient.create(servers.clusterMap(), DaxClientConfig.builder("a")
                        .hintedHandoffMaxBytes(capacity).build(), registry)) {
            await(writer.createVolume(VOLUME));
            // pages 0..149 share segment 0, so all hints go to the same crashed replica
            servers.crash(writer.placement().replicasOf(BlockAddress.page(VOLUME, 0)).get(0).id());
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                writes.add(writer.write(1, block(BlockAddress.page(VOLUME, i), Version.ofPage(1), 16 * 1024)));
            }
            await(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)));
            await(writer.settled());
            assertTrue(writer.pendingHintBytes() <= capacity, "hints " + writer.pendingHintBytes());
            assertTrue(registry.counter("cacdb.dax.client.hints.dropped").count() > 0);
        }
    }

    @Test
    void corruptReplicaIsDetectedByChecksumAndRepairedFromPeers(@TempDir Path dir) {
        try (LocalDaxCluster servers = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir));
                DaxClient client = client(servers)) {
            await(client.createVolume(VOLUME));
            BlockAddress a = BlockAddress.page(VOLUME, 42);
            Block b = block(a, Version.ofPage(3), 1000);
            await(client.write(1, b));
            ServerInfo victim = client.placement().replicasOf(a).get(0);
            servers.stop(victim.id());
            assertTrue(RocksBlockStorage.rewriteRawValue(servers.config(victim.id()).dataDir(), a, raw -> {
                raw[raw.length - 1] ^= 0x5A; // a payload byte
                return raw;
            }));
            servers.restart(victim.id());
            assertInstanceOf(ReplicaCopy.Corrupt.class, await(client.readReplica(victim, a)));
            assertEquals(Optional.of(b), await(client.readQuorum(a)));
            await(client.settled());
            assertEquals(new ReplicaCopy.Good(victim.id(), b), await(client.readReplica(victim, a)));
        }
    }

    @Test
    void everyCopyCorruptIsACorruptBlockException(@TempDir Path dir) {
        try (LocalDaxCluster servers = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir));
                DaxClient client = client(servers)) {
            await(client.createVolume(VOLUME));
            BlockAddress a = BlockAddress.page(VOLUME, 43);
            await(client.write(1, block(a, Version.ofPage(3))));
            for (ServerInfo s : client.placement().replicasOf(a)) {
                servers.stop(s.id());
                RocksBlockStorage.rewriteRawValue(servers.config(s.id()).dataDir(), a, raw -> {
                    raw[raw.length - 1] ^= 1;
                    return raw;
                });
                servers.restart(s.id());
            }
            CorruptBlockException e = assertInstanceOf(CorruptBlockException.class,
                    TestBlocks.failure(client.readQuorum(a)));
            assertEquals(6, e.corruptReplicas().size());
            assertInstanceOf(CorruptBlockException.class, TestBlocks.failure(client.readAny(a)));
        }
    }

    static DaxClient client(LocalDaxCluster servers) {
        return DaxClient.create(servers.clusterMap(), DaxClientConfig.defaults("b"), new SimpleMeterRegistry(),
                NetworkConditions.none());
    }
}
