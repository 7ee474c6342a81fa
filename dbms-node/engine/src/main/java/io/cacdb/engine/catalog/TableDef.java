package io.cacdb.engine.catalog;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A table: its columns in order, its primary key (column positions, in key order; empty means the table has no
 * declared key and its rows are keyed by a hidden 64-bit row id) and the B+tree that holds its rows (the clustered
 * primary index: primary key → row). {@link #id()} is stable for the table's life and names the table's lock
 * resource ({@code LockResource.index(id)}); {@link #primaryTreeId()} changes with TRUNCATE.
 */
public record TableDef(long id, String name, List<ColumnDef> columns, List<Integer> primaryKey, long primaryTreeId)
        implements RelationDef {

    public TableDef {
        Objects.requireNonNull(name, "name");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        for (int c : primaryKey) {
            if (c < 0 || c >= columns.size()) {
                throw new IllegalArgumentException("primary key column " + c + " outside [0, " + columns.size()
                        + ")");
            }
        }
    }

    /** Whether rows are keyed by a hidden row id (no declared primary key). */
    public boolean hasHiddenRowId() {
        return primaryKey.isEmpty();
    }

    /** The position of the column named {@code columnName}, if any. */
    public Optional<Integer> columnPosition(String columnName) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(columnName)) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    public TableDef withPrimaryTreeId(long treeId) {
        return new TableDef(id, name, columns, primaryKey, treeId);
    }
}
