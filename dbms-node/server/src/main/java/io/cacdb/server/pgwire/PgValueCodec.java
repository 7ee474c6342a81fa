package io.cacdb.server.pgwire;

import io.cacdb.server.session.PgType;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text and binary encodings of the values of every {@link PgType}, byte for byte as PostgreSQL 15 produces and
 * accepts them with the settings this server reports ({@code DateStyle = ISO, MDY}, {@code integer_datetimes = on},
 * {@code extra_float_digits = 1}, UTF-8). Stateless and thread-safe.
 *
 * <p>Encoding a value of the wrong Java class is a bug of the SQL layer ({@link IllegalArgumentException}); decoding
 * bytes from a client is an operating error ({@link SqlException} with PostgreSQL's SQLSTATE for it: {@code 22P02}
 * bad text, {@code 22P03} bad binary, {@code 22003} out of range, {@code 22007}/{@code 22008} bad date/time,
 * {@code 22021} bad UTF-8).
 *
 * <p>Dates and timestamps: {@link LocalDate#MAX}/{@link LocalDate#MIN} (and the same for {@link LocalDateTime} and
 * {@link OffsetDateTime}) stand for {@code infinity}/{@code -infinity}; times carry microseconds (PostgreSQL's
 * precision; finer values are rounded); {@code timestamptz} values are rendered in UTC. Numeric {@code NaN} and
 * {@code ±Infinity} have no {@link BigDecimal} and are refused with {@code 0A000}.
 */
public final class PgValueCodec {

    /** Text format code in Bind and RowDescription. */
    public static final short TEXT_FORMAT = 0;
    /** Binary format code in Bind and RowDescription. */
    public static final short BINARY_FORMAT = 1;

    /** 2000-01-01, PostgreSQL's epoch for binary dates and timestamps. */
    static final LocalDate PG_EPOCH_DATE = LocalDate.of(2000, 1, 1);
    private static final LocalDateTime PG_EPOCH = PG_EPOCH_DATE.atStartOfDay();
    private static final long PG_EPOCH_EPOCH_SECONDS = PG_EPOCH.toEpochSecond(ZoneOffset.UTC);

    /** Numeric sign words of the binary format. */
    static final int NUMERIC_POS = 0x0000;
    static final int NUMERIC_NEG = 0x4000;
    static final int NUMERIC_NAN = 0xC000;
    static final int NUMERIC_PINF = 0xD000;
    static final int NUMERIC_NINF = 0xF000;
    /** Largest display scale a numeric may carry (PostgreSQL's NUMERIC_DSCALE_MAX). */
    static final int NUMERIC_DSCALE_MAX = 0x3FFF;
    /** Largest number of base-10000 digits we accept in a binary numeric: 131072 decimal digits before the point
     * plus 16383 after, PostgreSQL's own bound, rounded up to digit groups. */
    static final int NUMERIC_MAX_DIGIT_GROUPS = (131072 + NUMERIC_DSCALE_MAX) / 4 + 2;

    /** Decimal exponents outside [-4, P) print in scientific notation, P = 15 for float8 and 6 for float4
     * (PostgreSQL matches printf's %g defaults). */
    private static final int FLOAT8_FIXED_EXPONENT_LIMIT = 15;
    private static final int FLOAT4_FIXED_EXPONENT_LIMIT = 6;
    private static final int SCIENTIFIC_LOWER_EXPONENT = -4;

    private static final Pattern FLOAT_TEXT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern DATE_TIME_TEXT = Pattern.compile(
            "(\\d{1,7})-(\\d{1,2})-(\\d{1,2})"                       // date
            + "(?:[ T](\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(?:\\.(\\d{1,9}))?)?)?" // time
            + "\\s*(Z|z|[+-]\\d{1,2}(?::?\\d{2}(?::?\\d{2})?)?)?"     // zone
            + "(?:\\s+(BC|AD|bc|ad))?");                               // era

    private PgValueCodec() {
    }

    // ------------------------------------------------------------------------------------------------- encode

