package io.cacdb.engine.wal;

import io.cacdb.engine.wal.LogRecord.ActiveTxn;
import io.cacdb.engine.wal.LogRecord.DirtyPage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Record builders and a structural equality for WAL tests (records holding arrays have identity equals). */
final class WalTestRecords {

    private WalTestRecords() {
    }

    /** The seed of a randomised test: {@code -Dcacdb.seed=} to reproduce, else fresh; printed either way. */
    static long seed(String test) {
        String given = System.getProperty("cacdb.seed");
        long seed = given != null ? Long.parseLong(given) : new Random().nextLong();
        System.out.println(test + " seed=" + seed + " (reproduce with -Dcacdb.seed=" + seed + ")");
        return seed;
    }

    /** One record of every type. */
    static List<LogRecord> everyType() {
        return List.of(
                new LogRecord.PageRedo(7, 123, new TestPageOp(64, new byte[] {1, 2, 3})),
                new LogRecord.Undo(7, 100, 5, LogRecord.UndoKind.UNDO_UPDATE, new byte[] {9, 8}, new byte[] {7}),
                new LogRecord.Compensation(7, 200, 100),
                new LogRecord.Commit(7, 300, 1_700_000_000_000_000L),
                new LogRecord.Abort(8, 400),
                new LogRecord.Checkpoint(50, List.of(new DirtyPage(3, 60), new DirtyPage(4, 70)),
                        List.of(new ActiveTxn(9, 80, 75))),
                new LogRecord.FlushWatermark(1234),
                new LogRecord.EpochStart(3, 4096));
    }

    /** A random record of a random type, of roughly {@code maxBytes} at most. */
    static LogRecord random(Random rnd, int maxBytes) {
        int payload = rnd.nextInt(Math.max(1, maxBytes));
        return switch (rnd.nextInt(8)) {
            case 0, 1, 2 -> new LogRecord.PageRedo(rnd.nextInt(100), rnd.nextInt(1000),
                    new TestPageOp(rnd.nextInt(8000), bytes(rnd, payload)));
            case 3 -> new LogRecord.Undo(rnd.nextInt(100) + 1, rnd.nextLong(1 << 30), rnd.nextInt(10),
                    LogRecord.UndoKind.values()[rnd.nextInt(3)], bytes(rnd, Math.min(payload, 500)),
                    bytes(rnd, payload / 2));
            case 4 -> new LogRecord.Commit(rnd.nextInt(100) + 1, rnd.nextLong(1 << 30), rnd.nextLong(1L << 50));
            case 5 -> new LogRecord.Compensation(rnd.nextInt(100) + 1, rnd.nextLong(1 << 30), rnd.nextLong(1 << 30));
            case 6 -> {
                List<DirtyPage> dirty = new ArrayList<>();
                for (int i = 0; i < payload / 16; i++) {
                    dirty.add(new DirtyPage(i, rnd.nextLong(1 << 30)));
                }
                yield new LogRecord.Checkpoint(rnd.nextLong(1 << 30), dirty, List.of());
            }
            default -> new LogRecord.FlushWatermark(rnd.nextLong(1 << 30));
        };
    }

    static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /** Structural equality: records holding byte arrays compare by content. */
    static boolean same(LogRecord a, LogRecord b) {
        if (a instanceof LogRecord.Undo x && b instanceof LogRecord.Undo y) {
            return x.txnId() == y.txnId() && x.prevLsn() == y.prevLsn() && x.indexId() == y.indexId()
                    && x.kind() == y.kind() && Arrays.equals(x.key(), y.key())
                    && Arrays.equals(x.oldValue(), y.oldValue());
        }
        return a.equals(b);
    }
}
