package io.cacdb.engine.volume;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Read access to one volume's blocks (pages, log, META). This is all a standby holds: it has no write path, so a
 * standby cannot write to storage by construction. Thread-safe; futures may complete on storage threads, so callers
 * must not block inside their callbacks.
 */
public interface VolumeReader extends AutoCloseable {

    long volume();

    /**
     * Reads one block. {@code atLeast} is used by {@link ReadConsistency#AT_LEAST} (ignored otherwise). Empty = the
     * block does not exist at that consistency. Fails with {@code CorruptBlockException} if only bad copies exist.
     */
    CompletableFuture<Optional<Block>> read(BlockAddress address, ReadConsistency consistency, Version atLeast);

    @Override
    void close();
}
