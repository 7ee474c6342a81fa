package io.cacdb.tpcc.load;

import io.cacdb.tpcc.random.NURandConstants;
import io.cacdb.tpcc.random.TpccRandom;
import io.cacdb.tpcc.schema.TpccSchema;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * The initial database population of spec §4.3.3.1, cut into independent units of work ({@link Task}s) so that a
 * loader can run them in parallel. Every task draws from its own random stream, derived from the load seed and the
 * task's identity, so the generated data does not depend on how tasks are scheduled.
 */
public final class Population {

    /** Items per ITEM task and stock rows per STOCK task: small enough to spread one warehouse over the threads. */
    public static final int ITEMS_PER_TASK = 10_000;

    /** W_YTD of a fresh warehouse: 300,000.00 (= 10 districts × 30,000.00 = the 30,000 history rows × 10.00). */
    public static final BigDecimal INITIAL_W_YTD = new BigDecimal("300000.00");
    public static final BigDecimal INITIAL_D_YTD = new BigDecimal("30000.00");
    public static final BigDecimal INITIAL_C_BALANCE = new BigDecimal("-10.00");
    public static final BigDecimal INITIAL_C_YTD_PAYMENT = new BigDecimal("10.00");
    public static final BigDecimal INITIAL_H_AMOUNT = new BigDecimal("10.00");
    public static final BigDecimal C_CREDIT_LIM = new BigDecimal("50000.00");
    public static final BigDecimal ZERO_AMOUNT = new BigDecimal("0.00");
    public static final int INITIAL_D_NEXT_O_ID = TpccSchema.ORDERS_PER_DISTRICT + 1;

    /** One independent unit of the load. */
    public sealed interface Task permits Items, WarehouseAndDistricts, Stock, CustomersAndHistory, Orders {
        /** A stable identity, mixed into the load seed to give this task its own random stream. */
        long key();

        /** What it loads, for progress and errors. */
        String describe();
    }

    /** ITEM rows [fromId, toId]. */
    public record Items(int fromId, int toId) implements Task {
        public long key() {
            return 1L << 56 | fromId;
        }

        public String describe() {
            return "item " + fromId + ".." + toId;
        }
    }

    /** The WAREHOUSE row and its ten DISTRICT rows. */
    public record WarehouseAndDistricts(int w) implements Task {
        public long key() {
            return 2L << 56 | w;
        }

        public String describe() {
            return "warehouse " + w + " and its districts";
        }
    }

    /** STOCK rows of warehouse w for items [fromId, toId]. */
    public record Stock(int w, int fromId, int toId) implements Task {
        public long key() {
            return 3L << 56 | (long) w << 24 | fromId;
        }

        public String describe() {
            return "stock of warehouse " + w + ", items " + fromId + ".." + toId;
        }
    }

    /** CUSTOMER and HISTORY rows of district (w, d). */
    public record CustomersAndHistory(int w, int d) implements Task {
        public long key() {
            return 4L << 56 | (long) w << 8 | d;
        }

        public String describe() {
            return "customers and history of district " + w + "/" + d;
        }
    }

    /** ORDER, ORDER-LINE and NEW-ORDER rows of district (w, d). */
    public record Orders(int w, int d) implements Task {
        public long key() {
            return 5L << 56 | (long) w << 8 | d;
        }

        public String describe() {
            return "orders of district " + w + "/" + d;
        }
    }

    private final long seed;
    private final int cLastLoad;
    private final Timestamp loadTime;

    /**
     * @param seed      the load seed; with the same seed and C the same rows come out
     * @param cLastLoad the load-time C of NURand for C_LAST, recorded in {@code tpcc_load_info} for the run
     * @param loadTime  C_SINCE, H_DATE, O_ENTRY_D (and OL_DELIVERY_D of delivered lines) of the initial rows
     */
    public Population(long seed, int cLastLoad, Timestamp loadTime) {
        if (cLastLoad < 0 || cLastLoad > NURandConstants.A_C_LAST) {
            throw new IllegalArgumentException("C_LAST load constant out of [0, 255]: " + cLastLoad);
        }
        this.seed = seed;
        this.cLastLoad = cLastLoad;
        this.loadTime = loadTime;
    }

    /** Every task of a load of {@code warehouses} warehouses, ITEM first, then warehouse by warehouse. */
    public static List<Task> tasks(int warehouses) {
        List<Task> tasks = new ArrayList<>();
        for (int from = 1; from <= TpccSchema.ITEMS; from += ITEMS_PER_TASK) {
            tasks.add(new Items(from, Math.min(TpccSchema.ITEMS, from + ITEMS_PER_TASK - 1)));
        }
        for (int w = 1; w <= warehouses; w++) {
            tasks.add(new WarehouseAndDistricts(w));
            for (int from = 1; from <= TpccSchema.ITEMS; from += ITEMS_PER_TASK) {
                tasks.add(new Stock(w, from, Math.min(TpccSchema.ITEMS, from + ITEMS_PER_TASK - 1)));
            }
            for (int d = 1; d <= TpccSchema.DISTRICTS_PER_WAREHOUSE; d++) {
                tasks.add(new CustomersAndHistory(w, d));
                tasks.add(new Orders(w, d));
            }
        }
        return tasks;
    }

