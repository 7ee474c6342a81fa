package io.cacdb.engine.row;

import io.cacdb.engine.error.CharacterNotInRepertoireException;
import io.cacdb.engine.error.DatetimeFieldOverflowException;
import io.cacdb.engine.error.NumericValueOutOfRangeException;
import io.cacdb.engine.error.StringDataRightTruncationException;
import io.cacdb.engine.keys.KeyColumn;
import io.cacdb.engine.keys.KeyType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The SQL type of a column, with its modifiers: length for {@code varchar(n)} and {@code char(n)}, precision and
 * scale for {@code numeric(p, s)}. A value, not a registry: equal types are interchangeable.
 *
 * <p>{@link #coerce} turns a Java value into the canonical stored value of the type or refuses it with the typed
 * error PostgreSQL would raise: 22001 for a too-long string, 22003 for a number out of range, 22008 for a date out of
 * range. Canonical Java values: smallint {@link Short}, integer {@link Integer}, bigint {@link Long}, numeric
 * {@link BigDecimal} (with the column's scale when it has one), real {@link Float}, double {@link Double},
 * varchar/char/text {@link String} (char(n) padded with spaces to n), boolean {@link Boolean}, date
 * {@link LocalDate}, timestamp {@link LocalDateTime} (rounded to the microsecond). A Java value of a kind that does
 * not belong to the type at all (a String for an integer column) is a programmer error of the caller, which must
 * convert first: {@link IllegalArgumentException}.
 */
public record ColumnType(Kind kind, int length, int precision, int scale) {

    /** Marks a modifier the type does not have, or leaves unspecified ({@code varchar} without n, {@code numeric}). */
    public static final int UNSPECIFIED = -1;

    /**
     * Longest declarable varchar(n)/char(n), in characters: PostgreSQL's limit, kept so that DDL written for
     * PostgreSQL is accepted. Rows are far smaller in practice ({@code SlottedPage.MAX_KEY_AND_VALUE_BYTES}).
     */
    public static final int LENGTH_CHARS_MAX = 10_485_760;

    /** Largest declarable numeric precision, in decimal digits: PostgreSQL's limit for numeric(p, s). */
    public static final int NUMERIC_PRECISION_MAX = 1000;

    /** Earliest date: 4714-11-24 BC (Julian day 0, proleptic Gregorian), PostgreSQL's lower bound. */
    public static final LocalDate DATE_MIN = LocalDate.of(-4713, 11, 24);

    /** Latest date: PostgreSQL's upper bound; its day count from 2000-01-01 fits the row format's 32 bits. */
    public static final LocalDate DATE_MAX = LocalDate.of(5_874_897, 12, 31);

    /** Earliest timestamp: the first microsecond of {@link #DATE_MIN}, as in PostgreSQL. */
    public static final LocalDateTime TIMESTAMP_MIN = DATE_MIN.atStartOfDay();

    /**
     * Latest timestamp. PostgreSQL's is 294276-12-31 (microseconds from 2000 in 64 bits); the key encoding counts
     * microseconds from 1970 in 64 bits, which ends in 292277, so the last whole year before that is the limit.
     */
    public static final LocalDateTime TIMESTAMP_MAX = LocalDateTime.of(292_276, 12, 31, 23, 59, 59, 999_999_000);

    /** The SQL types. */
    public enum Kind {
        SMALLINT(KeyType.SMALLINT, "smallint", 21, 2),
        INTEGER(KeyType.INT, "integer", 23, 4),
        BIGINT(KeyType.BIGINT, "bigint", 20, 8),
        NUMERIC(KeyType.NUMERIC, "numeric", 1700, -1),
        REAL(KeyType.REAL, "real", 700, 4),
        DOUBLE(KeyType.DOUBLE, "double precision", 701, 8),
        VARCHAR(KeyType.TEXT, "character varying", 1043, -1),
        CHAR(KeyType.TEXT, "character", 1042, -1),
        TEXT(KeyType.TEXT, "text", 25, -1),
        BOOLEAN(KeyType.BOOLEAN, "boolean", 16, 1),
        DATE(KeyType.DATE, "date", 1082, 4),
        TIMESTAMP(KeyType.TIMESTAMP, "timestamp without time zone", 1114, 8);

        private final KeyType keyType;
        private final String sqlName;
        private final int pgTypeOid;
        private final int pgTypeLength;

        Kind(KeyType keyType, String sqlName, int pgTypeOid, int pgTypeLength) {
            this.keyType = keyType;
            this.sqlName = sqlName;
            this.pgTypeOid = pgTypeOid;
            this.pgTypeLength = pgTypeLength;
        }

        /** The key encoding's type for this SQL type. */
        public KeyType keyType() {
            return keyType;
        }

        /** PostgreSQL's name of the type, without modifiers ({@code format_type}). */
        public String sqlName() {
            return sqlName;
        }

        /** PostgreSQL's type OID (pg_type.oid), for the wire protocol's RowDescription and pgjdbc metadata. */
        public int pgTypeOid() {
            return pgTypeOid;
        }

        /** PostgreSQL's pg_type.typlen: bytes of a fixed-size type, -1 for variable size. */
        public int pgTypeLength() {
            return pgTypeLength;
        }
    }

    public ColumnType {
        Objects.requireNonNull(kind, "kind");
        switch (kind) {
            case VARCHAR, CHAR -> {
                if (length != UNSPECIFIED && (length < 1 || length > LENGTH_CHARS_MAX)) {
                    throw new IllegalArgumentException("length for type " + kind.sqlName + " must be in [1, "
                            + LENGTH_CHARS_MAX + "], got " + length);
                }
                if (kind == Kind.CHAR && length == UNSPECIFIED) {
                    length = 1; // char without n is char(1), as in SQL
                }
                requireUnspecified(kind, "precision", precision);
                requireUnspecified(kind, "scale", scale);
            }
            case NUMERIC -> {
                requireUnspecified(kind, "length", length);
                if (precision == UNSPECIFIED) {
                    requireUnspecified(kind, "scale without precision: scale", scale);
                } else {
                    if (precision < 1 || precision > NUMERIC_PRECISION_MAX) {
                        throw new IllegalArgumentException("NUMERIC precision " + precision + " must be in [1, "
                                + NUMERIC_PRECISION_MAX + "]");
                    }
                    if (scale == UNSPECIFIED) {
                        scale = 0; // numeric(p) is numeric(p, 0), as in SQL
                    }
                    if (scale < 0 || scale > precision) {
                        throw new IllegalArgumentException("NUMERIC scale " + scale + " must be in [0, precision "
                                + precision + "]");
                    }
                }
            }
            default -> {
                requireUnspecified(kind, "length", length);
                requireUnspecified(kind, "precision", precision);
                requireUnspecified(kind, "scale", scale);
            }
        }
    }

    private static void requireUnspecified(Kind kind, String what, int value) {
        if (value != UNSPECIFIED) {
            throw new IllegalArgumentException("type " + kind.sqlName + " has no " + what + " modifier, got " + value);
        }
    }

    public static ColumnType of(Kind kind) {
        return new ColumnType(kind, UNSPECIFIED, UNSPECIFIED, UNSPECIFIED);
    }

    public static ColumnType smallint() {
        return of(Kind.SMALLINT);
    }

    public static ColumnType integer() {
        return of(Kind.INTEGER);
    }

    public static ColumnType bigint() {
        return of(Kind.BIGINT);
    }

    /** numeric without precision: any value, stored with the scale it comes with. */
    public static ColumnType numeric() {
        return of(Kind.NUMERIC);
    }

    public static ColumnType numeric(int precision, int scale) {
        return new ColumnType(Kind.NUMERIC, UNSPECIFIED, precision, scale);
    }

    public static ColumnType real() {
        return of(Kind.REAL);
    }

    public static ColumnType doublePrecision() {
        return of(Kind.DOUBLE);
    }

    /** varchar without a length: any length (like text). */
    public static ColumnType varchar() {
        return of(Kind.VARCHAR);
    }

    public static ColumnType varchar(int lengthChars) {
        return new ColumnType(Kind.VARCHAR, lengthChars, UNSPECIFIED, UNSPECIFIED);
    }

    public static ColumnType character(int lengthChars) {
        return new ColumnType(Kind.CHAR, lengthChars, UNSPECIFIED, UNSPECIFIED);
    }

    public static ColumnType text() {
        return of(Kind.TEXT);
    }

    public static ColumnType bool() {
        return of(Kind.BOOLEAN);
    }

    public static ColumnType date() {
        return of(Kind.DATE);
    }

    public static ColumnType timestamp() {
        return of(Kind.TIMESTAMP);
    }

    /** The key encoding's type. */
    public KeyType keyType() {
        return kind.keyType;
    }

    /** A key column of this type in the given direction and NULL placement. */
    public KeyColumn keyColumn(boolean descending, boolean nullsFirst) {
        return new KeyColumn(kind.keyType, descending, nullsFirst);
    }

    /** PostgreSQL's atttypmod for the type: -1 without modifiers, else encoded as PostgreSQL does. */
    public int pgTypmod() {
        return switch (kind) {
            case VARCHAR, CHAR -> length == UNSPECIFIED ? -1 : length + 4;
            case NUMERIC -> precision == UNSPECIFIED ? -1 : ((precision << 16) | scale) + 4;
            default -> -1;
        };
    }

    /** The type as PostgreSQL prints it ({@code format_type}): {@code character varying(10)}, {@code numeric(9,2)}. */
    public String sqlName() {
        return switch (kind) {
            case VARCHAR, CHAR -> length == UNSPECIFIED ? kind.sqlName : kind.sqlName + "(" + length + ")";
            case NUMERIC -> precision == UNSPECIFIED ? kind.sqlName : "numeric(" + precision + "," + scale + ")";
            default -> kind.sqlName;
        };
    }

    @Override
    public String toString() {
        return sqlName();
    }

    /**
     * The canonical stored value for {@code value} (null stays null; NOT NULL is the table's rule), or a typed error
     * if the value does not fit the type: {@link StringDataRightTruncationException},
     * {@link NumericValueOutOfRangeException}, {@link DatetimeFieldOverflowException},
     * {@link CharacterNotInRepertoireException}.
     *
     * @throws IllegalArgumentException for a Java value that is not of this type's family at all
     */
    public Object coerce(Object value) {
        if (value == null) {
            return null;
        }
        return switch (kind) {
            case SMALLINT -> (short) integral(value, Short.MIN_VALUE, Short.MAX_VALUE);
            case INTEGER -> (int) integral(value, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case BIGINT -> integral(value, Long.MIN_VALUE, Long.MAX_VALUE);
            case NUMERIC -> numericValue(value);
            case REAL -> realValue(value);
            case DOUBLE -> doubleValue(value);
            case VARCHAR, CHAR, TEXT -> stringValue(value);
            case BOOLEAN -> {
                if (!(value instanceof Boolean b)) {
                    throw wrongJavaType(value);
                }
                yield b;
            }
            case DATE -> {
                if (!(value instanceof LocalDate d)) {
                    throw wrongJavaType(value);
                }
                if (d.isBefore(DATE_MIN) || d.isAfter(DATE_MAX)) {
                    throw new DatetimeFieldOverflowException("date out of range: \"" + d + "\"");
                }
                yield d;
            }
            case TIMESTAMP -> timestampValue(value);
        };
    }

    private long integral(Object value, long min, long max) {
        long v;
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            v = ((Number) value).longValue();
        } else if (value instanceof BigInteger bi) {
            if (bi.bitLength() > 63) {
                throw outOfRange(value);
            }
            v = bi.longValue();
        } else {
            throw wrongJavaType(value);
        }
        if (v < min || v > max) {
            throw outOfRange(value);
        }
        return v;
    }

    private NumericValueOutOfRangeException outOfRange(Object value) {
        return new NumericValueOutOfRangeException(kind.sqlName + " out of range: " + value);
    }

    private BigDecimal numericValue(Object value) {
        BigDecimal d;
        if (value instanceof BigDecimal bd) {
            d = bd;
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte) {
            d = BigDecimal.valueOf(((Number) value).longValue());
        } else if (value instanceof BigInteger bi) {
            d = new BigDecimal(bi);
        } else {
            throw wrongJavaType(value);
        }
        if (precision == UNSPECIFIED) {
            return d;
        }
        // PostgreSQL rounds half away from zero to the declared scale, then checks the integer digits.
        BigDecimal rounded = d.setScale(scale, RoundingMode.HALF_UP);
        int integerDigits = rounded.signum() == 0 ? 0 : rounded.precision() - rounded.scale();
        if (integerDigits > precision - scale) {
            throw new NumericValueOutOfRangeException("numeric field overflow: a field with precision " + precision
                    + ", scale " + scale + " must round to an absolute value less than 10^" + (precision - scale)
                    + ", got " + d.toPlainString());
        }
        return rounded;
    }

    private Float realValue(Object value) {
        if (value instanceof Float f) {
            return f;
        }
        double d = floatingSource(value);
        float f = (float) d;
        if (Float.isInfinite(f) && !Double.isInfinite(d)) {
            throw outOfRange(value);
        }
        return f;
    }

    private Double doubleValue(Object value) {
        if (value instanceof Double d) {
            return d;
        }
        return floatingSource(value);
    }

    private double floatingSource(Object value) {
        if (value instanceof Double || value instanceof Float || value instanceof Long || value instanceof Integer
                || value instanceof Short || value instanceof Byte) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof BigDecimal bd) {
            double d = bd.doubleValue();
            if (Double.isInfinite(d)) {
                throw outOfRange(value);
            }
            return d;
        }
        throw wrongJavaType(value);
    }

    private String stringValue(Object value) {
        if (!(value instanceof String s)) {
            throw wrongJavaType(value);
        }
        checkEncodable(s);
        if (length == UNSPECIFIED) {
            return s;
        }
        int chars = s.codePointCount(0, s.length());
        if (chars > length) {
            // SQL: excess characters that are all spaces are cut silently; anything else is an error.
            int cut = s.offsetByCodePoints(0, length);
            for (int i = cut; i < s.length(); i++) {
                if (s.charAt(i) != ' ') {
                    throw new StringDataRightTruncationException(sqlName(), chars);
                }
            }
            return s.substring(0, cut);
        }
        if (kind == Kind.CHAR && chars < length) {
            return s + " ".repeat(length - chars);
        }
        return s;
    }

    private static void checkEncodable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new CharacterNotInRepertoireException("unpaired surrogate at index " + i);
            }
            if (Character.isLowSurrogate(c)) {
                throw new CharacterNotInRepertoireException("unpaired surrogate at index " + i);
            }
        }
    }

    private LocalDateTime timestampValue(Object value) {
        if (!(value instanceof LocalDateTime t)) {
            throw wrongJavaType(value);
        }
        if (t.isBefore(TIMESTAMP_MIN) || t.isAfter(TIMESTAMP_MAX)) {
            throw new DatetimeFieldOverflowException("timestamp out of range: \"" + t + "\"");
        }
        // PostgreSQL keeps microseconds, rounding half up.
        int subMicroNanos = t.getNano() % 1000;
        LocalDateTime micros = t.truncatedTo(ChronoUnit.MICROS);
        if (subMicroNanos >= 500) {
            micros = micros.plusNanos(1000);
            if (micros.isAfter(TIMESTAMP_MAX)) {
                throw new DatetimeFieldOverflowException("timestamp out of range: \"" + t + "\"");
            }
        }
        return micros;
    }

    private IllegalArgumentException wrongJavaType(Object value) {
        return new IllegalArgumentException("a " + value.getClass().getSimpleName() + " is not a value of type "
                + sqlName() + "; convert it first");
    }
}
