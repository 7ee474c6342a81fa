/**
 * The engine's operating errors: typed, unchecked exceptions that each carry the PostgreSQL SQLSTATE the SQL layer
 * sends in its ErrorResponse ({@link io.cacdb.engine.error.EngineException#sqlState()}) and what the caller should
 * do about it ({@link io.cacdb.engine.error.CallerAction}). Programmer errors are not here: they fail an invariant
 * ({@link java.lang.IllegalStateException}, {@link java.lang.IllegalArgumentException}) and stop the process.
 */
package io.cacdb.engine.error;
