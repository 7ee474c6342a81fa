package io.cacdb.server.pgwire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.server.session.PgType;
import io.cacdb.server.session.SqlException;
import io.netty.buffer.ByteBufUtil;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Value encodings against bytes and text produced by a real PostgreSQL 15.18 ({@code numeric_send}, {@code
 * timestamp_send}, {@code date_send}, {@code float8out}...), plus decoding rules, refusals, and a seeded round trip.
 */
class PgValueCodecTest {

    private static byte[] hex(String h) {
        return ByteBufUtil.decodeHexDump(h);
    }

    @ParameterizedTest(name = "numeric {0}")
    @CsvSource({
        "12345.678, 0003000100000003000109291a7c",
        "0.01, 0001ffff000000020064",
        "-1, 00010000400000000001",
        "10000, 00010001000000000001",
        "0, 0000000000000000",
        "0.00, 0000000000000002",
        "1.5, 000200000000000100011388",
        "-0.000123, 0002ffff40000006000108fc",
        "123456789.000000001, 0006000200000009000109291a850000000003e8",
        "99999999, 0002000100000000270f270f",
        "0.5, 0001ffff000000011388",
    })
    void numericBinaryMatchesPostgres(String text, String pgHex) throws SqlException {
        BigDecimal v = new BigDecimal(text);
        assertEquals(pgHex, ByteBufUtil.hexDump(PgValueCodec.encodeBinary(PgType.NUMERIC, v)));
        BigDecimal back = (BigDecimal) PgValueCodec.decodeBinary(PgType.NUMERIC, hex(pgHex));
        assertEquals(v, back, "value and scale survive");
        assertEquals(text, PgValueCodec.toText(PgType.NUMERIC, back));
    }

    @ParameterizedTest(name = "float8 {0}")
    @CsvSource({
        "1e15, 1e+15", "1e14, 100000000000000", "123456789012345678, 1.2345678901234568e+17", "0.0001, 0.0001",
        "0.00001, 1e-05", "1.5e-7, 1.5e-07", "-0.0, -0", "NaN, NaN", "-Infinity, -Infinity", "1e100, 1e+100",
        "1.7976931348623157e308, 1.7976931348623157e+308", "0.30000000000000004, 0.30000000000000004",
        "1e-10, 1e-10", "0.3333333333333333, 0.3333333333333333", "1.5, 1.5", "-42, -42",
    })
    void float8TextMatchesPostgres(String javaLiteral, String pgText) throws SqlException {
        double d = Double.parseDouble(javaLiteral);
        assertEquals(pgText, PgValueCodec.toText(PgType.FLOAT8, d));
        assertEquals(Double.doubleToLongBits(d),
                Double.doubleToLongBits((Double) PgValueCodec.decodeText(PgType.FLOAT8, pgText)));
    }

    @ParameterizedTest(name = "float4 {0}")
    @CsvSource({"1e6, 1e+06", "1e5, 100000", "123456.7, 123456.7", "0.1, 0.1", "3.4028235e38, 3.4028235e+38"})
    void float4TextMatchesPostgres(String javaLiteral, String pgText) throws SqlException {
        float f = Float.parseFloat(javaLiteral);
        assertEquals(pgText, PgValueCodec.toText(PgType.FLOAT4, f));
        assertEquals(f, (Float) PgValueCodec.decodeText(PgType.FLOAT4, pgText));
    }

