package io.cacdb.tpcc.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cacdb.tpcc.TestSeeds;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AcknowledgedNewOrdersTest {

    @Test
    void packsAndSortsByWarehouseDistrictOrder() {
        SplittableRandom r = new SplittableRandom(TestSeeds.seed("packsAndSortsByWarehouseDistrictOrder"));
        for (int i = 0; i < 10_000; i++) {
            int w = r.nextInt(1, (1 << 20));
            int d = r.nextInt(1, 11);
            int o = r.nextInt(1, Integer.MAX_VALUE);
            int l = r.nextInt(5, 16);
            long p = AcknowledgedNewOrders.pack(w, d, o, l);
            assertEquals(w, AcknowledgedNewOrders.warehouse(p));
            assertEquals(d, AcknowledgedNewOrders.district(p));
            assertEquals(o, AcknowledgedNewOrders.orderId(p));
            assertEquals(l, AcknowledgedNewOrders.orderLines(p));
        }
        var budget = AcknowledgedNewOrders.budget(100);
        AcknowledgedNewOrders a = new AcknowledgedNewOrders(budget);
        AcknowledgedNewOrders b = new AcknowledgedNewOrders(budget);
        a.record(2, 1, 3001, 5);
        b.record(1, 10, 3005, 15);
        a.record(1, 10, 3002, 7);
        b.record(1, 2, 3001, 9);
        long[] all = AcknowledgedNewOrders.merge(List.of(a, b));
        assertEquals(2, AcknowledgedNewOrders.district(all[0]));
        assertEquals(3002, AcknowledgedNewOrders.orderId(all[1]));
        assertEquals(3005, AcknowledgedNewOrders.orderId(all[2]));
        assertEquals(2, AcknowledgedNewOrders.warehouse(all[3]));
    }

    @Test
    void sharedBudgetBoundsTheLog() {
        var budget = AcknowledgedNewOrders.budget(3);
        AcknowledgedNewOrders a = new AcknowledgedNewOrders(budget);
        AcknowledgedNewOrders b = new AcknowledgedNewOrders(budget);
        a.record(1, 1, 1, 5);
        b.record(1, 1, 2, 5);
        a.record(1, 1, 3, 5);
        b.record(1, 1, 4, 5);
        a.record(1, 1, 5, 5);
        assertEquals(3, a.size() + b.size());
        assertEquals(2, a.dropped() + b.dropped());
        assertThrows(IllegalArgumentException.class, () -> a.record(1, 11, 1, 5));
        assertThrows(IllegalArgumentException.class, () -> a.record(1, 1, 1, 16));
    }
}
