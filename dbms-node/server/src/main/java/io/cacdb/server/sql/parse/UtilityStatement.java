package io.cacdb.server.sql.parse;

import java.util.List;

/**
 * The statements the SQL layer reads itself instead of handing them to the parser library: transaction control
 * (which JSqlParser 5.4 cannot parse), savepoints, session parameters and EXPLAIN's prefix.
 */
public sealed interface UtilityStatement {

    /** BEGIN / START TRANSACTION, with optional characteristics (null: the session's). */
    record Begin(IsolationMode isolation, Boolean readOnly) implements UtilityStatement {
    }

    /** COMMIT / END. */
    record Commit() implements UtilityStatement {
    }

    /** ROLLBACK / ABORT. */
    record Rollback() implements UtilityStatement {
    }

    record Savepoint(String name) implements UtilityStatement {
    }

    record ReleaseSavepoint(String name) implements UtilityStatement {
    }

    record RollbackToSavepoint(String name) implements UtilityStatement {
    }

    /** SET [SESSION | LOCAL] name = value, ...; a null value list is DEFAULT. */
    record Set(String name, List<String> values, boolean local) implements UtilityStatement {
    }

    /**
     * SET TRANSACTION ... (this transaction) or SET SESSION CHARACTERISTICS AS TRANSACTION ... (the session's
     * default); null fields are not changed.
     */
    record SetTransaction(IsolationMode isolation, Boolean readOnly, boolean sessionDefault)
            implements UtilityStatement {
    }

    /** RESET name; null is RESET ALL. */
    record Reset(String name) implements UtilityStatement {
    }

    /** SHOW name; {@code all} is SHOW ALL. */
    record Show(String name) implements UtilityStatement {
    }

    /** EXPLAIN of the statement text that follows the keyword and its options. */
    record Explain(StatementText statement) implements UtilityStatement {
    }
}
