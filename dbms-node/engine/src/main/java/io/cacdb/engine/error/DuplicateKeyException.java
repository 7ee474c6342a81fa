package io.cacdb.engine.error;

import java.util.HexFormat;
import java.util.Objects;

/**
 * An insert into a unique index found the key already there (SQLSTATE 23505, unique_violation). Nothing was changed
 * (the B+tree's mini-transaction holds no change from the refused insert). The caller must <b>fix the input</b>
 * (another key, or an update instead of an insert); retrying the same insert fails again.
 */
public final class DuplicateKeyException extends EngineException {

    /** Keys longer than this are cut in the message; the full key stays available from {@link #key()}. */
    private static final int KEY_BYTES_IN_MESSAGE_MAX = 64;

    /** {@link #indexId()} when only the index's name is known. Index ids are non-zero. */
    public static final long INDEX_ID_UNKNOWN = 0;

    private final String indexName;
    private final long indexId;
    private final byte[] key;

    /**
     * @param indexName the index's name (the catalog's name, or "index #id" where only the id is known)
     * @param key       the key in the index's order-preserving encoding
     */
    public DuplicateKeyException(String indexName, byte[] key) {
        this(indexName, INDEX_ID_UNKNOWN, key);
    }

    /** For callers that know only the index id (the B+tree below the catalog). */
    public DuplicateKeyException(long indexId, byte[] key) {
        this("index #" + indexId, indexId, key);
    }

    /** For callers that know both (the catalog, rethrowing the B+tree's exception with the index's name). */
    public DuplicateKeyException(String indexName, long indexId, byte[] key) {
        super(SqlState.UNIQUE_VIOLATION, CallerAction.FIX_REQUEST,
                "duplicate key value violates unique constraint \"" + indexName + "\": key 0x" + hex(key));
        this.indexName = Objects.requireNonNull(indexName, "indexName");
        this.indexId = indexId;
        this.key = key.clone();
    }

    public String indexName() {
        return indexName;
    }

    /** The index's id, or {@link #INDEX_ID_UNKNOWN}. */
    public long indexId() {
        return indexId;
    }

    public byte[] key() {
        return key.clone();
    }

    private static String hex(byte[] key) {
        int shown = Math.min(key.length, KEY_BYTES_IN_MESSAGE_MAX);
        String text = HexFormat.of().formatHex(key, 0, shown);
        return shown < key.length ? text + "... (" + key.length + " bytes)" : text;
    }
}
