package io.cacdb.engine.catalog;

/**
 * A named catalog object. Tables and indexes share one namespace, as relations do in PostgreSQL, so a name is
 * unique across both.
 */
public sealed interface RelationDef permits TableDef, IndexDef {

    /** The stable id: the B+tree index id the relation had when created (unchanged by TRUNCATE). */
    long id();

    String name();
}
