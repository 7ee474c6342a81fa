package io.cacdb.engine.wal;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.MemoryVolume;

/** What a {@link MemoryVolume} holds of the log, read independently of the WAL code under test. */
final class StoredLog {

    private final MemoryVolume storage;
    private long verifiedFullBelowBlock;

    StoredLog(MemoryVolume storage, long fromLsn) {
        this.storage = storage;
        this.verifiedFullBelowBlock = LogBlock.blockOf(fromLsn);
    }

    /**
     * End of the longest prefix of stream bytes present in storage (blocks below the starting block are assumed
     * present). Full blocks stay full, so the scan resumes where it last stopped.
     */
    synchronized long prefixEnd() {
        while (true) {
            Block b = storage.read(BlockAddress.log(storage.volume(), verifiedFullBelowBlock), ReadConsistency.QUORUM,
                    Version.ZERO).join().orElse(null);
            if (b == null) {
                return LogBlock.startLsn(verifiedFullBelowBlock);
            }
            int used = b.payload().length - LogBlock.LOG_BLOCK_HEADER_BYTES;
            if (used < LogBlock.LOG_BLOCK_PAYLOAD_BYTES) {
                return LogBlock.startLsn(verifiedFullBelowBlock) + used;
            }
            verifiedFullBelowBlock++;
        }
    }
}
