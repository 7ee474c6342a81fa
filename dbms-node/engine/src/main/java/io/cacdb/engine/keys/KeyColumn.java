package io.cacdb.engine.keys;

import java.util.Objects;

/**
 * One column of an index key: its type, direction and where NULLs go. PostgreSQL's defaults are
 * {@link #asc ASC NULLS LAST} and {@link #desc DESC NULLS FIRST}.
 */
public record KeyColumn(KeyType type, boolean descending, boolean nullsFirst) {

    public KeyColumn {
        Objects.requireNonNull(type, "type");
    }

    /** Ascending, NULLs after every value (PostgreSQL's default for ASC). */
    public static KeyColumn asc(KeyType type) {
        return new KeyColumn(type, false, false);
    }

    /** Descending, NULLs before every value (PostgreSQL's default for DESC). */
    public static KeyColumn desc(KeyType type) {
        return new KeyColumn(type, true, true);
    }
}
