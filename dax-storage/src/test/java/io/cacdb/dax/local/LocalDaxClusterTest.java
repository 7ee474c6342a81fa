package io.cacdb.dax.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.QuorumConfig;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.server.RawDaxClient;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalDaxClusterTest {

    @Test
    void defaultInProcessClusterServesAndSurvivesCrashAndRestart() {
        Path base;
        try (LocalDaxCluster cluster = LocalDaxCluster.startInProcess()) {
            base = cluster.baseDir();
            ClusterMap map = cluster.clusterMap();
            assertEquals(QuorumConfig.DEFAULT, map.quorum());
            assertEquals(Map.of("a", 3, "b", 3, "c", 3), map.serversPerZone());
            assertEquals("d1", map.servers().getFirst().id());
            assertEquals("d9", map.servers().getLast().id());
            for (ServerInfo s : map.servers()) {
                try (RawDaxClient c = new RawDaxClient(s.host(), s.port())) {
                    DaxResponse.Pong p = assertInstanceOf(DaxResponse.Pong.class, c.call(new DaxRequest.Ping(1)));
                    assertEquals(s.id(), p.serverId());
                    assertEquals(s.zone(), p.zone());
                }
            }
            ServerInfo d4 = map.server("d4").orElseThrow();
            Block b = Block.of(BlockAddress.page(1, 1), Version.ofPage(3), new byte[] {4, 5});
            try (RawDaxClient c = new RawDaxClient(d4.host(), d4.port())) {
                c.call(new DaxRequest.CreateVolume(1, 1));
                assertInstanceOf(DaxResponse.WriteAck.class, c.call(new DaxRequest.Write(2, 0, b)));
            }
            cluster.crash("d4");
            assertFalse(cluster.isRunning("d4"));
            cluster.restart("d4");
            assertEquals(d4.port(), cluster.server("d4").rpcPort(), "same port after restart");
            try (RawDaxClient c = new RawDaxClient(d4.host(), d4.port())) {
                assertEquals(b, assertInstanceOf(DaxResponse.ReadResult.class,
                        c.call(new DaxRequest.Read(3, b.address()))).block());
            }
            assertEquals(0, cluster.stop("d5"));
            cluster.restart("d5");
            assertTrue(cluster.isRunning("d5"));
        }
        assertFalse(Files.exists(base), "a temporary base directory is deleted on close");
    }
}
