package io.cacdb.replay.pagelsn;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * CAC-DB's "pageLSN list" on the standby: per page, the highest end LSN of a logged change to it that the standby has
 * seen (parsed from the log), bounded and least-recently-used (a Caffeine cache). It lets a standby re-read a page
 * with {@code readAtLeast} — the nearest replica, usually in its own zone — instead of a cross-zone quorum read.
 *
 * <h2>When an entry may be used</h2>
 * Only when the entry is at or below the latest flush watermark: then storage is known to hold a version at least that
 * new (every change ending at or below the watermark is in DAX at W), and — because the entry is the <em>highest</em>
 * change to the page the standby has seen — such a version contains every change to the page the standby has passed.
 * An entry above the watermark is not used: an older "known flushed" LSN would not be enough (the standby may have
 * passed a newer change to the page that a replica at that older version lacks), so the read stays what the pool
 * asked for — {@code AT_LEAST} the version the pool itself last read or evicted, or a quorum read. Versions the standby
 * applied and then evicted (safe) are remembered by the pool's own version list.
 *
 * <p>An entry dropped by the size bound is only a lost optimisation (a quorum read). Thread-safe.
 */
public final class PageLsnList {

    private final Cache<Long, Long> seen;
    private final LongSupplier watermark;

    /**
     * @param maxEntries the bound (pages remembered)
     * @param watermark  the latest flush watermark known to the standby
     */
    public PageLsnList(int maxEntries, LongSupplier watermark) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1, was " + maxEntries);
        }
        // A synchronous executor: no maintenance threads behind the replayer's back.
        this.seen = Caffeine.newBuilder().maximumSize(maxEntries).executor(Runnable::run).build();
        this.watermark = watermark;
    }

    /** The log changes {@code pageNo} in an MTR ending at {@code endLsn}. */
    public void seen(long pageNo, long endLsn) {
        seen.asMap().merge(pageNo, endLsn, Math::max);
    }

    /** The version a read of the page may ask for at least, if the list allows an optimistic read now. */
    public OptionalLong readFloor(long pageNo) {
        Long lsn = seen.getIfPresent(pageNo);
        if (lsn == null || lsn > watermark.getAsLong()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(lsn);
    }

    /** The raw entry (tests). */
    public OptionalLong highestSeen(long pageNo) {
        Long lsn = seen.getIfPresent(pageNo);
        return lsn == null ? OptionalLong.empty() : OptionalLong.of(lsn);
    }

    /** Forgets everything: after a jump over log the standby never read, "highest seen" is no longer highest. */
    public void clear() {
        seen.invalidateAll();
    }

    public long size() {
        return seen.estimatedSize();
    }
}
