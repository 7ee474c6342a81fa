package io.cacdb.tpcc.load;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** Committed rows per table during a load; written by loader threads, read by the progress printer. */
public final class LoadProgress {

    private final int warehouses;
    private final AtomicLongArray rows = new AtomicLongArray(LoadTable.values().length);

    public LoadProgress(int warehouses) {
        this.warehouses = warehouses;
    }

    void add(LoadTable table, long n) {
        rows.addAndGet(table.ordinal(), n);
    }

    public long rows(LoadTable table) {
        return rows.get(table.ordinal());
    }

    public long totalRows() {
        long sum = 0;
        for (int i = 0; i < rows.length(); i++) {
            sum += rows.get(i);
        }
        return sum;
    }

    public Map<LoadTable, Long> snapshot() {
        Map<LoadTable, Long> m = new EnumMap<>(LoadTable.class);
        for (LoadTable t : LoadTable.values()) {
            m.put(t, rows(t));
        }
        return m;
    }

    /** "item 100% warehouse 100% stock 45% ..." (order lines against their expected count, capped at 100%). */
    public String percentages() {
        StringBuilder sb = new StringBuilder();
        for (LoadTable t : LoadTable.values()) {
            long pct = Math.min(100, rows(t) * 100 / Math.max(1, t.expectedRows(warehouses)));
            sb.append(sb.isEmpty() ? "" : " ").append(t.tableName()).append(' ').append(pct).append('%');
        }
        return sb.toString();
    }
}
