package io.cacdb.server.sql.types;

import io.cacdb.server.session.PgType;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;

/**
 * Comparison and arithmetic on SQL values, after the operands have been converted to their common type ({@link
 * #commonType}). NULL handling is the caller's (three-valued logic lives in the expression nodes).
 */
public final class Operators {

    /** PostgreSQL's minimum significant digits of a numeric division result (NUMERIC_MIN_SIG_DIGITS). */
    private static final int NUMERIC_DIVISION_DIGITS_MIN = 16;
    /** Largest scale a numeric division result gets (PostgreSQL's NUMERIC_MAX_DISPLAY_SCALE). */
    private static final int NUMERIC_DIVISION_SCALE_MAX = 1000;

    private Operators() {
    }

    /**
     * The type both operands of a comparison or arithmetic operator are converted to, or null if the types do not
     * meet (PostgreSQL: 42883, operator does not exist). Unknown operands take the other side's type.
     */
    public static SqlType commonType(SqlType a, SqlType b) {
        if (a.isUnknown() && b.isUnknown()) {
            return SqlType.TEXT;
        }
        if (a.isUnknown()) {
            return b.base();
        }
        if (b.isUnknown()) {
            return a.base();
        }
        if (a.isNumeric() && b.isNumeric()) {
            int ra = Casts.rank(a.pg());
            int rb = Casts.rank(b.pg());
            if ((a.pg() == PgType.NUMERIC && b.pg() == PgType.FLOAT4) || (a.pg() == PgType.FLOAT4 && b.pg() == PgType.NUMERIC)) {
                return SqlType.FLOAT8;
            }
            return (ra >= rb ? a : b).base();
        }
        if (a.isString() && b.isString()) {
            return a.pg() == PgType.BPCHAR && b.pg() == PgType.BPCHAR ? SqlType.BPCHAR : SqlType.TEXT;
        }
        if (a.isDateTime() && b.isDateTime()) {
            return Casts.dateRank(a.pg()) >= Casts.dateRank(b.pg()) ? a.base() : b.base();
        }
        if (a.pg() == b.pg()) {
            return a.base();
        }
        return null;
    }

    /**
     * Compares two non-null values of type {@code t}. Strings compare by code point (collation "C", the order the
     * engine's indexes keep); char(n) values compare without their trailing spaces; -0.0 equals 0.0.
     */
    public static int compare(Object a, Object b, SqlType t) {
        switch (t.pg()) {
            case INT2, INT4, INT8 -> {
                return Long.compare(((Number) a).longValue(), ((Number) b).longValue());
            }
            case NUMERIC -> {
                return ((BigDecimal) a).compareTo((BigDecimal) b);
            }
            case FLOAT4, FLOAT8 -> {
                double x = ((Number) a).doubleValue();
                double y = ((Number) b).doubleValue();
                return x == y ? 0 : Double.compare(x, y);
            }
            case TEXT, VARCHAR, UNKNOWN -> {
                return compareCodePoints((String) a, (String) b);
            }
            case BPCHAR -> {
                return compareCodePoints(Casts.stripTrailingSpaces((String) a), Casts.stripTrailingSpaces((String) b));
            }
            case BOOL -> {
                return Boolean.compare((Boolean) a, (Boolean) b);
            }
            case DATE -> {
                return ((LocalDate) a).compareTo((LocalDate) b);
            }
            case TIMESTAMP -> {
                return ((LocalDateTime) a).compareTo((LocalDateTime) b);
            }
            case TIMESTAMPTZ -> {
                return ((OffsetDateTime) a).toInstant().compareTo(((OffsetDateTime) b).toInstant());
            }
            default -> throw new IllegalStateException("no comparison for " + t);
        }
    }

