package io.cacdb.engine.error;

import java.util.Objects;

/**
 * The PostgreSQL SQLSTATE codes the engine's errors map to (PostgreSQL manual, appendix A "Error Codes"), with their
 * condition names. Only codes the engine raises are listed; the SQL layer adds its own (syntax, authentication).
 */
public enum SqlState {
    /** Class 40: a deadlock was broken by aborting this transaction. */
    DEADLOCK_DETECTED("40P01", "deadlock_detected"),
    /** Class 40: the transaction could not be serialized with concurrent ones. */
    SERIALIZATION_FAILURE("40001", "serialization_failure"),
    /** Class 55: a lock was not granted in time (lock wait timeout, NOWAIT). */
    LOCK_NOT_AVAILABLE("55P03", "lock_not_available"),
    /** Class 23: a unique index already holds the key. */
    UNIQUE_VIOLATION("23505", "unique_violation"),
    /**
     * Class P0: PostgreSQL raises it for a query that returns no row where one is required (PL/pgSQL STRICT). The
     * engine uses it for the embedded API's update or delete of a missing key; see {@link NotFoundException}.
     */
    NO_DATA_FOUND("P0002", "no_data_found"),
    /** Class 25: a write in a read-only transaction. */
    READ_ONLY_SQL_TRANSACTION("25006", "read_only_sql_transaction"),
    /** Class 25: a statement after an error in the same transaction block, before ROLLBACK. */
    IN_FAILED_SQL_TRANSACTION("25P02", "in_failed_sql_transaction"),
    /** Class 54: a fixed limit of the implementation was exceeded (row size). */
    PROGRAM_LIMIT_EXCEEDED("54000", "program_limit_exceeded"),
    /** Class XX: stored data failed validation (checksum, misplaced page). */
    DATA_CORRUPTED("XX001", "data_corrupted"),
    /** Class 53: the storage tier has no space left. */
    DISK_FULL("53100", "disk_full"),
    /** Class 53: a configured resource budget is exhausted (the log budget waiting for the standby). */
    INSUFFICIENT_RESOURCES("53000", "insufficient_resources"),
    /** Class 53: PostgreSQL's "out of shared memory" for a lock table that is full. */
    OUT_OF_MEMORY("53200", "out_of_memory"),
    /** Class 57: this node does not serve clients now (a standby, or an active that lost its lease). */
    CANNOT_CONNECT_NOW("57P03", "cannot_connect_now"),
    /** Class 57: the statement was cancelled (cancel request, dead session). */
    QUERY_CANCELED("57014", "query_canceled"),
    /** Class 23: a NULL for a column declared NOT NULL. */
    NOT_NULL_VIOLATION("23502", "not_null_violation"),
    /** Class 22: a string longer than its column's declared length (varchar(n), char(n)). */
    STRING_DATA_RIGHT_TRUNCATION("22001", "string_data_right_truncation"),
    /** Class 22: a number outside its column type's range or declared precision. */
    NUMERIC_VALUE_OUT_OF_RANGE("22003", "numeric_value_out_of_range"),
    /** Class 22: a date or timestamp outside the supported range. */
    DATETIME_FIELD_OVERFLOW("22008", "datetime_field_overflow"),
    /** Class 22: a string that cannot be stored as UTF-8 (an unpaired surrogate). */
    CHARACTER_NOT_IN_REPERTOIRE("22021", "character_not_in_repertoire"),
    /** Class 42: a relation (table or index) of that name exists already; PostgreSQL uses it for both. */
    DUPLICATE_TABLE("42P07", "duplicate_table"),
    /** Class 42: no table of that name. */
    UNDEFINED_TABLE("42P01", "undefined_table"),
    /** Class 42: no column of that name in the table. */
    UNDEFINED_COLUMN("42703", "undefined_column"),
    /** Class 42: no object (here: index) of that name. */
    UNDEFINED_OBJECT("42704", "undefined_object"),
    /** Class 42: two columns of one table, or of one index, with the same name. */
    DUPLICATE_COLUMN("42701", "duplicate_column"),
    /** Class 42: a table or index definition that cannot be created as given (no columns, bad key, bad default). */
    INVALID_TABLE_DEFINITION("42P16", "invalid_table_definition");

    private final String code;
    private final String conditionName;

    SqlState(String code, String conditionName) {
        if (code.length() != 5) {
            throw new IllegalArgumentException("a SQLSTATE has 5 characters, got '" + code + "'");
        }
        this.code = code;
        this.conditionName = Objects.requireNonNull(conditionName, "conditionName");
    }

    /** The five-character code sent in the ErrorResponse's {@code C} field. */
    public String code() {
        return code;
    }

    /** PostgreSQL's condition name, as PL/pgSQL and the docs spell it. */
    public String conditionName() {
        return conditionName;
    }
}
