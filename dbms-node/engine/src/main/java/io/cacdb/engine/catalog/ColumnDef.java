package io.cacdb.engine.catalog;

import io.cacdb.engine.row.ColumnType;
import java.util.Objects;

/**
 * One column of a table: name, type, whether it may hold NULL, and its default (a constant already in the type's
 * canonical form, or null: the default is NULL). Primary-key columns are always NOT NULL.
 */
public record ColumnDef(String name, ColumnType type, boolean nullable, Object defaultValue) {

    public ColumnDef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    /** A nullable column without default. */
    public static ColumnDef of(String name, ColumnType type) {
        return new ColumnDef(name, type, true, null);
    }

    /** A NOT NULL column without default. */
    public static ColumnDef notNull(String name, ColumnType type) {
        return new ColumnDef(name, type, false, null);
    }

    public ColumnDef withDefault(Object value) {
        return new ColumnDef(name, type, nullable, value);
    }

    public ColumnDef withNullable(boolean nullable) {
        return new ColumnDef(name, type, nullable, defaultValue);
    }
}
