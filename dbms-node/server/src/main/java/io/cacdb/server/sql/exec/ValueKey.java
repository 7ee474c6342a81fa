package io.cacdb.server.sql.exec;

import java.math.BigDecimal;
import java.util.Arrays;

/**
 * Values compared for GROUP BY, DISTINCT and COUNT(DISTINCT) by SQL equality rather than Java's: numerics equal
 * whatever their scale ({@code 1.0 = 1.00}), integers whatever their width, {@code -0.0 = 0.0}. NULLs group
 * together, as SQL's grouping says. (A char(n) column's values are all padded to n, so they compare as stored.)
 */
final class ValueKey {

    private final Object[] values;
    private final int hash;

    ValueKey(Object[] values, int count) {
        this.values = new Object[count];
        for (int i = 0; i < count; i++) {
            this.values[i] = normalize(values[i]);
        }
        this.hash = Arrays.hashCode(this.values);
    }

    static Object normalize(Object v) {
        return switch (v) {
            case null -> null;
            case BigDecimal d -> d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
            case Double d -> d == 0.0 ? 0.0 : d;
            case Float f -> f == 0.0f ? 0.0f : f;
            case Short s -> (long) s;
            case Integer i -> (long) i;
            default -> v;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueKey k && hash == k.hash && Arrays.equals(values, k.values);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
