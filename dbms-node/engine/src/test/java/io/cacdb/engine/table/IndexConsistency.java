package io.cacdb.engine.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.DatabaseTransaction;
import io.cacdb.engine.catalog.CatalogSnapshot;
import io.cacdb.engine.catalog.IndexColumn;
import io.cacdb.engine.catalog.IndexDef;
import io.cacdb.engine.catalog.TableDef;
import io.cacdb.engine.keys.KeyCodec;
import io.cacdb.engine.keys.KeyColumn;
import io.cacdb.engine.row.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks, through the public API, that every index of a table holds exactly the table's rows: each row once, in the
 * index's order, and a unique index has no two rows with equal non-NULL values. (Each entry's match with its row is
 * checked by {@link RowCursor} itself as it reads.)
 */
public final class IndexConsistency {

    private IndexConsistency() {
    }

    /** Checks every index of {@code table}; returns the table's rows by key, in primary-key order. */
    public static Map<RowKey, Row> check(DatabaseTransaction t, String table) {
        Map<RowKey, Row> rows = new java.util.LinkedHashMap<>();
        try (RowCursor c = t.scan(table, ScanSpec.primary())) {
            while (c.next()) {
                assertTrue(rows.put(c.key(), c.row()) == null, "primary scan repeats " + c.key());
            }
        }
        CatalogSnapshot cat = t.catalog();
        TableDef def = cat.table(table).orElseThrow();
        for (IndexDef index : cat.indexesOf(def.id())) {
            List<KeyColumn> cols = new ArrayList<>();
            for (IndexColumn ic : index.columns()) {
                cols.add(def.columns().get(ic.column()).type().keyColumn(ic.descending(), ic.nullsFirst()));
            }
            KeyCodec codec = new KeyCodec(cols);
            Set<RowKey> seen = new HashSet<>();
            Map<List<Object>, RowKey> uniqueValues = new HashMap<>();
            byte[] previous = null;
            try (RowCursor c = t.scan(table, ScanSpec.index(index.name()))) {
                while (c.next()) {
                    RowKey k = c.key();
                    assertTrue(seen.add(k), "index " + index.name() + " returns row " + k + " twice");
                    assertEquals(rows.get(k), c.row(), "index " + index.name() + " row " + k);
                    List<Object> values = new ArrayList<>();
                    for (IndexColumn ic : index.columns()) {
                        values.add(c.row().get(ic.column()));
                    }
                    byte[] key = codec.encode(values);
                    assertTrue(previous == null || KeyCodec.compare(previous, key) <= 0,
                            "index " + index.name() + " out of order at row " + k);
                    previous = key;
                    if (index.unique() && !values.contains(null)) {
                        RowKey other = uniqueValues.put(values, k);
                        assertTrue(other == null, "unique index " + index.name() + " has " + values + " for rows "
                                + other + " and " + k);
                    }
                }
            }
            assertEquals(rows.keySet(), seen, "index " + index.name() + " holds exactly the table's rows");
        }
        return rows;
    }
}
