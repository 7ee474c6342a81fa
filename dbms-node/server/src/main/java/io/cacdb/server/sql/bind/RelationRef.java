package io.cacdb.server.sql.bind;

import io.cacdb.engine.catalog.TableDef;
import io.cacdb.server.sql.relation.RelationColumn;
import io.cacdb.server.sql.relation.VirtualTable;
import java.util.List;

/**
 * One relation of a FROM clause: a stored table or a virtual one, the name it is referred to by, and where its
 * columns sit in the query's row (slots {@code offset .. offset + columns.size() - 1}).
 */
public record RelationRef(int index, String alias, TableDef table, VirtualTable virtual, List<RelationColumn> columns,
                          int offset) {

    public RelationRef {
        columns = List.copyOf(columns);
        if ((table == null) == (virtual == null)) {
            throw new IllegalArgumentException("a relation is a stored table or a virtual one, not both or neither");
        }
    }

    /** The name of the relation itself (not the alias). */
    public String relationName() {
        return table != null ? table.name() : virtual.schema() + "." + virtual.name();
    }

    public boolean isStored() {
        return table != null;
    }

    /** Whether row slot {@code slot} belongs to this relation. */
    public boolean owns(int slot) {
        return slot >= offset && slot < offset + columns.size();
    }
}
