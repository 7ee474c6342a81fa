package io.cacdb.engine.catalog;

/**
 * One column of an index: its position in the table's columns, direction, and NULL placement (PostgreSQL's
 * defaults: ASC NULLS LAST, DESC NULLS FIRST).
 */
public record IndexColumn(int column, boolean descending, boolean nullsFirst) {

    public IndexColumn {
        if (column < 0) {
            throw new IllegalArgumentException("column position " + column + " is negative");
        }
    }

    public static IndexColumn asc(int column) {
        return new IndexColumn(column, false, false);
    }

    public static IndexColumn desc(int column) {
        return new IndexColumn(column, true, true);
    }
}