    public static int compareCodePoints(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                if (Character.isSurrogate(x) || Character.isSurrogate(y)) {
                    return Integer.compare(a.codePointAt(i), b.codePointAt(i));
                }
                return Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    /** The arithmetic operators. */
    public enum Arith {
        ADD("+"), SUBTRACT("-"), MULTIPLY("*"), DIVIDE("/"), MODULO("%");

        public final String symbol;

        Arith(String symbol) {
            this.symbol = symbol;
        }
    }

    /**
     * The result type of {@code a op b}, or null if there is no such operator. Numbers promote to their common type;
     * {@code date ± integer} is a date, {@code date - date} an integer.
     */
    public static SqlType arithmeticType(Arith op, SqlType a, SqlType b) {
        if (a.pg() == PgType.DATE && (b.isInteger() || b.isUnknown()) && (op == Arith.ADD || op == Arith.SUBTRACT)) {
            return SqlType.DATE;
        }
        if (b.pg() == PgType.DATE && a.isInteger() && op == Arith.ADD) {
            return SqlType.DATE;
        }
        if (a.pg() == PgType.DATE && b.pg() == PgType.DATE && op == Arith.SUBTRACT) {
            return SqlType.INT4;
        }
        SqlType common = commonType(a, b);
        if (common == null || !common.isNumeric()) {
            return null;
        }
        if ((common.pg() == PgType.FLOAT4 || common.pg() == PgType.FLOAT8) && op == Arith.MODULO) {
            return null;
        }
        return common.pg() == PgType.INT2 ? SqlType.INT4 : common;
    }

    /** {@code a op b} for non-null operands already converted to the operator's input type {@code in}. */
    public static Object arithmetic(Arith op, Object a, Object b, SqlType in, SqlType out) throws SqlException {
        if (out.pg() == PgType.DATE) {
            if (a instanceof LocalDate d) {
                long days = ((Number) b).longValue();
                return op == Arith.ADD ? d.plusDays(days) : d.minusDays(days);
            }
            return ((LocalDate) b).plusDays(((Number) a).longValue());
        }
        if (in.pg() == PgType.DATE) {
            return (int) ChronoUnit.DAYS.between((LocalDate) b, (LocalDate) a);
        }
        try {
            return switch (out.pg()) {
                case INT2, INT4, INT8 -> integerArithmetic(op, ((Number) a).longValue(), ((Number) b).longValue(), out);
                case NUMERIC -> numericArithmetic(op, (BigDecimal) a, (BigDecimal) b);
                case FLOAT4 -> (float) floatArithmetic(op, ((Number) a).doubleValue(), ((Number) b).doubleValue(), "real");
                case FLOAT8 -> floatArithmetic(op, ((Number) a).doubleValue(), ((Number) b).doubleValue(),
                        "double precision");
                default -> throw new IllegalStateException("no arithmetic for " + out);
            };
        } catch (ArithmeticException e) {
            throw Casts.outOfRange(out.name());
        }
    }

    private static Object integerArithmetic(Arith op, long a, long b, SqlType out) throws SqlException {
        long r = switch (op) {
            case ADD -> Math.addExact(a, b);
            case SUBTRACT -> Math.subtractExact(a, b);
            case MULTIPLY -> Math.multiplyExact(a, b);
            case DIVIDE -> {
                if (b == 0) {
                    throw divisionByZero();
                }
                if (a == Long.MIN_VALUE && b == -1) {
                    throw new ArithmeticException("overflow");
                }
                yield a / b;
            }
            case MODULO -> {
                if (b == 0) {
                    throw divisionByZero();
                }
                yield b == -1 ? 0 : a % b;
            }
        };
        return switch (out.pg()) {
            case INT4 -> {
                if (r < Integer.MIN_VALUE || r > Integer.MAX_VALUE) {
                    throw Casts.outOfRange("integer");
                }
                yield (int) r;
            }
            case INT2 -> {
                if (r < Short.MIN_VALUE || r > Short.MAX_VALUE) {
                    throw Casts.outOfRange("smallint");
                }
                yield (short) r;
            }
            default -> r;
        };
    }

    private static BigDecimal numericArithmetic(Arith op, BigDecimal a, BigDecimal b) throws SqlException {
        return switch (op) {
            case ADD -> a.add(b);
            case SUBTRACT -> a.subtract(b);
            case MULTIPLY -> a.multiply(b);
            case DIVIDE -> {
                if (b.signum() == 0) {
                    throw divisionByZero();
                }
                BigDecimal q = a.divide(b, MathContext.DECIMAL128);
                int firstDigit = q.signum() == 0 ? 0 : q.precision() - q.scale() - 1;
                int scale = Math.max(Math.max(a.scale(), b.scale()), NUMERIC_DIVISION_DIGITS_MIN - firstDigit);
                scale = Math.min(Math.max(scale, 0), NUMERIC_DIVISION_SCALE_MAX);
                yield a.divide(b, scale, RoundingMode.HALF_UP);
            }
            case MODULO -> {
                if (b.signum() == 0) {
                    throw divisionByZero();
                }
                yield a.remainder(b);
            }
        };
    }

    private static double floatArithmetic(Arith op, double a, double b, String typeName) throws SqlException {
        double r = switch (op) {
            case ADD -> a + b;
            case SUBTRACT -> a - b;
            case MULTIPLY -> a * b;
            case DIVIDE -> {
                if (b == 0) {
                    throw divisionByZero();
                }
                yield a / b;
            }
            case MODULO -> throw new IllegalStateException("no float modulo");
        };
        if (Double.isInfinite(r) && !Double.isInfinite(a) && !Double.isInfinite(b)) {
            throw new SqlException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
        }
        return r;
    }

    public static SqlException divisionByZero() {
        return new SqlException(SqlState.of("22012"), "division by zero");
    }

    /** Unary minus. */
    public static Object negate(Object v, SqlType t) throws SqlException {
        try {
            return switch (t.pg()) {
                case INT2 -> {
                    short s = (Short) v;
                    if (s == Short.MIN_VALUE) {
                        throw Casts.outOfRange("smallint");
                    }
                    yield (short) -s;
                }
                case INT4 -> Math.negateExact((Integer) v);
                case INT8 -> Math.negateExact((Long) v);
                case NUMERIC -> ((BigDecimal) v).negate();
                case FLOAT4 -> -(Float) v;
                case FLOAT8 -> -(Double) v;
                default -> throw new IllegalStateException("no negation for " + t);
            };
        } catch (ArithmeticException e) {
            throw Casts.outOfRange(t.name());
        }
    }
}
