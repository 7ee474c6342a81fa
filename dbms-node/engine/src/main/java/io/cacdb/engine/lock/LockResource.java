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
            this.hash = Long.hashCode(indexId) * 31 + Arrays.hashCode(key);
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
