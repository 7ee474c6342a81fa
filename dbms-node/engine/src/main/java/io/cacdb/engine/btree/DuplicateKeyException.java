package io.cacdb.engine.btree;

import java.util.HexFormat;

/**
 * An insert found its key already present. An operating error (SQLSTATE 23505, unique_violation): the tree was not
 * changed, and the mini-transaction holds no change from this call (it may be abandoned or used for nothing else).
 */
public final class DuplicateKeyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long indexId;
    private final transient byte[] key;

    public DuplicateKeyException(long indexId, byte[] key) {
        super("duplicate key in index " + indexId + ": " + HexFormat.of().formatHex(key, 0, Math.min(key.length, 64))
                + (key.length > 64 ? "..." : ""));
        this.indexId = indexId;
        this.key = key.clone();
    }

    public long indexId() {
        return indexId;
    }

    public byte[] key() {
        return key.clone();
    }
}
