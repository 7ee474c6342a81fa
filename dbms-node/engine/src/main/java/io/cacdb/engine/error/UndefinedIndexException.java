package io.cacdb.engine.error;

/**
 * No index of that name exists (SQLSTATE 42704, undefined_object, as PostgreSQL's DROP INDEX reports it). The
 * caller must <b>fix the request</b>.
 */
public final class UndefinedIndexException extends EngineException {

    private final String name;

    public UndefinedIndexException(String name) {
        super(SqlState.UNDEFINED_OBJECT, CallerAction.FIX_REQUEST, "index \"" + name + "\" does not exist");
        this.name = name;
    }

    public String name() {
        return name;
    }
}
