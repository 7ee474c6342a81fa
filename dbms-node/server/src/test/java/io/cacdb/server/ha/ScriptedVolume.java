package io.cacdb.server.ha;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.client.StaleEpochException;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A memory volume whose writes a test can hold (complete them later, or fail them), fence (a higher epoch refuses
 * this writer with {@link StaleEpochException}, as DAX does) or cut off (every call fails, as unreachable storage).
 */
final class ScriptedVolume implements VolumeWriter {

    private final MemoryVolume storage;
    private final long[] fencedEpoch;
    private boolean holding;
    private boolean cutOff;
    private final List<Held> held = new ArrayList<>();

    record Held(Block block, CompletableFuture<Void> result) {
    }

    ScriptedVolume(MemoryVolume storage) {
        this(storage, new long[] {storage.epoch()});
    }

    private ScriptedVolume(MemoryVolume storage, long[] fencedEpoch) {
        this.storage = storage;
        this.fencedEpoch = fencedEpoch;
    }

    /** Another writer on the same blocks and fence at {@code epoch} (fences to it). */
    ScriptedVolume fencedTo(long epoch) {
        synchronized (fencedEpoch) {
            fencedEpoch[0] = Math.max(fencedEpoch[0], epoch);
        }
        return new ScriptedVolume(storage.withEpoch(epoch), fencedEpoch);
    }

    synchronized void hold(boolean on) {
        holding = on;
    }

    synchronized void cutOff(boolean on) {
        cutOff = on;
    }

    /** Completes (stores) every held write. */
    void releaseHeld() {
        List<Held> now;
        synchronized (this) {
            now = new ArrayList<>(held);
            held.clear();
        }
        for (Held h : now) {
            storage.write(h.block()).whenComplete((v, e) -> {
                if (e == null) {
                    h.result().complete(null);
                } else {
                    h.result().completeExceptionally(e);
                }
            });
        }
    }

    synchronized int heldCount() {
        return held.size();
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
    public synchronized CompletableFuture<Optional<Block>> read(BlockAddress address, ReadConsistency consistency,
                                                                Version atLeast) {
        if (cutOff) {
            return CompletableFuture.failedFuture(new IllegalStateException("storage unreachable (test)"));
        }
        return storage.read(address, consistency, atLeast);
    }

    @Override
    public synchronized CompletableFuture<Void> write(Block block) {
        if (cutOff) {
            return CompletableFuture.failedFuture(new IllegalStateException("storage unreachable (test)"));
        }
        long fenced;
        synchronized (fencedEpoch) {
            fenced = fencedEpoch[0];
        }
        if (fenced > storage.epoch()) {
            return CompletableFuture.failedFuture(new StaleEpochException(storage.volume(), storage.epoch(), fenced,
                    "test"));
        }
        if (holding) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            held.add(new Held(block, f));
            return f;
        }
        return storage.write(block);
    }

    @Override
    public CompletableFuture<Void> deleteBelow(Space space, long blockNo) {
        return storage.deleteBelow(space, blockNo);
    }

    @Override
    public void close() {
        storage.close();
    }
}
