package io.cacdb.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.btree.BTreeCursor;
import io.cacdb.engine.btree.KeyRange;
import io.cacdb.engine.index.IndexDirectory;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.mtr.MapPageSource;
import io.cacdb.engine.mtr.PageSource;
import io.cacdb.engine.mtr.Seeds;
import io.cacdb.engine.recovery.Redo;
import io.cacdb.engine.space.PageAllocator;
import io.cacdb.engine.txn.Transaction;
import io.cacdb.engine.volume.MemoryVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.wal.LogReader;
import io.cacdb.engine.wal.LoggedRecord;
import io.cacdb.engine.wal.MetaRecords;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A replayed copy: the whole log, from LSN 0 and across epochs (a crash and a recovery in the middle), applied to
 * empty pages with the shared {@link Redo} gives the same logical contents — every index's keys and values — as the
 * live database. Applying it twice changes nothing (the pageLSN test).
 */
class ReplayCopyTest {

    static final int ACCOUNTS = 7;
    static final long INITIAL = 500;

    @Test
    void replayingTheWholeLogYieldsTheLiveContents() throws Exception {
        SplittableRandom r = new SplittableRandom(Seeds.seed("ReplayCopyTest"));
        MemoryVolume storage = new MemoryVolume(51);
        EngineConfig config = EngineConfig.defaults().withBufferPoolFrames(24);
        try (Engine engine = Engine.open(storage, config, new SimpleMeterRegistry(), () -> 0)) {
            Bank bank = new Bank(engine, 150);
            bank.createIfAbsent(ACCOUNTS, INITIAL);
            workload(engine, bank, r, 0);
            // A transaction left open: a loser the next open rolls back with CLRs under the new epoch.
            Transaction loser = engine.transactions().begin(IsolationLevel.SERIALIZABLE, false);
            bank.transferWithoutEnd(loser, 999_999, 0, 1, 3, 5);
            engine.logWriter().awaitDurable(engine.logWriter().appendedLsn()).get(30, TimeUnit.SECONDS);
            engine.closeAbruptly();
        }
        try (Engine engine = Engine.open(storage.withEpoch(2), config, new SimpleMeterRegistry(), () -> 0)) {
            assertEquals(1, engine.recoveryReport().undo().losersRolledBack());
            Bank bank = new Bank(engine, 150);
            workload(engine, bank, r, 1L << 40);
            engine.logWriter().awaitDurable(engine.logWriter().appendedLsn()).get(30, TimeUnit.SECONDS);
            assertEquals(0L, (long) storage.snapshot(io.cacdb.dax.block.Space.LOG).firstKey(), "nothing truncated");

            MapPageSource copy = new MapPageSource();
            long end = engine.logWriter().durableLsn();
            int mtrs = replay(storage, copy, end);
            Map<Long, Map<String, String>> live = contents(engine.pageSource());
            Map<Long, Map<String, String>> replayed = contents(copy);
            assertEquals(live.keySet(), replayed.keySet(), "the same indexes");
            assertEquals(live, replayed, "every index's keys and values");
            assertTrue(live.get(Bank.AUDIT_INDEX).size() > 10, "the copy is not trivially empty");

            Map<Long, byte[]> once = copy.snapshot();
            replay(storage, copy, end);
            Map<Long, byte[]> twice = copy.snapshot();
            assertEquals(once.keySet(), twice.keySet());
            for (long pageNo : once.keySet()) {
                assertArrayEquals(once.get(pageNo), twice.get(pageNo), "page " + pageNo + " changed by a second replay");
            }
            System.out.println("ReplayCopyTest: replayed " + mtrs + " MTRs up to LSN " + end + " onto "
                    + once.size() + " pages; " + live.size() + " indexes identical");
        }
    }

