package io.cacdb.server.sql.types;

import io.cacdb.engine.row.ColumnType;
import io.cacdb.server.session.PgType;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The type of a SQL value in the SQL layer: a {@link PgType} (which fixes the Java class a value is carried as) plus
 * the modifiers of a column type ({@code varchar(n)}, {@code char(n)}, {@code numeric(p, s)}) when it has them. Table
 * columns have an engine {@link ColumnType}; {@link #of(ColumnType)} and {@link #columnType()} convert between them.
 *
 * @param pg the base type
 * @param length characters of varchar(n)/char(n), or -1
 * @param precision digits of numeric(p, s), or -1
 * @param scale scale of numeric(p, s), or -1
 */
public record SqlType(PgType pg, int length, int precision, int scale) {

    public static final SqlType BOOL = plain(PgType.BOOL);
    public static final SqlType INT2 = plain(PgType.INT2);
    public static final SqlType INT4 = plain(PgType.INT4);
    public static final SqlType INT8 = plain(PgType.INT8);
    public static final SqlType NUMERIC = plain(PgType.NUMERIC);
    public static final SqlType FLOAT4 = plain(PgType.FLOAT4);
    public static final SqlType FLOAT8 = plain(PgType.FLOAT8);
    public static final SqlType TEXT = plain(PgType.TEXT);
    public static final SqlType VARCHAR = plain(PgType.VARCHAR);
    public static final SqlType BPCHAR = plain(PgType.BPCHAR);
    public static final SqlType UNKNOWN = plain(PgType.UNKNOWN);
    public static final SqlType DATE = plain(PgType.DATE);
    public static final SqlType TIMESTAMP = plain(PgType.TIMESTAMP);
    public static final SqlType TIMESTAMPTZ = plain(PgType.TIMESTAMPTZ);

    public SqlType {
        Objects.requireNonNull(pg, "pg");
    }

    public static SqlType plain(PgType pg) {
        return new SqlType(pg, -1, -1, -1);
    }

    /** The SQL type of an engine column type. */
    public static SqlType of(ColumnType t) {
        int len = t.length() == ColumnType.UNSPECIFIED ? -1 : t.length();
        int p = t.precision() == ColumnType.UNSPECIFIED ? -1 : t.precision();
        int s = t.scale() == ColumnType.UNSPECIFIED ? -1 : t.scale();
        PgType pg = switch (t.kind()) {
            case SMALLINT -> PgType.INT2;
            case INTEGER -> PgType.INT4;
            case BIGINT -> PgType.INT8;
            case NUMERIC -> PgType.NUMERIC;
            case REAL -> PgType.FLOAT4;
            case DOUBLE -> PgType.FLOAT8;
            case VARCHAR -> PgType.VARCHAR;
            case CHAR -> PgType.BPCHAR;
            case TEXT -> PgType.TEXT;
            case BOOLEAN -> PgType.BOOL;
            case DATE -> PgType.DATE;
            case TIMESTAMP -> PgType.TIMESTAMP;
        };
        return new SqlType(pg, len, p, s);
    }

    /** The engine column type of this type; 0A000 for types a table cannot store (timestamptz, unknown). */
    public ColumnType columnType() throws SqlException {
        return switch (pg) {
            case INT2 -> ColumnType.smallint();
            case INT4 -> ColumnType.integer();
            case INT8 -> ColumnType.bigint();
            case NUMERIC -> precision < 0 ? ColumnType.numeric() : ColumnType.numeric(precision, Math.max(scale, 0));
            case FLOAT4 -> ColumnType.real();
            case FLOAT8 -> ColumnType.doublePrecision();
            case VARCHAR -> length < 0 ? ColumnType.varchar() : ColumnType.varchar(length);
            case BPCHAR -> ColumnType.character(length < 0 ? 1 : length);
            case TEXT -> ColumnType.text();
            case BOOL -> ColumnType.bool();
            case DATE -> ColumnType.date();
            case TIMESTAMP -> ColumnType.timestamp();
            case TIMESTAMPTZ, UNKNOWN -> throw new SqlException(SqlState.FEATURE_NOT_SUPPORTED,
                    "columns of type " + name() + " are not supported");
        };
    }

    /** The type without modifiers. */
    public SqlType base() {
        return length < 0 && precision < 0 ? this : plain(pg);
    }

    /** PostgreSQL's atttypmod for RowDescription. */
    public int typmod() {
        return switch (pg) {
            case VARCHAR, BPCHAR -> length < 0 ? -1 : length + 4;
            case NUMERIC -> precision < 0 ? -1 : ((precision << 16) | Math.max(scale, 0)) + 4;
            default -> -1;
        };
    }

    public boolean isNumeric() {
        return switch (pg) {
            case INT2, INT4, INT8, NUMERIC, FLOAT4, FLOAT8 -> true;
            default -> false;
        };
    }

    public boolean isInteger() {
        return pg == PgType.INT2 || pg == PgType.INT4 || pg == PgType.INT8;
    }

    /** text, varchar, char (not unknown). */
    public boolean isString() {
        return pg == PgType.TEXT || pg == PgType.VARCHAR || pg == PgType.BPCHAR;
    }

    public boolean isDateTime() {
        return pg == PgType.DATE || pg == PgType.TIMESTAMP || pg == PgType.TIMESTAMPTZ;
    }

    public boolean isUnknown() {
        return pg == PgType.UNKNOWN;
    }

    /** The name PostgreSQL's format_type prints. */
    public String name() {
        return switch (pg) {
            case BOOL -> "boolean";
            case INT2 -> "smallint";
            case INT4 -> "integer";
            case INT8 -> "bigint";
            case NUMERIC -> precision < 0 ? "numeric" : "numeric(" + precision + "," + Math.max(scale, 0) + ")";
            case FLOAT4 -> "real";
            case FLOAT8 -> "double precision";
            case TEXT -> "text";
            case VARCHAR -> length < 0 ? "character varying" : "character varying(" + length + ")";
            case BPCHAR -> length < 0 ? "character" : "character(" + length + ")";
            case UNKNOWN -> "unknown";
            case DATE -> "date";
            case TIMESTAMP -> "timestamp without time zone";
            case TIMESTAMPTZ -> "timestamp with time zone";
        };
    }

    @Override
    public String toString() {
        return name();
    }

    private static final Pattern TYPE_NAME = Pattern.compile(
            "\\s*([a-z][a-z0-9_ ]*?)\\s*(?:\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\))?\\s*(without time zone|with time zone)?\\s*");

    /**
     * Parses a type name as written in DDL or a cast ({@code varchar(10)}, {@code numeric (12, 2)}, {@code double
     * precision}, {@code int4}, {@code timestamp without time zone}); 42704 for a type that does not exist here.
     */
    public static SqlType parse(String text) throws SqlException {
        String s = text.toLowerCase(Locale.ROOT).replace("\"", "").replaceAll("\\s+", " ").trim();
        if (s.startsWith("pg_catalog.")) {
            s = s.substring("pg_catalog.".length());
        }
        Matcher m = TYPE_NAME.matcher(s);
        if (!m.matches()) {
            throw unknownType(text);
        }
        String name = m.group(1).trim();
        int a = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
        int b = m.group(3) == null ? -1 : Integer.parseInt(m.group(3));
        String zone = m.group(4);
        if (zone != null) {
            name = name + " " + zone;
        }
        SqlType t = switch (name) {
            case "bool", "boolean" -> BOOL;
            case "int2", "smallint" -> INT2;
            case "int", "int4", "integer", "serial" -> INT4;
            case "int8", "bigint", "bigserial" -> INT8;
            case "real", "float4" -> FLOAT4;
            case "double precision", "float8", "double" -> FLOAT8;
            case "float" -> a >= 1 && a <= 24 ? FLOAT4 : FLOAT8;
            case "numeric", "decimal", "dec" -> a < 0 ? NUMERIC : new SqlType(PgType.NUMERIC, -1, a, b < 0 ? 0 : b);
            case "text" -> TEXT;
            case "varchar", "character varying", "char varying" -> a < 0 ? VARCHAR : new SqlType(PgType.VARCHAR, a, -1, -1);
            case "char", "character", "bpchar" -> name.equals("bpchar") && a < 0 ? BPCHAR
                    : new SqlType(PgType.BPCHAR, a < 0 ? 1 : a, -1, -1);
            case "date" -> DATE;
            case "timestamp", "timestamp without time zone" -> TIMESTAMP;
            case "timestamptz", "timestamp with time zone" -> TIMESTAMPTZ;
            case "unknown" -> UNKNOWN;
            default -> throw unknownType(text);
        };
        if (name.equals("float")) {
            return t;
        }
        if ((a >= 0 || b >= 0) && t.length < 0 && t.precision < 0 && !t.isDateTime()) {
            throw new SqlException(SqlState.SYNTAX_ERROR, "type modifier is not allowed for type \"" + name + "\"");
        }
        if (t.pg == PgType.NUMERIC && t.precision >= 0 && (t.precision < 1 || t.precision > ColumnType.NUMERIC_PRECISION_MAX
                || t.scale > t.precision)) {
            throw new SqlException(SqlState.INVALID_PARAMETER_VALUE, "NUMERIC precision " + t.precision
                    + " must be between 1 and " + ColumnType.NUMERIC_PRECISION_MAX + " and scale at most the precision");
        }
        if ((t.pg == PgType.VARCHAR || t.pg == PgType.BPCHAR) && t.length >= 0
                && (t.length < 1 || t.length > ColumnType.LENGTH_CHARS_MAX)) {
            throw new SqlException(SqlState.INVALID_PARAMETER_VALUE, "length for type " + name + " must be at least 1");
        }
        return t;
    }

    private static SqlException unknownType(String text) {
        return new SqlException(SqlState.UNDEFINED_OBJECT, "type \"" + text.trim() + "\" does not exist");
    }
}
