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
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.cluster.ServerInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TruncationTest {

    @Test
    void deleteBelowTruncatesAtWriteQuorumEvenWithAZoneDown(@TempDir Path dir) {
        long volume = 9;
        try (LocalDaxCluster servers = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir));
                DaxClient client = DaxClient.create(servers.clusterMap(), DaxClientConfig.defaults("a"),
                        new SimpleMeterRegistry())) {
            await(client.createVolume(volume));
            for (int i = 0; i < 10; i++) {
                await(client.write(1, block(BlockAddress.log(volume, i), Version.ofLogBlock(1, 100))));
            }
            for (String id : new String[] {"d7", "d8", "d9"}) {
                servers.crash(id);
            }
            await(client.deleteBelow(1, volume, Space.LOG, 5));
            await(client.settled());
            assertTrue(client.pendingHintBytes() > 0, "the down zone gets the truncation as a hint");
            assertEquals(Optional.empty(), await(client.readQuorum(BlockAddress.log(volume, 2))));
            BelowTruncationException below = assertInstanceOf(BelowTruncationException.class,
                    failure(client.write(1, block(BlockAddress.log(volume, 3), Version.ofLogBlock(1, 200)))));
            assertEquals(5, below.truncatedBelow());
            Block kept = block(BlockAddress.log(volume, 7), Version.ofLogBlock(1, 100));
            assertEquals(Optional.of(kept), await(client.readQuorum(kept.address())));
            // the zone comes back and receives the truncation from its hint
            for (String id : new String[] {"d7", "d8", "d9"}) {
                servers.restart(id);
            }
            await(client.hintsDrained());
            for (String id : new String[] {"d7", "d8", "d9"}) {
                ServerInfo s = servers.clusterMap().server(id).orElseThrow();
                assertTrue(await(client.scanReplica(s, volume, Space.LOG)).stream().allMatch(b -> b.blockNo() >= 5),
                        id + " still holds log blocks below 5");
            }
            await(client.fence(volume, 2));
            assertInstanceOf(StaleEpochException.class, failure(client.deleteBelow(1, volume, Space.LOG, 6)));
        }
    }
}