    /** Generates the rows of one task into {@code sink}. */
    public void generate(Task task, RowSink sink) throws Exception {
        TpccRandom r = new TpccRandom(mix(seed, task.key()));
        switch (task) {
            case Items t -> items(t, r, sink);
            case WarehouseAndDistricts t -> warehouse(t.w(), r, sink);
            case Stock t -> stock(t, r, sink);
            case CustomersAndHistory t -> customers(t.w(), t.d(), r, sink);
            case Orders t -> orders(t.w(), t.d(), r, sink);
        }
    }

    private static void items(Items t, TpccRandom r, RowSink sink) throws Exception {
        for (int i = t.fromId(); i <= t.toId(); i++) {
            sink.row(LoadTable.ITEM, new Object[] {i, r.uniform(1, 10_000), r.aString(14, 24),
                    r.uniformDecimal(100, 10_000, 2), r.dataWithOriginal(26, 50)});
        }
    }

    private static void warehouse(int w, TpccRandom r, RowSink sink) throws Exception {
        sink.row(LoadTable.WAREHOUSE, new Object[] {w, r.aString(6, 10), r.aString(10, 20), r.aString(10, 20),
                r.aString(10, 20), r.aString(2, 2), r.zip(), r.uniformDecimal(0, 2_000, 4), INITIAL_W_YTD});
        for (int d = 1; d <= TpccSchema.DISTRICTS_PER_WAREHOUSE; d++) {
            sink.row(LoadTable.DISTRICT, new Object[] {w, d, r.aString(6, 10), r.aString(10, 20), r.aString(10, 20),
                    r.aString(10, 20), r.aString(2, 2), r.zip(), r.uniformDecimal(0, 2_000, 4), INITIAL_D_YTD,
                    INITIAL_D_NEXT_O_ID});
        }
    }

    private static void stock(Stock t, TpccRandom r, RowSink sink) throws Exception {
        for (int i = t.fromId(); i <= t.toId(); i++) {
            Object[] row = new Object[LoadTable.STOCK.columns().size()];
            row[0] = t.w();
            row[1] = i;
            row[2] = r.uniform(10, 100);
            for (int d = 0; d < TpccSchema.DISTRICTS_PER_WAREHOUSE; d++) {
                row[3 + d] = r.aString(24, 24);
            }
            row[13] = 0;
            row[14] = 0;
            row[15] = 0;
            row[16] = r.dataWithOriginal(26, 50);
            sink.row(LoadTable.STOCK, row);
        }
    }

    private void customers(int w, int d, TpccRandom r, RowSink sink) throws Exception {
        for (int c = 1; c <= TpccSchema.CUSTOMERS_PER_DISTRICT; c++) {
            int nameNumber = c <= TpccSchema.SEQUENTIAL_LAST_NAMES ? c - 1
                    : r.nurand(NURandConstants.A_C_LAST, 0, 999, cLastLoad);
            String credit = r.percent(TpccRandom.TEN_PERCENT) ? "BC" : "GC";
            sink.row(LoadTable.CUSTOMER, new Object[] {w, d, c, r.aString(8, 16), "OE",
                    TpccRandom.lastName(nameNumber), r.aString(10, 20), r.aString(10, 20), r.aString(10, 20),
                    r.aString(2, 2), r.zip(), r.nString(16, 16), loadTime, credit, C_CREDIT_LIM,
                    r.uniformDecimal(0, 5_000, 4), INITIAL_C_BALANCE, INITIAL_C_YTD_PAYMENT, 1, 0,
                    r.aString(300, 500)});
            sink.row(LoadTable.HISTORY, new Object[] {c, d, w, d, w, loadTime, INITIAL_H_AMOUNT, r.aString(12, 24)});
        }
    }

    private void orders(int w, int d, TpccRandom r, RowSink sink) throws Exception {
        int[] customers = r.permutation(TpccSchema.CUSTOMERS_PER_DISTRICT);
        for (int o = 1; o <= TpccSchema.ORDERS_PER_DISTRICT; o++) {
            boolean delivered = o < TpccSchema.FIRST_UNDELIVERED_ORDER;
            int lines = r.uniform(TpccSchema.MIN_ORDER_LINES, TpccSchema.MAX_ORDER_LINES);
            sink.row(LoadTable.ORDER, new Object[] {w, d, o, customers[o - 1], loadTime,
                    delivered ? (Object) r.uniform(1, 10) : RowSink.SqlNull.INTEGER, lines, 1});
            for (int n = 1; n <= lines; n++) {
                sink.row(LoadTable.ORDER_LINE, new Object[] {w, d, o, n, r.uniform(1, TpccSchema.ITEMS), w,
                        delivered ? loadTime : RowSink.SqlNull.TIMESTAMP, 5,
                        delivered ? ZERO_AMOUNT : r.uniformDecimal(1, 999_999, 2), r.aString(24, 24)});
            }
            if (!delivered) {
                sink.row(LoadTable.NEW_ORDER, new Object[] {w, d, o});
            }
        }
    }

    /** A seed for one task: the load seed and the task key through a 64-bit finaliser (SplitMix64). */
    static long mix(long seed, long key) {
        long z = seed + key * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
