package io.cacdb.dax.server;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.store.BlockStorage;
import io.cacdb.dax.store.StorageException;
import io.cacdb.dax.store.StorageMutation;
import io.cacdb.dax.store.VolumeRecord;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of a DAX server: every mutation (CREATE_VOLUME, WRITE, FENCE, DELETE_BELOW) passes through here.
 *
 * <p>Design (group commit): requests wait in a bounded queue. The writer thread takes the first waiting request,
 * then drains more without waiting, up to {@code maxRequests} requests or {@code maxBytes} payload bytes. It decides
 * each request in arrival order against the durable state <em>overlaid with the effects of earlier requests of the
 * same batch</em> (a second write of a block in the batch compares with the first; a fence in the batch refuses later
 * writes of the old epoch), collects the mutations into one batch, writes it with a synced WAL, and only then
 * publishes the new volume state, updates the cache and answers every request of the batch. Nothing is acknowledged
 * before its batch is synced, so one fsync is shared by everything that arrived while the previous one ran: the
 * busier the server, the larger the batches.
 *
 * <p>Threads: {@link #submit} from any thread (event loops); everything else on the writer thread. The published
 * volume map is read by other threads and only written here, after a sync.
 */
final class GroupCommitWriter {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** How often an idle writer wakes to notice a stop request; short enough that close() is prompt. */
    private static final long IDLE_POLL_MILLIS = 50;

    /** A mutation waiting for the writer, with where to send its answer. */
    record Pending(DaxRequest request, long payloadBytes, long startNanos, Consumer<DaxResponse> reply) {
    }

    private final BlockStorage storage;
    private final ConcurrentMap<Long, VolumeRecord> volumes;
    private final BlockCache cache;
    private final ServerMetrics metrics;
    private final Consumer<VolumeRecord> onNewVolume;
    private final ArrayBlockingQueue<Pending> queue;
    private final int maxRequests;
    private final long maxBytes;
    private final Thread thread;
    private final AtomicLong syncedBatches = new AtomicLong();
    private volatile boolean stopWhenIdle;
    private volatile boolean crashed;
    /** Set if the writer thread died of a bug; from then on every mutation is refused with INTERNAL_ERROR. */
    private volatile Throwable failure;
    /** Set when the writer thread has left its loop for good. */
    private volatile boolean exited;
    /** The batch being decided or committed and not yet answered; writer thread only. */
    private List<Pending> unanswered = List.of();

    GroupCommitWriter(String serverId, BlockStorage storage, ConcurrentMap<Long, VolumeRecord> volumes,
            BlockCache cache, ServerMetrics metrics, Consumer<VolumeRecord> onNewVolume, int queueCapacity,
            int maxRequests, long maxBytes) {
        this.storage = storage;
        this.volumes = volumes;
        this.cache = cache;
        this.metrics = metrics;
        this.onNewVolume = onNewVolume;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.maxRequests = maxRequests;
        this.maxBytes = maxBytes;
        this.thread = Thread.ofPlatform().name("dax-writer-" + serverId).daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /**
     * Queues a mutation; false when the queue is full (the caller answers OVERLOADED). A mutation that slips in after
     * the writer exited is answered here rather than left waiting forever.
     */
    boolean submit(Pending pending) {
        if (!queue.offer(pending)) {
            return false;
        }
        if (exited) {
            failQueued(failure != null ? Status.INTERNAL_ERROR : Status.SHUTTING_DOWN, "the writer has stopped");
        }
        return true;
    }

    /** Why the writer thread died, or null while it runs (or ended normally). */
    Throwable failure() {
        return failure;
    }

    int queueDepth() {
        return queue.size();
    }

    /** Batches written with a synced WAL since start (a batch whose requests all changed nothing is not written). */
    long syncedBatches() {
        return syncedBatches.get();
    }

    /**
     * Graceful stop: the writer finishes everything queued, then exits. Returns false if it did not exit in time.
     * Requests submitted after the writer exited are answered SHUTTING_DOWN here.
     */
    boolean finish(long timeoutMillis) throws InterruptedException {
        stopWhenIdle = true;
        thread.join(timeoutMillis);
        failQueued(Status.SHUTTING_DOWN, "server is stopping");
        return !thread.isAlive();
    }

    /**
     * Abrupt stop: the batch in progress and everything queued are dropped without an answer to a live channel (the
     * caller has closed them). A batch already inside its synced write completes on disk, which is allowed: it was
     * just not acknowledged. Returns false if the writer did not exit in time.
     */
    boolean crash(long timeoutMillis) throws InterruptedException {
        crashed = true;
        thread.interrupt();
        thread.join(timeoutMillis);
        queue.clear();
        return !thread.isAlive();
    }

    private void failQueued(Status status, String why) {
        if (crashed) {
            queue.clear();
            return;
        }
        for (Pending p; (p = queue.poll()) != null; ) {
            p.reply().accept(DaxResponse.Error.of(p.request(), status, 0, why));
        }
    }

    private void run() {
        try {
            loop();
        } catch (RuntimeException | Error e) {
            // a bug in the decision code: an invariant failed. Refuse mutations from now on rather than decide them
            // with a writer in an unknown state; reads keep working, and the operator sees this once, loudly.
            failure = e;
            log.error("group-commit writer died; this server refuses every mutation until restarted", e);
            // the batch it died in has no answer yet; nothing of it is acknowledged, so refusing it is safe
            List<Pending> lost = unanswered;
            unanswered = List.of();
            answerAll(lost, Status.INTERNAL_ERROR, "the writer failed: " + e);
        } finally {
            exited = true;
            failQueued(failure != null ? Status.INTERNAL_ERROR : Status.SHUTTING_DOWN, "the writer has stopped");
        }
    }

    private void loop() {
        List<Pending> batch = new ArrayList<>(maxRequests);
        while (!crashed) {
            Pending first;
            try {
                first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                // only crash() interrupts; the loop condition sees the flag
                Thread.currentThread().interrupt();
                break;
            }
            if (first == null) {
                if (stopWhenIdle) {
                    break;
                }
                continue;
            }
            batch.clear();
            batch.add(first);
            long bytes = first.payloadBytes();
            for (Pending next; batch.size() < maxRequests && (next = queue.peek()) != null; ) {
                if (bytes + next.payloadBytes() > maxBytes) {
                    break;
                }
                // single consumer: the head we peeked is the one we poll
                batch.add(queue.poll());
                bytes += next.payloadBytes();
            }
            unanswered = batch;
            processBatch(batch, bytes);
            unanswered = List.of();
        }
    }

    private void processBatch(List<Pending> batch, long bytes) {
        Map<BlockAddress, Block> batchBlocks = new HashMap<>();
        Map<Long, VolumeRecord> batchVolumes = new HashMap<>();
        List<StorageMutation> mutations = new ArrayList<>();
        List<Block> stored = new ArrayList<>();
        DaxResponse[] answers = new DaxResponse[batch.size()];
        try {
            for (int i = 0; i < batch.size(); i++) {
                answers[i] = decide(batch.get(i).request(), batchBlocks, batchVolumes, mutations, stored);
            }
        } catch (StorageException e) {
            // a lookup of a stored block failed: nothing was written, so refuse the whole batch
            log.error("group commit: reading current state failed; {} requests refused", batch.size(), e);
            answerAll(batch, Status.INTERNAL_ERROR, "storage read failed: " + e.getMessage());
            return;
        }
        metrics.batchRequests.record(batch.size());
        metrics.batchBytes.record(bytes);
        if (!mutations.isEmpty()) {
            List<BlockAddress> addresses = stored.stream().map(Block::address).toList();
            cache.beginWrite(addresses);
            try {
                long t0 = System.nanoTime();
                storage.commit(mutations);
                metrics.batchSync.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                syncedBatches.incrementAndGet();
                metrics.syncedBatches.increment();
                publish(batchVolumes, stored, mutations);
            } catch (StorageException | IllegalStateException e) {
                log.error("group commit: synced write of {} mutations failed; {} requests refused", mutations.size(),
                        batch.size(), e);
                answerAll(batch, Status.INTERNAL_ERROR, "storage write failed: " + e.getMessage());
                return;
            } finally {
                cache.endWrite(addresses);
            }
        }
        unanswered = List.of();
        if (crashed) {
            return; // unacknowledged by design: the server is crashing
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).reply().accept(answers[i]);
        }
    }

    /** After the sync: make the batch's effects visible to readers and to the next batches. */
    private void publish(Map<Long, VolumeRecord> batchVolumes, List<Block> stored, List<StorageMutation> mutations) {
        for (VolumeRecord r : batchVolumes.values()) {
            if (volumes.put(r.volume(), r) == null) {
                onNewVolume.accept(r);
            }
        }
        for (StorageMutation m : mutations) {
            if (m instanceof StorageMutation.DeleteBelow d) {
                cache.removeBelow(d.volume(), d.space(), d.blockNo());
            }
        }
        for (Block b : stored) {
            VolumeRecord v = volumes.get(b.address().volume());
            if (b.address().blockNo() >= v.truncation(b.address().space())) {
                cache.offerNewer(b);
            }
        }
    }

    private DaxResponse decide(DaxRequest request, Map<BlockAddress, Block> batchBlocks,
            Map<Long, VolumeRecord> batchVolumes, List<StorageMutation> mutations, List<Block> stored) {
        return switch (request) {
            case DaxRequest.CreateVolume c -> {
                if (volumeOf(c.volume(), batchVolumes) == null) {
                    VolumeRecord created = VolumeRecord.created(c.volume());
                    batchVolumes.put(c.volume(), created);
                    mutations.add(new StorageMutation.PutVolume(created));
                }
                yield new DaxResponse.VolumeCreated(c.requestId());
            }
            case DaxRequest.Write w -> {
                BlockAddress address = w.block().address();
                WriteRules.Decision d = WriteRules.decide(volumeOf(address.volume(), batchVolumes), w.writerEpoch(),
                        w.block(), () -> currentBlock(address, batchBlocks));
                yield switch (d) {
                    case WriteRules.Store s -> {
                        batchBlocks.put(address, w.block());
                        mutations.add(new StorageMutation.PutBlock(w.block()));
                        stored.add(w.block());
                        yield new DaxResponse.WriteAck(w.requestId(), DaxResponse.WriteOutcome.APPLIED,
                                w.block().version());
                    }
                    case WriteRules.Keep k -> new DaxResponse.WriteAck(w.requestId(), k.outcome(), k.storedVersion());
                    case WriteRules.Refuse r -> DaxResponse.Error.of(w, r.status(), r.detail(), r.message());
                };
            }
            case DaxRequest.Fence f -> {
                VolumeRecord v = volumeOf(f.volume(), batchVolumes);
                if (v == null) {
                    yield unknownVolume(f, f.volume());
                }
                if (f.epoch() > v.fencedEpoch()) {
                    v = v.withFencedEpoch(f.epoch());
                    batchVolumes.put(v.volume(), v);
                    mutations.add(new StorageMutation.PutVolume(v));
                }
                yield new DaxResponse.Fenced(f.requestId(), v.fencedEpoch());
            }
            case DaxRequest.DeleteBelow d -> {
                VolumeRecord v = volumeOf(d.volume(), batchVolumes);
                if (v == null) {
                    yield unknownVolume(d, d.volume());
                }
                if (d.writerEpoch() < v.fencedEpoch()) {
                    yield DaxResponse.Error.of(d, Status.STALE_EPOCH, v.fencedEpoch(), "writer epoch "
                            + d.writerEpoch() + " is below the fenced epoch " + v.fencedEpoch() + " of volume "
                            + d.volume());
                }
                if (d.blockNo() > v.truncation(d.space())) {
                    v = v.withTruncation(d.space(), d.blockNo());
                    batchVolumes.put(v.volume(), v);
                    // the record first, then the range delete: both in one atomic batch, so the point and the
                    // deletion are never seen apart after a crash
                    mutations.add(new StorageMutation.PutVolume(v));
                    mutations.add(new StorageMutation.DeleteBelow(d.volume(), d.space(), d.blockNo()));
                    batchBlocks.keySet().removeIf(a -> a.volume() == d.volume() && a.space() == d.space()
                            && a.blockNo() < d.blockNo());
                }
                yield new DaxResponse.Deleted(d.requestId(), v.truncation(d.space()));
            }
            case DaxRequest.Ping p -> throw new IllegalArgumentException("not a mutation: " + p);
            case DaxRequest.Read r -> throw new IllegalArgumentException("not a mutation: " + r);
            case DaxRequest.Scan s -> throw new IllegalArgumentException("not a mutation: " + s);
        };
    }

    private static DaxResponse unknownVolume(DaxRequest request, long volume) {
        return DaxResponse.Error.of(request, Status.UNKNOWN_VOLUME, 0, "volume " + volume + " is not known here");
    }

    private VolumeRecord volumeOf(long volume, Map<Long, VolumeRecord> batchVolumes) {
        VolumeRecord inBatch = batchVolumes.get(volume);
        return inBatch != null ? inBatch : volumes.get(volume);
    }

    /** The block as the batch so far leaves it: an earlier write of this batch, else the cache, else the store. */
    private Block currentBlock(BlockAddress address, Map<BlockAddress, Block> batchBlocks) {
        Block inBatch = batchBlocks.get(address);
        if (inBatch != null) {
            return inBatch;
        }
        Block cached = cache.get(address);
        return cached != null ? cached : storage.read(address);
    }

    private void answerAll(List<Pending> batch, Status status, String message) {
        unanswered = List.of();
        if (crashed) {
            return;
        }
        for (Pending p : batch) {
            p.reply().accept(DaxResponse.Error.of(p.request(), status, 0, message));
        }
    }
}
