package io.cacdb.replay;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A reader whose LOG reads can be held: while the gate is closed, log block reads wait and are done against storage
 * only when it opens (so they see what storage holds then, e.g. blocks truncated meanwhile). A standby behind a
 * closed gate is a standby that stopped keeping up, deterministically. Pages and META pass through.
 */
final class GatedVolume implements VolumeReader {

    private record Held(BlockAddress address, ReadConsistency consistency, Version atLeast,
                        CompletableFuture<Optional<Block>> out) {
    }

    private final VolumeReader storage;
    private final List<Held> held = new ArrayList<>();
    private boolean closed;

    GatedVolume(VolumeReader storage) {
        this.storage = storage;
    }

    synchronized void closeGate() {
        closed = true;
    }

    void openGate() {
        List<Held> out;
        synchronized (this) {
            closed = false;
            out = new ArrayList<>(held);
            held.clear();
        }
        for (Held h : out) {
            storage.read(h.address(), h.consistency(), h.atLeast()).whenComplete((b, e) -> {
                if (e != null) {
                    h.out().completeExceptionally(e);
                } else {
                    h.out().complete(b);
                }
            });
        }
    }

    @Override
    public long volume() {
        return storage.volume();
    }

    @Override
    public CompletableFuture<Optional<Block>> read(BlockAddress address, ReadConsistency consistency,
                                                   Version atLeast) {
        if (address.space() == Space.LOG) {
            synchronized (this) {
                if (closed) {
                    Held h = new Held(address, consistency, atLeast, new CompletableFuture<>());
                    held.add(h);
                    return h.out();
                }
            }
        }
        return storage.read(address, consistency, atLeast);
    }

    @Override
    public void close() {
        // the storage belongs to the test
    }
}