    /** The value's bytes in the given format (0 text, 1 binary); never called with null (NULL has no bytes). */
    public static byte[] encode(PgType type, Object value, short format) {
        return format == BINARY_FORMAT ? encodeBinary(type, value) : encodeText(type, value);
    }

    /** The text format as UTF-8 bytes. */
    public static byte[] encodeText(PgType type, Object value) {
        return toText(type, value).getBytes(StandardCharsets.UTF_8);
    }

    /** The text format, as PostgreSQL's output function writes it. */
    public static String toText(PgType type, Object value) {
        checkClass(type, value);
        return switch (type) {
            case BOOL -> (Boolean) value ? "t" : "f";
            case INT2, INT4, INT8 -> value.toString();
            case NUMERIC -> numericText((BigDecimal) value);
            case FLOAT4 -> floatText((Float) value, true);
            case FLOAT8 -> floatText((Double) value, false);
            case TEXT, VARCHAR, BPCHAR, UNKNOWN -> (String) value;
            case DATE -> dateText((LocalDate) value);
            case TIMESTAMP -> timestampText((LocalDateTime) value);
            case TIMESTAMPTZ -> timestamptzText((OffsetDateTime) value);
        };
    }

    /** The binary format, as PostgreSQL's send function writes it. */
    public static byte[] encodeBinary(PgType type, Object value) {
        checkClass(type, value);
        return switch (type) {
            case BOOL -> new byte[] {(byte) ((Boolean) value ? 1 : 0)};
            case INT2 -> ByteBuffer.allocate(2).putShort((Short) value).array();
            case INT4 -> ByteBuffer.allocate(4).putInt((Integer) value).array();
            case INT8 -> ByteBuffer.allocate(8).putLong((Long) value).array();
            case FLOAT4 -> ByteBuffer.allocate(4).putFloat((Float) value).array();
            case FLOAT8 -> ByteBuffer.allocate(8).putDouble((Double) value).array();
            case NUMERIC -> numericBinary((BigDecimal) value);
            case TEXT, VARCHAR, BPCHAR, UNKNOWN -> ((String) value).getBytes(StandardCharsets.UTF_8);
            case DATE -> ByteBuffer.allocate(4).putInt(dateToPgDays((LocalDate) value)).array();
            case TIMESTAMP -> ByteBuffer.allocate(8).putLong(timestampToPgMicros((LocalDateTime) value)).array();
            case TIMESTAMPTZ -> ByteBuffer.allocate(8).putLong(timestamptzToPgMicros((OffsetDateTime) value)).array();
        };
    }

    private static void checkClass(PgType type, Object value) {
        if (!type.javaType().isInstance(value)) {
            throw new IllegalArgumentException("a " + type + " value must be a " + type.javaType().getSimpleName()
                    + ", got " + (value == null ? "null" : value.getClass().getName()));
        }
    }

    static String numericText(BigDecimal v) {
        return (v.scale() < 0 ? v.setScale(0) : v).toPlainString();
    }

