package io.cacdb.dax.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Recently read and written blocks, bounded in bytes, in front of the store. Holds only blocks that passed their
 * checksum.
 *
 * <p>Promise: the cache never serves a version older than the newest committed one. Two rules keep it:
 * <ul>
 *   <li>an entry is only ever replaced by a higher version ({@link #offerNewer}), so the writer's update and a
 *       reader's insert can come in any order;</li>
 *   <li>a reader that loaded a block from the store may insert it only if no commit touched that address while it
 *       was loading, else an entry written by the writer and evicted at once could be replaced by the older copy the
 *       reader loaded. Each address maps to one of {@link #STRIPES} sequence counters (a seqlock per stripe): the
 *       writer makes the counters of a batch's addresses odd before its commit and even after updating the cache; a
 *       reader takes a stamp before loading and inserts only if the counter still equals that even stamp, checked
 *       inside the map's atomic {@code compute} for that key.</li>
 * </ul>
 * Blocks below a truncation point may linger after DELETE_BELOW; callers check the truncation point first.
 */
final class BlockCache {

    /** Seqlock stripes: enough that a batch of a few hundred writes rarely blocks caching of an unrelated read. */
    static final int STRIPES = 1024;
    /**
     * Per-entry overhead charged on top of the payload: key, version, node and map entry cost about this much, so a
     * cache of tiny META blocks is still bounded by real memory.
     */
    static final int ENTRY_OVERHEAD_BYTES = 128;

    private final Cache<BlockAddress, Block> cache;
    private final AtomicLongArray stripes = new AtomicLongArray(STRIPES);

    BlockCache(long maxBytes) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((BlockAddress a, Block b) -> b.payload().length + ENTRY_OVERHEAD_BYTES)
                // maintenance on the calling thread: no hidden use of the common pool, bounded work per call
                .executor(Runnable::run)
                .build();
    }

    Block get(BlockAddress address) {
        return cache.getIfPresent(address);
    }

    /** A stamp for a load from the store that may later be inserted with {@link #offerLoaded}. */
    long stamp(BlockAddress address) {
        return stripes.get(stripe(address));
    }

    /** Inserts a block a reader loaded, unless a commit touched its stripe since {@code stamp} (see class comment). */
    void offerLoaded(Block block, long stamp) {
        if ((stamp & 1) != 0 || !block.checksumValid()) {
            return;
        }
        int stripe = stripe(block.address());
        cache.asMap().compute(block.address(), (a, old) -> {
            if (stripes.get(stripe) != stamp) {
                return old;
            }
            return old == null || block.version().isNewerThan(old.version()) ? block : old;
        });
    }

    /** Writer: before committing a batch that stores at these addresses. */
    void beginWrite(Collection<BlockAddress> addresses) {
        bumpStripes(addresses);
    }

    /** Writer: after the batch is committed and its blocks offered with {@link #offerNewer}. */
    void endWrite(Collection<BlockAddress> addresses) {
        bumpStripes(addresses);
    }

    /** Writer: a committed block; replaces the entry only if it is newer. */
    void offerNewer(Block block) {
        cache.asMap().compute(block.address(),
                (a, old) -> old == null || block.version().isNewerThan(old.version()) ? block : old);
    }

    /** Writer: drops entries below a new truncation point (not needed for correctness, frees the memory). */
    void removeBelow(long volume, Space space, long blockNo) {
        cache.asMap().keySet().removeIf(a -> a.volume() == volume && a.space() == space && a.blockNo() < blockNo);
    }

    long weightBytes() {
        return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    private void bumpStripes(Collection<BlockAddress> addresses) {
        // each stripe once per call, so odd/even stays paired even when two addresses share a stripe
        java.util.BitSet seen = new java.util.BitSet(STRIPES);
        for (BlockAddress a : addresses) {
            int s = stripe(a);
            if (!seen.get(s)) {
                seen.set(s);
                stripes.incrementAndGet(s);
            }
        }
    }

    private static int stripe(BlockAddress a) {
        return Math.floorMod(a.hashCode() * 0x9E3779B9, STRIPES);
    }
}
