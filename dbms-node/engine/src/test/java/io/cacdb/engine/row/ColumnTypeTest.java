package io.cacdb.engine.row;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.error.CharacterNotInRepertoireException;
import io.cacdb.engine.error.DatetimeFieldOverflowException;
import io.cacdb.engine.error.EngineException;
import io.cacdb.engine.error.NumericValueOutOfRangeException;
import io.cacdb.engine.error.StringDataRightTruncationException;
import io.cacdb.engine.keys.KeyCodec;
import io.cacdb.engine.mtr.Seeds;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ColumnTypeTest {

    @Test
    void stringLengthsFollowSql() {
        assertEquals("abc", ColumnType.varchar(3).coerce("abc"));
        assertEquals("abc", ColumnType.varchar(3).coerce("abc   "), "excess spaces are cut silently");
        StringDataRightTruncationException e = assertThrows(StringDataRightTruncationException.class,
                () -> ColumnType.varchar(3).coerce("abcd"));
        assertEquals("22001", e.sqlState());
        assertTrue(e.getMessage().contains("character varying(3)"), e.getMessage());
        assertEquals("a  ", ColumnType.character(3).coerce("a"), "char(n) pads");
        assertThrows(StringDataRightTruncationException.class, () -> ColumnType.character(2).coerce("abc"));
        assertEquals("😀😀", ColumnType.varchar(2).coerce("😀😀"), "length counts characters, not UTF-16 units");
        assertEquals("x".repeat(5000), ColumnType.text().coerce("x".repeat(5000)));
        assertEquals("22021", assertThrows(CharacterNotInRepertoireException.class,
                () -> ColumnType.text().coerce("a\uD800b")).sqlState());
    }

    @Test
    void numbersFollowTheirRanges() {
        assertEquals((short) 5, ColumnType.smallint().coerce(5L));
        NumericValueOutOfRangeException e = assertThrows(NumericValueOutOfRangeException.class,
                () -> ColumnType.smallint().coerce(40_000));
        assertEquals("22003", e.sqlState());
        assertThrows(NumericValueOutOfRangeException.class, () -> ColumnType.integer().coerce(1L << 40));
        assertEquals(7, ColumnType.integer().coerce((short) 7));
        assertEquals(new BigDecimal("123.46"), ColumnType.numeric(5, 2).coerce(new BigDecimal("123.456")));
        assertEquals(new BigDecimal("-0.01"), ColumnType.numeric(5, 2).coerce(new BigDecimal("-0.005")),
                "half away from zero, as PostgreSQL");
        assertThrows(NumericValueOutOfRangeException.class,
                () -> ColumnType.numeric(5, 2).coerce(new BigDecimal("1234.5")));
        assertThrows(NumericValueOutOfRangeException.class,
                () -> ColumnType.numeric(5, 2).coerce(new BigDecimal("999.995")), "rounds up past the limit");
        assertEquals(new BigDecimal("42.00"), ColumnType.numeric(5, 2).coerce(42));
        assertEquals(new BigDecimal("1.2300"), ColumnType.numeric().coerce(new BigDecimal("1.2300")),
                "unconstrained numeric keeps the scale given");
        assertThrows(NumericValueOutOfRangeException.class, () -> ColumnType.real().coerce(1e300));
        assertEquals(Float.POSITIVE_INFINITY, ColumnType.real().coerce(Double.POSITIVE_INFINITY));
        assertEquals(2.5, ColumnType.doublePrecision().coerce(2.5f));
        assertThrows(IllegalArgumentException.class, () -> ColumnType.integer().coerce("12"),
                "a string for an integer is the caller's bug");
        assertThrows(IllegalArgumentException.class, () -> ColumnType.numeric().coerce(1.5),
                "a double is not silently made exact");
    }

    @Test
    void datesAndTimestampsHaveRanges() {
        assertEquals(ColumnType.DATE_MAX, ColumnType.date().coerce(ColumnType.DATE_MAX));
        EngineException e = assertThrows(DatetimeFieldOverflowException.class,
                () -> ColumnType.date().coerce(ColumnType.DATE_MAX.plusDays(1)));
        assertEquals("22008", e.sqlState());
        assertThrows(DatetimeFieldOverflowException.class,
                () -> ColumnType.date().coerce(ColumnType.DATE_MIN.minusDays(1)));
        assertThrows(DatetimeFieldOverflowException.class,
                () -> ColumnType.timestamp().coerce(ColumnType.TIMESTAMP_MAX.plusSeconds(1)));
        assertEquals(LocalDateTime.of(2020, 1, 1, 0, 0, 0, 2000),
                ColumnType.timestamp().coerce(LocalDateTime.of(2020, 1, 1, 0, 0, 0, 1500)), "rounded to a µs");
        assertEquals(LocalDateTime.of(2020, 1, 1, 0, 0, 0, 1000),
                ColumnType.timestamp().coerce(LocalDateTime.of(2020, 1, 1, 0, 0, 0, 1499)));
    }

    @Test
    void namesAndModifiersAsPostgresPrintsThem() {
        assertEquals("character varying(10)", ColumnType.varchar(10).sqlName());
        assertEquals("character varying", ColumnType.varchar().sqlName());
        assertEquals("character(1)", ColumnType.of(ColumnType.Kind.CHAR).sqlName());
        assertEquals("numeric(9,2)", ColumnType.numeric(9, 2).sqlName());
        assertEquals("numeric(9,0)", new ColumnType(ColumnType.Kind.NUMERIC, -1, 9, -1).sqlName());
        assertEquals("timestamp without time zone", ColumnType.timestamp().sqlName());
        assertEquals(14, ColumnType.varchar(10).pgTypmod());
        assertEquals((9 << 16 | 2) + 4, ColumnType.numeric(9, 2).pgTypmod());
        assertEquals(-1, ColumnType.integer().pgTypmod());
        assertEquals(1043, ColumnType.varchar(3).kind().pgTypeOid());
        assertThrows(IllegalArgumentException.class, () -> ColumnType.varchar(0));
        assertThrows(IllegalArgumentException.class, () -> ColumnType.numeric(3, 4));
        assertThrows(IllegalArgumentException.class, () -> new ColumnType(ColumnType.Kind.INTEGER, 4, -1, -1));
    }

    /** SQL order of canonical values: NULL handled by the caller; floats with -0 = 0 and NaN greatest. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static int sqlCompare(Object a, Object b) {
        if (a instanceof Float x && b instanceof Float y) {
            return Float.compare(x == 0 ? 0f : x, y == 0 ? 0f : y);
        }
        if (a instanceof Double x && b instanceof Double y) {
            return Double.compare(x == 0 ? 0d : x, y == 0 ? 0d : y);
        }
        if (a instanceof String x && b instanceof String y) {
            return Comparator.<String>naturalOrder().compare(x, y) == 0 ? 0
                    : compareCodePoints(x, y);
        }
        return ((Comparable) a).compareTo(b);
    }

    static int compareCodePoints(String x, String y) {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i);
            int b = y.codePointAt(j);
            if (a != b) {
                return Integer.compare(a, b);
            }
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Integer.compare(x.length() - i, y.length() - j);
    }

    @Test
    void keyOrderIsSqlOrderForEveryTypeAndDirection() {
        long seed = Seeds.seed("ColumnTypeTest.keyOrderIsSqlOrderForEveryTypeAndDirection");
        SplittableRandom r = new SplittableRandom(seed);
        for (ColumnType type : RowCodecTest.EVERY_TYPE) {
            for (boolean descending : new boolean[] {false, true}) {
                boolean nullsFirst = r.nextBoolean();
                KeyCodec codec = KeyCodec.of(type.keyColumn(descending, nullsFirst));
                List<Object> values = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    values.add(RowCodecTest.randomValue(r, type));
                }
                for (int i = 0; i + 1 < values.size(); i++) {
                    Object a = values.get(i);
                    Object b = values.get(i + 1);
                    int sql;
                    if (a == null || b == null) {
                        sql = a == b ? 0 : (a == null) == nullsFirst ? -1 : 1;
                    } else {
                        sql = Integer.signum(sqlCompare(a, b)) * (descending ? -1 : 1);
                    }
                    int bytes = Integer.signum(KeyCodec.compare(codec.encode(a), codec.encode(b)));
                    assertEquals(sql, bytes, "seed " + seed + ": " + type + (descending ? " DESC" : " ASC")
                            + " " + a + " vs " + b);
                }
            }
        }
    }

    @Test
    void charPaddingKeepsKeyOrder() {
        KeyCodec codec = KeyCodec.of(ColumnType.character(3).keyColumn(false, false));
        Object a = ColumnType.character(3).coerce("a");
        Object ab = ColumnType.character(3).coerce("ab");
        assertTrue(KeyCodec.compare(codec.encode(a), codec.encode(ab)) < 0);
        assertEquals(LocalDate.of(2000, 1, 1), ColumnType.date().coerce(LocalDate.of(2000, 1, 1)));
    }
}
