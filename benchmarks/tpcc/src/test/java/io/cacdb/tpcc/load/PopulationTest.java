package io.cacdb.tpcc.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.tpcc.TestSeeds;
import io.cacdb.tpcc.random.TpccRandom;
import io.cacdb.tpcc.schema.TpccSchema;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The population rules of spec §4.3.3.1, checked on a whole generated warehouse (no database needed). */
class PopulationTest {

    static final Timestamp LOAD_TIME = Timestamp.valueOf("2026-01-02 03:04:05");
    static final int C_LAST_LOAD = 157;

    static Map<LoadTable, Long> counts = new EnumMap<>(LoadTable.class);
    static Map<LoadTable, List<Object[]>> samples = new EnumMap<>(LoadTable.class);
    static long itemOriginal;
    static long stockOriginal;
    static long badCredit;
    static long orderLinesDeclared;
    static Map<Integer, Set<Integer>> orderCustomersByDistrict = new HashMap<>();
    static Map<Integer, List<Integer>> newOrdersByDistrict = new HashMap<>();
    static Set<String> lastNamesAbove1000 = new HashSet<>();

    @BeforeAll
    static void generateOneWarehouse() throws Exception {
        Population p = new Population(TestSeeds.seed("PopulationTest"), C_LAST_LOAD, LOAD_TIME);
        RowSink sink = (table, v) -> {
            assertEquals(table.columns().size(), v.length, table + " row width");
            counts.merge(table, 1L, Long::sum);
            List<Object[]> s = samples.computeIfAbsent(table, t -> new ArrayList<>());
            if (s.size() < 5_000) {
                s.add(v);
            }
            switch (table) {
                case ITEM -> itemOriginal += ((String) v[4]).contains(TpccRandom.ORIGINAL) ? 1 : 0;
                case STOCK -> stockOriginal += ((String) v[16]).contains(TpccRandom.ORIGINAL) ? 1 : 0;
                case CUSTOMER -> {
                    badCredit += "BC".equals(v[13]) ? 1 : 0;
                    if ((Integer) v[2] > TpccSchema.SEQUENTIAL_LAST_NAMES) {
                        lastNamesAbove1000.add((String) v[5]);
                    }
                }
                case ORDER -> {
                    orderLinesDeclared += (Integer) v[6];
                    orderCustomersByDistrict.computeIfAbsent((Integer) v[1], d -> new HashSet<>()).add((Integer) v[3]);
                }
                case NEW_ORDER -> newOrdersByDistrict.computeIfAbsent((Integer) v[1], d -> new ArrayList<>())
                        .add((Integer) v[2]);
                default -> { }
            }
        };
        for (Population.Task t : Population.tasks(1)) {
            p.generate(t, sink);
        }
    }

    @Test
    void rowCountsOfOneWarehouse() {
        assertEquals(100_000L, counts.get(LoadTable.ITEM));
        assertEquals(1L, counts.get(LoadTable.WAREHOUSE));
        assertEquals(10L, counts.get(LoadTable.DISTRICT));
        assertEquals(100_000L, counts.get(LoadTable.STOCK));
        assertEquals(30_000L, counts.get(LoadTable.CUSTOMER));
        assertEquals(30_000L, counts.get(LoadTable.HISTORY));
        assertEquals(30_000L, counts.get(LoadTable.ORDER));
        assertEquals(9_000L, counts.get(LoadTable.NEW_ORDER));
        assertEquals(orderLinesDeclared, counts.get(LoadTable.ORDER_LINE), "one ORDER-LINE per declared line");
        // 30,000 orders of 5..15 lines: mean 10, sd of the sum ~550.
        assertTrue(Math.abs(counts.get(LoadTable.ORDER_LINE) - 300_000) < 5_000, "order lines "
                + counts.get(LoadTable.ORDER_LINE));
    }

    @Test
    void itemAndStockRows() {
        for (Object[] v : samples.get(LoadTable.ITEM)) {
            int imId = (Integer) v[1];
            assertTrue(imId >= 1 && imId <= 10_000);
            assertLength((String) v[2], 14, 24);
            BigDecimal price = (BigDecimal) v[3];
            assertTrue(price.compareTo(new BigDecimal("1.00")) >= 0 && price.compareTo(new BigDecimal("100.00")) <= 0);
            assertLength((String) v[4], 26, 50);
        }
        for (Object[] v : samples.get(LoadTable.STOCK)) {
            int q = (Integer) v[2];
            assertTrue(q >= 10 && q <= 100, "s_quantity " + q);
            for (int d = 3; d < 13; d++) {
                assertEquals(24, ((String) v[d]).length());
            }
            assertEquals(0, v[13]);
            assertEquals(0, v[14]);
            assertEquals(0, v[15]);
            assertLength((String) v[16], 26, 50);
        }
        assertTrue(Math.abs(itemOriginal - 10_000) < 600, "ORIGINAL items " + itemOriginal);
        assertTrue(Math.abs(stockOriginal - 10_000) < 600, "ORIGINAL stock " + stockOriginal);
    }

