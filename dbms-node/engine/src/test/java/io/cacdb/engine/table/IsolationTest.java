package io.cacdb.engine.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.Database;
import io.cacdb.engine.DatabaseTransaction;
import io.cacdb.engine.catalog.ColumnDef;
import io.cacdb.engine.error.DeadlockException;
import io.cacdb.engine.error.TransactionAbortedException;
import io.cacdb.engine.error.UndefinedTableException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.row.ColumnType;
import io.cacdb.engine.row.Row;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lock protocol as the table layer applies it: phantoms on a secondary-index range under SERIALIZABLE and READ
 * COMMITTED, DDL against row work, a deadlock at the table level. Waits are observed through the lock manager's
 * wait listener, never by sleeping.
 */
class IsolationTest {

    /** Own threads: the common pool may have one thread on a small machine, and lock waits block it. */
    final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
    final LockWaits waits = new LockWaits();

    @org.junit.jupiter.api.AfterEach
    void stopPool() {
        pool.shutdownNow();
    }
    final Database db = new FakeEngine(Duration.ofSeconds(30), waits).database();

    @BeforeEach
    void setUp() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            for (String name : List.of("a", "b")) {
                t.createTable(TableSpec.of(name, List.of(ColumnDef.notNull("id", ColumnType.integer()),
                        ColumnDef.of("k", ColumnType.integer())), "id"));
                t.createIndex(IndexSpec.on(name + "_k", name, false, "k"));
            }
            for (int i = 1; i <= 6; i++) {
                t.insert("a", Row.of(i, i * 10));
            }
            t.commit();
        }
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(LockWaits.BOUND.toSeconds(), TimeUnit.SECONDS);
    }

    static List<Object> ids(DatabaseTransaction t, ScanSpec spec) {
        return TableStoreTest.column(TableStoreTest.drain(t.scan("a", spec)), 0);
    }

    static final ScanSpec K_20_TO_40 = ScanSpec.index("a_k").from(KeyBound.inclusive(20)).to(KeyBound.inclusive(40));

    @Test
    void serializablePreventsAPhantomOnASecondaryIndexRange() throws Exception {
        DatabaseTransaction scanner = db.begin(IsolationLevel.SERIALIZABLE, true);
        assertEquals(List.of(2, 3, 4), ids(scanner, K_20_TO_40));
        assertEquals(List.of(4, 3, 2), ids(scanner, K_20_TO_40.reversed()));

        // Outside the locked range (above the key after it): goes through at once.
        try (DatabaseTransaction other = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            other.insert("a", Row.of(7, 65));
            other.commit();
        }
        DatabaseTransaction inserter = db.begin(IsolationLevel.SERIALIZABLE, false);
        CompletableFuture<Void> insert = CompletableFuture.runAsync(() -> {
            inserter.insert("a", Row.of(100, 35));
            inserter.commit();
        }, pool);
        waits.awaitWaits(inserter.id(), 1);
        assertFalse(insert.isDone(), "the insert into the scanned range waits for the scanner");
        assertEquals(List.of(2, 3, 4), ids(scanner, K_20_TO_40), "no phantom");
        scanner.commit();
        await(insert);
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, true)) {
            assertEquals(List.of(2, 3, 100, 4), ids(t, K_20_TO_40));
        }
    }

    @Test
    void serializableDescendingScanLocksTheGapAboveItsRange() throws Exception {
        DatabaseTransaction scanner = db.begin(IsolationLevel.SERIALIZABLE, true);
        assertEquals(List.of(4, 3), ids(scanner, ScanSpec.index("a_k").from(KeyBound.exclusive(20))
                .to(KeyBound.exclusive(50)).reversed()));
        DatabaseTransaction inserter = db.begin(IsolationLevel.SERIALIZABLE, false);
        CompletableFuture<Void> insert = CompletableFuture.runAsync(() -> {
            inserter.insert("a", Row.of(100, 45));
            inserter.commit();
        }, pool);
        waits.awaitWaits(inserter.id(), 1);
        assertEquals(List.of(4, 3), ids(scanner, ScanSpec.index("a_k").from(KeyBound.exclusive(20))
                .to(KeyBound.exclusive(50)).reversed()));
        scanner.commit();
        await(insert);
    }

    @Test
    void readCommittedAllowsThePhantom() throws Exception {
        DatabaseTransaction scanner = db.begin(IsolationLevel.READ_COMMITTED, true);
        assertEquals(List.of(2, 3, 4), ids(scanner, K_20_TO_40));
        CompletableFuture<Void> insert = CompletableFuture.runAsync(() -> {
            try (DatabaseTransaction inserter = db.begin(IsolationLevel.READ_COMMITTED, false)) {
                inserter.insert("a", Row.of(100, 35));
                inserter.commit();
            }
        }, pool);
        await(insert);
        assertEquals(List.of(2, 3, 100, 4), ids(scanner, K_20_TO_40), "the committed insert shows up");
        scanner.commit();
    }

    @Test
    void readCommittedWaitsForAnUncommittedWriterOfWhatItReads() throws Exception {
        DatabaseTransaction writer = db.begin(IsolationLevel.READ_COMMITTED, false);
        writer.update("a", writer.key("a", 3), java.util.Map.of("k", 31));
        DatabaseTransaction reader = db.begin(IsolationLevel.READ_COMMITTED, true);
        CompletableFuture<List<Object>> read = CompletableFuture.supplyAsync(() -> ids(reader, K_20_TO_40), pool);
        waits.awaitWaits(reader.id(), 1);
        writer.rollback();
        assertEquals(List.of(2, 3, 4), await(read), "no dirty read: the rolled-back change is never seen");
        reader.commit();
    }

    @Test
    void rowWorkWaitsForDropTableAndThenFindsNoTable() throws Exception {
        DatabaseTransaction ddl = db.begin(IsolationLevel.SERIALIZABLE, false);
        ddl.dropTable("a");
        DatabaseTransaction writer = db.begin(IsolationLevel.SERIALIZABLE, false);
        CompletableFuture<Row> insert = CompletableFuture.supplyAsync(() -> writer.insert("a", Row.of(9, 9)), pool);
        // The drop is published just before its commit; until then the table is there and locked X.
        waits.awaitWaits(writer.id(), 1);
        ddl.commit();
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(insert));
        assertInstanceOf(UndefinedTableException.class, e.getCause());
        writer.rollback();
    }

    @Test
    void tableLevelDeadlockAbortsOneTransaction() throws Exception {
        DatabaseTransaction t1 = db.begin(IsolationLevel.SERIALIZABLE, false);
        DatabaseTransaction t2 = db.begin(IsolationLevel.SERIALIZABLE, false);
        t1.insert("a", Row.of(10, 1));
        t2.insert("b", Row.of(10, 1));
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> t1.truncate("b"), pool);
        waits.awaitWaits(t1.id(), 1);
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> t2.truncate("a"), pool);
        // Exactly one of them is the victim; the other goes on once the victim rolls back.
        Throwable failure = null;
        DatabaseTransaction victim = null;
        DatabaseTransaction survivor = null;
        CompletableFuture<Void> survivorWork = null;
        try {
            await(CompletableFuture.anyOf(first, second).thenApply(x -> null));
        } catch (ExecutionException e) {
            failure = e.getCause();
        }
        if (failure == null) {
            throw new AssertionError("a truncate finished before the deadlock was broken");
        }
        if (first.isCompletedExceptionally()) {
            victim = t1;
            survivor = t2;
            survivorWork = second;
        } else {
            victim = t2;
            survivor = t1;
            survivorWork = first;
        }
        DeadlockException d = assertInstanceOf(DeadlockException.class, failure.getCause() == null ? failure
                : failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure);
        assertEquals("40P01", d.sqlState());
        assertTrue(victim.isAborted());
        DatabaseTransaction v = victim;
        assertThrows(TransactionAbortedException.class, () -> v.insert("a", Row.of(11, 1)));
        victim.rollback();
        await(survivorWork);
        survivor.commit();
    }
}
