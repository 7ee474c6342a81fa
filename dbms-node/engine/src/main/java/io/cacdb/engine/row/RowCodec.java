package io.cacdb.engine.row;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The stored form of a row: the value a primary-index entry holds. Stable: the format is on storage and in the log,
 * so every change needs a new {@link #FORMAT_VERSION} and a decoder for the old ones.
 *
 * <p>Design note. Layout, version 1:
 * <pre>
 *   u8      format version (1)
 *   varint  column count n (the schema's count when written; a decoder for a wider schema reads the missing
 *           trailing columns as NULL, which is what ALTER TABLE ADD COLUMN without a default needs)
 *   u8[ceil(n/8)]  null bitmap, bit (i % 8) of byte (i / 8) set = column i is NULL
 *   the non-NULL values in column order:
 *     smallint 2, integer 4, bigint 8 bytes big-endian; real 4, double 8 bytes (IEEE bits, big-endian);
 *     boolean 1 byte (0/1); date 4 bytes big-endian: days since 2000-01-01 (PostgreSQL's epoch, so its whole range
 *     fits 32 bits); timestamp 8 bytes big-endian: microseconds since 1970-01-01T00:00;
 *     numeric: zigzag varint scale, varint byte count, the unscaled value in two's complement big-endian;
 *     varchar/char/text: varint byte count, UTF-8.
 * </pre>
 * varint = unsigned LEB128 (7 bits per byte, low group first). The codec checks types (values must be
 * canonical, see {@link ColumnType#coerce}) but not NOT NULL or lengths: the table layer coerces first.
 *
 * <p>Immutable and thread-safe.
 */
public final class RowCodec {

    /** The format this codec writes; see the class note. */
    public static final int FORMAT_VERSION = 1;

    /** Days from 1970-01-01 to 2000-01-01: the row format counts dates from PostgreSQL's epoch. */
    private static final long DAYS_1970_TO_2000 = 10_957;

    private final List<ColumnType> types;

    public RowCodec(List<ColumnType> types) {
        this.types = List.copyOf(types);
    }

    public List<ColumnType> types() {
        return types;
    }

    /** Encodes a row of canonical values, one per column. */
    public byte[] encode(Row row) {
        int n = types.size();
        if (row.size() != n) {
            throw new IllegalArgumentException("row has " + row.size() + " values for " + n + " columns");
        }
        Out out = new Out(16 + n * 4);
        out.write(FORMAT_VERSION);
        out.varint(n);
        byte[] bitmap = new byte[(n + 7) / 8];
        for (int i = 0; i < n; i++) {
            if (row.isNull(i)) {
                bitmap[i / 8] |= (byte) (1 << (i % 8));
            }
        }
        out.write(bitmap, 0, bitmap.length);
        for (int i = 0; i < n; i++) {
            Object v = row.get(i);
            if (v != null) {
                encodeValue(i, types.get(i), v, out);
            }
        }
        return out.toByteArray();
    }

    private static void encodeValue(int column, ColumnType type, Object v, Out out) {
        switch (type.kind()) {
            case SMALLINT -> out.fixed(as(Short.class, v, column, type), 2);
            case INTEGER -> out.fixed(as(Integer.class, v, column, type), 4);
            case BIGINT -> out.fixed(as(Long.class, v, column, type), 8);
            case REAL -> out.fixed(Float.floatToRawIntBits(as(Float.class, v, column, type)), 4);
            case DOUBLE -> out.fixed(Double.doubleToRawLongBits(as(Double.class, v, column, type)), 8);
            case BOOLEAN -> out.write(as(Boolean.class, v, column, type) ? 1 : 0);
            case DATE -> {
                long days = as(LocalDate.class, v, column, type).toEpochDay() - DAYS_1970_TO_2000;
                if (days < Integer.MIN_VALUE || days > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("column " + column + ": date " + v + " outside the range "
                            + ColumnType.DATE_MIN + ".." + ColumnType.DATE_MAX + "; coerce it first");
                }
                out.fixed(days, 4);
            }
            case TIMESTAMP -> {
                LocalDateTime t = as(LocalDateTime.class, v, column, type);
                if (t.getNano() % 1000 != 0) {
                    throw new IllegalArgumentException("column " + column + ": timestamp " + t
                            + " is finer than a microsecond; coerce it first");
                }
                long micros = Math.addExact(Math.multiplyExact(t.toEpochSecond(ZoneOffset.UTC), 1_000_000L),
                        t.getNano() / 1000);
                out.fixed(micros, 8);
            }
            case NUMERIC -> {
                BigDecimal d = as(BigDecimal.class, v, column, type);
                out.varint(zigzag(d.scale()));
                byte[] unscaled = d.unscaledValue().toByteArray();
                out.varint(unscaled.length);
                out.write(unscaled, 0, unscaled.length);
            }
            case VARCHAR, CHAR, TEXT -> {
                byte[] utf8 = as(String.class, v, column, type).getBytes(StandardCharsets.UTF_8);
                out.varint(utf8.length);
                out.write(utf8, 0, utf8.length);
            }
        }
    }

    private static <T> T as(Class<T> cls, Object v, int column, ColumnType type) {
        if (!cls.isInstance(v)) {
            throw new IllegalArgumentException("column " + column + " of type " + type + " needs a "
                    + cls.getSimpleName() + ", got a " + v.getClass().getSimpleName());
        }
        return cls.cast(v);
    }

    /**
     * Decodes a stored row. Bytes that are not a row of this schema (unknown version, more columns than the schema,
     * truncated or trailing bytes) throw {@link IllegalArgumentException}: rows come from checksummed
     * pages and the log, so that is a bug or a format mismatch, not bad input.
     */
    public Row decode(byte[] bytes) {
        In in = new In(bytes);
        int version = in.u8();
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("row format version " + version + " is not " + FORMAT_VERSION);
        }
        int n = in.varint();
        if (n > types.size()) {
            throw new IllegalArgumentException("stored row has " + n + " columns, the schema " + types.size());
        }
        int bitmapAt = in.pos;
        in.skip((n + 7) / 8);
        Object[] values = new Object[types.size()];
        for (int i = 0; i < n; i++) {
            boolean isNull = (bytes[bitmapAt + i / 8] & (1 << (i % 8))) != 0;
            if (!isNull) {
                values[i] = decodeValue(types.get(i), in);
            }
        }
        if (in.pos != bytes.length) {
            throw new IllegalArgumentException("row has " + (bytes.length - in.pos) + " bytes after its last value");
        }
        return Row.of(values);
    }

    private static Object decodeValue(ColumnType type, In in) {
        return switch (type.kind()) {
            case SMALLINT -> (short) in.fixed(2);
            case INTEGER -> (int) in.fixed(4);
            case BIGINT -> in.fixed(8);
            case REAL -> Float.intBitsToFloat((int) in.fixed(4));
            case DOUBLE -> Double.longBitsToDouble(in.fixed(8));
            case BOOLEAN -> {
                int b = in.u8();
                if (b > 1) {
                    throw new IllegalArgumentException("boolean byte " + b);
                }
                yield b == 1;
            }
            case DATE -> LocalDate.ofEpochDay((int) in.fixed(4) + DAYS_1970_TO_2000);
            case TIMESTAMP -> {
                long micros = in.fixed(8);
                yield LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                        (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
            }
            case NUMERIC -> {
                int scale = unzigzag(in.varint());
                int len = in.varint();
                if (len == 0) {
                    throw new IllegalArgumentException("numeric with an empty unscaled value");
                }
                yield new BigDecimal(new BigInteger(in.bytes(len)), scale);
            }
            case VARCHAR, CHAR, TEXT -> {
                int len = in.varint();
                yield new String(in.bytes(len), StandardCharsets.UTF_8);
            }
        };
    }

    private static int zigzag(int v) {
        return (v << 1) ^ (v >> 31);
    }

    private static int unzigzag(int v) {
        return (v >>> 1) ^ -(v & 1);
    }

    private static final class Out extends ByteArrayOutputStream {
        Out(int size) {
            super(size);
        }

        void fixed(long v, int bytes) {
            for (int i = bytes - 1; i >= 0; i--) {
                write((int) (v >>> (8 * i)));
            }
        }

        void varint(int v) {
            while ((v & ~0x7F) != 0) {
                write((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            write(v);
        }
    }

    private static final class In {
        final byte[] b;
        int pos;

        In(byte[] b) {
            this.b = b;
        }

        void need(int n) {
            if (n < 0 || pos + n > b.length) {
                throw new IllegalArgumentException("row truncated: need " + n + " bytes at " + pos + " of "
                        + b.length);
            }
        }

        int u8() {
            need(1);
            return b[pos++] & 0xFF;
        }

        void skip(int n) {
            need(n);
            pos += n;
        }

        long fixed(int n) {
            need(n);
            long v = 0;
            for (int i = 0; i < n; i++) {
                v = (v << 8) | (b[pos++] & 0xFF);
            }
            // sign-extend to 64 bits
            int shift = 64 - 8 * n;
            return (v << shift) >> shift;
        }

        int varint() {
            int v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int x = u8();
                v |= (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint longer than 5 bytes at " + pos);
        }

        byte[] bytes(int n) {
            need(n);
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }
    }
}
