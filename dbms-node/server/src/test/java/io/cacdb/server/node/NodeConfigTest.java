package io.cacdb.server.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.placement.InstanceMetadataZone;
import io.cacdb.instancemetadata.FakeImdsV2Server;
import io.cacdb.replay.StandbyConfig;
import io.cacdb.replay.policy.SlowStandbyPolicy;
import io.cacdb.replay.prefetch.ReadIoConfig;
import io.cacdb.server.auth.AuthMethod;
import io.cacdb.server.auth.ScramVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeConfigTest {

    @TempDir
    Path dir;

    private Path write(String text) throws Exception {
        Path file = dir.resolve("node.conf");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void zoneImdsIsAskedFromTheInstanceMetadataService() throws Exception {
        Path file = write("node-name = n1\nzone = imds\ncluster-map = cluster.map\n");
        try (FakeImdsV2Server imds = FakeImdsV2Server.start("us-east-1b")) {
            NodeConfig c = NodeConfig.load(file, () -> new InstanceMetadataZone(imds.endpoint(), Duration.ofSeconds(2)));
            assertEquals("us-east-1b", c.zone());
            assertEquals(1, imds.zoneAnswers());
        }
    }

    @Test
    void minimalFileTakesTheDefaultsAndResolvesTheMapAgainstItsFolder() throws Exception {
        NodeConfig c = NodeConfig.load(write("""
                # a node
                node-name = n1
                zone = a
                cluster-map = ../cluster.map
                """));
        assertEquals(NodeConfig.defaults("n1", "a", dir.getParent().resolve("cluster.map")), c);
        assertEquals(32 * 1024, c.bufferPoolFrames());
        assertEquals(AuthMethod.TRUST, c.authConfig().otherUsers());
    }

    @Test
    void everyKeyRoundTripsThroughTheFileForm() throws Exception {
        String verifier = ScramVerifier.fromPassword("secret", new byte[16], 4096).toString();
        NodeConfig c = NodeConfig.load(write("""
                node-name = n2
                zone = b
                cluster-map = /etc/cacdb/cluster.map
                volume = 7
                bind-host = 127.0.0.2
                pg-port = 0
                admin-port = 0
                max-connections = 64
                buffer-pool-bytes = 64 MiB
                log-buffer-bytes = 4MiB
                log-budget-bytes = 1 GiB
                checkpoint-interval-millis = 5000
                zone-delay-millis = 2
                dax-request-timeout-millis = 3000
                storage-open-timeout-millis = 10000
                auth = scram-sha-256
                role = standby
                ha-port = 9432
                lease-duration-millis = 800
                lease-renew-interval-millis = 150
                lease-guard-millis = 200
                lease-poll-interval-millis = 100
                heartbeat-interval-millis = 120
                heartbeat-timeout-millis = 700
                slow-standby-policy = unsafe-eviction
                read-io-threads = 16
                user.alice = password:wonderland
                user.bob = %s
                """.formatted(verifier)));
        assertEquals(StartRole.STANDBY, c.role());
        assertEquals(9432, c.haPort());
        assertEquals(java.time.Duration.ofMillis(800), c.ha().leaseDuration());
        assertEquals(java.time.Duration.ofMillis(150), c.ha().leaseRenewInterval());
        assertEquals(java.time.Duration.ofMillis(200), c.ha().leaseGuard());
        assertEquals(java.time.Duration.ofMillis(100), c.ha().leasePollInterval());
        assertEquals(java.time.Duration.ofMillis(120), c.ha().heartbeatInterval());
        assertEquals(java.time.Duration.ofMillis(700), c.ha().heartbeatTimeout());
        assertEquals(SlowStandbyPolicy.UNSAFE_EVICTION, c.slowStandbyPolicy());
        assertEquals(16, c.readIoThreads());
        assertEquals(SlowStandbyPolicy.UNSAFE_EVICTION, c.standbyConfig().policy());
        assertEquals(16, c.standbyConfig().readIo().inFlightMin(), "a fixed policy keeps the given limit");
        assertEquals(16, c.standbyConfig().readIo().inFlightMax());
        assertEquals(8192, c.standbyConfig().bufferPool().frames());
        assertEquals(7, c.volume());
        assertEquals(64L << 20, c.bufferPoolBytes());
        assertEquals(8192, c.bufferPoolFrames());
        assertEquals(AuthMethod.SCRAM_SHA_256, c.authMethod());
        assertEquals(Map.of("alice", "password:wonderland", "bob", verifier), c.users());
        assertEquals(AuthMethod.SCRAM_SHA_256, c.authConfig().methodFor("alice"));
        assertEquals(AuthMethod.SCRAM_SHA_256, c.authConfig().methodFor("mallory"));
        Path again = dir.resolve("again.conf");
        Files.writeString(again, c.toFileText());
        assertEquals(c, NodeConfig.load(again));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no equals sign       | pg-port 5432                      | expected 'key = value'
            unknown key          | pg_port = 5432                    | unknown key 'pg_port'
            repeated key         | zone = b                          | key 'zone' repeated (first on line 2)
            port not a number    | pg-port = fifty                   | key 'pg-port' has bad value 'fifty'
            port out of range    | pg-port = 70000                   | must be in 0..65535
            same ports           | pg-port = 9000\\nadmin-port = 9000 | pg-port and admin-port must differ
            pool not pages       | buffer-pool-bytes = 1000000       | multiple of the page size
            pool too small       | buffer-pool-bytes = 8 KiB         | key 'buffer-pool-bytes' has bad value '8192'
            pool unit typo       | buffer-pool-bytes = 256 MB        | expected a byte count
            bad auth             | auth = md5                        | expected 'trust' or 'scram-sha-256'
            scram nobody         | auth = scram-sha-256              | would refuse everyone
            empty password       | user.alice = password:            | user.alice: empty password
            bad verifier         | user.alice = hunter2              | expected 'password:<plain>' or a stored
            bad user name        | user.a b = password:x             | user name 'a b'
            negative volume      | volume = -1                       | key 'volume' has bad value '-1'
            delay too long       | zone-delay-millis = 60000         | must be in 0..10000
            bad role             | role = primary                    | expected 'active', 'standby' or 'auto'
            ha port clash        | pg-port = 9000\\nha-port = 9000   | ha-port must differ
            renewals too rare    | lease-renew-interval-millis = 300 | must allow two renewals
            guard too long       | lease-guard-millis = 500          | lease guard
            heartbeat too tight  | heartbeat-timeout-millis = 150    | at least two heartbeat intervals
            bad policy           | slow-standby-policy = wait        | expected 'increase-read-io', 'active-wait'
            read io too many     | read-io-threads = 500             | key 'read-io-threads' has bad value '500'
            read io negative     | read-io-threads = -1              | must be in 0..96
            """)
    void rejectsBadFilesNamingFileAndProblem(String what, String badLines, String expected) throws Exception {
        Path file = write("node-name = n1\nzone = a\ncluster-map = c.map\n" + badLines.replace("\\n", "\n") + "\n");
        NodeConfigException e = assertThrows(NodeConfigException.class, () -> NodeConfig.load(file), what);
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), what + ": " + e.getMessage());
    }

    @Test
    void slowStandbyPolicyAndReadIoThreadsReachTheStandbyConfig() {
        NodeConfig d = NodeConfig.defaults("n2", "b", Path.of("/m"));
        assertEquals(SlowStandbyPolicy.INCREASE_READ_IO, d.standbyConfig().policy());
        assertEquals(ReadIoConfig.defaults(), d.standbyConfig().readIo(), "0 = the policy's default limits");
        ReadIoConfig adaptive = d.withSlowStandby(SlowStandbyPolicy.INCREASE_READ_IO, 32).standbyConfig().readIo();
        assertEquals(ReadIoConfig.IN_FLIGHT_MIN_DEFAULT, adaptive.inFlightMin());
        assertEquals(32, adaptive.inFlightMax(), "the adaptive ceiling");
        ReadIoConfig tiny = d.withSlowStandby(SlowStandbyPolicy.INCREASE_READ_IO, 2).standbyConfig().readIo();
        assertEquals(2, tiny.inFlightMin());
        assertEquals(2, tiny.inFlightMax());
        StandbyConfig wait = d.withSlowStandby(SlowStandbyPolicy.ACTIVE_WAIT, 4).standbyConfig();
        assertEquals(SlowStandbyPolicy.ACTIVE_WAIT, wait.policy());
        assertEquals(4, wait.readIo().inFlightMin());
        assertEquals(4, wait.readIo().inFlightMax());
        for (SlowStandbyPolicy p : SlowStandbyPolicy.values()) {
            assertEquals(p, NodeConfig.parsePolicy(NodeConfig.policyWord(p)).orElseThrow());
        }
        assertEquals("active-wait", NodeConfig.policyWord(SlowStandbyPolicy.ACTIVE_WAIT));
    }

    @Test
    void requiredKeysAndUnreadableFiles() throws Exception {
        Path file = write("node-name = n1\nzone = a\n");
        NodeConfigException e = assertThrows(NodeConfigException.class, () -> NodeConfig.load(file));
        assertTrue(e.getMessage().contains("required key 'cluster-map' is missing"), e.getMessage());
        NodeConfigException missing = assertThrows(NodeConfigException.class,
                () -> NodeConfig.load(dir.resolve("nope.conf")));
        assertTrue(missing.getMessage().contains("cannot read node config"), missing.getMessage());
        NodeConfigException label = assertThrows(NodeConfigException.class,
                () -> NodeConfig.load(write("node-name = n 1\nzone = a\ncluster-map = m\n")));
        assertTrue(label.getMessage().contains("key 'node-name' has bad value 'n 1'"), label.getMessage());
    }

    @Test
    void archiveKeysNeedABucketAndRoundTrip() throws Exception {
        NodeConfig c = NodeConfig.load(write("""
                node-name = n1
                zone = a
                cluster-map = /m
                archive-s3-bucket = cacdb-archive
                archive-s3-prefix = prod/db1
                archive-s3-endpoint = http://127.0.0.1:9000
                """));
        assertEquals("cacdb-archive", c.archive().orElseThrow().bucket());
        assertEquals("prod/db1", c.archive().orElseThrow().prefix());
        assertEquals("us-east-1", c.archive().orElseThrow().region());
        assertEquals(c, NodeConfig.load(write(c.toFileText())), "the file form keeps the archive keys");
        assertEquals(c.archive(), c.withPorts(0, 0).archive(), "with* keeps the archive");
        NodeConfigException noBucket = assertThrows(NodeConfigException.class, () -> NodeConfig.load(write(
                "node-name = n1\nzone = a\ncluster-map = /m\narchive-s3-prefix = x\n")));
        assertTrue(noBucket.getMessage().contains("'archive-s3-prefix' needs 'archive-s3-bucket'"),
                noBucket.getMessage());
        NodeConfigException badBucket = assertThrows(NodeConfigException.class, () -> NodeConfig.load(write(
                "node-name = n1\nzone = a\ncluster-map = /m\narchive-s3-bucket = Bad_Bucket\n")));
        assertTrue(badBucket.getMessage().contains("S3 bucket 'Bad_Bucket'"), badBucket.getMessage());
    }
}