    /** Transfers from two threads, an index created, filled and dropped, another created and kept. */
    private static void workload(Engine engine, Bank bank, SplittableRandom r, long idBase) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                long seed = r.nextLong();
                long base = idBase + ((long) w << 32);
                fs.add(pool.submit(() -> {
                    SplittableRandom wr = new SplittableRandom(seed);
                    for (int i = 0; i < 120; i++) {
                        int from = wr.nextInt(ACCOUNTS);
                        bank.transfer(base + i, from, (from + 1 + wr.nextInt(ACCOUNTS - 1)) % ACCOUNTS,
                                1 + wr.nextInt(20), Bank.Kind.values()[wr.nextInt(Bank.Kind.values().length)]);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Transaction t = engine.transactions().begin(IsolationLevel.SERIALIZABLE, false);
        long dropped = engine.indexes().create(t);
        long kept = engine.indexes().create(t);
        for (long id : new long[] {dropped, kept}) {
            BTree tree = engine.indexes().tree(id);
            for (int k = 0; k < 50; k++) {
                byte[] key = ByteBuffer.allocate(4).putInt(k).array();
                t.locks().lockForInsert(t.id(), t.isolation(), id, key, null).close();
                EngineTest.insert(t, tree, key, new byte[] {(byte) k});
            }
        }
        engine.indexes().drop(t, dropped);
        engine.transactions().commit(t);
    }

    /** Applies every whole MTR of the log from LSN 0 to {@code end} onto {@code pages}. */
    private static int replay(MemoryVolume storage, PageSource pages, long end) throws Exception {
        var history = MetaRecords.epochHistory(storage).get(30, TimeUnit.SECONDS);
        LogReader reader = new LogReader(storage, new io.cacdb.engine.wal.LogRecordCodec(
                io.cacdb.engine.page.PageOps::decode), ReadConsistency.QUORUM, () -> history, 0);
        Redo redo = new Redo(pages);
        List<LoggedRecord> mtr = new ArrayList<>();
        int mtrs = 0;
        while (reader.nextLsn() < end) {
            List<LoggedRecord> batch = reader.pollMtrs(1024);
            assertTrue(!batch.isEmpty(), "the log is readable up to " + end + ", stopped at " + reader.nextLsn());
            for (LoggedRecord rec : batch) {
                mtr.add(rec);
                if (rec.mtrEnd()) {
                    redo.apply(mtr);
                    mtr.clear();
                    mtrs++;
                }
            }
        }
        return mtrs;
    }

    /** Every index named in the directory (and the directory itself): keys and values as hex, per index. */
    private static Map<Long, Map<String, String>> contents(PageSource pages) {
        long root = PageAllocator.root(pages, IndexDirectory.DIRECTORY_ROOT_SLOT);
        BTree directory = new BTree(pages, IndexDirectory.DIRECTORY_INDEX_ID, root);
        directory.validate();
        Map<Long, Map<String, String>> out = new TreeMap<>();
        out.put(IndexDirectory.DIRECTORY_INDEX_ID, dump(directory));
        BTreeCursor c = directory.cursor(new KeyRange(new byte[] {1}, true, null, false), true);
        List<Map.Entry<Long, Long>> entries = new ArrayList<>();
        while (c.next()) {
            entries.add(new AbstractMap.SimpleEntry<>(ByteBuffer.wrap(c.key(), 1, 8).getLong(),
                    ByteBuffer.wrap(c.value()).getLong()));
        }
        for (Map.Entry<Long, Long> e : entries) {
            BTree tree = new BTree(pages, e.getKey(), e.getValue());
            tree.validate();
            out.put(e.getKey(), dump(tree));
        }
        return out;
    }

    private static Map<String, String> dump(BTree tree) {
        Map<String, String> out = new TreeMap<>();
        BTreeCursor c = tree.cursor(KeyRange.all(), true);
        java.util.HexFormat hex = java.util.HexFormat.of();
        while (c.next()) {
            out.put(hex.formatHex(c.key()), hex.formatHex(c.value()));
        }
        return out;
    }
}
