package io.cacdb.engine.lock;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * What a lock protects. Values: equal resources are the same lock, whichever object names them.
 * <ul>
 *   <li>{@link Key}: one key of one index (the key in the index's order-preserving byte encoding). The key need
 *       not exist: an insert locks the key it is about to create.</li>
 *   <li>{@link Supremum}: the gap after the last key of an index, the "next key" of a range that runs to the end.</li>
 *   <li>{@link Index}: a whole index, locked in intention modes by row work and in S or X by DDL and TRUNCATE.</li>
 * </ul>
 */
public sealed interface LockResource permits LockResource.Key, LockResource.Supremum, LockResource.Index {

    /** The index the resource belongs to. */
    long indexId();

    /** A key of an index; the bytes are copied, so the caller may reuse its buffer. */
    static Key key(long indexId, byte[] key) {
        return new Key(indexId, key.clone());
    }

    static Supremum supremum(long indexId) {
        return new Supremum(indexId);
    }

    static Index index(long indexId) {
        return new Index(indexId);
    }

    /** The key that follows a position in an index: {@code nextKey}, or the supremum when {@code nextKey} is null. */
    static LockResource keyOrSupremum(long indexId, byte[] nextKey) {
        return nextKey == null ? supremum(indexId) : key(indexId, nextKey);
    }

    /** A key of an index. Build it with {@link LockResource#key}, which copies the bytes. */
    final class Key implements LockResource {
        /** Keys longer than this are cut in {@link #toString()} (lock timeout and deadlock messages). */
        private static final int KEY_BYTES_IN_TEXT_MAX = 32;

        private final long indexId;
        private final byte[] key;
        private final int hash;

        private Key(long indexId, byte[] key) {
            this.indexId = indexId;
            this.key = key;
            this.hash = hash(indexId, key);
        }

        /**
         * A 64-bit polynomial hash with a multiplier above 256, mixed down to 32 bits. Not {@code Arrays.hashCode}:
         * its multiplier 31 is below 256, so big-endian integer keys collide systematically (ids {@code n + 31} and
         * {@code n + 256} hash alike; 1,000 consecutive bigint keys gave 349 distinct hashes), and since the stripe
         * is chosen from the hash, colliding keys also share a stripe and a hash bin there — found by
         * {@code engine-bench}, whose loaders each hold 1,000 consecutive keys.
         */
        static int hash(long indexId, byte[] key) {
            long h = indexId;
            for (byte b : key) {
                h = h * 0x100000001b3L + (b & 0xff);
            }
            // Murmur3's 64-bit finalizer: every input bit affects the 32 bits kept.
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            h *= 0xc4ceb9fe1a85ec53L;
            h ^= h >>> 33;
            return (int) h;
        }

        @Override
        public long indexId() {
            return indexId;
        }

        /** A copy of the key bytes. */
        public byte[] key() {
            return key.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.indexId == indexId && k.hash == hash && Arrays.equals(k.key, key);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            int shown = Math.min(key.length, KEY_BYTES_IN_TEXT_MAX);
            return "key(index " + indexId + ", 0x" + HexFormat.of().formatHex(key, 0, shown)
                    + (shown < key.length ? "..." : "") + ")";
        }
    }

    /** The gap after the last key of an index. */
    record Supremum(long indexId) implements LockResource {
        @Override
        public String toString() {
            return "supremum(index " + indexId + ")";
        }
    }

    /** A whole index. */
    record Index(long indexId) implements LockResource {
        @Override
        public String toString() {
            return "index(" + indexId + ")";
        }
    }
}
