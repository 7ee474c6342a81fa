package io.cacdb.dax.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin HTTP endpoint: {@code GET /metrics} answers the registry's Prometheus text, {@code GET /health} answers
 * {@link Health#toJson()} with 200 when up and 503 otherwise; {@code POST /<action>} runs one of the process's
 * {@link Action}s (a node's {@code /switchover}) — only for callers on a loopback address (403 otherwise: an operator
 * runs it on the host, over SSH or SSM, never a scraper from the network); anything else 404 (405 for other methods
 * on known paths). Requests run on one small bounded pool; when it is full the accepting thread serves the request
 * itself, which slows accepting instead of queueing without bound.
 */
public final class AdminHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminHttpServer.class);

    /** Content type of the Prometheus text exposition format that {@code scrape()} produces. */
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Threads serving admin requests: scrapes come every few seconds; two let a health check pass a slow scrape. */
    static final int HANDLER_THREADS = 2;
    /** Admin requests waiting for a thread: a handful of scrapers and probes, never more in practice. */
    static final int HANDLER_QUEUE_CAPACITY = 16;
    /** Pending TCP connections the kernel may hold for us. */
    static final int ACCEPT_BACKLOG = 16;

    /** An operator action run by {@code POST /<name>}: returns what to answer. */
    @FunctionalInterface
    public interface Action {
        Response run();
    }

    /** An action's answer. */
    public record Response(int code, String contentType, String body) {
        public Response {
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(body, "body");
        }

        public static Response json(int code, String body) {
            return new Response(code, "application/json", body);
        }
    }

    private final HttpServer server;
    private final ThreadPoolExecutor executor;

    private AdminHttpServer(HttpServer server, ThreadPoolExecutor executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts serving on {@code host:port} (port 0: ephemeral, see {@link #port()}). */
    public static AdminHttpServer start(String host, int port, PrometheusMeterRegistry registry,
            Supplier<Health> health) {
        return start(host, port, registry::scrape, health);
    }

    /** As {@link #start(String, int, PrometheusMeterRegistry, Supplier)} with any source of Prometheus text. */
    public static AdminHttpServer start(String host, int port, Supplier<String> metricsText, Supplier<Health> health) {
        return start(host, port, metricsText, health, Map.of());
    }

    /**
     * As {@link #start(String, int, Supplier, Supplier)} with operator actions: {@code POST /<name>} runs
     * {@code actions.get(name)} for a caller on a loopback address.
     */
    public static AdminHttpServer start(String host, int port, Supplier<String> metricsText, Supplier<Health> health,
                                        Map<String, Action> actions) {
        Map<String, Action> knownActions = Map.copyOf(actions);
        for (String name : knownActions.keySet()) {
            if (!name.matches("[a-z][a-z0-9-]*") || name.equals("metrics") || name.equals("health")) {
                throw new IllegalArgumentException("bad admin action name '" + name + "'");
            }
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), ACCEPT_BACKLOG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind admin HTTP on " + host + ":" + port, e);
        }
        ThreadPoolExecutor executor = new ThreadPoolExecutor(HANDLER_THREADS, HANDLER_THREADS, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(HANDLER_QUEUE_CAPACITY),
                Thread.ofPlatform().name("admin-http-", 0).daemon(true).factory(),
                new ThreadPoolExecutor.CallerRunsPolicy());
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, metricsText, health, knownActions));
        server.start();
        return new AdminHttpServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String host() {
        return server.getAddress().getHostString();
    }

    /** Stops at once: admin requests in progress are cut, which is harmless for scrapes and probes. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void handle(HttpExchange exchange, Supplier<String> metricsText, Supplier<Health> health,
                               Map<String, Action> actions) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            Action action = path.length() > 1 ? actions.get(path.substring(1)) : null;
            if (action != null) {
                runAction(exchange, path, method, action);
                return;
            }
            boolean known = path.equals("/metrics") || path.equals("/health");
            if (!known) {
                send(exchange, 404, "text/plain; charset=utf-8", "not found: " + path + "\n");
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            String body;
            int code;
            String type;
            try {
                if (path.equals("/metrics")) {
                    body = metricsText.get();
                    code = 200;
                    type = PROMETHEUS_CONTENT_TYPE;
                } else {
                    Health h = health.get();
                    body = h.toJson();
                    code = h.up() ? 200 : 503;
                    type = "application/json";
                }
            } catch (RuntimeException e) {
                // a bug in a supplier: answer 500 and keep the endpoint alive for the next probe
                log.warn("admin request {} failed", path, e);
                body = "internal error: " + e + "\n";
                code = 500;
                type = "text/plain; charset=utf-8";
            }
            send(exchange, code, type, body);
        }
    }

    private static void runAction(HttpExchange exchange, String path, String method, Action action)
            throws IOException {
        if (!method.equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "POST");
            send(exchange, 405, "text/plain; charset=utf-8", "method not allowed: " + path + " takes POST\n");
            return;
        }
        InetSocketAddress remote = exchange.getRemoteAddress();
        if (remote == null || remote.getAddress() == null || !remote.getAddress().isLoopbackAddress()) {
            send(exchange, 403, "text/plain; charset=utf-8", path + " is only run for callers on this host\n");
            return;
        }
        Response r;
        try {
            r = action.run();
        } catch (RuntimeException e) {
            log.warn("admin action {} failed", path, e);
            r = new Response(500, "text/plain; charset=utf-8", "internal error: " + e + "\n");
        }
        send(exchange, r.code(), r.contentType(), r.body());
    }

    private static void send(HttpExchange exchange, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(code, head ? -1 : (bytes.length == 0 ? -1 : bytes.length));
        if (!head && bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
