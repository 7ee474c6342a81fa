package io.cacdb.engine.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cacdb.engine.Database;
import io.cacdb.engine.DatabaseTransaction;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.catalog.ColumnDef;
import io.cacdb.engine.error.DuplicateKeyException;
import io.cacdb.engine.error.NotFoundException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.mtr.Seeds;
import io.cacdb.engine.row.ColumnType;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.volume.MemoryVolume;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded random transactions (inserts, updates that may move the primary key, deletes, bounded scans on the primary
 * and a secondary index in both directions; commits, rollbacks, failing statements) against an in-memory model,
 * on the real engine, with abrupt closes and reopens in between. After every commit and every reopen the table
 * must equal the model and every index must hold exactly the table's rows ({@link IndexConsistency}).
 */
class TableModelTest {

    static final int IDS = 120;

    SplittableRandom r;
    long seed;
    MemoryVolume storage = new MemoryVolume(11);
    int epoch = 1;
    Database db;
    /** Committed rows by id. */
    TreeMap<Integer, Row> model = new TreeMap<>();

    @Test
    void randomTransactionsMatchTheModel() {
        seed = Seeds.seed("TableModelTest.randomTransactionsMatchTheModel");
        r = new SplittableRandom(seed);
        int transactions = 150 + r.nextInt(100);
        int crashEvery = 20 + r.nextInt(40);
        db = Database.open(storage.withEpoch(epoch), EngineConfig.defaults(), new SimpleMeterRegistry());
        try {
            try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
                t.createTable(TableSpec.of("t", List.of(
                        ColumnDef.notNull("id", ColumnType.integer()),
                        ColumnDef.of("a", ColumnType.smallint()),
                        ColumnDef.of("b", ColumnType.varchar(8)),
                        ColumnDef.of("c", ColumnType.numeric(6, 2))), "id").withUnique("b"));
                t.createIndex(new IndexSpec("t_a_b", "t", List.of(IndexSpec.Part.asc("a"),
                        IndexSpec.Part.desc("b")), false));
                t.createIndex(IndexSpec.on("t_c", "t", false, "c"));
                t.commit();
            }
            for (int i = 0; i < transactions; i++) {
                runTransaction(i);
                if (i % crashEvery == crashEvery - 1) {
                    crashAndReopen(i);
                }
            }
            crashAndReopen(transactions);
        } finally {
            db.close();
        }
    }

    void crashAndReopen(int i) {
        // An uncommitted transaction at the crash: recovery must roll it back.
        DatabaseTransaction loser = db.begin(IsolationLevel.READ_COMMITTED, false);
        loser.insert("t", Row.of(IDS + 1 + i, null, null, null));
        db.engine().closeAbruptly();
        epoch++;
        db = Database.open(storage.withEpoch(epoch), EngineConfig.defaults(), new SimpleMeterRegistry());
        checkAgainstModel("after reopen " + epoch);
    }

    void runTransaction(int n) {
        IsolationLevel iso = r.nextBoolean() ? IsolationLevel.SERIALIZABLE : IsolationLevel.READ_COMMITTED;
        TreeMap<Integer, Row> local = new TreeMap<>(model);
        try (DatabaseTransaction t = db.begin(iso, false)) {
            int ops = 1 + r.nextInt(12);
            for (int i = 0; i < ops; i++) {
                step(t, local, "txn " + n + " op " + i);
            }
            if (r.nextInt(5) == 0) {
                t.rollback();
            } else {
                t.commit();
                model = local;
                checkAgainstModel("after txn " + n);
            }
        }
    }

    Row randomRow(int id) {
        Short a = r.nextInt(6) == 0 ? null : (short) r.nextInt(8);
        String b = r.nextInt(3) == 0 ? null : "b" + r.nextInt(60);
        BigDecimal c = r.nextInt(5) == 0 ? null : BigDecimal.valueOf(r.nextInt(-500, 500), 1).setScale(2);
        return Row.of(id, a, b, c);
    }

    /** The id of another row of {@code rows} whose b equals {@code row}'s, if b is not NULL. */
    static Integer uniqueConflict(TreeMap<Integer, Row> rows, Row row, int ignoreId) {
        if (row.get(2) == null) {
            return null;
        }
        for (Row other : rows.values()) {
            if ((Integer) other.get(0) != ignoreId && row.get(2).equals(other.get(2))) {
                return (Integer) other.get(0);
            }
        }
        return null;
    }

    void step(DatabaseTransaction t, TreeMap<Integer, Row> local, String where) {
        String ctx = where + " (seed " + seed + ")";
        int id = r.nextInt(IDS);
        switch (r.nextInt(10)) {
            case 0, 1, 2 -> {
                Row row = randomRow(id);
                String expected = local.containsKey(id) ? "t_pkey"
                        : uniqueConflict(local, row, id) != null ? "t_b_key" : null;
                try {
                    t.insert("t", row);
                    assertEquals(null, expected, ctx + ": insert " + row + " should fail");
                    local.put(id, row);
                } catch (DuplicateKeyException e) {
                    assertEquals(expected, e.indexName(), ctx + ": insert " + row);
                }
            }
            case 3, 4 -> {
                Row changed = randomRow(r.nextInt(4) == 0 ? r.nextInt(IDS) : id);
                int newId = (Integer) changed.get(0);
                String expected = !local.containsKey(id) ? "missing"
                        : newId != id && local.containsKey(newId) ? "t_pkey"
                        : uniqueConflict(local, changed, id) != null ? "t_b_key" : null;
                try {
                    t.update("t", t.key("t", id), old -> changed);
                    assertEquals(null, expected, ctx + ": update " + id + " to " + changed + " should fail");
                    local.remove(id);
                    local.put(newId, changed);
                } catch (NotFoundException e) {
                    assertEquals("missing", expected, ctx + ": update of " + id);
                } catch (DuplicateKeyException e) {
                    assertEquals(expected, e.indexName(), ctx + ": update " + id + " to " + changed);
                }
            }
            case 5, 6 -> {
                try {
                    Row old = t.delete("t", t.key("t", id));
                    assertEquals(local.remove(id), old, ctx + ": delete " + id);
                } catch (NotFoundException e) {
                    assertTrue(!local.containsKey(id), ctx + ": delete of present " + id + " failed");
                }
            }
            case 7 -> assertEquals(local.get(id), t.get("t", t.key("t", id)).orElse(null), ctx + ": get " + id);
            case 8 -> scanPrimary(t, local, ctx);
            default -> scanA(t, local, ctx);
        }
    }

    void scanPrimary(DatabaseTransaction t, TreeMap<Integer, Row> local, String ctx) {
        int lo = r.nextInt(IDS);
        int hi = lo + r.nextInt(40);
        boolean loInc = r.nextBoolean();
        boolean hiInc = r.nextBoolean();
        boolean desc = r.nextBoolean();
        boolean bounded = r.nextInt(4) != 0;
        ScanSpec spec = ScanSpec.primary();
        List<Row> expected = new ArrayList<>();
        for (Row row : local.values()) {
            int id = (Integer) row.get(0);
            if (!bounded || ((loInc ? id >= lo : id > lo) && (hiInc ? id <= hi : id < hi))) {
                expected.add(row);
            }
        }
        if (bounded) {
            spec = spec.from(new KeyBound(List.of(lo), loInc)).to(new KeyBound(List.of(hi), hiInc));
        }
        if (desc) {
            spec = spec.reversed();
            expected = expected.reversed();
        }
        assertEquals(expected, TableStoreTest.drain(t.scan("t", spec)), ctx + ": scan " + spec);
    }

    /** Index t_a_b: a ASC NULLS LAST, b DESC NULLS FIRST, then id (the primary key suffix). */
    static final Comparator<Row> A_B_ORDER = Comparator
            .comparing((Row x) -> (Short) x.get(1), Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing((Row x) -> (String) x.get(2), Comparator.nullsFirst(Comparator.reverseOrder()))
            .thenComparing((Row x) -> (Integer) x.get(0));

    void scanA(DatabaseTransaction t, TreeMap<Integer, Row> local, String ctx) {
        short lo = (short) r.nextInt(8);
        short hi = (short) (lo + r.nextInt(4));
        boolean loInc = r.nextBoolean();
        boolean hiInc = r.nextBoolean();
        boolean withLow = r.nextBoolean();
        boolean withHigh = r.nextBoolean();
        boolean desc = r.nextBoolean();
        List<Row> expected = new ArrayList<>();
        for (Row row : local.values()) {
            Short a = (Short) row.get(1);
            boolean aboveLow = !withLow || (a == null || (loInc ? a >= lo : a > lo)); // NULLS LAST: above all
            boolean belowHigh = !withHigh || (a != null && (hiInc ? a <= hi : a < hi));
            if (aboveLow && belowHigh) {
                expected.add(row);
            }
        }
        expected.sort(A_B_ORDER);
        ScanSpec spec = ScanSpec.index("t_a_b");
        if (withLow) {
            spec = spec.from(new KeyBound(List.of(lo), loInc));
        }
        if (withHigh) {
            spec = spec.to(new KeyBound(List.of(hi), hiInc));
        }
        if (desc) {
            spec = spec.reversed();
            expected = expected.reversed();
        }
        assertEquals(expected, TableStoreTest.drain(t.scan("t", spec)), ctx + ": scan " + spec);
    }

    void checkAgainstModel(String where) {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, true)) {
            Map<RowKey, Row> rows = IndexConsistency.check(t, "t");
            List<Row> actual = new ArrayList<>(rows.values());
            if (!actual.equals(new ArrayList<>(model.values()))) {
                fail(where + " (seed " + seed + "): table " + actual + " != model " + model.values());
            }
            List<Row> byAB = new ArrayList<>(model.values());
            byAB.sort(A_B_ORDER);
            assertEquals(byAB, TableStoreTest.drain(t.scan("t", ScanSpec.index("t_a_b"))), where);
            List<Row> byC = new ArrayList<>(model.values());
            byC.sort(Comparator.comparing((Row x) -> (BigDecimal) x.get(3),
                    Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(x -> (Integer) x.get(0)));
            assertEquals(byC, TableStoreTest.drain(t.scan("t", ScanSpec.index("t_c"))), where);
            assertTrue(Objects.equals(t.catalog().relations(), db.catalog().relations()));
            t.commit();
        }
    }
}
