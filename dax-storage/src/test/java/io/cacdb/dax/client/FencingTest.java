package io.cacdb.dax.client;

import io.cacdb.dax.local.LocalDaxCluster;
import static io.cacdb.dax.client.TestBlocks.await;
import static io.cacdb.dax.client.TestBlocks.block;
import static io.cacdb.dax.client.TestBlocks.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.transport.NetworkConditions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FencingTest {

    static final long VOLUME = 5;

    /**
     * The new writer's client cannot reach zone c, so its fence completes with only zones a and b (the rule allows
     * it); the old writer reaches everyone, and still no write of the old epoch completes anywhere afterwards.
     */
    @Test
    void afterFenceNoOldEpochWriteCompletes(@TempDir Path dir) {
        try (LocalDaxCluster servers = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir))) {
            NetworkConditions newSide = NetworkConditions.none();
            newSide.cutOffZone("c");
            try (DaxClient old = client(servers, NetworkConditions.none(), "a");
                    DaxClient fresh = client(servers, newSide, "b")) {
                await(old.createVolume(VOLUME));
                BlockAddress a = BlockAddress.log(VOLUME, 0);
                await(old.write(1, block(a, Version.ofLogBlock(1, 10))));
                assertEquals(2L, await(fresh.fence(VOLUME, 2)));
                assertEquals(2L, await(fresh.fence(VOLUME, 2)), "fencing is idempotent");
                for (int i = 0; i < 20; i++) {
                    BlockAddress target = BlockAddress.page(VOLUME, i * 1024L);
                    Throwable e = failure(old.write(1, block(target, Version.ofPage(5))));
                    assertTrue(e instanceof StaleEpochException || e instanceof QuorumNotReachedException, e.toString());
                }
                StaleEpochException stale = assertInstanceOf(StaleEpochException.class,
                        failure(old.write(1, block(a, Version.ofLogBlock(1, 20)))));
                assertEquals(2, stale.currentEpoch());
                assertInstanceOf(StaleEpochException.class, failure(fresh.fence(VOLUME, 1)));
                Block mine = block(a, Version.ofLogBlock(2, 5));
                newSide.healAll();
                await(fresh.write(2, mine));
                assertEquals(mine, await(fresh.read(a)).orElseThrow());
            }
        }
    }

    /**
     * Seeded race: an old-epoch writer and a new-epoch writer write the same log blocks with jitter while the new one
     * fences in the middle. Old-epoch writes issued after the fence completed never succeed, and every write the new
     * epoch completed is readable at quorum afterwards.
     */
    @Test
    void racingOldAndNewWriters(@TempDir Path dir) throws InterruptedException {
        long seed = TestSeeds.seed("FencingTest");
        Random random = new Random(seed);
        try (LocalDaxCluster servers = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir))) {
            NetworkConditions oldNet = NetworkConditions.none();
            oldNet.setJitter(Duration.ofMillis(1 + random.nextInt(5)), random.nextLong());
            NetworkConditions newNet = NetworkConditions.none();
            newNet.setJitter(Duration.ofMillis(1 + random.nextInt(5)), random.nextLong());
            try (DaxClient old = client(servers, oldNet, "a"); DaxClient fresh = client(servers, newNet, "b")) {
                await(old.createVolume(VOLUME));
                fresh.openVolume(VOLUME);
                int blocks = 2 + random.nextInt(6);
                int rounds = 40 + random.nextInt(40);
                int fenceAt = 5 + random.nextInt(rounds / 2);
                long oldSeed = random.nextLong();
                long newSeed = random.nextLong();
                AtomicBoolean fenced = new AtomicBoolean();
                CountDownLatch fenceTime = new CountDownLatch(1);
                List<String> oldSuccessAfterFence = new CopyOnWriteArrayList<>();
                List<Block> newSucceeded = new CopyOnWriteArrayList<>();
                Thread oldWriter = Thread.ofVirtual().start(() -> {
                    Random r = new Random(oldSeed);
                    for (int i = 1; i <= rounds; i++) {
                        if (i == fenceAt) {
                            fenceTime.countDown();
                        }
                        boolean afterFence = fenced.get();
                        Block b = block(BlockAddress.log(VOLUME, r.nextInt(blocks)), Version.ofLogBlock(1, i));
                        boolean ok = old.write(1, b).handle((v, e) -> e == null).join();
                        if (ok && afterFence) {
                            oldSuccessAfterFence.add(b.toString());
                        }
                    }
                    fenceTime.countDown();
                });
                Thread newWriter = Thread.ofVirtual().start(() -> {
                    Random r = new Random(newSeed);
                    try {
                        if (!fenceTime.await(TestBlocks.WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
                            return;
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    await(fresh.fence(VOLUME, 2));
                    fenced.set(true);
                    for (int i = 1; i <= rounds; i++) {
                        Block b = block(BlockAddress.log(VOLUME, r.nextInt(blocks)), Version.ofLogBlock(2, i));
                        if (fresh.write(2, b).handle((v, e) -> e == null).join()) {
                            newSucceeded.add(b);
                        }
                    }
                });
                Duration bound = Duration.ofSeconds(TestBlocks.WAIT_SECONDS * 2);
                assertTrue(oldWriter.join(bound) && newWriter.join(bound), "seed " + seed + ": writers hung");
                assertTrue(oldSuccessAfterFence.isEmpty(), "seed " + seed + ": old-epoch writes succeeded after the"
                        + " fence: " + oldSuccessAfterFence);
                assertEquals(rounds, newSucceeded.size(), "seed " + seed + ": the new writer must not be disturbed");
                for (Block b : newSucceeded) {
                    Version seen = await(fresh.readQuorum(b.address())).orElseThrow().version();
                    assertTrue(seen.isAtLeast(b.version()), "seed " + seed + ": " + b + " read back as " + seen);
                }
            }
        }
    }

    static DaxClient client(LocalDaxCluster servers, NetworkConditions net, String zone) {
        return DaxClient.create(servers.clusterMap(), DaxClientConfig.defaults(zone), new SimpleMeterRegistry(), net);
    }
}
