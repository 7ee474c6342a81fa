package io.cacdb.engine.table;

import io.cacdb.engine.catalog.ColumnDef;
import java.util.List;
import java.util.Objects;

/**
 * A CREATE TABLE: name, columns, primary key column names (empty: no declared key; rows get a hidden row id) and
 * UNIQUE constraints (each a list of column names; each becomes a unique index named {@code <table>_<cols>_key}).
 */
public record TableSpec(String name, List<ColumnDef> columns, List<String> primaryKey,
                        List<List<String>> uniqueConstraints) {

    public TableSpec {
        Objects.requireNonNull(name, "name");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        uniqueConstraints = uniqueConstraints.stream().map(List::copyOf).toList();
    }

    public static TableSpec of(String name, List<ColumnDef> columns, String... primaryKey) {
        return new TableSpec(name, columns, List.of(primaryKey), List.of());
    }

    public TableSpec withUnique(String... columns) {
        List<List<String>> u = new java.util.ArrayList<>(uniqueConstraints);
        u.add(List.of(columns));
        return new TableSpec(name, this.columns, primaryKey, u);
    }
}
