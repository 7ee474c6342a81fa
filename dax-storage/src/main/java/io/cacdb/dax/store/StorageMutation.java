package io.cacdb.dax.store;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.Space;
import java.util.Objects;

/**
 * One change in a batch handed to {@link BlockStorage#commit}. Mutations of a batch are applied in order and
 * atomically: after a crash either all of them are present or none.
 */
public sealed interface StorageMutation {

    /** Stores a block, replacing whatever was stored at its address. */
    record PutBlock(Block block) implements StorageMutation {
        public PutBlock {
            Objects.requireNonNull(block, "block");
        }
    }

    /** Stores a volume's control record (creation, fenced epoch, truncation points). */
    record PutVolume(VolumeRecord record) implements StorageMutation {
        public PutVolume {
            Objects.requireNonNull(record, "record");
        }
    }

    /** Removes every block of {@code (volume, space)} with a block number below {@code blockNo}. */
    record DeleteBelow(long volume, Space space, long blockNo) implements StorageMutation {
        public DeleteBelow {
            Objects.requireNonNull(space, "space");
        }
    }
}
