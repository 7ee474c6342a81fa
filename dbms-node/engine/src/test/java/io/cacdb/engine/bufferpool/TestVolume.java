package io.cacdb.engine.bufferpool;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.volume.VolumeWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link MemoryVolume} with a spy around it: records every read and write, checks the WAL rule against a log at
 * the moment a page write arrives, can hold reads back behind a gate, and can serve corrupt images.
 */
final class TestVolume implements VolumeWriter {

    record Read(long pageNo, ReadConsistency consistency, Version atLeast) {
    }

    record Write(long pageNo, Version version, long durableAtWrite) {
    }

    final MemoryVolume storage;
    final List<Read> reads = new CopyOnWriteArrayList<>();
    final List<Write> writes = new CopyOnWriteArrayList<>();
    final List<String> walViolations = new CopyOnWriteArrayList<>();
    private final Map<Long, AtomicInteger> corruptReadsLeft = new ConcurrentHashMap<>();
    private volatile DurableLog walCheck;
    private volatile CompletableFuture<Void> readGate = CompletableFuture.completedFuture(null);
    private volatile CompletableFuture<Void> writeGate = CompletableFuture.completedFuture(null);

    TestVolume(long volume) {
        this.storage = new MemoryVolume(volume);
    }

    /** Every page write from now on is checked against this log's durable LSN. */
    void checkWalRuleAgainst(DurableLog log) {
        this.walCheck = log;
    }

    /** Reads from now on wait until the returned future is completed. */
    CompletableFuture<Void> holdReads() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        readGate = gate;
        return gate;
    }

    /** Writes from now on are acknowledged only once the returned future is completed. */
    CompletableFuture<Void> holdWrites() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        writeGate = gate;
        return gate;
    }

    /** The next {@code n} reads of {@code pageNo} return an image with a flipped byte (block checksum still valid). */
    void corruptNextReads(long pageNo, int n) {
        corruptReadsLeft.put(pageNo, new AtomicInteger(n));
    }

    long readsOf(long pageNo) {
        return reads.stream().filter(r -> r.pageNo() == pageNo).count();
    }

    long writesOf(long pageNo) {
        return writes.stream().filter(w -> w.pageNo() == pageNo).count();
    }

    /** This volume seen only through its read interface, as a standby holds it. */
    VolumeReader readOnlyView() {
        TestVolume self = this;
        return new VolumeReader() {
            @Override
            public long volume() {
                return self.volume();
            }

            @Override
            public CompletableFuture<Optional<Block>> read(BlockAddress a, ReadConsistency c, Version atLeast) {
                return self.read(a, c, atLeast);
            }

            @Override
            public void close() {
                // The view owns nothing.
            }
        };
    }

    @Override
    public long volume() {
        return storage.volume();
    }

    @Override
    public long epoch() {
        return storage.epoch();
    }

    @Override
    public CompletableFuture<Optional<Block>> read(BlockAddress address, ReadConsistency consistency,
                                                   Version atLeast) {
        reads.add(new Read(address.blockNo(), consistency, atLeast));
        return readGate.thenCompose(ignored -> storage.read(address, consistency, atLeast)).thenApply(b -> {
            AtomicInteger left = corruptReadsLeft.get(address.blockNo());
            if (b.isEmpty() || left == null || left.getAndDecrement() <= 0) {
                return b;
            }
            byte[] bad = b.get().payload().clone();
            bad[PageFormat.HEADER_BYTES + 100] ^= 0x5A;
            return Optional.of(Block.of(address, b.get().version(), bad));
        });
    }

    @Override
    public CompletableFuture<Void> write(Block block) {
        DurableLog log = walCheck;
        long durable = log == null ? Long.MAX_VALUE : log.durableLsn();
        if (block.address().space() == Space.PAGE && block.version().minor() > durable) {
            walViolations.add("page " + block.address().blockNo() + " written at " + block.version()
                    + " while durable LSN was " + durable);
        }
        writes.add(new Write(block.address().blockNo(), block.version(), durable));
        return writeGate.thenCompose(ignored -> storage.write(block));
    }

    @Override
    public CompletableFuture<Void> deleteBelow(Space space, long blockNo) {
        return storage.deleteBelow(space, blockNo);
    }

    @Override
    public void close() {
        storage.close();
    }
}
