package io.cacdb.engine.btree;

import java.util.Arrays;

/**
 * Bounds of a range scan over encoded keys (compared as unsigned bytes). A null bound is unbounded on that side.
 */
public record KeyRange(byte[] low, boolean lowInclusive, byte[] high, boolean highInclusive) {

    public KeyRange {
        low = low == null ? null : low.clone();
        high = high == null ? null : high.clone();
    }

    /** Every key. */
    public static KeyRange all() {
        return new KeyRange(null, false, null, false);
    }

    /** Keys in {@code [low, high)}. */
    public static KeyRange halfOpen(byte[] low, byte[] high) {
        return new KeyRange(low, true, high, false);
    }

    /** Keys in {@code [low, high]}. */
    public static KeyRange closed(byte[] low, byte[] high) {
        return new KeyRange(low, true, high, true);
    }

    /** Whether {@code key} is at or above the low bound. */
    public boolean aboveLow(byte[] key) {
        if (low == null) {
            return true;
        }
        int c = Arrays.compareUnsigned(key, low);
        return c > 0 || (c == 0 && lowInclusive);
    }

    /** Whether {@code key} is at or below the high bound. */
    public boolean belowHigh(byte[] key) {
        if (high == null) {
            return true;
        }
        int c = Arrays.compareUnsigned(key, high);
        return c < 0 || (c == 0 && highInclusive);
    }

    public boolean contains(byte[] key) {
        return aboveLow(key) && belowHigh(key);
    }
}
