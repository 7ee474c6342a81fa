package io.cacdb.dax.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.placement.InstanceMetadataZone.InstanceMetadataException;
import io.cacdb.dax.server.ConfigException;
import io.cacdb.dax.server.ServerConfig;
import io.cacdb.instancemetadata.FakeImdsV2Server;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceMetadataZoneTest {

    /** Generous: these tests check that a dead endpoint fails, not how fast; the machine is shared and slow. */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @Test
    void theZoneComesFromTheTokenProtectedEndpoint() throws Exception {
        try (FakeImdsV2Server imds = FakeImdsV2Server.start("eu-west-1b")) {
            assertEquals("eu-west-1b", new InstanceMetadataZone(imds.endpoint(), TIMEOUT).availabilityZone());
            assertEquals(1, imds.zoneAnswers());
            assertEquals(0, imds.refusals());
            // The fake refuses a zone request without a token, so the client above must have sent one (IMDSv2).
            HttpResponse<String> withoutToken = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(imds.endpoint().resolve(FakeImdsV2Server.ZONE_PATH)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, withoutToken.statusCode());
            assertEquals(1, imds.zoneAnswers());
        }
    }

    @Test
    void nothingListeningFailsWithAMessageSayingWhatToDo() throws Exception {
        URI closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        InstanceMetadataException e = assertThrows(InstanceMetadataException.class,
                () -> new InstanceMetadataZone(closed, TIMEOUT).availabilityZone());
        assertTrue(e.getMessage().contains(closed.toString()) && e.getMessage().contains("token")
                && e.getMessage().contains("zone = imds"), e.getMessage());
    }

    @Test
    void anEndpointThatNeverAnswersTimesOut() throws Exception {
        // The kernel accepts the connection into the backlog; nobody ever reads or answers it.
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            URI endpoint = URI.create("http://127.0.0.1:" + silent.getLocalPort());
            InstanceMetadataException e = assertThrows(InstanceMetadataException.class,
                    () -> new InstanceMetadataZone(endpoint, Duration.ofMillis(300)).availabilityZone());
            assertTrue(e.getMessage().contains("no answer within 300 ms"), e.getMessage());
        }
    }

    @Test
    void theEndpointComesFromTheEnvironmentAndIsChecked() {
        assertEquals(InstanceMetadataZone.DEFAULT_ENDPOINT, InstanceMetadataZone.fromEnvironment(Map.of()).endpoint());
        assertEquals(URI.create("http://127.0.0.1:1338"), InstanceMetadataZone.fromEnvironment(
                Map.of(InstanceMetadataZone.ENDPOINT_ENV, "http://127.0.0.1:1338")).endpoint());
        InstanceMetadataException e = assertThrows(InstanceMetadataException.class, () -> InstanceMetadataZone
                .fromEnvironment(Map.of(InstanceMetadataZone.ENDPOINT_ENV, "ftp://x")));
        assertTrue(e.getMessage().contains(InstanceMetadataZone.ENDPOINT_ENV), e.getMessage());
    }

    @Test
    void aDaxServerConfiguredWithZoneImdsAsksTheService() throws Exception {
        Path conf = Files.writeString(dir.resolve("dax.conf"), "server-id = d1\nzone = imds\ndata-dir = data\n");
        try (FakeImdsV2Server imds = FakeImdsV2Server.start("us-east-1c")) {
            ServerConfig config = ServerConfig.load(conf, () -> new InstanceMetadataZone(imds.endpoint(), TIMEOUT));
            assertEquals("us-east-1c", config.zone());
        }
        URI closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        URI endpoint = closed;
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerConfig.load(conf, () -> new InstanceMetadataZone(endpoint, TIMEOUT)));
        assertTrue(e.getMessage().contains(conf + ":2") && e.getMessage().contains("'zone'"), e.getMessage());
    }
}
