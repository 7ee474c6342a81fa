package io.cacdb.dax.store;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import java.util.List;
import java.util.function.Predicate;

/**
 * The durable store of one DAX server: versioned blocks by address, and one control record per volume.
 *
 * <p>Promises: {@link #commit} returns only once its whole batch is durable (synced to disk) and atomic; reads see
 * every committed batch. Reads may run on many threads at once; commits come from one writer at a time. A stored
 * block is returned as stored, checksum included, and may fail {@link Block#checksumValid()} if the bytes were
 * damaged at rest: deciding what that means is the caller's job. Every method may throw {@link StorageException}.
 */
public interface BlockStorage extends AutoCloseable {

    /** The stored copy of a block, or null when none is stored. */
    Block read(BlockAddress address);

    /**
     * Stored blocks of {@code (volume, space)} with {@code fromBlockNo <= blockNo < toBlockNo}, in block order, at most
     * {@code limit} of them; blocks that {@code keep} refuses are skipped and do not count against the limit.
     */
    List<Block> scan(long volume, Space space, long fromBlockNo, long toBlockNo, int limit, Predicate<Block> keep);

    /** Every volume's control record, as last committed. */
    List<VolumeRecord> volumes();

    /** Applies the mutations in order, atomically, and returns once they are synced to disk. */
    void commit(List<StorageMutation> mutations);

    @Override
    void close();
}