    static String floatText(double d, boolean float4) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0" : "0";
        }
        // The JDK (19+) prints the shortest decimal that reads back to the same value, as PostgreSQL's Ryu does.
        BigDecimal shortest = new BigDecimal(float4 ? Float.toString((float) d) : Double.toString(d))
                .stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - shortest.scale(); // decimal exponent of the first digit
        int limit = float4 ? FLOAT4_FIXED_EXPONENT_LIMIT : FLOAT8_FIXED_EXPONENT_LIMIT;
        StringBuilder sb = new StringBuilder(32);
        if (d < 0) {
            sb.append('-');
        }
        if (exponent < SCIENTIFIC_LOWER_EXPONENT || exponent >= limit) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            if (abs < 10) {
                sb.append('0');
            }
            sb.append(abs);
        } else {
            sb.append(shortest.abs().toPlainString());
        }
        return sb.toString();
    }

    static String dateText(LocalDate d) {
        if (d.equals(LocalDate.MAX)) {
            return "infinity";
        }
        if (d.equals(LocalDate.MIN)) {
            return "-infinity";
        }
        StringBuilder sb = new StringBuilder(16);
        appendDate(sb, d);
        if (d.getYear() <= 0) {
            sb.append(" BC");
        }
        return sb.toString();
    }

    static String timestampText(LocalDateTime t) {
        if (t.equals(LocalDateTime.MAX)) {
            return "infinity";
        }
        if (t.equals(LocalDateTime.MIN)) {
            return "-infinity";
        }
        LocalDateTime r = roundToMicros(t);
        StringBuilder sb = new StringBuilder(32);
        appendDate(sb, r.toLocalDate());
        sb.append(' ');
        appendTime(sb, r.toLocalTime());
        if (r.getYear() <= 0) {
            sb.append(" BC");
        }
        return sb.toString();
    }

    static String timestamptzText(OffsetDateTime t) {
        if (t.equals(OffsetDateTime.MAX)) {
            return "infinity";
        }
        if (t.equals(OffsetDateTime.MIN)) {
            return "-infinity";
        }
        LocalDateTime utc = roundToMicros(t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
        StringBuilder sb = new StringBuilder(36);
        appendDate(sb, utc.toLocalDate());
        sb.append(' ');
        appendTime(sb, utc.toLocalTime());
        sb.append("+00");
        if (utc.getYear() <= 0) {
            sb.append(" BC");
        }
        return sb.toString();
    }

    private static void appendDate(StringBuilder sb, LocalDate d) {
        int year = d.getYear() <= 0 ? 1 - d.getYear() : d.getYear(); // ISO year 0 is 1 BC
        pad(sb, year, 4);
        sb.append('-');
        pad(sb, d.getMonthValue(), 2);
        sb.append('-');
        pad(sb, d.getDayOfMonth(), 2);
    }

    private static void appendTime(StringBuilder sb, LocalTime t) {
        pad(sb, t.getHour(), 2);
        sb.append(':');
        pad(sb, t.getMinute(), 2);
        sb.append(':');
        pad(sb, t.getSecond(), 2);
        int micros = t.getNano() / 1000;
        if (micros != 0) {
            String frac = String.valueOf(1_000_000 + micros).substring(1);
            int end = frac.length();
            while (frac.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(frac, 0, end);
        }
    }

    private static void pad(StringBuilder sb, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        sb.append(s);
    }

    private static LocalDateTime roundToMicros(LocalDateTime t) {
        int nanosBelowMicro = t.getNano() % 1000;
        if (nanosBelowMicro == 0) {
            return t;
        }
        LocalDateTime down = t.minusNanos(nanosBelowMicro);
        return nanosBelowMicro >= 500 ? down.plusNanos(1000) : down;
    }

    static byte[] numericBinary(BigDecimal value) {
        BigDecimal v = value.scale() < 0 ? value.setScale(0) : value;
        int dscale = v.scale();
        if (dscale > NUMERIC_DSCALE_MAX) {
            throw new IllegalArgumentException("numeric scale " + dscale + " exceeds " + NUMERIC_DSCALE_MAX);
        }
        String digits = v.unscaledValue().abs().toString();
        int intDigits = digits.length() - dscale;
        String intPart = intDigits > 0 ? digits.substring(0, intDigits) : "";
        String fracPart = intDigits >= 0 ? digits.substring(intDigits) : "0".repeat(-intDigits) + digits;
        intPart = "0".repeat((4 - intPart.length() % 4) % 4) + intPart;
        fracPart = fracPart + "0".repeat((4 - fracPart.length() % 4) % 4);
        String all = intPart + fracPart;
        int groups = all.length() / 4;
        int weight = intPart.length() / 4 - 1;
        int first = 0;
        while (first < groups && all.startsWith("0000", first * 4)) {
            first++;
            weight--;
        }
        int last = groups;
        while (last > first && all.startsWith("0000", (last - 1) * 4)) {
            last--;
        }
        int ndigits = last - first;
        if (ndigits == 0) {
            weight = 0;
        }
        ByteBuffer out = ByteBuffer.allocate(8 + 2 * ndigits);
        out.putShort((short) ndigits).putShort((short) weight)
                .putShort((short) (v.signum() < 0 ? NUMERIC_NEG : NUMERIC_POS)).putShort((short) dscale);
        for (int g = first; g < last; g++) {
            out.putShort((short) Integer.parseInt(all, g * 4, g * 4 + 4, 10));
        }
        return out.array();
    }

    static int dateToPgDays(LocalDate d) {
        if (d.equals(LocalDate.MAX)) {
            return Integer.MAX_VALUE;
        }
        if (d.equals(LocalDate.MIN)) {
            return Integer.MIN_VALUE;
        }
        return Math.toIntExact(d.toEpochDay() - PG_EPOCH_DATE.toEpochDay());
    }

    static long timestampToPgMicros(LocalDateTime t) {
        if (t.equals(LocalDateTime.MAX)) {
            return Long.MAX_VALUE;
        }
        if (t.equals(LocalDateTime.MIN)) {
            return Long.MIN_VALUE;
        }
        LocalDateTime r = roundToMicros(t);
        long seconds = r.toEpochSecond(ZoneOffset.UTC) - PG_EPOCH_EPOCH_SECONDS;
        return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), r.getNano() / 1000);
    }

    static long timestamptzToPgMicros(OffsetDateTime t) {
        if (t.equals(OffsetDateTime.MAX)) {
            return Long.MAX_VALUE;
        }
        if (t.equals(OffsetDateTime.MIN)) {
            return Long.MIN_VALUE;
        }
        return timestampToPgMicros(t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
    }

    // ------------------------------------------------------------------------------------------------- decode

    /** Decodes a parameter value sent in the given format; {@code bytes} is never null (NULL is decoded by the caller). */
    public static Object decode(PgType type, byte[] bytes, short format) throws SqlException {
        return format == BINARY_FORMAT ? decodeBinary(type, bytes) : decodeText(type, utf8(bytes));
    }

    /**
     * Strict UTF-8 decoding as PostgreSQL's encoding check does it: malformed sequences, overlong forms, surrogates
     * and NUL are refused with {@code 22021}.
     */
    public static String utf8(byte[] bytes) throws SqlException {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            int nul = s.indexOf('\0');
            if (nul >= 0) {
                throw invalidUtf8(new byte[] {0});
            }
            return s;
        } catch (CharacterCodingException e) {
            int at = firstBadUtf8Offset(bytes);
            byte[] shown = java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 2));
            throw invalidUtf8(shown);
        }
    }

    private static int firstBadUtf8Offset(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        decoder.decode(in, out, true);
        return Math.min(in.position(), Math.max(bytes.length - 1, 0));
    }

    private static SqlException invalidUtf8(byte[] shown) {
        StringBuilder hex = new StringBuilder();
        for (byte b : shown) {
            hex.append(hex.isEmpty() ? "0x" : " 0x").append(String.format("%02x", b & 0xff));
        }
        return new SqlException(SqlState.CHARACTER_NOT_IN_REPERTOIRE,
                "invalid byte sequence for encoding \"UTF8\": " + hex);
    }

    /** Parses PostgreSQL's text input for the type (leading and trailing blanks allowed where PostgreSQL allows them). */
    public static Object decodeText(PgType type, String text) throws SqlException {
        return switch (type) {
            case BOOL -> parseBool(text);
            case INT2 -> (short) parseInteger(text, Short.MIN_VALUE, Short.MAX_VALUE, "smallint");
            case INT4 -> (int) parseInteger(text, Integer.MIN_VALUE, Integer.MAX_VALUE, "integer");
            case INT8 -> parseInteger(text, Long.MIN_VALUE, Long.MAX_VALUE, "bigint");
            case NUMERIC -> parseNumeric(text);
            case FLOAT4 -> (float) parseFloat(text, true);
            case FLOAT8 -> parseFloat(text, false);
            case TEXT, VARCHAR, BPCHAR, UNKNOWN -> text;
            case DATE -> parseDate(text);
            case TIMESTAMP -> parseTimestamp(text);
            case TIMESTAMPTZ -> parseTimestamptz(text);
        };
    }

    private static SqlException badText(String typeName, String text) {
        return new SqlException(SqlState.INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type " + typeName + ": \"" + text + "\"");
    }

    static boolean parseBool(String text) throws SqlException {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (!s.isEmpty()) {
            if ("true".startsWith(s) || "yes".startsWith(s) || s.equals("on") || s.equals("1")) {
                return true;
            }
            if ("false".startsWith(s) || "no".startsWith(s) || (s.length() >= 2 && "off".startsWith(s))
                    || s.equals("0")) {
                return false;
            }
        }
        throw badText("boolean", text);
    }

    static long parseInteger(String text, long min, long max, String typeName) throws SqlException {
        String s = text.strip();
        if (s.isEmpty() || !s.matches("[+-]?\\d+")) {
            throw badText(typeName, text);
        }
        BigInteger v = new BigInteger(s.startsWith("+") ? s.substring(1) : s);
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new SqlException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE,
                    "value \"" + text + "\" is out of range for type " + typeName);
        }
        return v.longValue();
    }

    static BigDecimal parseNumeric(String text) throws SqlException {
        String s = text.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals("nan") || lower.matches("[+-]?(inf|infinity)")) {
            throw new SqlException(SqlState.FEATURE_NOT_SUPPORTED, "numeric value \"" + text
                    + "\" (NaN or infinity) is not supported");
        }
        if (!FLOAT_TEXT.matcher(s).matches()) {
            throw badText("numeric", text);
        }
        try {
            BigDecimal v = new BigDecimal(s);
            return v.scale() < 0 ? v.setScale(0) : v;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new SqlException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "value \"" + text
                    + "\" overflows numeric format");
        }
    }

    static double parseFloat(String text, boolean float4) throws SqlException {
        String typeName = float4 ? "real" : "double precision";
        String s = text.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "nan", "+nan", "-nan" -> {
                return Double.NaN;
            }
            case "infinity", "+infinity", "inf", "+inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-infinity", "-inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> {
            }
        }
        if (!FLOAT_TEXT.matcher(s).matches()) {
            throw badText(typeName, text);
        }
        double d = float4 ? Float.parseFloat(s) : Double.parseDouble(s);
        if (Double.isInfinite(d)) {
            throw new SqlException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "\"" + text + "\" is out of range for type "
                    + typeName);
        }
        return d;
    }

    /** Fields of a date/time literal in the ISO forms clients send. */
    private record DateTimeText(LocalDate date, LocalTime time, ZoneOffset offset) {
    }

    private static DateTimeText parseDateTime(String text, String typeName) throws SqlException {
        Matcher m = DATE_TIME_TEXT.matcher(text.strip());
        if (!m.matches()) {
            throw new SqlException(SqlState.INVALID_DATETIME_FORMAT,
                    "invalid input syntax for type " + typeName + ": \"" + text + "\"");
        }
        try {
            int year = Integer.parseInt(m.group(1));
            boolean bc = m.group(9) != null && m.group(9).equalsIgnoreCase("BC");
            if (year == 0) {
                throw new SqlException(SqlState.INVALID_DATETIME_FORMAT,
                        "invalid input syntax for type " + typeName + ": \"" + text + "\"");
            }
            LocalDate date = LocalDate.of(bc ? 1 - year : year, Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)));
            LocalTime time = LocalTime.MIDNIGHT;
            boolean endOfDay = false;
            if (m.group(4) != null) {
                int hour = Integer.parseInt(m.group(4));
                int minute = Integer.parseInt(m.group(5));
                int second = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
                long nanos = 0;
                if (m.group(7) != null) {
                    String frac = (m.group(7) + "000000000").substring(0, 9);
                    nanos = Long.parseLong(frac);
                }
                if (hour == 24 && minute == 0 && second == 0 && nanos == 0) {
                    endOfDay = true; // PostgreSQL accepts 24:00:00 as the end of the day
                } else {
                    time = LocalTime.of(hour, minute, second).plusNanos(nanos);
                }
            }
            ZoneOffset offset = m.group(8) == null ? null : parseOffset(m.group(8));
            if (endOfDay) {
                date = date.plusDays(1);
            }
            return new DateTimeText(date, time, offset);
        } catch (java.time.DateTimeException | NumberFormatException e) {
            throw new SqlException(SqlState.DATETIME_FIELD_OVERFLOW,
                    "date/time field value out of range: \"" + text + "\"");
        }
    }

    private static ZoneOffset parseOffset(String z) {
        if (z.equalsIgnoreCase("Z")) {
            return ZoneOffset.UTC;
        }
        int sign = z.charAt(0) == '-' ? -1 : 1;
        String digits = z.substring(1).replace(":", "");
        int hours;
        int minutes = 0;
        int seconds = 0;
        if (digits.length() <= 2) {
            hours = Integer.parseInt(digits);
        } else {
            int hourDigits = digits.length() % 2 == 0 ? 2 : 1;
            hours = Integer.parseInt(digits.substring(0, hourDigits));
            minutes = Integer.parseInt(digits.substring(hourDigits, hourDigits + 2));
            if (digits.length() > hourDigits + 2) {
                seconds = Integer.parseInt(digits.substring(hourDigits + 2));
            }
        }
        return ZoneOffset.ofHoursMinutesSeconds(sign * hours, sign * minutes, sign * seconds);
    }

    private static boolean isInfinity(String text, boolean negative) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        return negative ? s.equals("-infinity") : (s.equals("infinity") || s.equals("+infinity"));
    }

    static LocalDate parseDate(String text) throws SqlException {
        if (isInfinity(text, false)) {
            return LocalDate.MAX;
        }
        if (isInfinity(text, true)) {
            return LocalDate.MIN;
        }
        return parseDateTime(text, "date").date(); // a time or zone after the date is ignored, as PostgreSQL does
    }

    static LocalDateTime parseTimestamp(String text) throws SqlException {
        if (isInfinity(text, false)) {
            return LocalDateTime.MAX;
        }
        if (isInfinity(text, true)) {
            return LocalDateTime.MIN;
        }
        DateTimeText dt = parseDateTime(text, "timestamp");
        // timestamp without time zone ignores a zone in its input, as PostgreSQL does (pgjdbc sends one)
        return roundToMicros(LocalDateTime.of(dt.date(), dt.time()));
    }

    static OffsetDateTime parseTimestamptz(String text) throws SqlException {
        if (isInfinity(text, false)) {
            return OffsetDateTime.MAX;
        }
        if (isInfinity(text, true)) {
            return OffsetDateTime.MIN;
        }
        DateTimeText dt = parseDateTime(text, "timestamp with time zone");
        ZoneOffset offset = dt.offset() == null ? ZoneOffset.UTC : dt.offset();
        return OffsetDateTime.of(roundToMicros(LocalDateTime.of(dt.date(), dt.time())), offset)
                .withOffsetSameInstant(ZoneOffset.UTC);
    }

    /** Parses the binary format; the length must be exactly the type's. */
    public static Object decodeBinary(PgType type, byte[] b) throws SqlException {
        switch (type) {
            case BOOL -> {
                checkLength(type, b, 1);
                return b[0] != 0;
            }
            case INT2 -> {
                checkLength(type, b, 2);
                return ByteBuffer.wrap(b).getShort();
            }
            case INT4 -> {
                checkLength(type, b, 4);
                return ByteBuffer.wrap(b).getInt();
            }
            case INT8 -> {
                checkLength(type, b, 8);
                return ByteBuffer.wrap(b).getLong();
            }
            case FLOAT4 -> {
                checkLength(type, b, 4);
                return ByteBuffer.wrap(b).getFloat();
            }
            case FLOAT8 -> {
                checkLength(type, b, 8);
                return ByteBuffer.wrap(b).getDouble();
            }
            case NUMERIC -> {
                return numericFromBinary(b);
            }
            case TEXT, VARCHAR, BPCHAR, UNKNOWN -> {
                return utf8(b);
            }
            case DATE -> {
                checkLength(type, b, 4);
                int days = ByteBuffer.wrap(b).getInt();
                if (days == Integer.MAX_VALUE) {
                    return LocalDate.MAX;
                }
                if (days == Integer.MIN_VALUE) {
                    return LocalDate.MIN;
                }
                return PG_EPOCH_DATE.plusDays(days);
            }
            case TIMESTAMP -> {
                checkLength(type, b, 8);
                return timestampFromPgMicros(ByteBuffer.wrap(b).getLong());
            }
            case TIMESTAMPTZ -> {
                checkLength(type, b, 8);
                long micros = ByteBuffer.wrap(b).getLong();
                if (micros == Long.MAX_VALUE) {
                    return OffsetDateTime.MAX;
                }
                if (micros == Long.MIN_VALUE) {
                    return OffsetDateTime.MIN;
                }
                return timestampFromPgMicros(micros).atOffset(ZoneOffset.UTC);
            }
            default -> throw new IllegalStateException("unhandled type " + type);
        }
    }

    private static LocalDateTime timestampFromPgMicros(long micros) throws SqlException {
        if (micros == Long.MAX_VALUE) {
            return LocalDateTime.MAX;
        }
        if (micros == Long.MIN_VALUE) {
            return LocalDateTime.MIN;
        }
        try {
            return PG_EPOCH.plus(micros, ChronoUnit.MICROS);
        } catch (java.time.DateTimeException e) {
            throw new SqlException(SqlState.DATETIME_FIELD_OVERFLOW, "timestamp out of range");
        }
    }

    private static void checkLength(PgType type, byte[] b, int expected) throws SqlException {
        if (b.length != expected) {
            throw new SqlException(SqlState.INVALID_BINARY_REPRESENTATION, "incorrect binary data format: "
                    + type.name().toLowerCase(Locale.ROOT) + " needs " + expected + " bytes, got " + b.length);
        }
    }

    static BigDecimal numericFromBinary(byte[] b) throws SqlException {
        if (b.length < 8) {
            throw new SqlException(SqlState.INVALID_BINARY_REPRESENTATION,
                    "incorrect binary data format: numeric needs at least 8 bytes, got " + b.length);
        }
        ByteBuffer in = ByteBuffer.wrap(b);
        int ndigits = in.getShort() & 0xFFFF;
        int weight = in.getShort();
        int sign = in.getShort() & 0xFFFF;
        int dscale = in.getShort() & 0xFFFF;
        if (sign == NUMERIC_NAN || sign == NUMERIC_PINF || sign == NUMERIC_NINF) {
            throw new SqlException(SqlState.FEATURE_NOT_SUPPORTED, "numeric NaN and infinity are not supported");
        }
        if (sign != NUMERIC_POS && sign != NUMERIC_NEG) {
            throw new SqlException(SqlState.INVALID_BINARY_REPRESENTATION, "invalid sign in external \"numeric\" value");
        }
        if (dscale > NUMERIC_DSCALE_MAX) {
            throw new SqlException(SqlState.INVALID_BINARY_REPRESENTATION, "invalid scale in external \"numeric\" value");
        }
        if (ndigits > NUMERIC_MAX_DIGIT_GROUPS || b.length != 8 + 2 * ndigits) {
            throw new SqlException(SqlState.INVALID_BINARY_REPRESENTATION, "incorrect binary data format: numeric with "
                    + ndigits + " digits has " + b.length + " bytes");
        }
        StringBuilder digits = new StringBuilder(ndigits * 4 + 1);
        for (int i = 0; i < ndigits; i++) {
            int d = in.getShort();
            if (d < 0 || d >= 10000) {
                throw new SqlException(SqlState.INVALID_BINARY_REPRESENTATION,
                        "invalid digit in external \"numeric\" value");
            }
            String s = Integer.toString(d);
            digits.append("0".repeat(4 - s.length())).append(s);
        }
        if (ndigits == 0) {
            return BigDecimal.ZERO.setScale(dscale);
        }
        BigDecimal v = new BigDecimal(new BigInteger(digits.toString()))
                .scaleByPowerOfTen(4 * (weight - ndigits + 1));
        if (sign == NUMERIC_NEG) {
            v = v.negate();
        }
        return v.setScale(dscale, RoundingMode.DOWN);
    }
}
