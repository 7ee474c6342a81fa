package io.cacdb.dax.client;

import io.cacdb.dax.local.LocalDaxCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaxClientSmokeTest {

    @Test
    void writeThenReadEveryKind(@TempDir Path dir) throws Exception {
        try (LocalDaxCluster servers = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir));
                DaxClient client = DaxClient.create(servers.clusterMap(), DaxClientConfig.defaults("a"),
                        new SimpleMeterRegistry())) {
            client.createVolume(1).get(10, TimeUnit.SECONDS);
            BlockAddress a = BlockAddress.page(1, 5);
            Block b = Block.of(a, Version.ofPage(100), "hello".getBytes(StandardCharsets.UTF_8));
            client.write(1, b).get(10, TimeUnit.SECONDS);
            assertEquals(Optional.of(b), client.readQuorum(a).get(10, TimeUnit.SECONDS));
            assertEquals(Optional.of(b), client.readAtLeast(a, Version.ofPage(100)).get(10, TimeUnit.SECONDS));
            assertEquals(Optional.of(b), client.read(a).get(10, TimeUnit.SECONDS));
            assertEquals(Optional.of(b), client.readAny(a).get(10, TimeUnit.SECONDS));
            assertTrue(client.readQuorum(BlockAddress.page(1, 6)).get(10, TimeUnit.SECONDS).isEmpty());
            assertEquals(2L, client.fence(1, 2).get(10, TimeUnit.SECONDS));
        }
    }
}
