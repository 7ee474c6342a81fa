package io.cacdb.tpcc.series;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.tpcc.series.PerSecondSeries.Counter;
import io.cacdb.tpcc.series.PerSecondSeries.Row;
import io.cacdb.tpcc.txn.TransactionType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PerSecondSeriesTest {

    static final long S = 1_000_000_000L;
    static final long MS = 1_000_000L;

    @Test
    void bucketsByCompletionTime() {
        long start = 1_000 * S;
        PerSecondSeries s = new PerSecondSeries(start, 10);
        // Started in second 0, committed in second 2: counts in second 2.
        s.commit(TransactionType.NEW_ORDER, start + 2 * S + 5 * MS, 2 * S);
        s.commit(TransactionType.PAYMENT, start + 2 * S + 900 * MS, 3 * MS);
        s.count(Counter.CONNECTION_ERRORS, start + 3 * S);
        s.count(Counter.RETRYABLE_ABORTS, start + 999 * MS);
        s.sealAll();
        Row r0 = s.row(0);
        Row r2 = s.row(2);
        assertEquals(0, r0.commits());
        assertEquals(1, r0.count(Counter.RETRYABLE_ABORTS));
        assertEquals(2, r2.commits());
        assertEquals(1, r2.count(Counter.NEW_ORDER_COMMITS));
        assertEquals(1, r2.count(Counter.PAYMENT_COMMITS));
        assertEquals(1, s.row(3).count(Counter.CONNECTION_ERRORS));
        assertTrue(Double.isNaN(r0.p99Millis()), "no commits, no percentile");
        assertEquals(2_000, r2.p99Millis(), 2_000 * 0.01, "p99 of {3 ms, 2 s} is 2 s (2 significant digits)");
        assertEquals(3, r2.p50Millis(), 0.05);
        assertEquals(3, s.highestSecond());
    }

    @Test
    void boundedAndClamped() {
        long start = 0;
        PerSecondSeries s = new PerSecondSeries(start, 5);
        s.count(Counter.OTHER_ERRORS, 100 * S);
        s.count(Counter.OTHER_ERRORS, -3 * S);
        assertEquals(1, s.row(4).count(Counter.OTHER_ERRORS), "after the end: last row");
        assertEquals(1, s.row(0).count(Counter.OTHER_ERRORS), "before the start: first row");
        assertEquals(1, s.eventsPastEnd());
        assertThrows(IllegalArgumentException.class, () -> new PerSecondSeries(0, PerSecondSeries.MAX_SECONDS + 1));
        assertThrows(IndexOutOfBoundsException.class, () -> s.row(5));
    }

    @Test
    void ringSlotsAreSealedWhenReusedAndLateLatenciesAreCountedNotMisfiled() {
        PerSecondSeries s = new PerSecondSeries(0, 100);
        for (int sec = 0; sec < 30; sec++) {
            for (int i = 1; i <= 100; i++) {
                s.commit(TransactionType.PAYMENT, sec * S + i * MS, (sec + 1) * MS);
            }
        }
        s.sealBefore(20);
        // A straggler for an already sealed second: counted, but its latency cannot change that second's row.
        s.commit(TransactionType.PAYMENT, 5 * S, 10 * S);
        s.sealAll();
        for (int sec = 0; sec < 30; sec++) {
            Row r = s.row(sec);
            assertEquals(sec == 5 ? 101 : 100, r.commits());
            assertEquals(sec + 1, r.p99Millis(), (sec + 1) * 0.01 + 0.001, "second " + sec + " keeps its own latencies");
        }
        assertEquals(1, s.lateLatencies());
    }

    @Test
    void concurrentWritersLoseNothing() throws Exception {
        PerSecondSeries s = new PerSecondSeries(0, 20);
        int threads = 4;
        int perThread = 50_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    long at = (i % 10) * S + i;
                    s.commit(TransactionType.NEW_ORDER, at, MS);
                    s.count(Counter.USER_ROLLBACKS, at);
                }
            });
            ts.add(th);
            th.start();
        }
        go.countDown();
        for (Thread th : ts) {
            th.join(TimeUnit.SECONDS.toMillis(30));
        }
        s.sealAll();
        long commits = s.rows(0, 20).stream().mapToLong(Row::commits).sum();
        long rollbacks = s.rows(0, 20).stream().mapToLong(r -> r.count(Counter.USER_ROLLBACKS)).sum();
        assertEquals((long) threads * perThread, commits);
        assertEquals((long) threads * perThread, rollbacks);
    }
}
