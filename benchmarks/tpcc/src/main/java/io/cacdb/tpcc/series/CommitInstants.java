package io.cacdb.tpcc.series;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The completion instant of every commit of a run, in nanoseconds since the run's start: what a failover report needs
 * at millisecond resolution (kill → first commit, the longest gap between two commits), which per-second buckets
 * cannot give. Append-only, thread-safe, bounded: {@link #MAX_ENTRIES} instants in chunks allocated as they fill;
 * past the bound instants are counted in {@link #dropped()} and the caller knows the record is incomplete.
 */
public final class CommitInstants {

    /** 8 Mi instants = 64 MiB at most: ~3 hours at 800 commits/s, far beyond an experiment's few minutes. */
    public static final int MAX_ENTRIES = 8 << 20;
    /** 64 Ki instants (512 KiB) per chunk, so a short run allocates little. */
    static final int CHUNK_ENTRIES = 1 << 16;

    private final long startNanos;
    private final int maxEntries;
    private final AtomicReferenceArray<long[]> chunks;
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong written = new AtomicLong();

    /**
     * @param startNanos {@link System#nanoTime()} of the run's second 0
     * @param maxEntries instants kept, 1..{@link #MAX_ENTRIES}
     */
    public CommitInstants(long startNanos, int maxEntries) {
        if (maxEntries < 1 || maxEntries > MAX_ENTRIES) {
            throw new IllegalArgumentException("commit instants must be 1.." + MAX_ENTRIES + ", was " + maxEntries);
        }
        this.startNanos = startNanos;
        this.maxEntries = maxEntries;
        this.chunks = new AtomicReferenceArray<>((maxEntries + CHUNK_ENTRIES - 1) / CHUNK_ENTRIES);
    }

    /** Records a commit that returned at {@code atNanos} ({@link System#nanoTime()}). */
    public void record(long atNanos) {
        long i = next.getAndIncrement();
        if (i >= maxEntries) {
            return; // counted by dropped()
        }
        int chunk = (int) (i / CHUNK_ENTRIES);
        long[] c = chunks.get(chunk);
        if (c == null) {
            chunks.compareAndSet(chunk, null, new long[CHUNK_ENTRIES]);
            c = chunks.get(chunk);
        }
        // +1 so that 0 means "slot reserved, not yet written" (a concurrent reader skips it)
        c[(int) (i % CHUNK_ENTRIES)] = atNanos - startNanos + 1;
        written.incrementAndGet();
    }

    /** Instants past the bound (not kept). */
    public long dropped() {
        return Math.max(0, next.get() - maxEntries);
    }

    /** Every kept instant so far, in nanoseconds since the start, sorted. */
    public long[] sortedNanosSinceStart() {
        long n = Math.min(next.get(), maxEntries);
        long[] out = new long[(int) n];
        int k = 0;
        for (long i = 0; i < n; i++) {
            long[] c = chunks.get((int) (i / CHUNK_ENTRIES));
            long v = c == null ? 0 : c[(int) (i % CHUNK_ENTRIES)];
            if (v != 0) {
                out[k++] = v - 1;
            }
        }
        long[] sorted = Arrays.copyOf(out, k);
        Arrays.sort(sorted);
        return sorted;
    }
}
