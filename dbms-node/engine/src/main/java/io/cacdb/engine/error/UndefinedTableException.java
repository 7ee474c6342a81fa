package io.cacdb.engine.error;

/**
 * No table of that name exists, or it was dropped while the caller waited for it (SQLSTATE 42P01,
 * undefined_table). The caller must <b>fix the request</b>.
 */
public final class UndefinedTableException extends EngineException {

    private final String name;

    public UndefinedTableException(String name) {
        super(SqlState.UNDEFINED_TABLE, CallerAction.FIX_REQUEST, "relation \"" + name + "\" does not exist");
        this.name = name;
    }

    public String name() {
        return name;
    }
}
