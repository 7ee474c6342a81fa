package io.cacdb.engine.catalog;

import java.util.List;
import java.util.Objects;

/**
 * An index of a table: its key columns, whether it is unique, whether it is the table's primary index (the B+tree
 * holding the rows, listed so that its name, e.g. {@code t_pkey}, is a relation like in PostgreSQL), and the B+tree
 * that holds it ({@link #treeId()}, changed by TRUNCATE). A secondary index maps its key to the row's primary key.
 */
public record IndexDef(long id, String name, long tableId, List<IndexColumn> columns, boolean unique,
                       boolean primary, long treeId) implements RelationDef {

    public IndexDef {
        Objects.requireNonNull(name, "name");
        columns = List.copyOf(columns);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("index " + name + " has no columns");
        }
    }

    public IndexDef withTreeId(long newTreeId) {
        return new IndexDef(id, name, tableId, columns, unique, primary, newTreeId);
    }
}
