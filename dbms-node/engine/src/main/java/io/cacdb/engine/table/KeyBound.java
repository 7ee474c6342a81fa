package io.cacdb.engine.table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One end of a range scan: values for a leading prefix of the index's columns (all of them, or fewer), and whether
 * keys equal to them on that prefix are included. A null value is SQL NULL, placed where the index column puts
 * NULLs. Values must be in their column type's range (the SQL layer clamps out-of-range literals); string bounds
 * are not held to a varchar's length.
 */
public record KeyBound(List<Object> values, boolean inclusive) {

    public KeyBound {
        values = Collections.unmodifiableList(new ArrayList<>(values));
    }

    public static KeyBound inclusive(Object... values) {
        return new KeyBound(Arrays.asList(values), true);
    }

    public static KeyBound exclusive(Object... values) {
        return new KeyBound(Arrays.asList(values), false);
    }
}
