package io.cacdb.server.sql.types;

import io.cacdb.server.pgwire.PgValueCodec;
import io.cacdb.server.session.PgType;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Conversions between SQL types, with PostgreSQL's rules: which casts exist in which context ({@link #castable}), and
 * what they do ({@link #cast}). Values are the seam's Java classes ({@link PgType#javaType()}).
 *
 * <p>Rules kept from PostgreSQL: float to integer rounds to nearest (half to even), numeric to integer rounds half
 * away from zero, both with a range check (22003); float to numeric keeps 15 (float8) or 6 (float4) significant
 * digits; an explicit cast to varchar(n)/char(n) truncates, an assignment raises 22001 unless the excess is spaces;
 * char(n) loses its trailing spaces when it becomes text or varchar; an unknown literal converts to anything through
 * the type's text input (22P02 on bad input). The session time zone is UTC (see docs/sql.md).
 */
public final class Casts {

    /** Significant decimal digits float8 → numeric keeps (PostgreSQL's DBL_DIG). */
    private static final int FLOAT8_DIGITS = 15;
    /** Significant decimal digits float4 → numeric keeps (FLT_DIG). */
    private static final int FLOAT4_DIGITS = 6;

    private Casts() {
    }

    /** Whether a value of type {@code from} may become a {@code to} in this context. */
    public static boolean castable(SqlType from, SqlType to, CastKind kind) {
        PgType f = from.pg();
        PgType t = to.pg();
        if (f == t || f == PgType.UNKNOWN) {
            return true;
        }
        if (to.isString()) {
            return from.isString() || kind != CastKind.IMPLICIT;
        }
        if (from.isNumeric() && to.isNumeric()) {
            return kind != CastKind.IMPLICIT || rank(f) <= rank(t);
        }
        if (from.isDateTime() && to.isDateTime()) {
            return kind != CastKind.IMPLICIT || dateRank(f) <= dateRank(t);
        }
        if (kind == CastKind.EXPLICIT) {
            if (from.isString()) {
                return t != PgType.UNKNOWN;
            }
            return (f == PgType.BOOL && (t == PgType.INT4)) || (from.isInteger() && t == PgType.BOOL);
        }
        return false;
    }

    /** Numeric promotion order: smallint < integer < bigint < numeric < real < double precision. */
    public static int rank(PgType t) {
        return switch (t) {
            case INT2 -> 0;
            case INT4 -> 1;
            case INT8 -> 2;
            case NUMERIC -> 3;
            case FLOAT4 -> 4;
            case FLOAT8 -> 5;
            default -> -1;
        };
    }

    static int dateRank(PgType t) {
        return switch (t) {
            case DATE -> 0;
            case TIMESTAMP -> 1;
            case TIMESTAMPTZ -> 2;
            default -> -1;
        };
    }

    /** Converts {@code v} (of type {@code from}) to {@code to}; null stays null. */
    public static Object cast(Object v, SqlType from, SqlType to, CastKind kind) throws SqlException {
        if (v == null) {
            return null;
        }
        PgType t = to.pg();
        PgType f = from.pg();
        if (f == PgType.UNKNOWN || (from.isString() && !to.isString() && t != PgType.UNKNOWN)) {
            Object parsed = fromText(t, (String) v);
            return applyModifiers(parsed, to, kind);
        }
        Object out = switch (t) {
            case BOOL -> toBool(v, f);
            case INT2 -> (short) toLong(v, Short.MIN_VALUE, Short.MAX_VALUE, "smallint");
            case INT4 -> (int) toLong(v, Integer.MIN_VALUE, Integer.MAX_VALUE, "integer");
            case INT8 -> toLong(v, Long.MIN_VALUE, Long.MAX_VALUE, "bigint");
            case NUMERIC -> toNumeric(v);
            case FLOAT4 -> toFloat4(v);
            case FLOAT8 -> toFloat8(v);
            case TEXT, VARCHAR, BPCHAR, UNKNOWN -> toText(v, f);
            case DATE -> toDate(v, f);
            case TIMESTAMP -> toTimestamp(v, f);
            case TIMESTAMPTZ -> toTimestamptz(v, f);
        };
        return applyModifiers(out, to, kind);
    }

    private static Object fromText(PgType t, String text) throws SqlException {
        if (t == PgType.BOOL) {
            return PgValueCodec.decodeText(t, text);
        }
        Object o = PgValueCodec.decodeText(t, text);
        if (o instanceof Double d && t == PgType.FLOAT4) {
            return d.floatValue();
        }
        return o;
    }

    private static Object applyModifiers(Object v, SqlType to, CastKind kind) throws SqlException {
        if (v == null) {
            return null;
        }
        switch (to.pg()) {
            case VARCHAR, BPCHAR -> {
                String s = (String) v;
                if (to.length() < 0) {
                    return s;
                }
                int chars = s.codePointCount(0, s.length());
                if (chars > to.length()) {
                    int cut = s.offsetByCodePoints(0, to.length());
                    if (kind != CastKind.EXPLICIT) {
                        for (int i = cut; i < s.length(); i++) {
                            if (s.charAt(i) != ' ') {
                                throw new SqlException(SqlState.STRING_DATA_RIGHT_TRUNCATION,
                                        "value too long for type " + to.name());
                            }
                        }
                    }
                    s = s.substring(0, cut);
                    chars = to.length();
                }
                if (to.pg() == PgType.BPCHAR && chars < to.length()) {
                    s = s + " ".repeat(to.length() - chars);
                }
                return s;
            }
            case NUMERIC -> {
                if (to.precision() < 0) {
                    return v;
                }
                BigDecimal d = ((BigDecimal) v).setScale(to.scale(), RoundingMode.HALF_UP);
                int integerDigits = d.signum() == 0 ? 0 : d.precision() - d.scale();
                if (integerDigits > to.precision() - to.scale()) {
                    throw new SqlException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, io.cacdb.server.session.Severity.ERROR,
                            "numeric field overflow", "A field with precision " + to.precision() + ", scale " + to.scale()
                                    + " must round to an absolute value less than 10^" + (to.precision() - to.scale())
                                    + ".", null, 0, null);
                }
                return d;
            }
            default -> {
                return v;
            }
        }
    }

    private static boolean toBool(Object v, PgType f) throws SqlException {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n && (f == PgType.INT2 || f == PgType.INT4 || f == PgType.INT8)) {
            return n.longValue() != 0;
        }
        throw cannotCast(f, PgType.BOOL);
    }

    static long toLong(Object v, long min, long max, String typeName) throws SqlException {
        long r;
        if (v instanceof Long || v instanceof Integer || v instanceof Short) {
            r = ((Number) v).longValue();
        } else if (v instanceof BigDecimal d) {
            BigDecimal rounded = d.setScale(0, RoundingMode.HALF_UP);
            if (rounded.compareTo(BigDecimal.valueOf(min)) < 0 || rounded.compareTo(BigDecimal.valueOf(max)) > 0) {
                throw outOfRange(typeName);
            }
            r = rounded.longValueExact();
        } else if (v instanceof Double || v instanceof Float) {
            double d = Math.rint(((Number) v).doubleValue());
            // (double) Long.MAX_VALUE rounds up to 2^63, which is already out of range
            if (Double.isNaN(d) || d < (double) min || (max == Long.MAX_VALUE ? d >= 0x1p63 : d > max)) {
                throw outOfRange(typeName);
            }
            r = (long) d;
        } else if (v instanceof Boolean b) {
            r = b ? 1 : 0;
        } else {
            throw new SqlException(SqlState.DATATYPE_MISMATCH, "cannot convert " + v.getClass().getSimpleName()
                    + " to " + typeName);
        }
        if (r < min || r > max) {
            throw outOfRange(typeName);
        }
        return r;
    }

    public static SqlException outOfRange(String typeName) {
        return new SqlException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, typeName + " out of range");
    }

    static BigDecimal toNumeric(Object v) throws SqlException {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new SqlException(SqlState.FEATURE_NOT_SUPPORTED, "numeric NaN and infinity are not supported");
            }
            int digits = v instanceof Float ? FLOAT4_DIGITS : FLOAT8_DIGITS;
            BigDecimal r = new BigDecimal(v instanceof Float ? Float.toString((Float) v) : Double.toString(d))
                    .round(new MathContext(digits, RoundingMode.HALF_EVEN)).stripTrailingZeros();
            return r.scale() < 0 ? r.setScale(0) : r;
        }
        throw new SqlException(SqlState.DATATYPE_MISMATCH, "cannot convert " + v.getClass().getSimpleName()
                + " to numeric");
    }

    static double toFloat8(Object v) throws SqlException {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new SqlException(SqlState.DATATYPE_MISMATCH, "cannot convert " + v.getClass().getSimpleName()
                + " to double precision");
    }

    static float toFloat4(Object v) throws SqlException {
        if (v instanceof Float f) {
            return f;
        }
        double d = toFloat8(v);
        float f = (float) d;
        if (Float.isInfinite(f) && !Double.isInfinite(d)) {
            throw outOfRange("real");
        }
        return f;
    }

    /** The text form of a value, as a cast to text writes it. */
    public static String toText(Object v, PgType f) {
        if (v instanceof String s) {
            return f == PgType.BPCHAR ? stripTrailingSpaces(s) : s;
        }
        if (v instanceof Boolean b) {
            return b ? "true" : "false";
        }
        return PgValueCodec.toText(f, v);
    }

    public static String stripTrailingSpaces(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return end == s.length() ? s : s.substring(0, end);
    }

    private static LocalDate toDate(Object v, PgType f) throws SqlException {
        return switch (v) {
            case LocalDate d -> d;
            case LocalDateTime t -> t.toLocalDate();
            case OffsetDateTime t -> t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
            default -> throw cannotCast(f, PgType.DATE);
        };
    }

    private static LocalDateTime toTimestamp(Object v, PgType f) throws SqlException {
        return switch (v) {
            case LocalDateTime t -> t;
            case LocalDate d -> d.atStartOfDay();
            case OffsetDateTime t -> t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
            default -> throw cannotCast(f, PgType.TIMESTAMP);
        };
    }

    private static OffsetDateTime toTimestamptz(Object v, PgType f) throws SqlException {
        return switch (v) {
            case OffsetDateTime t -> t;
            case LocalDateTime t -> t.atOffset(ZoneOffset.UTC);
            case LocalDate d -> d.atStartOfDay().atOffset(ZoneOffset.UTC);
            default -> throw cannotCast(f, PgType.TIMESTAMPTZ);
        };
    }

    private static SqlException cannotCast(PgType from, PgType to) {
        return new SqlException(SqlState.of("42846"), "cannot cast type " + SqlType.plain(from).name() + " to "
                + SqlType.plain(to).name());
    }
}
