package io.cacdb.engine.wal;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link VolumeWriter} over a {@link MemoryVolume} whose write acknowledgements a test controls. In {@link
 * Mode#HOLD} every log write waits in {@link #pending()} until the test releases it (then it reaches storage and is
 * acknowledged), fails it (reaching storage or not — an acknowledgement lost on the way is a real case) or drops it
 * (a crash: it never reaches storage). In {@link Mode#ASYNC} writes reach storage and are acknowledged on another
 * thread, as a real DAX client would. Records every acknowledged log write for an independent durability check.
 */
final class ScheduledVolume implements VolumeWriter {

    enum Mode { ASYNC, HOLD }

    /** A log write the test has not decided on yet. */
    record Pending(Block block, CompletableFuture<Void> ack) {
        long blockNo() {
            return block.address().blockNo();
        }
    }

    /** A simulated failure, like a stale epoch after fencing. */
    static final class InjectedWriteFailure extends RuntimeException {
        InjectedWriteFailure(String what) {
            super(what);
        }
    }

    private final MemoryVolume storage;
    private final Mode mode;
    private final Executor async;
    private final LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    private final Map<Long, Integer> ackedUsed = new HashMap<>();
    private final AtomicInteger logWrites = new AtomicInteger();

    ScheduledVolume(MemoryVolume storage, Mode mode, Executor async) {
        this.storage = storage;
        this.mode = mode;
        this.async = async;
    }

    @Override
    public long volume() {
        return storage.volume();
    }

    @Override
    public long epoch() {
        return storage.epoch();
    }

    @Override
    public CompletableFuture<Optional<Block>> read(BlockAddress address, ReadConsistency consistency,
                                                   Version atLeast) {
        return storage.read(address, consistency, atLeast);
    }

    @Override
    public CompletableFuture<Void> write(Block block) {
        if (block.address().space() != Space.LOG) {
            return storage.write(block);
        }
        logWrites.incrementAndGet();
        CompletableFuture<Void> ack = new CompletableFuture<>();
        if (mode == Mode.ASYNC) {
            async.execute(() -> store(new Pending(block, ack)));
        } else {
            pending.add(new Pending(block, ack));
        }
        return ack;
    }

    @Override
    public CompletableFuture<Void> deleteBelow(Space space, long blockNo) {
        return storage.deleteBelow(space, blockNo);
    }

    @Override
    public void close() {
        storage.close();
    }

    /** Log block writes issued so far. */
    int logWrites() {
        return logWrites.get();
    }

    /** Moves every write waiting for a decision into {@code into}, waiting up to {@code timeoutMillis} for one. */
    void drainPending(List<Pending> into, long timeoutMillis) throws InterruptedException {
        Pending first = pending.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (first != null) {
            into.add(first);
            pending.drainTo(into);
        }
    }

    /** Writes waiting right now. */
    List<Pending> pending() {
        List<Pending> out = new ArrayList<>();
        pending.drainTo(out);
        return out;
    }

    /** The write reaches storage and is acknowledged. */
    void release(Pending p) {
        store(p);
    }

    /** The write fails; with {@code reachedStorage} its bytes are stored anyway (the acknowledgement was lost). */
    void fail(Pending p, boolean reachedStorage) {
        if (reachedStorage) {
            storage.write(p.block()).join();
        }
        p.ack().completeExceptionally(new InjectedWriteFailure("injected failure of " + p.block()));
    }

    /** Releases, fails or keeps each pending write under a seeded schedule; returns the ones kept. */
    List<Pending> shuffleAndRelease(List<Pending> ps, Random rnd, double releaseProbability) {
        List<Pending> kept = new ArrayList<>();
        java.util.Collections.shuffle(ps, rnd);
        for (Pending p : ps) {
            if (rnd.nextDouble() < releaseProbability) {
                release(p);
            } else {
                kept.add(p);
            }
        }
        return kept;
    }

    private void store(Pending p) {
        storage.write(p.block()).join();
        synchronized (ackedUsed) {
            ackedUsed.merge(p.blockNo(), p.block().payload().length - LogBlock.LOG_BLOCK_HEADER_BYTES, Math::max);
        }
        p.ack().complete(null);
    }

    /**
     * End of the longest prefix of the stream covered by acknowledged writes, starting at {@code fromLsn}: what the
     * writer's durable LSN may at most be.
     */
    long acknowledgedPrefix(long fromLsn) {
        synchronized (ackedUsed) {
            long end = fromLsn;
            for (long b = LogBlock.blockOf(fromLsn); ; b++) {
                Integer used = ackedUsed.get(b);
                if (used == null) {
                    return end;
                }
                end = Math.max(end, LogBlock.startLsn(b) + used);
                if (used < LogBlock.LOG_BLOCK_PAYLOAD_BYTES) {
                    return end;
                }
            }
        }
    }
}
