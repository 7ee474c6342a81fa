package io.cacdb.instancemetadata;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake EC2 instance metadata service (IMDSv2 only) on loopback, for tests of processes that ask it for their
 * availability zone. Like the real one it hands out tokens on {@code PUT /latest/api/token} only when the TTL header
 * is present (else 400), and answers {@code GET /latest/meta-data/placement/availability-zone} only with a token it
 * issued (else 401, as IMDS does when IMDSv1 is disabled). Anything else is 404.
 */
public final class FakeImdsV2Server implements AutoCloseable {

    public static final String TOKEN_PATH = "/latest/api/token";
    public static final String ZONE_PATH = "/latest/meta-data/placement/availability-zone";
    public static final String TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
    public static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";

    private final HttpServer server;
    private final String zone;
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final AtomicInteger zoneAnswers = new AtomicInteger();
    private final AtomicInteger refusals = new AtomicInteger();

    private FakeImdsV2Server(HttpServer server, String zone) {
        this.server = server;
        this.zone = zone;
    }

    /** Starts a fake IMDS on an ephemeral loopback port that reports {@code zone}. */
    public static FakeImdsV2Server start(String zone) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        FakeImdsV2Server fake = new FakeImdsV2Server(http, zone);
        http.createContext("/", fake::handle);
        http.start();
        return fake;
    }

    /** {@code http://127.0.0.1:<port>}: what {@code AWS_EC2_METADATA_SERVICE_ENDPOINT} is set to. */
    public URI endpoint() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort());
    }

    /** How many times the zone was handed out (to a request with a valid token). */
    public int zoneAnswers() {
        return zoneAnswers.get();
    }

    /** Requests refused: a token request without TTL, a zone request without a valid token. */
    public int refusals() {
        return refusals.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals(TOKEN_PATH) && method.equals("PUT")) {
                if (exchange.getRequestHeaders().getFirst(TOKEN_TTL_HEADER) == null) {
                    refusals.incrementAndGet();
                    reply(exchange, 400, "missing " + TOKEN_TTL_HEADER);
                    return;
                }
                String token = UUID.randomUUID().toString();
                tokens.add(token);
                reply(exchange, 200, token);
            } else if (path.equals(ZONE_PATH) && method.equals("GET")) {
                String token = exchange.getRequestHeaders().getFirst(TOKEN_HEADER);
                if (token == null || !tokens.contains(token)) {
                    refusals.incrementAndGet();
                    reply(exchange, 401, "");
                    return;
                }
                zoneAnswers.incrementAndGet();
                reply(exchange, 200, zone);
            } else {
                reply(exchange, 404, "not found: " + method + " " + path);
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