    @Test
    void datesAndTimestampsMatchPostgres() throws SqlException {
        LocalDateTime ts = LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000);
        assertEquals("0002b0ec8517d580", ByteBufUtil.hexDump(PgValueCodec.encodeBinary(PgType.TIMESTAMP, ts)));
        assertEquals(ts, PgValueCodec.decodeBinary(PgType.TIMESTAMP, hex("0002b0ec8517d580")));
        assertEquals("fffca2fec4c82000", ByteBufUtil.hexDump(PgValueCodec.encodeBinary(PgType.TIMESTAMP,
                LocalDateTime.of(1970, 1, 1, 0, 0))));
        assertEquals("0000223f", ByteBufUtil.hexDump(PgValueCodec.encodeBinary(PgType.DATE, LocalDate.of(2024, 1, 2))));
        assertEquals("ffffffff", ByteBufUtil.hexDump(PgValueCodec.encodeBinary(PgType.DATE,
                LocalDate.of(1999, 12, 31))));
        assertEquals("fff4da8b", ByteBufUtil.hexDump(PgValueCodec.encodeBinary(PgType.DATE, LocalDate.of(0, 1, 1))));
        assertEquals("0001-01-01 BC", PgValueCodec.toText(PgType.DATE, LocalDate.of(0, 1, 1)));
        assertEquals(LocalDate.of(0, 1, 1), PgValueCodec.decodeText(PgType.DATE, "0001-01-01 BC"));
        assertEquals("10000-01-01", PgValueCodec.toText(PgType.DATE, LocalDate.of(10000, 1, 1)));
        OffsetDateTime tz = OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 500_000_000, ZoneOffset.ofHoursMinutes(1, 30));
        assertEquals("0002b0eb43401e60", ByteBufUtil.hexDump(PgValueCodec.encodeBinary(PgType.TIMESTAMPTZ, tz)));
        assertEquals("2024-01-02 01:34:05.5+00", PgValueCodec.toText(PgType.TIMESTAMPTZ, tz));
        assertEquals(tz.withOffsetSameInstant(ZoneOffset.UTC),
                PgValueCodec.decodeText(PgType.TIMESTAMPTZ, "2024-01-02 03:04:05.5+01:30"));
        // timestamp without time zone ignores a zone, as PostgreSQL does ('...+01'::timestamp)
        assertEquals(ts, PgValueCodec.decodeText(PgType.TIMESTAMP, "2024-01-02 03:04:05.123456+01"));
        assertEquals("2024-01-02 03:04:05.123456", PgValueCodec.toText(PgType.TIMESTAMP, ts));
        assertEquals("infinity", PgValueCodec.toText(PgType.TIMESTAMP, LocalDateTime.MAX));
        assertEquals(LocalDateTime.MIN, PgValueCodec.decodeText(PgType.TIMESTAMP, "-infinity"));
        assertArrayEquals(hex("7fffffffffffffff"), PgValueCodec.encodeBinary(PgType.TIMESTAMP, LocalDateTime.MAX));
        // what pgjdbc sends for setDate: a date with a zone
        assertEquals(LocalDate.of(2024, 1, 2), PgValueCodec.decodeText(PgType.DATE, "2024-01-02 +01"));
    }

    @Test
    void textInputRules() throws SqlException {
        assertEquals(42, PgValueCodec.decodeText(PgType.INT4, "  +42 "));
        assertEquals(true, PgValueCodec.decodeText(PgType.BOOL, "YES"));
        assertEquals(false, PgValueCodec.decodeText(PgType.BOOL, "of"));
        assertEquals(new BigDecimal("1000"), PgValueCodec.decodeText(PgType.NUMERIC, "1e3"));
        assertEquals("22003", code(() -> PgValueCodec.decodeText(PgType.INT2, "32768")));
        assertEquals("22003", code(() -> PgValueCodec.decodeText(PgType.INT8, "9223372036854775808")));
        assertEquals("22P02", code(() -> PgValueCodec.decodeText(PgType.INT4, "12a")));
        assertEquals("22P02", code(() -> PgValueCodec.decodeText(PgType.BOOL, "o")));
        assertEquals("22P02", code(() -> PgValueCodec.decodeText(PgType.FLOAT8, "1d")));
        assertEquals("22003", code(() -> PgValueCodec.decodeText(PgType.FLOAT8, "1e400")));
        assertEquals("22007", code(() -> PgValueCodec.decodeText(PgType.DATE, "yesterday")));
        assertEquals("22008", code(() -> PgValueCodec.decodeText(PgType.DATE, "2024-02-30")));
        assertEquals("0A000", code(() -> PgValueCodec.decodeText(PgType.NUMERIC, "NaN")));
    }

    @Test
    void binaryInputRules() {
        assertEquals("22P03", code(() -> PgValueCodec.decodeBinary(PgType.INT4, new byte[3])));
        assertEquals("22P03", code(() -> PgValueCodec.decodeBinary(PgType.NUMERIC, hex("0001000000000000"))));
        assertEquals("22P03", code(() -> PgValueCodec.decodeBinary(PgType.NUMERIC, hex("00010000000000002710"))));
        assertEquals("0A000", code(() -> PgValueCodec.decodeBinary(PgType.NUMERIC, hex("00000000c0000000"))));
        assertEquals("22021", code(() -> PgValueCodec.decodeBinary(PgType.TEXT, new byte[] {(byte) 0xC0, 0x41})));
        assertEquals("22021", code(() -> PgValueCodec.decodeBinary(PgType.TEXT, new byte[] {'a', 0, 'b'})));
        assertEquals("22021", code(() -> PgValueCodec.decodeBinary(PgType.TEXT,
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}))); // a UTF-16 surrogate
    }

    @Test
    void encodingAValueOfTheWrongClassIsABug() {
        assertThrows(IllegalArgumentException.class, () -> PgValueCodec.encodeText(PgType.INT4, 1L));
    }

    /** Every type, random values, both formats: decode(encode(v)) == v. Seed printed; -Dseed=... reproduces. */
    @Test
    void seededRoundTrip() throws SqlException {
        long seed = Long.getLong("seed", System.nanoTime());
        System.out.println("PgValueCodecTest.seededRoundTrip seed=" + seed);
        Random r = new Random(seed);
        for (int i = 0; i < 5_000; i++) {
            for (PgType t : PgType.values()) {
                Object v = randomValue(t, r);
                for (short format : new short[] {PgValueCodec.TEXT_FORMAT, PgValueCodec.BINARY_FORMAT}) {
                    Object back = PgValueCodec.decode(t, PgValueCodec.encode(t, v, format), format);
                    if (t == PgType.FLOAT4 || t == PgType.FLOAT8) {
                        assertEquals(v.toString(), back.toString(), "seed " + seed + " " + t);
                    } else {
                        assertEquals(v, back, "seed " + seed + " " + t + " format " + format);
                    }
                }
            }
        }
    }

    private static Object randomValue(PgType t, Random r) {
        return switch (t) {
            case BOOL -> r.nextBoolean();
            case INT2 -> (short) r.nextInt();
            case INT4 -> r.nextInt();
            case INT8 -> r.nextLong();
            case FLOAT4 -> Float.intBitsToFloat(r.nextInt());
            case FLOAT8 -> Double.longBitsToDouble(r.nextLong());
            case NUMERIC -> new BigDecimal(new BigInteger(r.nextInt(200) + 1, r), r.nextInt(30));
            case TEXT, VARCHAR, BPCHAR, UNKNOWN -> randomString(r);
            case DATE -> LocalDate.ofEpochDay(r.nextInt(2_000_000) - 1_000_000);
            case TIMESTAMP -> LocalDateTime.of(LocalDate.ofEpochDay(r.nextInt(2_000_000) - 700_000),
                    java.time.LocalTime.ofNanoOfDay(r.nextLong(86_400_000_000L) * 1000));
            case TIMESTAMPTZ -> OffsetDateTime.of(LocalDateTime.of(LocalDate.ofEpochDay(r.nextInt(100_000)),
                    java.time.LocalTime.ofNanoOfDay(r.nextLong(86_400_000_000L) * 1000)), ZoneOffset.UTC);
        };
    }

    private static String randomString(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(20);
        for (int i = 0; i < n; i++) {
            int cp;
            do {
                cp = r.nextInt(4) == 0 ? r.nextInt(0x10FFFF) + 1 : r.nextInt(0x7F) + 1;
            } while (Character.isSurrogate((char) cp) && cp <= 0xFFFF);
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    @FunctionalInterface
    private interface Decode {
        Object run() throws SqlException;
    }

    private static String code(Decode d) {
        SqlException e = assertThrows(SqlException.class, d::run);
        assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
        return e.sqlState().code();
    }
}
