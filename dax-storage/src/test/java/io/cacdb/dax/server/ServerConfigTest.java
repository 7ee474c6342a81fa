package io.cacdb.dax.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

    @TempDir
    Path dir;

    Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("dax.conf"), text);
    }

    @Test
    void minimalFileGetsDefaultsAndResolvesDataDirAgainstTheFile() throws IOException {
        ServerConfig c = ServerConfig.load(file("# comment\nserver-id = d1\nzone = a\n\ndata-dir = data/d1\n"));
        assertEquals("d1", c.serverId());
        assertEquals("a", c.zone());
        assertEquals(dir.resolve("data/d1").toAbsolutePath(), c.dataDir());
        assertEquals(ServerConfig.DEFAULT_RPC_PORT, c.rpcPort());
        assertEquals(ServerConfig.DEFAULT_CACHE_BYTES, c.cacheBytes());
        assertEquals(ServerConfig.DEFAULT_GROUP_COMMIT_MAX_REQUESTS, c.groupCommitMaxRequests());
    }

    @Test
    void everyKeyRoundTripsThroughTheFileForm() throws IOException {
        ServerConfig c = ServerConfig.defaults("d7", "c", dir.resolve("d7")).withPorts(0, 0).withCacheBytes(3 << 20)
                .withThreads(1, 3).withQueues(100, 200, 50).withBindHost("127.0.0.3");
        assertEquals(c, ServerConfig.load(file(c.toFileText())));
    }

    @Test
    void byteSizesTakeBinarySuffixes() throws IOException {
        ServerConfig c = ServerConfig.load(file("server-id=d1\nzone=a\ndata-dir=/tmp/x\ncache-bytes = 64MiB\n"
                + "group-commit-max-bytes = 2 GiB\n"));
        assertEquals(64L << 20, c.cacheBytes());
        assertEquals(2L << 30, c.groupCommitMaxBytes());
    }

    @Test
    void unknownKeyIsAnErrorNamingFileAndKey() throws IOException {
        Path f = file("server-id=d1\nzone=a\ndata-dir=/tmp/x\nread-thread = 4\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.load(f));
        assertTrue(e.getMessage().contains(f + ":4") && e.getMessage().contains("'read-thread'"), e.getMessage());
    }

    @Test
    void badValueIsAnErrorNamingKeyAndValue() throws IOException {
        Path f = file("server-id=d1\nzone=a\ndata-dir=/tmp/x\nrpc-port = seventy\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("'rpc-port'")
                && e.getMessage().contains("'seventy'"), e.getMessage());
        Path g = file("server-id=d1\nzone=a\ndata-dir=/tmp/x\nrpc-port = 70000\n");
        e = assertThrows(ConfigException.class, () -> ServerConfig.load(g));
        assertTrue(e.getMessage().contains("'rpc-port'") && e.getMessage().contains("70000"), e.getMessage());
    }

    @Test
    void missingRequiredKeyRepeatedKeyAndBrokenRelationsAreErrors() throws IOException {
        Path missing = file("server-id=d1\nzone=a\n");
        assertTrue(assertThrows(ConfigException.class, () -> ServerConfig.load(missing)).getMessage()
                .contains("data-dir"));
        Path repeated = file("server-id=d1\nzone=a\ndata-dir=/x\nzone=b\n");
        assertTrue(assertThrows(ConfigException.class, () -> ServerConfig.load(repeated)).getMessage()
                .contains("repeated"));
        Path relation = file("server-id=d1\nzone=a\ndata-dir=/x\nwrite-queue-capacity=10\n"
                + "group-commit-max-requests=20\n");
        assertTrue(assertThrows(ConfigException.class, () -> ServerConfig.load(relation)).getMessage()
                .contains("group-commit-max-requests"));
        Path samePorts = file("server-id=d1\nzone=a\ndata-dir=/x\nrpc-port=7000\nadmin-port=7000\n");
        assertThrows(ConfigException.class, () -> ServerConfig.load(samePorts));
        Path noEquals = file("server-id d1\n");
        assertTrue(assertThrows(ConfigException.class, () -> ServerConfig.load(noEquals)).getMessage()
                .contains(":1"));
    }
}
