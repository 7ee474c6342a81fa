package io.cacdb.engine.bufferpool;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.IntPredicate;

/**
 * Chooses which frame to reuse. Frames are numbered {@code 0..frames-1}. Called only under the pool's lock, so
 * implementations need no synchronisation of their own.
 */
sealed interface ReplacementPolicy permits ReplacementPolicy.SegmentedClock, ReplacementPolicy.Clock,
        ReplacementPolicy.Fifo {

    static ReplacementPolicy create(ReplacementPolicyKind kind, int frames) {
        return switch (kind) {
            case CLOCK -> new SegmentedClock(frames);
            case PLAIN_CLOCK -> new Clock(frames);
            case FIFO -> new Fifo(frames);
        };
    }

    /** The frame now holds a newly loaded page. */
    void onLoad(int frame);

    /** The frame's page was fixed again. */
    void onHit(int frame);

    /**
     * A frame {@code evictable} accepts, chosen by the policy, or -1 if it accepts none. The pool may decline the
     * frame (it writes a dirty victim first), so choosing must not forget the frame: only {@link #onLoad} does.
     */
    int victim(IntPredicate evictable);

    /**
     * CLOCK with midpoint insertion: a newly loaded page enters a FIFO <em>probation</em> segment; only a page used
     * again after at least {@code promotionDistance} further loads moves to the <em>protected</em> segment, which is
     * managed by CLOCK. Victims come from the head of probation while it holds at least its target share of frames
     * (or when protected has no acceptable frame), otherwise from the protected CLOCK — so probation settles at its
     * target share and a scan, however long, only cycles through probation and never flushes the protected hot set.
     * The distance is the deterministic analogue of InnoDB's {@code innodb_old_blocks_time}: re-fixing a page in a
     * burst (a cursor stepping through one leaf) does not make it hot.
     */
    final class SegmentedClock implements ReplacementPolicy {

        /** 3/8 of the frames on probation, as InnoDB's {@code innodb_old_blocks_pct} default (37 %). */
        static final int PROBATION_SHARE_EIGHTHS = 3;

        /**
         * A probationary page is promoted only if used again after 1/16 of the pool has been loaded since it came
         * in: long enough to outlast a burst of re-fixes, short against the time a hot page stays hot.
         */
        static final int PROMOTION_DISTANCE_DIVISOR = 16;

        private static final byte NONE = 0;
        private static final byte PROBATION = 1;
        private static final byte PROTECTED = 2;

        private final int frames;
        private final byte[] segment;
        private final boolean[] referenced;
        private final long[] generation;
        private final long[] loadedAt;
        /** Probation entries in load order, {@code generation * frames + frame}; stale entries are skipped. */
        private final ArrayDeque<Long> probation = new ArrayDeque<>();
        private final int probationTarget;
        private final long promotionDistance;
        private int probationCount;
        private long loads;
        private int hand;

        SegmentedClock(int frames) {
            this.frames = frames;
            this.segment = new byte[frames];
            this.referenced = new boolean[frames];
            this.generation = new long[frames];
            this.loadedAt = new long[frames];
            this.probationTarget = Math.max(1, frames * PROBATION_SHARE_EIGHTHS / 8);
            this.promotionDistance = Math.max(1, frames / PROMOTION_DISTANCE_DIVISOR);
        }

        @Override
        public void onLoad(int frame) {
            if (segment[frame] == PROBATION) {
                probationCount--;
            }
            segment[frame] = PROBATION;
            referenced[frame] = false;
            generation[frame]++;
            loadedAt[frame] = ++loads;
            probationCount++;
            probation.addLast(generation[frame] * frames + frame);
            if (probation.size() > 2 * frames) {
                // Bound the queue: drop entries of frames promoted or reloaded since.
                probation.removeIf(e -> !current(e));
            }
        }

        @Override
        public void onHit(int frame) {
            if (segment[frame] == PROTECTED) {
                referenced[frame] = true;
            } else if (segment[frame] == PROBATION && loads - loadedAt[frame] >= promotionDistance) {
                segment[frame] = PROTECTED;
                referenced[frame] = true;
                probationCount--;
            }
        }

        @Override
        public int victim(IntPredicate evictable) {
            if (probationCount >= probationTarget) {
                int v = fromProbation(evictable);
                return v >= 0 ? v : fromProtected(evictable);
            }
            int v = fromProtected(evictable);
            return v >= 0 ? v : fromProbation(evictable);
        }

        private boolean current(long entry) {
            int f = (int) (entry % frames);
            return segment[f] == PROBATION && generation[f] == entry / frames;
        }

        private int fromProbation(IntPredicate evictable) {
            Iterator<Long> it = probation.iterator();
            while (it.hasNext()) {
                long e = it.next();
                if (!current(e)) {
                    it.remove();
                    continue;
                }
                int f = (int) (e % frames);
                if (evictable.test(f)) {
                    // The entry stays until the frame is reloaded: the pool may only write this (dirty) victim now
                    // and take it on a later call.
                    return f;
                }
            }
            return -1;
        }

        private int fromProtected(IntPredicate evictable) {
            for (int step = 0; step < 2 * frames; step++) {
                int f = hand;
                hand = hand + 1 == frames ? 0 : hand + 1;
                if (segment[f] != PROTECTED || !evictable.test(f)) {
                    continue;
                }
                if (referenced[f]) {
                    referenced[f] = false;
                    continue;
                }
                return f;
            }
            return -1;
        }
    }

    /**
     * Plain CLOCK with one reference bit per frame and cold insertion (bit clear), kept to measure against. Frames
     * the predicate rejects keep their bit. A scan longer than the pool clears every bit on its way round and then
     * evicts the hot set: the weakness {@link SegmentedClock} fixes.
     */
    final class Clock implements ReplacementPolicy {
        private final boolean[] referenced;
        private int hand;

        Clock(int frames) {
            referenced = new boolean[frames];
        }

        @Override
        public void onLoad(int frame) {
            referenced[frame] = false;
        }

        @Override
        public void onHit(int frame) {
            referenced[frame] = true;
        }

        @Override
        public int victim(IntPredicate evictable) {
            int n = referenced.length;
            // Two turns: the first may only clear bits, the second then finds any acceptable frame.
            for (int step = 0; step < 2 * n; step++) {
                int f = hand;
                hand = hand + 1 == n ? 0 : hand + 1;
                if (!evictable.test(f)) {
                    continue;
                }
                if (referenced[f]) {
                    referenced[f] = false;
                    continue;
                }
                return f;
            }
            return -1;
        }
    }

    /** First in, first out by load time, ignoring use. O(frames) per victim; it is a measuring baseline. */
    final class Fifo implements ReplacementPolicy {
        private final long[] loadedAt;
        private long loads;

        Fifo(int frames) {
            loadedAt = new long[frames];
        }

        @Override
        public void onLoad(int frame) {
            loadedAt[frame] = ++loads;
        }

        @Override
        public void onHit(int frame) {
            // FIFO ignores use by definition.
        }

        @Override
        public int victim(IntPredicate evictable) {
            int best = -1;
            for (int f = 0; f < loadedAt.length; f++) {
                if (evictable.test(f) && (best < 0 || loadedAt[f] < loadedAt[best])) {
                    best = f;
                }
            }
            return best;
        }
    }
}
