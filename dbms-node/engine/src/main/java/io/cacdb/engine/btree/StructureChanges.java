package io.cacdb.engine.btree;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of the structure changes one {@link BTree} instance has made, for metrics and tests. Thread-safe; the
 * counts are cumulative since the instance was created and are not persisted.
 */
public final class StructureChanges {

    final LongAdder splits = new LongAdder();
    final LongAdder rootSplits = new LongAdder();
    final LongAdder merges = new LongAdder();
    final LongAdder redistributions = new LongAdder();
    final LongAdder redistributionsSkipped = new LongAdder();
    final LongAdder rootCollapses = new LongAdder();
    final LongAdder pessimisticRestarts = new LongAdder();

    /** Non-root node splits (each adds a page). */
    public long splits() {
        return splits.sum();
    }

    /** Root splits (each adds a level). */
    public long rootSplits() {
        return rootSplits.sum();
    }

    /** Merges of two siblings into one (each frees a page). */
    public long merges() {
        return merges.sum();
    }

    /** Cells moved between siblings to even them out. */
    public long redistributions() {
        return redistributions.sum();
    }

    /** Underfull nodes left as they were because the parent had no room for the new separator. */
    public long redistributionsSkipped() {
        return redistributionsSkipped.sum();
    }

    /** Root collapses (each removes a level). */
    public long rootCollapses() {
        return rootCollapses.sum();
    }

    /** Writes that could not be done at the leaf and restarted with EXCLUSIVE latches from the root. */
    public long pessimisticRestarts() {
        return pessimisticRestarts.sum();
    }

    @Override
    public String toString() {
        return "splits=" + splits() + " rootSplits=" + rootSplits() + " merges=" + merges() + " redistributions="
                + redistributions() + " redistributionsSkipped=" + redistributionsSkipped() + " rootCollapses="
                + rootCollapses() + " pessimisticRestarts=" + pessimisticRestarts();
    }
}
