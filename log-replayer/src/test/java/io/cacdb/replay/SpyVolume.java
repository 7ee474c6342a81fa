package io.cacdb.replay;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeWriter;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A full volume handle (it <em>could</em> write) that counts what goes through it, handed to a standby typed as a
 * {@code VolumeReader}: if the standby ever found a way to write — a cast, a repair — the counters would show it.
 */
final class SpyVolume implements VolumeWriter {

    private final VolumeWriter storage;
    final AtomicLong writes = new AtomicLong();
    final AtomicLong deletes = new AtomicLong();
    private final Map<Space, Map<ReadConsistency, AtomicLong>> reads = new EnumMap<>(Space.class);

    SpyVolume(VolumeWriter storage) {
        this.storage = storage;
        for (Space s : Space.values()) {
            Map<ReadConsistency, AtomicLong> m = new ConcurrentHashMap<>();
            for (ReadConsistency c : ReadConsistency.values()) {
                m.put(c, new AtomicLong());
            }
            reads.put(s, m);
        }
    }

    long reads(Space space, ReadConsistency consistency) {
        return reads.get(space).get(consistency).get();
    }

    @Override
    public long epoch() {
        return storage.epoch();
    }

    @Override
    public CompletableFuture<Void> write(Block block) {
        writes.incrementAndGet();
        return storage.write(block);
    }

    @Override
    public CompletableFuture<Void> deleteBelow(Space space, long blockNo) {
        deletes.incrementAndGet();
        return storage.deleteBelow(space, blockNo);
    }

    @Override
    public long volume() {
        return storage.volume();
    }

    @Override
    public CompletableFuture<Optional<Block>> read(BlockAddress address, ReadConsistency consistency,
                                                   Version atLeast) {
        reads.get(address.space()).get(consistency).incrementAndGet();
        return storage.read(address, consistency, atLeast);
    }

    @Override
    public void close() {
        // the storage belongs to the test
    }
}
