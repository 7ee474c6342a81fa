package io.cacdb.dax.client;

import io.cacdb.dax.local.LocalDaxCluster;
import static io.cacdb.dax.client.TestBlocks.await;
import static io.cacdb.dax.client.TestBlocks.block;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.transport.NetworkConditions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acknowledged writes survive N − W lost replicas, a lost zone, and a lost zone plus one server. */
class DurabilityTest {

    static final long VOLUME = 3;

    /**
     * Each write is acknowledged by exactly W replicas (the other N − W are cut off while it runs), then N − W of the
     * acknowledging replicas' servers are crashed: the two replicas holding it plus the two that never got it must
     * still answer every read kind with it (R + W > N).
     */
    @Test
    void writeAckedAtExactlyWSurvivesLosingNMinusWOfItsHolders(@TempDir Path dir) {
        long seed = TestSeeds.seed("DurabilityTest");
        Random random = new Random(seed);
        try (LocalDaxCluster servers = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir))) {
            for (int round = 0; round < 3; round++) {
                BlockAddress address = BlockAddress.page(VOLUME, round * 5000L + random.nextInt(1000));
                Block b = block(address, Version.ofPage(10 + round));
                NetworkConditions net = NetworkConditions.none();
                try (DaxClient writer = client(servers, net)) {
                    if (round == 0) {
                        await(writer.createVolume(VOLUME));
                    }
                    writer.openVolume(VOLUME);
                    List<ServerInfo> replicas = new ArrayList<>(writer.placement().replicasOf(address));
                    Collections.shuffle(replicas, random);
                    // cut off N − W replicas, keeping two zones among the W others
                    List<ServerInfo> missed = pickMissed(replicas, 2);
                    missed.forEach(s -> net.cutOff(s.id()));
                    await(writer.write(1, b));
                    List<ServerInfo> holders = new ArrayList<>(replicas);
                    holders.removeAll(missed);
                    Collections.shuffle(holders, random);
                    for (ServerInfo s : holders.subList(0, 2)) {
                        servers.crash(s.id());
                    }
                    // the writer (and its hints for the cut-off replicas) goes away
                    try (DaxClient reader = client(servers, NetworkConditions.none())) {
                        reader.openVolume(VOLUME);
                        assertEquals(Optional.of(b), await(reader.readQuorum(address)), "seed " + seed);
                        assertEquals(Optional.of(b), await(reader.readAtLeast(address, b.version())), "seed " + seed);
                        assertEquals(Optional.of(b), await(reader.read(address)), "seed " + seed);
                    }
                    for (ServerInfo s : holders.subList(0, 2)) {
                        servers.restart(s.id());
                    }
                }
            }
        }
    }

    /**
     * The same with real processes: the write is acknowledged by exactly W replicas, then two of those servers'
     * JVMs are SIGKILLed; a new client still reads the write with every read kind.
     */
    @Test
    void writeAckedAtWSurvivesSigkillOfTwoHolders(@TempDir Path dir) {
        long seed = TestSeeds.seed("DurabilityTest.sigkill");
        Random random = new Random(seed);
        try (LocalDaxCluster servers = LocalDaxCluster.start(
                LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.CHILD_PROCESSES).withBaseDir(dir))) {
            BlockAddress address = BlockAddress.log(VOLUME, random.nextInt(100_000));
            Block b = block(address, Version.ofLogBlock(1, 4096));
            NetworkConditions net = NetworkConditions.none();
            List<ServerInfo> holders;
            try (DaxClient writer = client(servers, net)) {
                await(writer.createVolume(VOLUME));
                List<ServerInfo> replicas = new ArrayList<>(writer.placement().replicasOf(address));
                Collections.shuffle(replicas, random);
                List<ServerInfo> missed = pickMissed(replicas, 2);
                missed.forEach(s -> net.cutOff(s.id()));
                await(writer.write(1, b));
                holders = new ArrayList<>(replicas);
                holders.removeAll(missed);
            }
            Collections.shuffle(holders, random);
            for (ServerInfo s : holders.subList(0, 2)) {
                servers.kill(s.id());
            }
            try (DaxClient reader = client(servers, NetworkConditions.none())) {
                reader.openVolume(VOLUME);
                assertEquals(Optional.of(b), await(reader.readQuorum(address)), "seed " + seed);
                assertEquals(Optional.of(b), await(reader.readAtLeast(address, b.version())), "seed " + seed);
                assertEquals(Optional.of(b), await(reader.read(address)), "seed " + seed);
            }
        }
    }

    /** Two of the shuffled replicas such that the others still span two zones. */
    private static List<ServerInfo> pickMissed(List<ServerInfo> shuffled, int count) {
        for (int i = 0; i < shuffled.size(); i++) {
            for (int j = i + 1; j < shuffled.size(); j++) {
                List<ServerInfo> rest = new ArrayList<>(shuffled);
                rest.remove(shuffled.get(j));
                rest.remove(shuffled.get(i));
                if (rest.stream().map(ServerInfo::zone).distinct().count() >= 2) {
                    return List.of(shuffled.get(i), shuffled.get(j));
                }
            }
        }
        throw new AssertionError("no choice of " + count + " replicas to miss");
    }

    @Test
    void zoneDownWritesAndReadsWorkAndZonePlusOneStillReads(@TempDir Path dir) {
        try (LocalDaxCluster servers = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir));
                DaxClient client = client(servers, NetworkConditions.none())) {
            await(client.createVolume(VOLUME));
            List<Block> before = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                before.add(block(BlockAddress.page(VOLUME, i * 700L), Version.ofPage(1)));
            }
            await(CompletableFuture.allOf(before.stream().map(b -> client.write(1, b))
                    .toArray(CompletableFuture[]::new)));
            for (String id : List.of("d1", "d2", "d3")) {
                servers.crash(id);
            }
            List<Block> during = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                during.add(block(BlockAddress.log(VOLUME, i * 300L), Version.ofLogBlock(1, 100)));
            }
            await(CompletableFuture.allOf(during.stream().map(b -> client.write(1, b))
                    .toArray(CompletableFuture[]::new)));
            for (Block b : before) {
                assertEquals(Optional.of(b), await(client.readQuorum(b.address())));
            }
            for (Block b : during) {
                assertEquals(Optional.of(b), await(client.read(b.address())));
            }
            servers.crash("d4");
            try (DaxClient fresh = client(servers, NetworkConditions.none())) {
                for (Block b : before) {
                    assertEquals(Optional.of(b), await(fresh.readQuorum(b.address())));
                }
                for (Block b : during) {
                    assertEquals(Optional.of(b), await(fresh.readQuorum(b.address())));
                    assertTrue(await(fresh.readAtLeast(b.address(), b.version())).isPresent());
                }
            }
        }
    }

    /**
     * Child-process servers answer their first requests with a cold JIT, and on a loaded 2-core machine that has
     * been seen to take over 3 s; this test is about durability, not latency, so it allows much longer.
     */
    static final java.time.Duration REQUEST_TIMEOUT = java.time.Duration.ofSeconds(20);

    static DaxClient client(LocalDaxCluster servers, NetworkConditions net) {
        return DaxClient.create(servers.clusterMap(), DaxClientConfig.builder("a")
                .requestTimeout(REQUEST_TIMEOUT).connectTimeout(java.time.Duration.ofSeconds(5)).build(),
                new SimpleMeterRegistry(), net);
    }
}
