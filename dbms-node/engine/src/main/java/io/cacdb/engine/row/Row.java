package io.cacdb.engine.row;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The values of one row, one per column in the table's column order; a null element is SQL NULL. Immutable (the
 * values themselves are immutable Java types, see {@link ColumnType}); thread-safe.
 */
public final class Row {

    private final Object[] values;

    private Row(Object[] values) {
        this.values = values;
    }

    /** A row of these values (copied); null elements are NULLs. */
    public static Row of(Object... values) {
        return new Row(values.clone());
    }

    public static Row of(List<?> values) {
        return new Row(values.toArray());
    }

    public int size() {
        return values.length;
    }

    /** The value of column {@code i}, or null for NULL. */
    public Object get(int i) {
        return values[i];
    }

    public boolean isNull(int i) {
        return values[i] == null;
    }

    /** The values as an unmodifiable list (NULLs as null elements). */
    public List<Object> values() {
        return Collections.unmodifiableList(Arrays.asList(values.clone()));
    }

    /** A copy of this row with column {@code i} set to {@code value}. */
    public Row with(int i, Object value) {
        Object[] copy = values.clone();
        copy[i] = value;
        return new Row(copy);
    }

    /** The values of the given columns, in that order (a key's values). */
    public List<Object> project(int[] columns) {
        List<Object> out = new ArrayList<>(columns.length);
        for (int c : columns) {
            out.add(values[c]);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Row r && Arrays.equals(values, r.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return Arrays.toString(values);
    }
}
