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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent writers of increasing versions of the same blocks, every message delayed by a seeded random jitter so
 * writes arrive at replicas in random order: no replica ever goes back to a lower version (watched by a reader
 * polling each replica during the run), and every replica ends at the highest version.
 */
class ReorderingTest {

    @Test
    void aLowerVersionNeverReplacesAHigherOneOnAnyReplica(@TempDir Path dir) throws Exception {
        long seed = TestSeeds.seed("ReorderingTest");
        Random random = new Random(seed);
        int writers = 2 + random.nextInt(3);
        int versions = 40 + random.nextInt(40);
        int blocks = 1 + random.nextInt(3);
        long volume = 4;
        try (LocalDaxCluster servers = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir))) {
            List<DaxClient> clients = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                NetworkConditions net = new NetworkConditions(Duration.ofMillis(random.nextInt(2)));
                net.setJitter(Duration.ofMillis(1 + random.nextInt(8)), random.nextLong());
                clients.add(DaxClient.create(servers.clusterMap(), DaxClientConfig.defaults(w % 2 == 0 ? "a" : "b"),
                        new SimpleMeterRegistry(), net));
            }
            DaxClient observer = DaxClient.create(servers.clusterMap(), DaxClientConfig.defaults("c"),
                    new SimpleMeterRegistry());
            try {
                await(clients.get(0).createVolume(volume));
                clients.forEach(c -> c.openVolume(volume));
                List<BlockAddress> addresses = new ArrayList<>();
                for (int b = 0; b < blocks; b++) {
                    addresses.add(BlockAddress.log(volume, b));
                }
                // watch: every replica's version of every block only grows
                AtomicBoolean running = new AtomicBoolean(true);
                List<String> violations = Collections.synchronizedList(new ArrayList<>());
                Thread watcher = Thread.ofVirtual().start(() -> {
                    Map<String, Version> last = new HashMap<>();
                    while (running.get()) {
                        for (BlockAddress a : addresses) {
                            for (ServerInfo s : observer.placement().replicasOf(a)) {
                                ReplicaCopy copy = await(observer.readReplica(s, a));
                                if (copy instanceof ReplicaCopy.Good g) {
                                    Version before = last.put(s.id() + a, g.block().version());
                                    if (before != null && before.isNewerThan(g.block().version())) {
                                        violations.add(s.id() + " " + a + " went from " + before + " to "
                                                + g.block().version());
                                    }
                                }
                            }
                        }
                    }
                });
                // each version of each block goes to a random writer; all issued at once
                List<CompletableFuture<Void>> writes = new ArrayList<>();
                List<int[]> order = new ArrayList<>();
                for (int v = 1; v <= versions; v++) {
                    for (int b = 0; b < blocks; b++) {
                        order.add(new int[] {v, b});
                    }
                }
                Collections.shuffle(order, random);
                for (int[] vb : order) {
                    Block block = block(addresses.get(vb[1]), Version.ofLogBlock(1, vb[0] * 100L));
                    writes.add(clients.get(random.nextInt(writers)).write(1, block));
                }
                await(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)));
                running.set(false);
                watcher.join(Duration.ofSeconds(TestBlocks.WAIT_SECONDS));
                assertTrue(violations.isEmpty(), "seed " + seed + ": " + violations);
                // a write completes at W; the other replicas' copies (delayed by jitter, or missed and hinted) land
                // afterwards, so wait for every writer to settle before asking all N replicas
                for (DaxClient c : clients) {
                    await(c.settled());
                    await(c.hintsDrained());
                }
                Version top = Version.ofLogBlock(1, versions * 100L);
                for (BlockAddress a : addresses) {
                    for (ServerInfo s : observer.placement().replicasOf(a)) {
                        ReplicaCopy copy = await(observer.readReplica(s, a));
                        assertTrue(copy instanceof ReplicaCopy.Good g && g.block().version().equals(top),
                                "seed " + seed + ": " + s.id() + " holds " + copy + ", expected " + top);
                    }
                    assertEquals(top, await(observer.readQuorum(a)).orElseThrow().version());
                }
            } finally {
                clients.forEach(DaxClient::close);
                observer.close();
            }
        }
    }
}
