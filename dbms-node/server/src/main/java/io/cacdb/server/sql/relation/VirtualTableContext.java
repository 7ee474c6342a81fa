package io.cacdb.server.sql.relation;

import io.cacdb.engine.catalog.CatalogSnapshot;

/** What a {@link VirtualTable} may read when it produces rows. */
public interface VirtualTableContext {

    /** The catalog as the current transaction sees it (its own DDL included). */
    CatalogSnapshot catalog();

    /** A session parameter's current value ({@code search_path}, {@code application_name}, ...), or null. */
    String setting(String name);

    /** The user the session authenticated as. */
    String user();

    /** The database the session asked for. */
    String database();
}
