package io.cacdb.engine.volume;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.client.DaxClient;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A volume on a DAX cluster. {@link #reader} gives the read-only handle a standby holds — it has no write method at
 * all, so a standby cannot write even by mistake — and {@link #writer} the active's handle, which writes at a fixed
 * epoch the caller has fenced the volume to. The {@link DaxClient} is shared and owned by the caller.
 */
public final class DaxVolume {

    private DaxVolume() {
    }

    public static VolumeReader reader(DaxClient client, long volume) {
        return new Reader(client, volume);
    }

    /**
     * A writer at {@code epoch}. The caller must have fenced the volume to {@code epoch} first
     * ({@link DaxClient#fence}); every write of a writer whose epoch has since been fenced over fails with
     * {@code StaleEpochException}.
     */
    public static VolumeWriter writer(DaxClient client, long volume, long epoch) {
        if (epoch < 1) {
            throw new IllegalArgumentException("a writer's epoch must be >= 1, was " + epoch);
        }
        client.openVolume(volume);
        return new Writer(client, volume, epoch);
    }

    private static class Reader implements VolumeReader {
        final DaxClient client;
        final long volume;

        Reader(DaxClient client, long volume) {
            this.client = Objects.requireNonNull(client, "client");
            this.volume = volume;
        }

        @Override
        public long volume() {
            return volume;
        }

        @Override
        public CompletableFuture<Optional<Block>> read(BlockAddress address, ReadConsistency consistency,
                Version atLeast) {
            if (address.volume() != volume) {
                throw new IllegalArgumentException("block " + address + " is not in volume " + volume);
            }
            return switch (consistency) {
                case QUORUM -> client.readQuorum(address);
                case AT_LEAST -> client.readAtLeast(address, atLeast);
                case ANY -> client.readAny(address);
            };
        }

        @Override
        public void close() {
            // the client is shared and closed by its owner
        }
    }

    private static final class Writer extends Reader implements VolumeWriter {
        final long epoch;

        Writer(DaxClient client, long volume, long epoch) {
            super(client, volume);
            this.epoch = epoch;
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public CompletableFuture<Void> write(Block block) {
            if (block.address().volume() != volume) {
                throw new IllegalArgumentException("block " + block.address() + " is not in volume " + volume);
            }
            return client.write(epoch, block);
        }

        @Override
        public CompletableFuture<Void> deleteBelow(Space space, long blockNo) {
            return client.deleteBelow(epoch, volume, space, blockNo);
        }
    }
}
