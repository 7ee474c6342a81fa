package io.cacdb.engine.table;

import java.util.List;
import java.util.Objects;

/** A CREATE [UNIQUE] INDEX: name, table, key columns with their directions. */
public record IndexSpec(String name, String table, List<Part> columns, boolean unique) {

    /** One key column by name; PostgreSQL's defaults are ASC NULLS LAST and DESC NULLS FIRST. */
    public record Part(String column, boolean descending, boolean nullsFirst) {
        public Part {
            Objects.requireNonNull(column, "column");
        }

        public static Part asc(String column) {
            return new Part(column, false, false);
        }

        public static Part desc(String column) {
            return new Part(column, true, true);
        }
    }

    public IndexSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(table, "table");
        columns = List.copyOf(columns);
    }

    /** An index on {@code columns}, all ascending. */
    public static IndexSpec on(String name, String table, boolean unique, String... columns) {
        return new IndexSpec(name, table, java.util.Arrays.stream(columns).map(Part::asc).toList(), unique);
    }
}
