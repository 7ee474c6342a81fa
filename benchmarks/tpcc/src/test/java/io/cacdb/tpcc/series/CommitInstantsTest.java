package io.cacdb.tpcc.series;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cacdb.tpcc.txn.TransactionType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Every commit's completion instant, bounded, from concurrent terminals. */
class CommitInstantsTest {

    @Test
    void keepsEveryInstantSortedAndRelativeToTheStart() {
        CommitInstants c = new CommitInstants(1_000, 10);
        c.record(5_000);
        c.record(1_000);
        c.record(3_500);
        assertArrayEquals(new long[] {0, 2_500, 4_000}, c.sortedNanosSinceStart());
        assertEquals(0, c.dropped());
    }

    @Test
    void countsWhatIsPastTheBoundAndSpansChunks() {
        int max = CommitInstants.CHUNK_ENTRIES + 5;
        CommitInstants c = new CommitInstants(0, max);
        for (int i = 0; i < max + 7; i++) {
            c.record(i);
        }
        long[] kept = c.sortedNanosSinceStart();
        assertEquals(max, kept.length);
        assertEquals(max - 1, kept[max - 1]);
        assertEquals(7, c.dropped());
        assertThrows(IllegalArgumentException.class, () -> new CommitInstants(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new CommitInstants(0, CommitInstants.MAX_ENTRIES + 1));
    }

    @Test
    void theSeriesRecordsEveryCommitFromConcurrentThreads() throws Exception {
        PerSecondSeries s = new PerSecondSeries(0, 10);
        int threads = 4;
        int each = 20_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < each; i++) {
                    s.commit(TransactionType.PAYMENT, (long) i * threads + id, 1);
                }
            });
            th.start();
            started.add(th);
        }
        go.countDown();
        for (Thread th : started) {
            th.join();
        }
        long[] all = s.commitInstants().sortedNanosSinceStart();
        assertEquals(threads * each, all.length);
        for (int i = 0; i < all.length; i++) {
            assertEquals(i, all[i], "instant " + i);
        }
    }
}
