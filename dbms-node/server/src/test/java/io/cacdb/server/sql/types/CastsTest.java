package io.cacdb.server.sql.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.server.session.SqlException;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CastsTest {

    @Test
    void assignmentCastsTheTpccLoaderNeeds() throws Exception {
        assertEquals(new BigDecimal("0.3"), Casts.cast(0.1 + 0.2, SqlType.FLOAT8, SqlType.NUMERIC, CastKind.ASSIGNMENT));
        assertEquals(new BigDecimal("2.50"), Casts.cast(2.5, SqlType.FLOAT8, SqlType.parse("numeric(5,2)"),
                CastKind.ASSIGNMENT));
        assertEquals(7, Casts.cast(7L, SqlType.INT8, SqlType.INT4, CastKind.ASSIGNMENT));
        assertEquals("22003", assertThrows(SqlException.class, () -> Casts.cast(1L << 40, SqlType.INT8, SqlType.INT4,
                CastKind.ASSIGNMENT)).sqlState().code());
        assertEquals("ab   ", Casts.cast("ab", SqlType.VARCHAR, SqlType.parse("char(5)"), CastKind.ASSIGNMENT));
        assertEquals("22001", assertThrows(SqlException.class, () -> Casts.cast("abcdef", SqlType.VARCHAR,
                SqlType.parse("varchar(3)"), CastKind.ASSIGNMENT)).sqlState().code());
        assertEquals("abc", Casts.cast("abcdef", SqlType.VARCHAR, SqlType.parse("varchar(3)"), CastKind.EXPLICIT));
        assertEquals(LocalDateTime.of(2024, 1, 2, 3, 4, 5), Casts.cast("2024-01-02 03:04:05+01", SqlType.UNKNOWN,
                SqlType.TIMESTAMP, CastKind.ASSIGNMENT));
        assertEquals(2, Casts.cast(2.5, SqlType.FLOAT8, SqlType.INT4, CastKind.ASSIGNMENT), "float rounds half even");
        assertEquals(3, Casts.cast(new BigDecimal("2.5"), SqlType.NUMERIC, SqlType.INT4, CastKind.ASSIGNMENT),
                "numeric rounds half away from zero");
    }

    @Test
    void castContexts() throws Exception {
        assertTrue(Casts.castable(SqlType.INT4, SqlType.INT8, CastKind.IMPLICIT));
        assertFalse(Casts.castable(SqlType.INT8, SqlType.INT4, CastKind.IMPLICIT));
        assertTrue(Casts.castable(SqlType.INT8, SqlType.INT4, CastKind.ASSIGNMENT));
        assertFalse(Casts.castable(SqlType.BOOL, SqlType.INT4, CastKind.ASSIGNMENT));
        assertTrue(Casts.castable(SqlType.BOOL, SqlType.INT4, CastKind.EXPLICIT));
        assertTrue(Casts.castable(SqlType.INT4, SqlType.TEXT, CastKind.ASSIGNMENT));
        assertFalse(Casts.castable(SqlType.TEXT, SqlType.INT4, CastKind.ASSIGNMENT));
        assertEquals(SqlType.parse("numeric(12,2)"), SqlType.parse("decimal (12, 2)"));
        assertEquals(SqlType.FLOAT8, SqlType.parse("float"));
        assertEquals("42704", assertThrows(SqlException.class, () -> SqlType.parse("blob")).sqlState().code());
    }

    /** Seeded: integer arithmetic agrees with exact arithmetic or raises 22003, never wraps. */
    @Test
    void integerArithmeticNeverWraps() throws Exception {
        long seed = Long.getLong("cacdb.seed", System.nanoTime());
        System.out.println("CastsTest seed " + seed);
        Random r = new Random(seed);
        for (int i = 0; i < 10_000; i++) {
            int a = r.nextInt();
            int b = r.nextInt();
            long exact = (long) a + b;
            if (exact < Integer.MIN_VALUE || exact > Integer.MAX_VALUE) {
                assertEquals("22003", assertThrows(SqlException.class, () -> Operators.arithmetic(Operators.Arith.ADD,
                        a, b, SqlType.INT4, SqlType.INT4)).sqlState().code());
            } else {
                assertEquals((int) exact, Operators.arithmetic(Operators.Arith.ADD, a, b, SqlType.INT4, SqlType.INT4));
            }
        }
        assertEquals("22012", assertThrows(SqlException.class, () -> Operators.arithmetic(Operators.Arith.DIVIDE, 1, 0,
                SqlType.INT4, SqlType.INT4)).sqlState().code());
    }
}
