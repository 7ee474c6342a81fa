package io.cacdb.dax.client;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.Status;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hinted handoff: operations a server missed (writes of a completed quorum write, fences, truncations), kept per
 * server and delivered when it is back.
 *
 * <p><b>Bounded in bytes.</b> All queues together hold at most {@link DaxClientConfig#hintedHandoffMaxBytes()}
 * (payload bytes plus {@link #HINT_OVERHEAD_BYTES} each). On overflow the oldest hint of the largest queue is dropped
 * and counted ({@code cacdb.dax.client.hints.dropped}); anti-entropy is the backstop for what is dropped.
 *
 * <p><b>Merged by key.</b> A queue keeps one hint per block (the highest version), one fence per volume (the highest
 * epoch) and one truncation per (volume, space) (the highest point), so a hot block rewritten many times while a
 * server is down costs one hint.
 *
 * <p><b>Delivery.</b> A server with hints is probed with PING on a capped exponential backoff
 * ({@link DaxClientConfig#hintProbeMin()}..{@link DaxClientConfig#hintProbeMax()}); once it answers, hints go out in
 * order, {@link #DELIVERY_IN_FLIGHT} at a time. A hint the server refuses for good (stale epoch, below truncation,
 * version conflict) is dropped and counted; a transport failure stops delivery and goes back to probing.
 */
final class HintedHandoff {

    private static final Logger log = LoggerFactory.getLogger(HintedHandoff.class);

    /** Accounting cost of a hint besides its payload (object headers, map entry, request). */
    static final int HINT_OVERHEAD_BYTES = 128;

    /** Hints in flight to one server during delivery: hides round trips without flooding a server just back. */
    static final int DELIVERY_IN_FLIGHT = 16;

    sealed interface Hint {
        Object key();

        long bytes();

        long volume();

        String op();

        LongFunction<DaxRequest> request();

        /** Whether this hint makes {@code older} (same key) redundant. */
        boolean supersedes(Hint older);
    }

    record WriteHint(long epoch, Block block) implements Hint {
        public Object key() {
            return block.address();
        }

        public long bytes() {
            return HINT_OVERHEAD_BYTES + block.payload().length;
        }

        public long volume() {
            return block.address().volume();
        }

        public String op() {
            return "hint.write";
        }

        public LongFunction<DaxRequest> request() {
            return id -> new DaxRequest.Write(id, epoch, block);
        }

        public boolean supersedes(Hint older) {
            return older instanceof WriteHint w && block.version().isAtLeast(w.block.version()) && epoch >= w.epoch;
        }
    }

    record FenceHint(long volume, long epoch) implements Hint {
        public Object key() {
            return List.of("fence", volume);
        }

        public long bytes() {
            return HINT_OVERHEAD_BYTES;
        }

        public String op() {
            return "hint.fence";
        }

        public LongFunction<DaxRequest> request() {
            return id -> new DaxRequest.Fence(id, volume, epoch);
        }

        public boolean supersedes(Hint older) {
            return older instanceof FenceHint f && epoch >= f.epoch;
        }
    }

    record DeleteHint(long epoch, long volume, Space space, long blockNo) implements Hint {
        public Object key() {
            return List.of("delete", volume, space);
        }

        public long bytes() {
            return HINT_OVERHEAD_BYTES;
        }

        public String op() {
            return "hint.delete";
        }

        public LongFunction<DaxRequest> request() {
            return id -> new DaxRequest.DeleteBelow(id, epoch, volume, space, blockNo);
        }

        public boolean supersedes(Hint older) {
            return older instanceof DeleteHint d && blockNo >= d.blockNo && epoch >= d.epoch;
        }
    }

    /** The hints of one server and its delivery state; guarded by the HintedHandoff monitor. */
    private static final class ServerHints {
        final ServerInfo server;
        final LinkedHashMap<Object, Hint> queue = new LinkedHashMap<>();
        long bytes;
        long probeBackoffNanos;
        boolean active; // a probe is scheduled or a delivery is running
        ScheduledFuture<?> probe;

        ServerHints(ServerInfo server, long probeBackoffNanos) {
            this.server = server;
            this.probeBackoffNanos = probeBackoffNanos;
        }
    }

    private final DaxClient client;
    private final DaxClientConfig config;
    private final ClientMetrics metrics;
    private final Map<String, ServerHints> servers = new HashMap<>();
    private final List<CompletableFuture<Void>> drainWaiters = new ArrayList<>();
    private long totalBytes;
    private boolean closed;

    HintedHandoff(DaxClient client, DaxClientConfig config, ClientMetrics metrics) {
        this.client = client;
        this.config = config;
        this.metrics = metrics;
        metrics.hintBytesGauge(this::pendingBytes);
    }

    synchronized long pendingBytes() {
        return totalBytes;
    }

    synchronized CompletableFuture<Void> drained() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (totalBytes == 0) {
            f.complete(null);
        } else {
            drainWaiters.add(f);
        }
        return f;
    }

    void add(ServerInfo server, Hint hint) {
        synchronized (this) {
            if (closed) {
                return;
            }
            ServerHints sh = servers.computeIfAbsent(server.id(),
                    id -> new ServerHints(server, config.hintProbeMin().toNanos()));
            Hint existing = sh.queue.get(hint.key());
            if (existing != null) {
                if (!hint.supersedes(existing)) {
                    return; // the queued hint already covers this one
                }
                remove(sh, hint.key());
            }
            sh.queue.put(hint.key(), hint);
            sh.bytes += hint.bytes();
            totalBytes += hint.bytes();
            metrics.hintsQueued.increment();
            while (totalBytes > config.hintedHandoffMaxBytes()) {
                dropOldestOfLargestQueue();
            }
            if (!sh.active && !sh.queue.isEmpty()) {
                sh.active = true;
                scheduleProbe(sh);
            }
        }
    }

    private void dropOldestOfLargestQueue() {
        ServerHints largest = null;
        for (ServerHints sh : servers.values()) {
            if (!sh.queue.isEmpty() && (largest == null || sh.bytes > largest.bytes)) {
                largest = sh;
            }
        }
        if (largest == null) {
            throw new IllegalStateException("hint bytes " + totalBytes + " counted but every queue is empty");
        }
        Object oldest = largest.queue.keySet().iterator().next();
        remove(largest, oldest);
        metrics.hintsDropped.increment();
    }

    /** Removes a hint by key and fixes the byte counts; caller holds the monitor. */
    private void remove(ServerHints sh, Object key) {
        Hint h = sh.queue.remove(key);
        if (h != null) {
            sh.bytes -= h.bytes();
            totalBytes -= h.bytes();
            if (totalBytes == 0) {
                drainWaiters.forEach(w -> w.complete(null));
                drainWaiters.clear();
            }
        }
    }

    private void scheduleProbe(ServerHints sh) {
        sh.probe = client.loopFor(sh.server).schedule(() -> probe(sh), sh.probeBackoffNanos, TimeUnit.NANOSECONDS);
    }

    private void probe(ServerHints sh) {
        client.call(sh.server, "hint.probe", DaxRequest.Ping::new, -1).whenComplete((response, error) -> {
            if (error == null && response instanceof DaxResponse.Pong) {
                deliverBatch(sh);
            } else {
                backOff(sh);
            }
        });
    }

    private void backOff(ServerHints sh) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (sh.queue.isEmpty()) {
                sh.active = false;
                return;
            }
            sh.probeBackoffNanos = Math.min(sh.probeBackoffNanos * 2, config.hintProbeMax().toNanos());
            scheduleProbe(sh);
        }
    }

    private void deliverBatch(ServerHints sh) {
        List<Hint> batch = new ArrayList<>(DELIVERY_IN_FLIGHT);
        synchronized (this) {
            if (closed) {
                return;
            }
            Iterator<Hint> it = sh.queue.values().iterator();
            while (it.hasNext() && batch.size() < DELIVERY_IN_FLIGHT) {
                batch.add(it.next());
            }
            if (batch.isEmpty()) {
                sh.active = false;
                sh.probeBackoffNanos = config.hintProbeMin().toNanos();
                return;
            }
        }
        int[] remaining = {batch.size()};
        boolean[] transportFailure = {false};
        for (Hint hint : batch) {
            client.call(sh.server, hint.op(), hint.request(), hint.volume()).whenComplete((response, error) -> {
                boolean last;
                synchronized (this) {
                    if (error != null) {
                        transportFailure[0] = true;
                    } else if (delivered(response)) {
                        removeIfSame(sh, hint);
                        metrics.hintsDelivered.increment();
                    } else if (response instanceof DaxResponse.Error e && refusedForGood(e.status())) {
                        log.info("{} refused hint {} for good: {}", sh.server.id(), hint, DaxClient.describe(e));
                        removeIfSame(sh, hint);
                        metrics.hintsDropped.increment();
                    } else {
                        transportFailure[0] = true;
                    }
                    last = --remaining[0] == 0;
                }
                if (last) {
                    if (transportFailure[0]) {
                        backOff(sh);
                    } else {
                        deliverBatch(sh);
                    }
                }
            });
        }
    }

    private void removeIfSame(ServerHints sh, Hint hint) {
        if (sh.queue.get(hint.key()) == hint) {
            remove(sh, hint.key());
        }
    }

    private static boolean delivered(DaxResponse response) {
        return response instanceof DaxResponse.WriteAck || response instanceof DaxResponse.Fenced
                || response instanceof DaxResponse.Deleted;
    }

    private static boolean refusedForGood(Status status) {
        return switch (status) {
            case STALE_EPOCH, BELOW_TRUNCATION, VERSION_CONFLICT, BAD_REQUEST, UNKNOWN_VOLUME, UNKNOWN_OPCODE,
                    UNSUPPORTED_VERSION, FRAME_TOO_LARGE -> true;
            default -> false;
        };
    }

    synchronized void close() {
        closed = true;
        for (ServerHints sh : servers.values()) {
            if (sh.probe != null) {
                sh.probe.cancel(false);
            }
        }
        servers.clear();
        totalBytes = 0;
        drainWaiters.forEach(w -> w.completeExceptionally(new ClientClosedException()));
        drainWaiters.clear();
    }
}
