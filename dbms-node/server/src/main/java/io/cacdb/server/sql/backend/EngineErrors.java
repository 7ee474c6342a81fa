package io.cacdb.server.sql.backend;

import io.cacdb.engine.error.EngineException;
import io.cacdb.server.session.Severity;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what a statement threw into the seam's error: a {@link SqlException} as is, an engine's typed {@link
 * EngineException} with its own SQLSTATE and message (23505, 40001, 40P01, 55P03, 57P03, ...), anything else (a bug
 * of this layer or the engine) logged with its stack once here and reported as XX000.
 */
final class EngineErrors {

    private static final Logger log = LoggerFactory.getLogger(EngineErrors.class);

    private EngineErrors() {
    }

    static SqlException toSql(Throwable t) {
        return switch (t) {
            case SqlException s -> s;
            case EngineException e -> new SqlException(SqlState.of(e.sqlState()), Severity.ERROR, e.getMessage(),
                    null, null, 0, e);
            default -> {
                log.error("internal error while running a statement", t);
                yield new SqlException(SqlState.INTERNAL_ERROR, Severity.ERROR, "internal error: " + t, null, null, 0,
                        t);
            }
        };
    }
}
