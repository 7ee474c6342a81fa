package io.cacdb.engine.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.mtr.Seeds;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Property tests: for random pairs, the byte order of encodings equals the SQL order of the values, and decoding
 * gives the value back — for every type, both directions, NULLs, and composite keys.
 */
class KeyCodecTest {

    private static final int PAIRS = 4000;

    /** SQL comparison of two non-null values of one type (numeric by value, floats with -0 = 0 and NaN greatest). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int sqlCompare(KeyType type, Object a, Object b) {
        return switch (type) {
            case REAL -> Float.compare((Float) a == 0f ? 0f : (Float) a, (Float) b == 0f ? 0f : (Float) b);
            case DOUBLE -> Double.compare((Double) a == 0d ? 0d : (Double) a, (Double) b == 0d ? 0d : (Double) b);
            case TEXT -> compareCodePoints((String) a, (String) b);
            default -> ((Comparable) a).compareTo(b);
        };
    }

    private static int compareCodePoints(String a, String b) {
        return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }

    /** Compares tuples column by column, honouring direction and NULL placement. */
    private static Comparator<List<Object>> tupleOrder(List<KeyColumn> cols) {
        return (x, y) -> {
            for (int i = 0; i < cols.size(); i++) {
                KeyColumn c = cols.get(i);
                Object a = x.get(i);
                Object b = y.get(i);
                int r;
                if (a == null || b == null) {
                    r = a == b ? 0 : (a == null) == c.nullsFirst() ? -1 : 1;
                } else {
                    r = sqlCompare(c.type(), a, b);
                    if (c.descending()) {
                        r = -r;
                    }
                }
                if (r != 0) {
                    return r;
                }
            }
            return 0;
        };
    }

    static Object randomValue(KeyType type, SplittableRandom r) {
        return switch (type) {
            case SMALLINT -> (short) (r.nextBoolean() ? r.nextInt(-5, 5) : r.nextInt());
            case INT -> r.nextInt(4) == 0 ? r.nextInt(-3, 3) : r.nextInt();
            case BIGINT -> r.nextInt(4) == 0 ? (long) r.nextInt(-3, 3) : r.nextLong();
            case NUMERIC -> randomDecimal(r);
            case REAL -> switch (r.nextInt(8)) {
                case 0 -> Float.NaN;
                case 1 -> -0.0f;
                case 2 -> r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
                case 3 -> (float) r.nextInt(-3, 3);
                default -> Float.intBitsToFloat(r.nextInt());
            };
            case DOUBLE -> switch (r.nextInt(8)) {
                case 0 -> r.nextBoolean() ? Double.NaN : Double.longBitsToDouble(0x7ff8000000000123L);
                case 1 -> -0.0;
                case 2 -> r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
                case 3 -> (double) r.nextInt(-3, 3);
                default -> Double.longBitsToDouble(r.nextLong());
            };
            case TEXT -> randomString(r);
            case BOOLEAN -> r.nextBoolean();
            case DATE -> LocalDate.ofEpochDay(r.nextLong(-1_000_000, 3_000_000));
            case TIMESTAMP -> LocalDateTime.of(1900, 1, 1, 0, 0)
                    .plusSeconds(r.nextLong(0, 300L * 365 * 24 * 3600)).plusNanos(r.nextLong(0, 1_000_000) * 1000L);
        };
    }

    private static BigDecimal randomDecimal(SplittableRandom r) {
        if (r.nextInt(10) == 0) {
            return BigDecimal.ZERO.setScale(r.nextInt(4));
        }
        BigInteger unscaled = BigInteger.valueOf(r.nextInt(3) == 0 ? r.nextInt(-1000, 1000) : r.nextLong());
        if (r.nextInt(5) == 0) {
            unscaled = unscaled.multiply(BigInteger.TEN.pow(r.nextInt(30)));
        }
        BigDecimal v = new BigDecimal(unscaled, r.nextInt(-20, 30));
        return r.nextBoolean() ? v.setScale(v.scale() + r.nextInt(3)) : v; // trailing zeros: same value
    }

