package io.cacdb.engine.error;

/**
 * CREATE TABLE or CREATE INDEX named a relation that exists already; tables and indexes share one namespace, as
 * in PostgreSQL (SQLSTATE 42P07, duplicate_table). Nothing was created. The caller must <b>fix the request</b>:
 * another name, or drop the existing relation first.
 */
public final class DuplicateRelationException extends EngineException {

    private final String name;

    public DuplicateRelationException(String name) {
        super(SqlState.DUPLICATE_TABLE, CallerAction.FIX_REQUEST, "relation \"" + name + "\" already exists");
        this.name = name;
    }

    public String name() {
        return name;
    }
}
