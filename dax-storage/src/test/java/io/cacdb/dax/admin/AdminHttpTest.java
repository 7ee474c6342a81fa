package io.cacdb.dax.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.server.DaxServer;
import io.cacdb.dax.server.RawDaxClient;
import io.cacdb.dax.server.ServerConfig;
import io.cacdb.dax.wire.DaxRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminHttpTest {

    static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();

    HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(HTTP_TIMEOUT)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void serverExposesItsMetricsAndHealth() throws Exception {
        ServerConfig config = ServerConfig.defaults("m1", "b", dir.resolve("m1")).withPorts(0, 0);
        try (DaxServer server = DaxServer.start(config)) {
            try (RawDaxClient c = RawDaxClient.to(server)) {
                c.call(new DaxRequest.CreateVolume(c.nextId(), 1));
                c.call(new DaxRequest.Write(c.nextId(), 0, Block.of(BlockAddress.page(1, 1), Version.ofPage(1),
                        new byte[] {1})));
                c.call(new DaxRequest.Read(c.nextId(), BlockAddress.page(1, 1)));
                c.call(new DaxRequest.Fence(c.nextId(), 1, 4));
            }
            HttpResponse<String> metrics = get(server.adminPort(), "/metrics");
            assertEquals(200, metrics.statusCode());
            assertEquals(AdminHttpServer.PROMETHEUS_CONTENT_TYPE,
                    metrics.headers().firstValue("Content-Type").orElse(""));
            String text = metrics.body();
            for (String expected : new String[] {
                    "cacdb_dax_server_requests_seconds_count{op=\"WRITE\",status=\"OK\"} 1",
                    "cacdb_dax_server_requests_seconds_count{op=\"READ\",status=\"OK\"} 1",
                    "cacdb_dax_server_write_outcomes_total{outcome=\"APPLIED\"} 1",
                    "cacdb_dax_server_group_commit_sync_seconds_count",
                    "cacdb_dax_server_group_commit_batch_requests_count",
                    "cacdb_dax_server_write_queue_depth",
                    "cacdb_dax_server_read_queue_depth",
                    "cacdb_dax_server_cache_hits_total",
                    "cacdb_dax_server_cache_misses_total",
                    "cacdb_dax_server_fenced_epoch{volume=\"1\"} 4"}) {
                assertTrue(text.contains(expected), () -> "missing " + expected + " in\n" + text);
            }
            HttpResponse<String> health = get(server.adminPort(), "/health");
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"UP\",\"serverId\":\"m1\",\"zone\":\"b\"}", health.body());
            assertEquals(404, get(server.adminPort(), "/nothing").statusCode());
        }
    }

    @Test
    void healthIs503WhileStoppingAndABrokenSupplierIs500() throws Exception {
        AtomicReference<Health> health = new AtomicReference<>(new Health(true, "UP", Map.of()));
        AtomicReference<String> metrics = new AtomicReference<>("x 1\n");
        try (AdminHttpServer admin = AdminHttpServer.start("127.0.0.1", 0, () -> {
            String m = metrics.get();
            if (m == null) {
                throw new IllegalStateException("broken");
            }
            return m;
        }, health::get)) {
            assertEquals(200, get(admin.port(), "/health").statusCode());
            health.set(new Health(false, "STOPPING", Map.of("serverId", "d1")));
            HttpResponse<String> stopping = get(admin.port(), "/health");
            assertEquals(503, stopping.statusCode());
            assertEquals("{\"status\":\"STOPPING\",\"serverId\":\"d1\"}", stopping.body());
            metrics.set(null);
            assertEquals(500, get(admin.port(), "/metrics").statusCode());
            metrics.set("y 2\n");
            assertEquals("y 2\n", get(admin.port(), "/metrics").body(), "still serving after a failure");
        }
    }

    @Test
    void actionsRunOnPostFromThisHostOnly() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (AdminHttpServer admin = AdminHttpServer.start("127.0.0.1", 0, () -> "", () -> new Health(true, "UP",
                Map.of()), Map.of("switchover", () -> AdminHttpServer.Response.json(200,
                "{\"run\":" + runs.incrementAndGet() + "}")))) {
            HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + admin.port() + "/switchover")).timeout(HTTP_TIMEOUT).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, posted.statusCode());
            assertEquals("{\"run\":1}", posted.body());
            HttpResponse<String> got = get(admin.port(), "/switchover");
            assertEquals(405, got.statusCode(), "an action is never run by a GET (a crawler, a browser prefetch)");
            assertEquals("POST", got.headers().firstValue("Allow").orElse(""));
            assertEquals(1, runs.get());
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port()
                    + "/promote")).timeout(HTTP_TIMEOUT).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        assertThrows(IllegalArgumentException.class, () -> AdminHttpServer.start(
                "127.0.0.1", 0, () -> "", () -> new Health(true, "UP", Map.of()), Map.of("health",
                () -> AdminHttpServer.Response.json(200, "{}"))));
    }
}
