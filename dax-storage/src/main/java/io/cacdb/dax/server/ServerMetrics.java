package io.cacdb.dax.server;

import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.Opcode;
import io.cacdb.dax.wire.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one DAX server, all named {@code cacdb.dax.server.*}. Meters are created once and kept, so the
 * request path does no registry lookups.
 */
final class ServerMetrics {

    static final String PREFIX = "cacdb.dax.server.";

    private final MeterRegistry registry;
    private final Map<Opcode, Map<String, Timer>> requestTimers = new EnumMap<>(Opcode.class);
    private final Map<DaxResponse.WriteOutcome, Counter> writeOutcomes = new EnumMap<>(DaxResponse.WriteOutcome.class);
    final DistributionSummary batchRequests;
    final DistributionSummary batchBytes;
    final Timer batchSync;
    final Counter syncedBatches;
    final Counter cacheHits;
    final Counter cacheMisses;
    final Counter corruptBlocks;
    final Counter badConnections;

    ServerMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Opcode op : Opcode.values()) {
            requestTimers.put(op, new ConcurrentHashMap<>());
        }
        for (DaxResponse.WriteOutcome o : DaxResponse.WriteOutcome.values()) {
            writeOutcomes.put(o, Counter.builder(PREFIX + "write.outcomes").tag("outcome", o.name())
                    .description("Successful writes by outcome").register(registry));
        }
        batchRequests = DistributionSummary.builder(PREFIX + "group.commit.batch.requests")
                .description("Requests decided in one group-commit batch").register(registry);
        batchBytes = DistributionSummary.builder(PREFIX + "group.commit.batch.bytes").baseUnit("bytes")
                .description("Payload bytes in one group-commit batch").register(registry);
        batchSync = Timer.builder(PREFIX + "group.commit.sync")
                .description("Time to write and sync one group-commit batch").register(registry);
        syncedBatches = Counter.builder(PREFIX + "group.commit.synced.batches")
                .description("Group-commit batches written with a synced WAL").register(registry);
        cacheHits = Counter.builder(PREFIX + "cache.hits").description("Block reads served by the cache")
                .register(registry);
        cacheMisses = Counter.builder(PREFIX + "cache.misses").description("Block reads that went to RocksDB")
                .register(registry);
        corruptBlocks = Counter.builder(PREFIX + "corrupt.blocks")
                .description("Stored blocks found failing their checksum (read or scan)").register(registry);
        badConnections = Counter.builder(PREFIX + "bad.connections")
                .description("Connections that sent a malformed frame").register(registry);
    }

    MeterRegistry registry() {
        return registry;
    }

    /** Records one answered request: count and latency by operation and status. */
    void recordRequest(Opcode op, DaxResponse response, long startNanos) {
        String status = response instanceof DaxResponse.Error e ? e.status().name() : Status.OK.name();
        requestTimers.get(op).computeIfAbsent(status, s -> Timer.builder(PREFIX + "requests")
                        .description("DAX requests answered, by operation and status")
                        .tag("op", op.name()).tag("status", s).register(registry))
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        if (response instanceof DaxResponse.WriteAck ack) {
            writeOutcomes.get(ack.outcome()).increment();
        }
    }
}
