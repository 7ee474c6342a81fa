package io.cacdb.server.pgwire;

import io.cacdb.server.session.SqlState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one protocol server, all named {@code cacdb.pgwire.*}: open connections and sessions (gauges),
 * frontend messages by type, errors sent by SQLSTATE, refused connections by reason, cancel requests, and the latency
 * of simple queries and of Executes. Meters are made once per tag value and kept.
 */
final class PgMetrics {

    static final String PREFIX = "cacdb.pgwire.";

    private final MeterRegistry registry;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger sessions = new AtomicInteger();
    private final Map<Class<?>, Counter> messages = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    final Counter cancelRequests;
    final Counter readPauses;
    final Counter writeWaits;
    final Counter textParameters;
    final Counter binaryParameters;
    final Counter discardedUntilSync;
    final Timer simpleQueryLatency;
    final Timer executeLatency;

    PgMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(PREFIX + "connections", connections, AtomicInteger::get)
                .description("Open client TCP connections").register(registry);
        Gauge.builder(PREFIX + "sessions", sessions, AtomicInteger::get)
                .description("Authenticated client sessions").register(registry);
        cancelRequests = Counter.builder(PREFIX + "cancel.requests").description("CancelRequest packets received")
                .register(registry);
        readPauses = Counter.builder(PREFIX + "read.pauses")
                .description("Times a connection stopped being read because its inbound queue was full")
                .register(registry);
        writeWaits = Counter.builder(PREFIX + "write.waits")
                .description("Times a session waited for a slow client to read its results").register(registry);
        textParameters = Counter.builder(PREFIX + "bind.parameters").tag("format", "text")
                .description("Non-null parameter values bound, by format").register(registry);
        binaryParameters = Counter.builder(PREFIX + "bind.parameters").tag("format", "binary")
                .description("Non-null parameter values bound, by format").register(registry);
        discardedUntilSync = Counter.builder(PREFIX + "messages.discarded")
                .description("Extended-query messages skipped after an error, until Sync").register(registry);
        simpleQueryLatency = Timer.builder(PREFIX + "query.latency").tag("protocol", "simple")
                .description("Time to run one simple-query string").register(registry);
        executeLatency = Timer.builder(PREFIX + "query.latency").tag("protocol", "extended")
                .description("Time to run one Execute of a portal").register(registry);
    }

    void message(FrontendMessage m) {
        messages.computeIfAbsent(m.getClass(), c -> Counter.builder(PREFIX + "messages")
                .tag("type", c.getSimpleName()).description("Frontend messages received, by type")
                .register(registry)).increment();
    }

    void error(SqlState state) {
        errors.computeIfAbsent(state.code(), code -> Counter.builder(PREFIX + "errors").tag("sqlstate", code)
                .description("ErrorResponses sent, by SQLSTATE").register(registry)).increment();
    }

    void refused(String reason) {
        refusals.computeIfAbsent(reason, r -> Counter.builder(PREFIX + "connections.refused").tag("reason", r)
                .description("Connections refused, by reason").register(registry)).increment();
    }

    void simpleQuery(long startNanos) {
        simpleQueryLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    void execute(long startNanos) {
        executeLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
}
