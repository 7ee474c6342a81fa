package io.cacdb.replay.pagelsn;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The standby pool's view of storage: page reads are raised to {@code AT_LEAST} the {@link PageLsnList}'s floor when
 * it has a usable one (a quorum read becomes optimistic; an optimistic read asks for the higher of the two
 * versions); everything else passes through unchanged. Still only a {@link VolumeReader}: it adds no way to write.
 * The pool validates every image it gets against the version it asked for, so raising the floor only ever makes a
 * read stricter. Thread-safe.
 */
public final class PageLsnListReader implements VolumeReader {

    private final VolumeReader storage;
    private final PageLsnList list;
    private final AtomicLong optimisticReads = new AtomicLong();
    private final AtomicLong raisedReads = new AtomicLong();
    private final AtomicLong quorumReads = new AtomicLong();

    public PageLsnListReader(VolumeReader storage, PageLsnList list) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.list = Objects.requireNonNull(list, "list");
    }

    @Override
    public long volume() {
        return storage.volume();
    }

    @Override
    public CompletableFuture<Optional<Block>> read(BlockAddress address, ReadConsistency consistency,
                                                   Version atLeast) {
        if (address.space() != Space.PAGE || consistency == ReadConsistency.ANY) {
            return storage.read(address, consistency, atLeast);
        }
        OptionalLong floor = list.readFloor(address.blockNo());
        if (floor.isEmpty()) {
            if (consistency == ReadConsistency.QUORUM) {
                quorumReads.incrementAndGet();
            }
            return storage.read(address, consistency, atLeast);
        }
        Version known = Version.ofPage(floor.getAsLong());
        if (consistency == ReadConsistency.QUORUM) {
            optimisticReads.incrementAndGet();
            return storage.read(address, ReadConsistency.AT_LEAST, known);
        }
        if (known.isNewerThan(atLeast)) {
            raisedReads.incrementAndGet();
            return storage.read(address, ReadConsistency.AT_LEAST, known);
        }
        return storage.read(address, consistency, atLeast);
    }

    /** Quorum reads the list turned into {@code AT_LEAST} reads. */
    public long optimisticReads() {
        return optimisticReads.get();
    }

    /** {@code AT_LEAST} reads whose version the list raised. */
    public long raisedReads() {
        return raisedReads.get();
    }

    /** Page reads left at quorum (no usable entry). */
    public long quorumReads() {
        return quorumReads.get();
    }

    @Override
    public void close() {
        // The storage handle belongs to the caller.
    }
}
