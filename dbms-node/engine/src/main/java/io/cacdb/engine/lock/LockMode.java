package io.cacdb.engine.lock;

/**
 * Lock modes. {@link #S} and {@link #X} lock rows (keys and supremums); the intention modes {@link #IS}, {@link #IX}
 * and {@link #SIX} lock a whole index, so that DDL and TRUNCATE, which take {@code S} or {@code X} on an index, wait
 * for row-level work on it and the reverse (Gray's granularity protocol: a transaction takes {@code IS} on an index
 * before {@code S} on its keys, {@code IX} before {@code X}).
 *
 * <pre>
 *  compatible  IS  IX  S  SIX  X
 *  IS          y   y   y  y    n
 *  IX          y   y   n  n    n
 *  S           y   n   y  n    n
 *  SIX         y   n   n  n    n
 *  X           n   n   n  n    n
 * </pre>
 */
public enum LockMode {
    /** Intention to take S on keys of the index. */
    IS,
    /** Intention to take X on keys of the index. */
    IX,
    /** Shared: readers. */
    S,
    /** S on the whole index plus the intention to take X on some keys. */
    SIX,
    /** Exclusive: a writer. */
    X;

    // Indexed by ordinal: COMPATIBLE[a][b].
    private static final boolean[][] COMPATIBLE = {
            /*          IS     IX     S      SIX    X  */
            /* IS  */ {true, true, true, true, false},
            /* IX  */ {true, true, false, false, false},
            /* S   */ {true, false, true, false, false},
            /* SIX */ {true, false, false, false, false},
            /* X   */ {false, false, false, false, false},
    };

    private static final LockMode[] VALUES = values();

    /** Whether two different transactions may hold {@code this} and {@code other} on one resource at once. */
    public boolean compatibleWith(LockMode other) {
        return COMPATIBLE[ordinal()][other.ordinal()];
    }

    /**
     * The weakest mode at least as strong as both: what a transaction holds after asking for {@code other} while
     * holding {@code this}. S with IX is SIX.
     */
    public LockMode join(LockMode other) {
        if (this == other || this.covers(other)) {
            return this;
        }
        if (other.covers(this)) {
            return other;
        }
        // Neither covers the other: {IX, S} (in either order) is the only such pair below X.
        return SIX;
    }

    /**
     * Whether holding {@code this} already grants everything {@code other} does: every mode {@code other} conflicts
     * with, {@code this} conflicts with too.
     */
    public boolean covers(LockMode other) {
        for (LockMode m : VALUES) {
            if (!other.compatibleWith(m) && this.compatibleWith(m)) {
                return false;
            }
        }
        return true;
    }
}
