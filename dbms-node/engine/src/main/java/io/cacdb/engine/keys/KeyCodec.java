package io.cacdb.engine.keys;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Order-preserving encoding of composite SQL keys: comparing two encodings as unsigned bytes
 * ({@link #compare}) gives the SQL order of the key tuples, column by column, honouring each column's direction and
 * NULL placement. The B+tree compares keys only this way.
 *
 * <p>Design note. Each column is a tag byte followed, for a non-NULL value, by the value's bytes:
 * <ul>
 * <li>tag: NULLS FIRST: NULL {@code 0x00}, value {@code 0x01}; NULLS LAST: value {@code 0x01}, NULL {@code 0x02}.
 * The tag is never inverted, so NULL placement is independent of direction.</li>
 * <li>integers, dates (epoch day, 8 bytes), timestamps (epoch microseconds, 8 bytes): big-endian with the sign bit
 * flipped; booleans one byte.</li>
 * <li>real/double: IEEE bits, all bits flipped for negatives and only the sign bit for positives; -0 is encoded as
 * 0 and every NaN as the canonical NaN, which then sorts above +Infinity.</li>
 * <li>numeric: a sign byte ({@code 0x01} negative, {@code 0x02} zero, {@code 0x03} positive); for non-zero values
 * {@code |v| = 0.d1d2... × 10^E} with no trailing zero digits (so 1.0 and 1.00 encode the same), then E as a
 * sign-flipped 4-byte int and the digits in pairs, one byte {@code 1 + 10·a + b} per pair (an odd last digit is
 * paired with 0), then a {@code 0x00} terminator; negatives write those bytes inverted.</li>
 * <li>text: UTF-8 with {@code 0x00} escaped as {@code 0x00 0xFF}, terminated by {@code 0x00 0x01}, so a string sorts
 * before its extensions and the column boundary is unambiguous.</li>
 * <li>descending columns: the value bytes inverted.</li>
 * </ul>
 * Every column encoding is prefix-free, which is what makes byte order of the concatenation equal column-wise order,
 * and also makes the encoding of a leading subset of the columns a prefix of the full key (prefix scans, see
 * {@link #prefixSuccessor}).
 *
 * <p>Immutable and thread-safe.
 */
public final class KeyCodec {

    private static final byte TAG_NULL_FIRST = 0x00;
    private static final byte TAG_VALUE = 0x01;
    private static final byte TAG_NULL_LAST = 0x02;

    private static final byte NUMERIC_NEGATIVE = 0x01;
    private static final byte NUMERIC_ZERO = 0x02;
    private static final byte NUMERIC_POSITIVE = 0x03;

    private final List<KeyColumn> columns;

    public KeyCodec(List<KeyColumn> columns) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one column");
        }
        this.columns = List.copyOf(columns);
    }

    public static KeyCodec of(KeyColumn... columns) {
        return new KeyCodec(List.of(columns));
    }

    public List<KeyColumn> columns() {
        return columns;
    }

    /** Unsigned byte-wise comparison of two encoded keys: the SQL order. */
    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /**
     * Encodes values for the first {@code values.length} columns (all of them for a full key; fewer for a prefix).
     * A null element is SQL NULL. Throws {@link IllegalArgumentException} for a value of the wrong Java type.
     */
    public byte[] encode(Object... values) {
        return encode(Arrays.asList(values));
    }

    public byte[] encode(List<?> values) {
        if (values.size() > columns.size()) {
            throw new IllegalArgumentException(values.size() + " values for " + columns.size() + " key columns");
        }
        Out out = new Out();
        for (int i = 0; i < values.size(); i++) {
            KeyColumn col = columns.get(i);
            Object v = values.get(i);
            if (v == null) {
                out.put(col.nullsFirst() ? TAG_NULL_FIRST : TAG_NULL_LAST);
                continue;
            }
            out.put(TAG_VALUE);
            int start = out.size;
            encodeValue(col.type(), v, out, i);
            if (col.descending()) {
                out.invertFrom(start);
            }
        }
        return out.toArray();
    }

    /** Decodes a full key into one value per column (null for SQL NULL). Numerics come back without trailing zeros. */
    public List<Object> decode(byte[] key) {
        In in = new In(key);
        List<Object> values = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            KeyColumn col = columns.get(i);
            in.mask = 0;
            byte tag = in.get();
            if (tag == (col.nullsFirst() ? TAG_NULL_FIRST : TAG_NULL_LAST)) {
                values.add(null);
                continue;
            }
            if (tag != TAG_VALUE) {
                throw new IllegalArgumentException("column " + i + ": bad tag " + tag);
            }
            in.mask = col.descending() ? (byte) 0xFF : 0;
            values.add(decodeValue(col.type(), in, i));
        }
        if (in.pos != key.length) {
            throw new IllegalArgumentException("key has " + (key.length - in.pos) + " bytes after its last column");
        }
        return Collections.unmodifiableList(values);
    }

    /**
     * The smallest byte string above every string that starts with {@code prefix}, for the exclusive upper bound of
     * a prefix scan; null if there is none (the prefix is empty or all {@code 0xFF}: scan to the end).
     */
    public static byte[] prefixSuccessor(byte[] prefix) {
        int n = prefix.length;
        while (n > 0 && prefix[n - 1] == (byte) 0xFF) {
            n--;
        }
        if (n == 0) {
            return null;
        }
        byte[] out = Arrays.copyOf(prefix, n);
        out[n - 1]++;
        return out;
    }

    // ---------------------------------------------------------------------------------------------- values

    private static void encodeValue(KeyType type, Object v, Out out, int column) {
        switch (type) {
            case SMALLINT -> out.putShort((short) (as(Short.class, v, type, column) ^ Short.MIN_VALUE));
            case INT -> out.putInt(as(Integer.class, v, type, column) ^ Integer.MIN_VALUE);
            case BIGINT -> out.putLong(as(Long.class, v, type, column) ^ Long.MIN_VALUE);
            case BOOLEAN -> out.put(as(Boolean.class, v, type, column) ? (byte) 1 : (byte) 0);
            case DATE -> out.putLong(as(LocalDate.class, v, type, column).toEpochDay() ^ Long.MIN_VALUE);
            case TIMESTAMP -> out.putLong(epochMicros(as(LocalDateTime.class, v, type, column)) ^ Long.MIN_VALUE);
            case REAL -> {
                float f = as(Float.class, v, type, column);
                int bits = Float.floatToIntBits(f == 0.0f ? 0.0f : f);
                out.putInt(bits < 0 ? ~bits : bits ^ Integer.MIN_VALUE);
            }
            case DOUBLE -> {
                double d = as(Double.class, v, type, column);
                long bits = Double.doubleToLongBits(d == 0.0 ? 0.0 : d);
                out.putLong(bits < 0 ? ~bits : bits ^ Long.MIN_VALUE);
            }
            case NUMERIC -> encodeNumeric(as(BigDecimal.class, v, type, column), out);
            case TEXT -> encodeText(as(String.class, v, type, column), out, column);
        }
    }

    private static Object decodeValue(KeyType type, In in, int column) {
        return switch (type) {
            case SMALLINT -> (short) (in.getShort() ^ Short.MIN_VALUE);
            case INT -> in.getInt() ^ Integer.MIN_VALUE;
            case BIGINT -> in.getLong() ^ Long.MIN_VALUE;
            case BOOLEAN -> in.get() != 0;
            case DATE -> LocalDate.ofEpochDay(in.getLong() ^ Long.MIN_VALUE);
            case TIMESTAMP -> fromEpochMicros(in.getLong() ^ Long.MIN_VALUE);
            case REAL -> {
                int e = in.getInt();
                yield Float.intBitsToFloat(e < 0 ? e ^ Integer.MIN_VALUE : ~e);
            }
            case DOUBLE -> {
                long e = in.getLong();
                yield Double.longBitsToDouble(e < 0 ? e ^ Long.MIN_VALUE : ~e);
            }
            case NUMERIC -> decodeNumeric(in, column);
            case TEXT -> decodeText(in, column);
        };
    }

    private static <T> T as(Class<T> cls, Object v, KeyType type, int column) {
        if (!cls.isInstance(v)) {
            throw new IllegalArgumentException("column " + column + " is " + type + ", needs a "
                    + cls.getSimpleName() + ", got " + v.getClass().getSimpleName());
        }
        return cls.cast(v);
    }

    private static long epochMicros(LocalDateTime t) {
        if (t.getNano() % 1000 != 0) {
            throw new IllegalArgumentException("timestamp " + t + " is finer than a microsecond; round it first");
        }
        long seconds = t.toEpochSecond(ZoneOffset.UTC);
        return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), t.getNano() / 1000);
    }

    private static LocalDateTime fromEpochMicros(long micros) {
        long seconds = Math.floorDiv(micros, 1_000_000L);
        int nanos = (int) Math.floorMod(micros, 1_000_000L) * 1000;
        return LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC);
    }

    private static void encodeNumeric(BigDecimal v, Out out) {
        int sign = v.signum();
        if (sign == 0) {
            out.put(NUMERIC_ZERO);
            return;
        }
        BigDecimal norm = v.abs().stripTrailingZeros();
        String digits = norm.unscaledValue().toString();
        long exponent = (long) norm.precision() - norm.scale();
        if (exponent < Integer.MIN_VALUE || exponent > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("numeric " + v + " has a decimal exponent outside the int range");
        }
        out.put(sign < 0 ? NUMERIC_NEGATIVE : NUMERIC_POSITIVE);
        int start = out.size;
        out.putInt((int) exponent ^ Integer.MIN_VALUE);
        for (int k = 0; k < digits.length(); k += 2) {
            int a = digits.charAt(k) - '0';
            int b = k + 1 < digits.length() ? digits.charAt(k + 1) - '0' : 0;
            out.put((byte) (1 + 10 * a + b));
        }
        out.put((byte) 0);
        if (sign < 0) {
            out.invertFrom(start);
        }
    }

    private static BigDecimal decodeNumeric(In in, int column) {
        byte sign = in.get();
        if (sign == NUMERIC_ZERO) {
            return BigDecimal.ZERO;
        }
        if (sign != NUMERIC_NEGATIVE && sign != NUMERIC_POSITIVE) {
            throw new IllegalArgumentException("column " + column + ": bad numeric sign byte " + sign);
        }
        byte savedMask = in.mask;
        if (sign == NUMERIC_NEGATIVE) {
            in.mask ^= (byte) 0xFF;
        }
        int exponent = in.getInt() ^ Integer.MIN_VALUE;
        StringBuilder digits = new StringBuilder();
        while (true) {
            int b = Byte.toUnsignedInt(in.get());
            if (b == 0) {
                break;
            }
            if (b > 100) {
                throw new IllegalArgumentException("column " + column + ": bad numeric digit pair " + b);
            }
            digits.append((char) ('0' + (b - 1) / 10)).append((char) ('0' + (b - 1) % 10));
        }
        in.mask = savedMask;
        if (digits.isEmpty()) {
            throw new IllegalArgumentException("column " + column + ": numeric without digits");
        }
        BigInteger unscaled = new BigInteger(digits.toString());
        BigDecimal magnitude = new BigDecimal(unscaled, digits.length() - exponent).stripTrailingZeros();
        return sign == NUMERIC_NEGATIVE ? magnitude.negate() : magnitude;
    }

    private static void encodeText(String s, Out out, int column) {
        CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer utf8;
        try {
            utf8 = enc.encode(CharBuffer.wrap(s));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("column " + column + ": string is not valid Unicode", e);
        }
        while (utf8.hasRemaining()) {
            byte b = utf8.get();
            out.put(b);
            if (b == 0) {
                out.put((byte) 0xFF);
            }
        }
        out.put((byte) 0);
        out.put((byte) 1);
    }

    private static String decodeText(In in, int column) {
        Out raw = new Out();
        while (true) {
            byte b = in.get();
            if (b != 0) {
                raw.put(b);
                continue;
            }
            byte e = in.get();
            if (e == (byte) 0xFF) {
                raw.put((byte) 0);
            } else if (e == 1) {
                break;
            } else {
                throw new IllegalArgumentException("column " + column + ": bad text escape 0x00 " + e);
            }
        }
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return dec.decode(ByteBuffer.wrap(raw.buf, 0, raw.size)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("column " + column + ": text is not valid UTF-8", e);
        }
    }

    // --------------------------------------------------------------------------------------- byte plumbing

    private static final class Out {
        byte[] buf = new byte[32];
        int size;

        void put(byte b) {
            if (size == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            buf[size++] = b;
        }

        void putShort(short v) {
            put((byte) (v >>> 8));
            put((byte) v);
        }

        void putInt(int v) {
            for (int s = 24; s >= 0; s -= 8) {
                put((byte) (v >>> s));
            }
        }

        void putLong(long v) {
            for (int s = 56; s >= 0; s -= 8) {
                put((byte) (v >>> s));
            }
        }

        void invertFrom(int start) {
            for (int k = start; k < size; k++) {
                buf[k] = (byte) ~buf[k];
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, size);
        }
    }

    /** Reads bytes XOR {@code mask} (0xFF inside descending columns, toggled again inside negative numerics). */
    private static final class In {
        final byte[] key;
        int pos;
        byte mask;

        In(byte[] key) {
            this.key = key;
        }

        byte get() {
            if (pos >= key.length) {
                throw new IllegalArgumentException("key ends inside a column at byte " + pos);
            }
            return (byte) (key[pos++] ^ mask);
        }

        short getShort() {
            return (short) ((Byte.toUnsignedInt(get()) << 8) | Byte.toUnsignedInt(get()));
        }

        int getInt() {
            int v = 0;
            for (int k = 0; k < 4; k++) {
                v = (v << 8) | Byte.toUnsignedInt(get());
            }
            return v;
        }

        long getLong() {
            long v = 0;
            for (int k = 0; k < 8; k++) {
                v = (v << 8) | Byte.toUnsignedInt(get());
            }
            return v;
        }
    }
}
