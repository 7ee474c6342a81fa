package io.cacdb.dax.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.store.BlockStorage;
import io.cacdb.dax.store.StorageMutation;
import io.cacdb.dax.store.VolumeRecord;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A group-commit writer that dies of a bug (an unexpected exception while deciding or committing a batch) must not
 * leave any request waiting: the batch it was working on is answered INTERNAL_ERROR, like everything after it.
 */
class GroupCommitWriterDeathTest {

    /** Bound on waiting for an answer: the writer answers at once; only a missing answer takes this long. */
    private static final long ANSWER_WAIT_SECONDS = 10;

    /** A store whose commit fails with an unexpected error, standing for a bug on the commit path. */
    private static final class BrokenStore implements BlockStorage {
        @Override
        public Block read(BlockAddress address) {
            return null;
        }

        @Override
        public List<Block> scan(long volume, Space space, long fromBlockNo, long toBlockNo, int limit,
                Predicate<Block> keep) {
            return List.of();
        }

        @Override
        public List<VolumeRecord> volumes() {
            return List.of();
        }

        @Override
        public void commit(List<StorageMutation> mutations) {
            throw new AssertionError("an invariant failed on the commit path (test)");
        }

        @Override
        public void close() {
        }
    }

    @Test
    void theBatchInProgressWhenTheWriterDiesIsAnswered() throws Exception {
        GroupCommitWriter writer = new GroupCommitWriter("t", new BrokenStore(), new ConcurrentHashMap<>(),
                new BlockCache(1 << 20), new ServerMetrics(new SimpleMeterRegistry()), r -> { }, 16, 8, 1 << 20);
        writer.start();
        try {
            CompletableFuture<DaxResponse> inBatch = new CompletableFuture<>();
            assertTrue(writer.submit(new GroupCommitWriter.Pending(new DaxRequest.CreateVolume(1, 7), 0,
                    System.nanoTime(), inBatch::complete)));
            DaxResponse.Error e = assertInstanceOf(DaxResponse.Error.class,
                    inBatch.get(ANSWER_WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(Status.INTERNAL_ERROR, e.status());
            assertEquals(1, e.requestId());
            assertNotNull(writer.failure(), "the writer reports why it died");

            CompletableFuture<DaxResponse> after = new CompletableFuture<>();
            writer.submit(new GroupCommitWriter.Pending(new DaxRequest.CreateVolume(2, 8), 0, System.nanoTime(),
                    after::complete));
            assertEquals(Status.INTERNAL_ERROR, assertInstanceOf(DaxResponse.Error.class,
                    after.get(ANSWER_WAIT_SECONDS, TimeUnit.SECONDS)).status());
        } finally {
            writer.finish(ANSWER_WAIT_SECONDS * 1000);
        }
    }
}