    @Test
    void warehouseAndDistricts() {
        Object[] w = samples.get(LoadTable.WAREHOUSE).getFirst();
        assertEquals(new BigDecimal("300000.00"), w[8]);
        assertTrue(((String) w[6]).endsWith("11111"));
        assertTrue(((BigDecimal) w[7]).compareTo(new BigDecimal("0.2")) <= 0);
        assertLength((String) w[1], 6, 10);
        for (Object[] d : samples.get(LoadTable.DISTRICT)) {
            assertEquals(new BigDecimal("30000.00"), d[9]);
            assertEquals(3001, d[10]);
            assertTrue(((BigDecimal) d[8]).compareTo(new BigDecimal("0.2")) <= 0);
        }
    }

    @Test
    void customersAndHistory() {
        for (Object[] c : samples.get(LoadTable.CUSTOMER)) {
            int id = (Integer) c[2];
            if (id <= 1000) {
                assertEquals(TpccRandom.lastName(id - 1), c[5], "customers 1..1000 walk the names in order");
            }
            assertEquals("OE", c[4]);
            assertLength((String) c[3], 8, 16);
            assertEquals(LOAD_TIME, c[12]);
            assertTrue("GC".equals(c[13]) || "BC".equals(c[13]));
            assertEquals(new BigDecimal("50000.00"), c[14]);
            assertTrue(((BigDecimal) c[15]).compareTo(new BigDecimal("0.5")) <= 0);
            assertEquals(new BigDecimal("-10.00"), c[16]);
            assertEquals(new BigDecimal("10.00"), c[17]);
            assertEquals(1, c[18]);
            assertEquals(0, c[19]);
            assertLength((String) c[20], 300, 500);
            assertEquals(16, ((String) c[11]).length());
        }
        // 30,000 customers, 10% BC: sd ~52.
        assertTrue(Math.abs(badCredit - 3_000) < 350, "BC customers " + badCredit);
        // NURand(255, 0, 999) names: many distinct ones, but not all 1,000 equally.
        assertTrue(lastNamesAbove1000.size() > 500, "distinct names of customers 1001..3000: "
                + lastNamesAbove1000.size());
        for (Object[] h : samples.get(LoadTable.HISTORY)) {
            assertEquals(new BigDecimal("10.00"), h[6]);
            assertLength((String) h[7], 12, 24);
            assertEquals(h[1], h[3], "h_c_d_id = h_d_id at load");
        }
    }

    @Test
    void ordersOrderLinesAndNewOrders() {
        for (Object[] o : samples.get(LoadTable.ORDER)) {
            int oId = (Integer) o[2];
            if (oId < 2101) {
                int carrier = (Integer) o[5];
                assertTrue(carrier >= 1 && carrier <= 10);
            } else {
                assertEquals(RowSink.SqlNull.INTEGER, o[5], "undelivered orders have no carrier");
            }
            int lines = (Integer) o[6];
            assertTrue(lines >= 5 && lines <= 15);
            assertEquals(1, o[7]);
        }
        for (Object[] l : samples.get(LoadTable.ORDER_LINE)) {
            int oId = (Integer) l[2];
            int item = (Integer) l[4];
            assertTrue(item >= 1 && item <= 100_000);
            assertEquals(l[0], l[5], "supplied by the home warehouse");
            assertEquals(5, l[7]);
            if (oId < 2101) {
                assertEquals(LOAD_TIME, l[6]);
                assertEquals(new BigDecimal("0.00"), l[8]);
            } else {
                assertEquals(RowSink.SqlNull.TIMESTAMP, l[6]);
                BigDecimal amount = assertInstanceOf(BigDecimal.class, l[8]);
                assertTrue(amount.signum() > 0 && amount.compareTo(new BigDecimal("9999.99")) <= 0);
            }
            assertEquals(24, ((String) l[9]).length());
        }
        for (int d = 1; d <= 10; d++) {
            assertEquals(3_000, orderCustomersByDistrict.get(d).size(), "O_C_ID is a permutation of 1..3000");
            List<Integer> no = newOrdersByDistrict.get(d);
            assertEquals(900, no.size());
            assertEquals(2101, no.getFirst());
            assertEquals(3000, no.getLast());
        }
    }

    @Test
    void sameSeedSameRowsAndTasksAreIndependent() throws Exception {
        long seed = TestSeeds.seed("sameSeedSameRowsAndTasksAreIndependent");
        Population.Task task = new Population.CustomersAndHistory(1, 3);
        List<String> a = rows(new Population(seed, 11, LOAD_TIME), task);
        List<String> b = rows(new Population(seed, 11, LOAD_TIME), task);
        assertEquals(a, b);
        List<String> other = rows(new Population(seed, 11, LOAD_TIME), new Population.CustomersAndHistory(1, 4));
        assertNotEquals(a.get(1), other.get(1), "another district draws another stream");
    }

    @Test
    void tasksCoverEveryWarehouse() {
        List<Population.Task> tasks = Population.tasks(3);
        assertEquals(10 + 3 * (1 + 10 + 20), tasks.size());
        assertEquals(tasks.size(), new HashSet<>(tasks.stream().map(Population.Task::key).toList()).size(),
                "distinct keys, so distinct random streams");
    }

    private static List<String> rows(Population p, Population.Task t) throws Exception {
        List<String> out = new ArrayList<>();
        p.generate(t, (table, v) -> out.add(table + Arrays.toString(v)));
        return out;
    }

    private static void assertLength(String s, int min, int max) {
        assertTrue(s.length() >= min && s.length() <= max, "length " + s.length() + " not in [" + min + ", " + max
                + "]: " + s);
    }
}
