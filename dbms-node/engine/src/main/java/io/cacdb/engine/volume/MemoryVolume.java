package io.cacdb.engine.volume;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * An in-memory volume with DAX's logic — versioned conditional writes, checksums checked on write and read,
 * truncation points that never go back — for fast engine tests and simulation. It stands for storage that survives
 * a crash of the engine: a test "crashes" the engine by dropping the engine's objects and reopening on the same
 * {@code MemoryVolume}; what was acknowledged here is what survives. Thread-safe.
 */
public final class MemoryVolume implements VolumeWriter {

    private final long volume;
    private final long epoch;
    private final ConcurrentHashMap<BlockAddress, Block> blocks;
    private final Map<Space, Long> truncatedBelow;

    public MemoryVolume(long volume) {
        this(volume, 1, new ConcurrentHashMap<>(), new EnumMap<>(Space.class));
    }

    private MemoryVolume(long volume, long epoch, ConcurrentHashMap<BlockAddress, Block> blocks,
                         Map<Space, Long> truncatedBelow) {
        this.volume = volume;
        this.epoch = epoch;
        this.blocks = blocks;
        this.truncatedBelow = truncatedBelow;
    }

    /** A writer on the same stored blocks at a higher epoch, as a new active after takeover. */
    public MemoryVolume withEpoch(long newEpoch) {
        if (newEpoch < epoch) {
            throw new IllegalArgumentException("epoch must not go back: " + epoch + " -> " + newEpoch);
        }
        return new MemoryVolume(volume, newEpoch, blocks, truncatedBelow);
    }

    @Override
    public long volume() {
        return volume;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public CompletableFuture<Optional<Block>> read(BlockAddress address, ReadConsistency consistency, Version atLeast) {
        checkVolume(address);
        Block b = blocks.get(address);
        if (b != null && !b.checksumValid()) {
            return CompletableFuture.failedFuture(new IllegalStateException("corrupt block " + address));
        }
        return CompletableFuture.completedFuture(Optional.ofNullable(b));
    }

    @Override
    public CompletableFuture<Void> write(Block block) {
        checkVolume(block.address());
        if (!block.checksumValid()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("checksum mismatch for " + block));
        }
        synchronized (truncatedBelow) {
            if (block.address().blockNo() < truncatedBelow.getOrDefault(block.address().space(), 0L)) {
                return CompletableFuture.failedFuture(new IllegalStateException("write below truncation: " + block));
            }
        }
        blocks.merge(block.address(), block, (old, neu) -> neu.version().isNewerThan(old.version()) ? neu : old);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> deleteBelow(Space space, long blockNo) {
        synchronized (truncatedBelow) {
            truncatedBelow.merge(space, blockNo, Math::max);
        }
        blocks.keySet().removeIf(a -> a.space() == space && a.blockNo() < blockNo);
        return CompletableFuture.completedFuture(null);
    }

    /** Blocks of one space in block order, for tests that inspect what storage holds. */
    public ConcurrentSkipListMap<Long, Block> snapshot(Space space) {
        ConcurrentSkipListMap<Long, Block> out = new ConcurrentSkipListMap<>();
        blocks.forEach((a, b) -> {
            if (a.space() == space) {
                out.put(a.blockNo(), b);
            }
        });
        return out;
    }

    private void checkVolume(BlockAddress address) {
        if (address.volume() != volume) {
            throw new IllegalArgumentException("block " + address + " is not in volume " + volume);
        }
    }

    @Override
    public void close() {
        // Nothing to release: the blocks outlive this handle, like DAX outlives a node.
    }
}
