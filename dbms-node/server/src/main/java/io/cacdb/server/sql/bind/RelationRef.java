package io.cacdb.server.sql.bind;

import io.cacdb.engine.catalog.TableDef;
import io.cacdb.server.sql.relation.RelationColumn;
import io.cacdb.server.sql.relation.VirtualTable;
import java.util.List;

/**
 * One relation of a FROM clause: a stored table, a virtual one, or a subquery in FROM ({@code derived}); the name it
 * is referred to by, and where its columns sit in the query's row (slots {@code offset .. offset + columns.size() -
 * 1}).
 */
public record RelationRef(int index, String alias, TableDef table, VirtualTable virtual, BoundSubquery derived,
                          List<RelationColumn> columns, int offset) {

    public RelationRef {
        columns = List.copyOf(columns);
        int kinds = (table == null ? 0 : 1) + (virtual == null ? 0 : 1) + (derived == null ? 0 : 1);
        if (kinds != 1) {
            throw new IllegalArgumentException("a relation is exactly one of a stored table, a virtual one or a "
                    + "subquery, got " + kinds);
        }
    }

    public RelationRef(int index, String alias, TableDef table, VirtualTable virtual, List<RelationColumn> columns,
            int offset) {
        this(index, alias, table, virtual, null, columns, offset);
    }

    /** The name of the relation itself (not the alias). */
    public String relationName() {
        return table != null ? table.name() : virtual != null ? virtual.schema() + "." + virtual.name() : "(subquery)";
    }

    public boolean isDerived() {
        return derived != null;
    }

    public boolean isStored() {
        return table != null;
    }

    /** Whether row slot {@code slot} belongs to this relation. */
    public boolean owns(int slot) {
        return slot >= offset && slot < offset + columns.size();
    }
}
