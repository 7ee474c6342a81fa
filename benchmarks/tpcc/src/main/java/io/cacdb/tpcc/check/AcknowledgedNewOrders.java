package io.cacdb.tpcc.check;

import io.cacdb.tpcc.schema.TpccSchema;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The New-Orders whose COMMIT returned OK, as (w, d, o_id, ol_cnt) packed into one {@code long} each. One instance per
 * terminal (single writer, no locking); {@link #merge} joins them for the audit after the run.
 *
 * <p>Bounded: all logs of a run share one budget of {@code maxEntries}; past it further acknowledgements are only
 * counted and the audit reports itself incomplete. 16 M entries (128 MiB) cover 7 hours at 40,000 NOPM.
 */
public final class AcknowledgedNewOrders {

    /** The default budget shared by all terminals of a run: 16 Mi entries, 128 MiB. */
    public static final long DEFAULT_MAX_ENTRIES = 16L << 20;

    private static final int W_BITS = 20;
    private static final int D_BITS = 4;
    private static final int O_BITS = 31;
    private static final int OL_BITS = 4;

    private final AtomicLong budget;
    private long[] entries = new long[1024];
    private int size;
    private long dropped;

    /** A log drawing from {@code budget}, shared by all the run's logs (decremented per entry). */
    public AcknowledgedNewOrders(AtomicLong budget) {
        this.budget = budget;
    }

    /** A new shared budget of {@code maxEntries}. */
    public static AtomicLong budget(long maxEntries) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("negative acknowledged-commit budget " + maxEntries);
        }
        return new AtomicLong(maxEntries);
    }

    /** Records one acknowledged New-Order. */
    public void record(int w, int d, int oId, int olCnt) {
        if (w < 1 || w > TpccSchema.WAREHOUSES_MAX || d < 1 || d > TpccSchema.DISTRICTS_PER_WAREHOUSE || oId < 1
                || olCnt < 1 || olCnt > TpccSchema.MAX_ORDER_LINES) {
            throw new IllegalArgumentException("not a New-Order: w=" + w + " d=" + d + " o_id=" + oId
                    + " ol_cnt=" + olCnt);
        }
        if (budget.getAndDecrement() <= 0) {
            budget.incrementAndGet();
            dropped++;
            return;
        }
        if (size == entries.length) {
            entries = Arrays.copyOf(entries, entries.length * 2);
        }
        entries[size++] = pack(w, d, oId, olCnt);
    }

    public int size() {
        return size;
    }

    /** Acknowledgements not kept because the budget ran out. */
    public long dropped() {
        return dropped;
    }

    /** All entries of {@code logs}, sorted by (w, d, o_id). */
    public static long[] merge(Iterable<AcknowledgedNewOrders> logs) {
        int total = 0;
        for (AcknowledgedNewOrders l : logs) {
            total = Math.addExact(total, l.size);
        }
        long[] all = new long[total];
        int at = 0;
        for (AcknowledgedNewOrders l : logs) {
            System.arraycopy(l.entries, 0, all, at, l.size);
            at += l.size;
        }
        Arrays.sort(all);
        return all;
    }

    // Sorting the packed values sorts by (w, d, o_id): w in the top bits, then d, then o_id, then ol_cnt.
    static long pack(int w, int d, int oId, int olCnt) {
        return (long) w << (D_BITS + O_BITS + OL_BITS) | (long) d << (O_BITS + OL_BITS) | (long) oId << OL_BITS
                | olCnt;
    }

    public static int warehouse(long packed) {
        return (int) (packed >>> (D_BITS + O_BITS + OL_BITS));
    }

    public static int district(long packed) {
        return (int) (packed >>> (O_BITS + OL_BITS)) & ((1 << D_BITS) - 1);
    }

    public static int orderId(long packed) {
        return (int) (packed >>> OL_BITS) & ((1 << O_BITS) - 1);
    }

    public static int orderLines(long packed) {
        return (int) packed & ((1 << OL_BITS) - 1);
    }

    static {
        if (W_BITS + D_BITS + O_BITS + OL_BITS > 63) {
            throw new AssertionError("packed New-Order does not fit in a positive long");
        }
    }
}
