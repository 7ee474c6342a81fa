package io.cacdb.server.sql.relation;

import io.cacdb.server.session.SqlException;
import java.util.Iterator;
import java.util.List;

/**
 * A relation whose rows come from code, not from a B+tree: the seam for {@code pg_catalog} and {@code
 * information_schema} relations (built from the {@link io.cacdb.engine.catalog.CatalogSnapshot} the context gives),
 * and for any other system view. Register instances in {@link VirtualTables}; the planner reads them with a full scan
 * plus filter (no index), the executor calls {@link #rows} once per scan. Must be thread-safe: one instance serves
 * every session.
 */
public interface VirtualTable {

    /** The schema the relation lives in ({@code pg_catalog}, {@code information_schema}), lower case. */
    String schema();

    /** The relation's name, lower case. */
    String name();

    /** The columns, in order. */
    List<RelationColumn> columns();

    /**
     * The rows of one scan: {@code row[i]} is the value of column {@code i}, of that column type's Java class
     * ({@link io.cacdb.server.session.PgType#javaType()}), null for NULL. Called on the session's thread.
     */
    Iterator<Object[]> rows(VirtualTableContext context) throws SqlException;
}
