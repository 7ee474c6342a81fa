package io.cacdb.dax.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.cacdb.dax.wire.Opcode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The client's Micrometer meters, all named {@code cacdb.dax.client.*}:
 *
 * <ul>
 *   <li>{@code cacdb.dax.client.request} (timer; tags {@code op}, {@code zone} = the server's zone): one request to one
 *       server, send to response;</li>
 *   <li>{@code cacdb.dax.client.quorum} (timer; tags {@code op}, {@code outcome} = ok|error): a whole client
 *       operation (write, read.quorum, read.atleast, read.any, fence, delete, create);</li>
 *   <li>{@code cacdb.dax.client.retries} (counter; tag {@code op});</li>
 *   <li>{@code cacdb.dax.client.hints.queued|dropped|delivered} (counters), {@code cacdb.dax.client.hints.bytes}
 *       (gauge);</li>
 *   <li>{@code cacdb.dax.client.read.repairs} (counter: repair writes sent by reads),
 *       {@code cacdb.dax.client.read.escalations} (counter; tag {@code to} = others|quorum);</li>
 *   <li>{@code cacdb.dax.client.antientropy.repairs} (counter: copies written by anti-entropy),
 *       {@code cacdb.dax.client.repairs.skipped} (counter: repairs not done because this client has no epoch for the
 *       volume).</li>
 * </ul>
 */
final class ClientMetrics {

    private final MeterRegistry registry;
    final Counter hintsQueued;
    final Counter hintsDropped;
    final Counter hintsDelivered;
    final Counter readRepairs;
    final Counter escalationsToOthers;
    final Counter escalationsToQuorum;
    final Counter antiEntropyRepairs;
    final Counter repairsSkipped;

    ClientMetrics(MeterRegistry registry) {
        this.registry = registry;
        hintsQueued = registry.counter("cacdb.dax.client.hints.queued");
        hintsDropped = registry.counter("cacdb.dax.client.hints.dropped");
        hintsDelivered = registry.counter("cacdb.dax.client.hints.delivered");
        readRepairs = registry.counter("cacdb.dax.client.read.repairs");
        escalationsToOthers = registry.counter("cacdb.dax.client.read.escalations", "to", "others");
        escalationsToQuorum = registry.counter("cacdb.dax.client.read.escalations", "to", "quorum");
        antiEntropyRepairs = registry.counter("cacdb.dax.client.antientropy.repairs");
        repairsSkipped = registry.counter("cacdb.dax.client.repairs.skipped");
    }

    void hintBytesGauge(Supplier<Number> bytes) {
        io.micrometer.core.instrument.Gauge.builder("cacdb.dax.client.hints.bytes", bytes)
                .baseUnit("bytes").register(registry);
    }

    // Meters are looked up once per tag combination and kept: building an id and finding it in the registry on every
    // request costs more than recording into it, and requests are the client's hottest path. The maps are bounded by
    // the few operations times the zones of the cluster map.
    private final Map<String, Timer> requestTimers = new ConcurrentHashMap<>();
    private final Map<String, Timer> quorumTimers = new ConcurrentHashMap<>();
    private final Map<String, Counter> retryCounters = new ConcurrentHashMap<>();

    void requestLatency(Opcode op, String serverZone, long nanos) {
        requestTimers.computeIfAbsent(op.name() + '/' + serverZone, k -> Timer.builder("cacdb.dax.client.request")
                        .tag("op", op.name().toLowerCase()).tag("zone", serverZone).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void quorumLatency(String op, boolean ok, long nanos) {
        quorumTimers.computeIfAbsent(op + (ok ? "/ok" : "/error"), k -> Timer.builder("cacdb.dax.client.quorum")
                        .tag("op", op).tag("outcome", ok ? "ok" : "error").register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void retry(String op) {
        retryCounters.computeIfAbsent(op, k -> registry.counter("cacdb.dax.client.retries", "op", op)).increment();
    }
}
