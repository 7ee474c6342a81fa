package io.cacdb.server.session;

/**
 * A SQLSTATE: five characters, digits and upper-case letters, the first two naming the class. Clients branch on it
 * (BenchBase retries {@code 40001}; pgjdbc maps {@code 08xxx} to connection errors), so these are PostgreSQL's codes.
 * The constants are the ones the protocol server raises itself plus the ones its tests and the SQL layer need first;
 * any other valid code can be made with {@link #of(String)}.
 */
public record SqlState(String code) {

    public static final SqlState SUCCESSFUL_COMPLETION = new SqlState("00000");
    public static final SqlState WARNING = new SqlState("01000");
    public static final SqlState PROTOCOL_VIOLATION = new SqlState("08P01");
    public static final SqlState FEATURE_NOT_SUPPORTED = new SqlState("0A000");
    public static final SqlState INVALID_PARAMETER_VALUE = new SqlState("22023");
    public static final SqlState CHARACTER_NOT_IN_REPERTOIRE = new SqlState("22021");
    public static final SqlState NUMERIC_VALUE_OUT_OF_RANGE = new SqlState("22003");
    public static final SqlState DATETIME_FIELD_OVERFLOW = new SqlState("22008");
    public static final SqlState INVALID_DATETIME_FORMAT = new SqlState("22007");
    public static final SqlState INVALID_TEXT_REPRESENTATION = new SqlState("22P02");
    public static final SqlState INVALID_BINARY_REPRESENTATION = new SqlState("22P03");
    public static final SqlState STRING_DATA_RIGHT_TRUNCATION = new SqlState("22001");
    public static final SqlState UNIQUE_VIOLATION = new SqlState("23505");
    public static final SqlState ACTIVE_SQL_TRANSACTION = new SqlState("25001");
    public static final SqlState NO_ACTIVE_SQL_TRANSACTION = new SqlState("25P01");
    public static final SqlState IN_FAILED_SQL_TRANSACTION = new SqlState("25P02");
    public static final SqlState READ_ONLY_SQL_TRANSACTION = new SqlState("25006");
    public static final SqlState INVALID_SQL_STATEMENT_NAME = new SqlState("26000");
    public static final SqlState INVALID_AUTHORIZATION_SPECIFICATION = new SqlState("28000");
    public static final SqlState INVALID_PASSWORD = new SqlState("28P01");
    public static final SqlState INVALID_CURSOR_NAME = new SqlState("34000");
    public static final SqlState SERIALIZATION_FAILURE = new SqlState("40001");
    public static final SqlState DEADLOCK_DETECTED = new SqlState("40P01");
    public static final SqlState SYNTAX_ERROR = new SqlState("42601");
    public static final SqlState UNDEFINED_COLUMN = new SqlState("42703");
    public static final SqlState UNDEFINED_TABLE = new SqlState("42P01");
    public static final SqlState UNDEFINED_OBJECT = new SqlState("42704");
    public static final SqlState DUPLICATE_TABLE = new SqlState("42P07");
    public static final SqlState DUPLICATE_CURSOR = new SqlState("42P03");
    public static final SqlState DUPLICATE_PREPARED_STATEMENT = new SqlState("42P05");
    public static final SqlState DATATYPE_MISMATCH = new SqlState("42804");
    public static final SqlState TOO_MANY_CONNECTIONS = new SqlState("53300");
    public static final SqlState PROGRAM_LIMIT_EXCEEDED = new SqlState("54000");
    public static final SqlState QUERY_CANCELED = new SqlState("57014");
    public static final SqlState ADMIN_SHUTDOWN = new SqlState("57P01");
    public static final SqlState CANNOT_CONNECT_NOW = new SqlState("57P03");
    public static final SqlState INTERNAL_ERROR = new SqlState("XX000");

    public SqlState {
        if (code == null || !code.matches("[0-9A-Z]{5}")) {
            throw new IllegalArgumentException("a SQLSTATE is five digits or upper-case letters, got " + code);
        }
    }

    public static SqlState of(String code) {
        return new SqlState(code);
    }

    @Override
    public String toString() {
        return code;
    }
}
