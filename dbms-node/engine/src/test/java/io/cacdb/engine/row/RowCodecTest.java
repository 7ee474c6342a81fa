package io.cacdb.engine.row;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.mtr.Seeds;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RowCodecTest {

    static final List<ColumnType> EVERY_TYPE = List.of(ColumnType.smallint(), ColumnType.integer(),
            ColumnType.bigint(), ColumnType.numeric(), ColumnType.numeric(12, 3), ColumnType.real(),
            ColumnType.doublePrecision(), ColumnType.varchar(20), ColumnType.varchar(), ColumnType.character(5),
            ColumnType.text(), ColumnType.bool(), ColumnType.date(), ColumnType.timestamp());

    /** A random canonical value of {@code type} (extremes included), or null one time in five. */
    static Object randomValue(SplittableRandom r, ColumnType type) {
        if (r.nextInt(5) == 0) {
            return null;
        }
        boolean extreme = r.nextInt(8) == 0;
        Object raw = switch (type.kind()) {
            case SMALLINT -> extreme ? (r.nextBoolean() ? Short.MIN_VALUE : Short.MAX_VALUE)
                    : (short) r.nextInt(Short.MIN_VALUE, Short.MAX_VALUE + 1);
            case INTEGER -> extreme ? (r.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE) : r.nextInt();
            case BIGINT -> extreme ? (r.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE) : r.nextLong();
            case NUMERIC -> type.precision() == ColumnType.UNSPECIFIED
                    ? new BigDecimal(new BigInteger(r.nextInt(1, 200), new java.util.Random(r.nextLong()))
                    .multiply(BigInteger.valueOf(r.nextBoolean() ? 1 : -1)), r.nextInt(-20, 40))
                    : BigDecimal.valueOf(r.nextLong(-999_999_999_999L, 1_000_000_000_000L), 3);
            case REAL -> extreme ? pick(r, Float.NaN, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE)
                    : Float.intBitsToFloat(r.nextInt());
            case DOUBLE -> extreme ? pick(r, Double.NaN, Double.POSITIVE_INFINITY, -0.0, Double.MAX_VALUE)
                    : Double.longBitsToDouble(r.nextLong());
            case VARCHAR, CHAR, TEXT -> randomString(r, type.length() == ColumnType.UNSPECIFIED ? 60
                    : type.length());
            case BOOLEAN -> r.nextBoolean();
            case DATE -> extreme ? (r.nextBoolean() ? ColumnType.DATE_MIN : ColumnType.DATE_MAX)
                    : LocalDate.ofEpochDay(r.nextLong(-2_400_000, 3_000_000));
            case TIMESTAMP -> extreme ? (r.nextBoolean() ? ColumnType.TIMESTAMP_MIN : ColumnType.TIMESTAMP_MAX)
                    : LocalDateTime.ofEpochSecond(r.nextLong(-60_000_000_000L, 60_000_000_000L),
                    r.nextInt(1_000_000) * 1000, java.time.ZoneOffset.UTC);
        };
        return type.coerce(raw);
    }

    @SafeVarargs
    static <T> T pick(SplittableRandom r, T... values) {
        return values[r.nextInt(values.length)];
    }

    static String randomString(SplittableRandom r, int maxChars) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(maxChars + 1);
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(10);
            int cp = kind < 6 ? r.nextInt('a', 'z' + 1) : kind < 8 ? r.nextInt(0, 0x80)
                    : kind < 9 ? r.nextInt(0x80, 0xD800) : r.nextInt(0x10000, 0x10FFFF);
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    @Test
    void everyTypeRoundTripsWithNulls() {
        long seed = Seeds.seed("RowCodecTest.everyTypeRoundTripsWithNulls");
        SplittableRandom r = new SplittableRandom(seed);
        RowCodec codec = new RowCodec(EVERY_TYPE);
        for (int i = 0; i < 2000; i++) {
            List<Object> values = new ArrayList<>();
            for (ColumnType t : EVERY_TYPE) {
                values.add(randomValue(r, t));
            }
            Row row = Row.of(values);
            Row back = codec.decode(codec.encode(row));
            assertEquals(row, back, "seed " + seed + " row " + i);
            for (int c = 0; c < values.size(); c++) {
                if (values.get(c) instanceof BigDecimal d) {
                    assertEquals(d.scale(), ((BigDecimal) back.get(c)).scale(), "numeric keeps its scale");
                }
            }
        }
    }

    @Test
    void allNullAndNoNullRows() {
        RowCodec codec = new RowCodec(EVERY_TYPE);
        Row nulls = Row.of(new Object[EVERY_TYPE.size()]);
        byte[] bytes = codec.encode(nulls);
        assertEquals(1 + 1 + 2, bytes.length, "version, count, a 14-bit bitmap and nothing else");
        assertEquals(nulls, codec.decode(bytes));
    }

    @Test
    void formatIsStable() {
        RowCodec codec = new RowCodec(List.of(ColumnType.integer(), ColumnType.text(), ColumnType.numeric(5, 2),
                ColumnType.bool(), ColumnType.date(), ColumnType.smallint()));
        Row row = Row.of(-2, "hé", new BigDecimal("-1.50"), true, LocalDate.of(2000, 1, 2), null);
        // version 1, 6 columns, bitmap 0b100000, int -2, text len 3 "hé", numeric scale 2 (zigzag 4) len 2 -150,
        // true, date day 1 since 2000-01-01.
        assertEquals("0106" + "20" + "fffffffe" + "0368c3a9" + "0402" + "ff6a" + "01" + "00000001",
                HexFormat.of().formatHex(codec.encode(row)));
    }

    @Test
    void aWiderSchemaReadsMissingTrailingColumnsAsNull() {
        RowCodec narrow = new RowCodec(List.of(ColumnType.integer()));
        RowCodec wide = new RowCodec(List.of(ColumnType.integer(), ColumnType.text()));
        assertEquals(Row.of(7, null), wide.decode(narrow.encode(Row.of(7))));
    }

    @Test
    void refusesBytesThatAreNotARow() {
        RowCodec codec = new RowCodec(List.of(ColumnType.integer(), ColumnType.text()));
        byte[] good = codec.encode(Row.of(1, "abc"));
        byte[] badVersion = good.clone();
        badVersion[0] = 9;
        assertThrows(IllegalArgumentException.class, () -> codec.decode(badVersion));
        assertThrows(IllegalArgumentException.class,
                () -> codec.decode(java.util.Arrays.copyOf(good, good.length - 1)));
        assertThrows(IllegalArgumentException.class,
                () -> codec.decode(java.util.Arrays.copyOf(good, good.length + 1)));
        RowCodec narrow = new RowCodec(List.of(ColumnType.integer()));
        assertThrows(IllegalArgumentException.class, () -> narrow.decode(good));
    }

    @Test
    void refusesValuesOfTheWrongJavaType() {
        RowCodec codec = new RowCodec(List.of(ColumnType.integer()));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(Row.of(1L)));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(Row.of(1, 2)));
        RowCodec ts = new RowCodec(List.of(ColumnType.timestamp()));
        assertThrows(IllegalArgumentException.class,
                () -> ts.encode(Row.of(LocalDateTime.of(2020, 1, 1, 0, 0, 0, 1))));
    }

    @Test
    void encodesCompactly() {
        RowCodec codec = new RowCodec(List.of(ColumnType.bigint(), ColumnType.integer(), ColumnType.varchar(10)));
        byte[] bytes = codec.encode(Row.of(1L, 2, "abc"));
        assertEquals(1 + 1 + 1 + 8 + 4 + 1 + 3, bytes.length);
        assertArrayEquals(bytes, codec.encode(codec.decode(bytes)), "re-encoding is byte-identical");
        assertTrue(bytes.length < 32);
    }
}