    private static String randomString(SplittableRandom r) {
        String alphabet = "ab\u0000\u00e9\u4e2d\uffff";
        int n = r.nextInt(6);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int pick = r.nextInt(alphabet.length() + 2);
            if (pick == alphabet.length()) {
                sb.appendCodePoint(0x1F600); // outside the BMP: UTF-16 order differs from code point order
            } else if (pick == alphabet.length() + 1) {
                sb.append((char) r.nextInt(0x20, 0x7F));
            } else {
                sb.append(alphabet.charAt(pick));
            }
        }
        return sb.toString();
    }

    private static boolean sameValue(KeyType type, Object expected, Object decoded) {
        if (expected == null || decoded == null) {
            return expected == decoded;
        }
        return sqlCompare(type, expected, decoded) == 0;
    }

    private static void checkProperty(List<KeyColumn> cols, SplittableRandom r, Function<KeyType, Object> gen,
                                      int nullOneIn) {
        KeyCodec codec = new KeyCodec(cols);
        Comparator<List<Object>> order = tupleOrder(cols);
        for (int n = 0; n < PAIRS; n++) {
            List<Object> a = new ArrayList<>();
            List<Object> b = new ArrayList<>();
            for (KeyColumn c : cols) {
                a.add(r.nextInt(nullOneIn) == 0 ? null : gen.apply(c.type()));
                // Often share a column value so that later columns decide.
                b.add(r.nextInt(3) == 0 ? a.getLast() : r.nextInt(nullOneIn) == 0 ? null : gen.apply(c.type()));
            }
            byte[] ea = codec.encode(a);
            byte[] eb = codec.encode(b);
            int expected = Integer.signum(order.compare(a, b));
            assertEquals(expected, Integer.signum(KeyCodec.compare(ea, eb)), () -> cols + ": " + a + " vs " + b);
            List<Object> back = codec.decode(ea);
            for (int i = 0; i < cols.size(); i++) {
                int col = i;
                assertTrue(sameValue(cols.get(i).type(), a.get(i), back.get(i)),
                        () -> "decode of column " + col + ": " + a.get(col) + " came back as " + back.get(col));
            }
        }
    }

    @Test
    void everyTypeOrdersAndRoundTripsInBothDirections() {
        SplittableRandom r = new SplittableRandom(Seeds.seed("KeyCodecTest.everyTypeOrdersAndRoundTripsInBothDirections"));
        for (KeyType type : KeyType.values()) {
            checkProperty(List.of(KeyColumn.asc(type)), r, t -> randomValue(t, r), 10);
            checkProperty(List.of(KeyColumn.desc(type)), r, t -> randomValue(t, r), 10);
            checkProperty(List.of(new KeyColumn(type, false, true)), r, t -> randomValue(t, r), 10);
            checkProperty(List.of(new KeyColumn(type, true, false)), r, t -> randomValue(t, r), 10);
        }
    }

    @Test
    void compositeKeysOrderColumnByColumn() {
        SplittableRandom r = new SplittableRandom(Seeds.seed("KeyCodecTest.compositeKeysOrderColumnByColumn"));
        KeyType[] types = KeyType.values();
        for (int round = 0; round < 40; round++) {
            List<KeyColumn> cols = new ArrayList<>();
            int n = 1 + r.nextInt(4);
            for (int i = 0; i < n; i++) {
                KeyType t = types[r.nextInt(types.length)];
                cols.add(new KeyColumn(t, r.nextBoolean(), r.nextBoolean()));
            }
            checkProperty(cols, r, t -> randomValue(t, r), 6);
        }
    }

    @Test
    void nullsSortLastAscendingAndFirstDescendingByDefault() {
        KeyCodec asc = KeyCodec.of(KeyColumn.asc(KeyType.INT));
        KeyCodec desc = KeyCodec.of(KeyColumn.desc(KeyType.INT));
        byte[] nullAsc = asc.encode((Object) null);
        byte[] nullDesc = desc.encode((Object) null);
        for (int v : new int[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE}) {
            assertTrue(KeyCodec.compare(asc.encode(v), nullAsc) < 0, "ASC: " + v + " before NULL");
            assertTrue(KeyCodec.compare(nullDesc, desc.encode(v)) < 0, "DESC: NULL before " + v);
        }
        assertTrue(KeyCodec.compare(desc.encode(5), desc.encode(4)) < 0, "DESC: 5 before 4");
        assertNull(asc.decode(nullAsc).getFirst());
    }

    @Test
    void equalNumericsWithDifferentScalesEncodeEqual() {
        KeyCodec c = KeyCodec.of(KeyColumn.asc(KeyType.NUMERIC));
        assertArrayEquals(c.encode(new BigDecimal("1.0")), c.encode(new BigDecimal("1.00")));
        assertArrayEquals(c.encode(new BigDecimal("1")), c.encode(new BigDecimal("1.000")));
        assertArrayEquals(c.encode(new BigDecimal("100")), c.encode(new BigDecimal("1E+2")));
        assertArrayEquals(c.encode(new BigDecimal("0.00")), c.encode(BigDecimal.ZERO));
        assertTrue(KeyCodec.compare(c.encode(new BigDecimal("0.1")), c.encode(new BigDecimal("0.10001"))) < 0);
        assertTrue(KeyCodec.compare(c.encode(new BigDecimal("-0.1")), c.encode(new BigDecimal("-0.10001"))) > 0);
        assertTrue(KeyCodec.compare(c.encode(new BigDecimal("-1")), c.encode(BigDecimal.ZERO)) < 0);
        assertEquals(0, new BigDecimal("12.5").compareTo((BigDecimal) c.decode(c.encode(new BigDecimal("12.500"))).getFirst()));
    }

    @Test
    void floatsPutNegativeZeroWithZeroAndNanLast() {
        KeyCodec c = KeyCodec.of(KeyColumn.asc(KeyType.DOUBLE));
        assertArrayEquals(c.encode(0.0), c.encode(-0.0));
        assertArrayEquals(c.encode(Double.NaN), c.encode(Double.longBitsToDouble(0x7ff8000000000001L)));
        assertTrue(KeyCodec.compare(c.encode(Double.POSITIVE_INFINITY), c.encode(Double.NaN)) < 0);
        assertTrue(KeyCodec.compare(c.encode(Double.NEGATIVE_INFINITY), c.encode(-Double.MAX_VALUE)) < 0);
    }

    @Test
    void aStringSortsBeforeItsExtensionsEvenInCompositeKeys() {
        KeyCodec c = KeyCodec.of(KeyColumn.asc(KeyType.TEXT), KeyColumn.asc(KeyType.INT));
        assertTrue(KeyCodec.compare(c.encode("ab", Integer.MAX_VALUE), c.encode("abc", Integer.MIN_VALUE)) < 0);
        assertTrue(KeyCodec.compare(c.encode("a", 1), c.encode("a\u0000", 0)) < 0);
        assertTrue(KeyCodec.compare(c.encode("", 9), c.encode("a", 0)) < 0);
    }

    @Test
    void aPrefixOfColumnsBoundsAPrefixScan() {
        KeyCodec c = KeyCodec.of(KeyColumn.asc(KeyType.INT), KeyColumn.desc(KeyType.TEXT));
        byte[] prefix = c.encode(7);
        byte[] end = KeyCodec.prefixSuccessor(prefix);
        for (String s : new String[] {"", "a", "zzz", "\uffff"}) {
            byte[] k = c.encode(7, s);
            assertTrue(KeyCodec.compare(prefix, k) < 0 && KeyCodec.compare(k, end) < 0, s);
        }
        assertTrue(KeyCodec.compare(c.encode(8, "a"), end) >= 0);
        assertNull(KeyCodec.prefixSuccessor(new byte[] {(byte) 0xFF, (byte) 0xFF}));
        assertArrayEquals(new byte[] {1, 3}, KeyCodec.prefixSuccessor(new byte[] {1, 2, (byte) 0xFF}));
    }

    @Test
    void wrongTypesAndBadBytesAreRefused() {
        KeyCodec c = KeyCodec.of(KeyColumn.asc(KeyType.INT));
        assertThrows(IllegalArgumentException.class, () -> c.encode(1L));
        assertThrows(IllegalArgumentException.class, () -> c.encode(1, 2));
        assertThrows(IllegalArgumentException.class, () -> c.decode(new byte[] {1, 0}));
        assertThrows(IllegalArgumentException.class, () -> c.decode(new byte[] {9}));
        KeyCodec ts = KeyCodec.of(KeyColumn.asc(KeyType.TIMESTAMP));
        assertThrows(IllegalArgumentException.class, () -> ts.encode(LocalDateTime.of(2024, 1, 1, 0, 0, 0, 1)));
        KeyCodec text = KeyCodec.of(KeyColumn.asc(KeyType.TEXT));
        assertThrows(IllegalArgumentException.class, () -> text.encode("\ud800"));
    }
}
