package io.cacdb.engine.volume;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.Space;
import java.util.concurrent.CompletableFuture;

/**
 * Read and write access to one volume, held only by the active. Every write carries {@link #epoch()}; once the volume
 * is fenced to a higher epoch every write fails with {@code StaleEpochException} and this writer must stop.
 */
public interface VolumeWriter extends VolumeReader {

    /** The epoch this writer writes at. */
    long epoch();

    /** Writes a block at write quorum; completes once durable there. */
    CompletableFuture<Void> write(Block block);

    /** Deletes every block of {@code space} below {@code blockNo} (log truncation); never goes back. */
    CompletableFuture<Void> deleteBelow(Space space, long blockNo);
}
