package io.cacdb.engine.table;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A row's primary key as the primary index stores it (the order-preserving encoding of the key columns, or of the
 * hidden row id): how the embedded API names one row for get, update and delete. Opaque to callers; get one from
 * {@link TableStore#rowKey} or from a {@link RowCursor}. A value: equal bytes, equal keys.
 */
public final class RowKey {

    private final byte[] bytes;

    RowKey(byte[] bytes) {
        this.bytes = bytes.clone();
    }

    byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "RowKey[0x" + HexFormat.of().formatHex(bytes) + "]";
    }
}
