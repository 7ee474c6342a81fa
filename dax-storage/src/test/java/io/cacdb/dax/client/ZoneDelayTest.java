package io.cacdb.dax.client;

import io.cacdb.dax.local.LocalDaxCluster;
import static io.cacdb.dax.client.TestBlocks.await;
import static io.cacdb.dax.client.TestBlocks.block;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.transport.NetworkConditions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With a cross-zone one-way delay d, a quorum write needs a remote round trip: at least ~2d. Lower bounds only. */
class ZoneDelayTest {

    @Test
    void quorumWriteTakesAtLeastOneCrossZoneRoundTrip(@TempDir Path dir) {
        Duration d = Duration.ofMillis(40);
        try (LocalDaxCluster servers = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir));
                DaxClient client = DaxClient.create(servers.clusterMap(), DaxClientConfig.defaults("a"),
                        new SimpleMeterRegistry(), new NetworkConditions(d))) {
            await(client.createVolume(8));
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                await(client.write(1, block(BlockAddress.page(8, i * 2048L), Version.ofPage(1))));
                long elapsed = System.nanoTime() - start;
                assertTrue(elapsed >= 2 * d.toNanos() * 9 / 10, "write took " + elapsed / 1_000_000 + " ms");
                start = System.nanoTime();
                await(client.readQuorum(BlockAddress.page(8, i * 2048L)));
                elapsed = System.nanoTime() - start;
                assertTrue(elapsed >= 2 * d.toNanos() * 9 / 10, "quorum read took " + elapsed / 1_000_000 + " ms");
            }
        }
    }
}
