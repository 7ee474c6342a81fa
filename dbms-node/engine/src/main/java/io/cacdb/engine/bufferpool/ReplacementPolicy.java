package io.cacdb.engine.bufferpool;

import java.util.function.IntPredicate;

/**
 * Chooses which frame to reuse. Frames are numbered {@code 0..frames-1}. Called only under the pool's lock, so
 * implementations need no synchronisation of their own.
 */
sealed interface ReplacementPolicy permits ReplacementPolicy.Clock, ReplacementPolicy.Fifo {

    static ReplacementPolicy create(ReplacementPolicyKind kind, int frames) {
        return switch (kind) {
            case CLOCK -> new Clock(frames);
            case FIFO -> new Fifo(frames);
        };
    }

    /** The frame now holds a newly loaded page. */
    void onLoad(int frame);

    /** The frame's page was fixed again. */
    void onHit(int frame);

    /** A frame {@code evictable} accepts, chosen by the policy, or -1 if it accepts none. */
    int victim(IntPredicate evictable);

    /**
     * CLOCK with one reference bit per frame. Insertion is cold (bit clear): a page read once and never used again
     * is the first to go, which protects the hot set from scans. Frames the predicate rejects (pinned, dirty, being
     * loaded or written, guarded) keep their bit, so a page pinned through a sweep is not penalised for it.
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
