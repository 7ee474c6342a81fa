package io.cacdb.replay;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Storage with a slow page tier: every page read completes {@code delayMicros} later (a remote DAX read), on a timer
 * thread; log and META reads are immediate. Counts the page reads in flight and their peak, which is what the
 * adaptive prefetcher should raise.
 */
final class DelayingVolume implements VolumeReader {

    private final VolumeReader storage;
    private final long delayMicros;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "delaying-volume");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    DelayingVolume(VolumeReader storage, long delayMicros) {
        this.storage = storage;
        this.delayMicros = delayMicros;
    }

    int peakPageReadsInFlight() {
        return peak.get();
    }

    @Override
    public long volume() {
        return storage.volume();
    }

    @Override
    public CompletableFuture<Optional<Block>> read(BlockAddress address, ReadConsistency consistency,
                                                   Version atLeast) {
        if (address.space() != Space.PAGE) {
            return storage.read(address, consistency, atLeast);
        }
        int now = inFlight.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
        CompletableFuture<Optional<Block>> out = new CompletableFuture<>();
        timer.schedule(() -> {
            inFlight.decrementAndGet();
            storage.read(address, consistency, atLeast).whenComplete((b, e) -> {
                if (e != null) {
                    out.completeExceptionally(e);
                } else {
                    out.complete(b);
                }
            });
        }, delayMicros, TimeUnit.MICROSECONDS);
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
