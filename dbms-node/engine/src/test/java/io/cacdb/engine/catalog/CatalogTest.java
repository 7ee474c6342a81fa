package io.cacdb.engine.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.Database;
import io.cacdb.engine.DatabaseTransaction;
import io.cacdb.engine.error.DuplicateColumnException;
import io.cacdb.engine.error.DuplicateKeyException;
import io.cacdb.engine.error.DuplicateRelationException;
import io.cacdb.engine.error.InvalidTableDefinitionException;
import io.cacdb.engine.error.UndefinedColumnException;
import io.cacdb.engine.error.UndefinedIndexException;
import io.cacdb.engine.error.UndefinedTableException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.row.ColumnType;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.table.FakeEngine;
import io.cacdb.engine.table.IndexSpec;
import io.cacdb.engine.table.LockWaits;
import io.cacdb.engine.table.RowCursor;
import io.cacdb.engine.table.ScanSpec;
import io.cacdb.engine.table.TableSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CatalogTest {

    /** Own threads: the common pool may have one thread on a small machine, and lock waits block it. */
    final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
    final LockWaits waits = new LockWaits();

    @org.junit.jupiter.api.AfterEach
    void stopPool() {
        pool.shutdownNow();
    }
    final FakeEngine engine = new FakeEngine(Duration.ofSeconds(20), waits);
    final Database db = engine.database();

    static TableSpec orders() {
        return TableSpec.of("orders", List.of(
                        ColumnDef.notNull("id", ColumnType.bigint()),
                        ColumnDef.of("customer", ColumnType.varchar(20)),
                        ColumnDef.of("placed", ColumnType.date()).withDefault(LocalDate.of(2000, 1, 1)),
                        ColumnDef.of("total", ColumnType.numeric(10, 2)),
                        ColumnDef.of("code", ColumnType.character(4))), "id")
                .withUnique("code");
    }

    static int count(DatabaseTransaction t, String table) {
        int n = 0;
        try (RowCursor c = t.scan(table, ScanSpec.primary())) {
            while (c.next()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void createListAndDrop() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(orders());
            t.createIndex(new IndexSpec("orders_cust_placed", "orders",
                    List.of(IndexSpec.Part.asc("customer"), IndexSpec.Part.desc("placed")), false));
            t.commit();
        }
        CatalogSnapshot c = db.catalog();
        TableDef orders = c.table("orders").orElseThrow();
        assertEquals(List.of("id", "customer", "placed", "total", "code"),
                orders.columns().stream().map(ColumnDef::name).toList());
        assertFalse(orders.columns().get(0).nullable());
        assertEquals(ColumnType.numeric(10, 2), orders.columns().get(3).type());
        assertEquals(LocalDate.of(2000, 1, 1), orders.columns().get(2).defaultValue());
        assertEquals(List.of(0), orders.primaryKey());
        List<IndexDef> indexes = c.indexesOf(orders.id());
        assertEquals(List.of("orders_pkey", "orders_code_key", "orders_cust_placed"),
                indexes.stream().map(IndexDef::name).toList());
        assertTrue(indexes.get(0).primary() && indexes.get(0).unique());
        assertTrue(indexes.get(1).unique() && !indexes.get(1).primary());
        assertEquals(List.of(new IndexColumn(1, false, false), new IndexColumn(2, true, true)),
                indexes.get(2).columns());
        assertEquals(List.of("orders"), c.tables().stream().map(TableDef::name).toList());

        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.dropIndex("orders_cust_placed");
            t.commit();
        }
        assertTrue(db.catalog().index("orders_cust_placed").isEmpty());
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.dropTable("orders");
            t.commit();
        }
        assertTrue(db.catalog().relations().isEmpty(), "the table and its indexes are gone: " + db.catalog());
        assertTrue(reloaded().relations().isEmpty());
    }

    /** The catalog as loading it from its B+tree finds it (what an engine reopen does). */
    CatalogSnapshot reloaded() {
        return engine.database().catalog();
    }

    @Test
    void theStoredCatalogEqualsTheCache() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(orders());
            t.createTable(TableSpec.of("log", List.of(ColumnDef.of("msg", ColumnType.text()))));
            t.createIndex(IndexSpec.on("log_msg", "log", true, "msg"));
            t.insert("orders", Row.of(1L, "c", null, new BigDecimal("1.50"), "ab"));
            t.truncate("orders");
            t.commit();
        }
        assertEquals(db.catalog().relations(), reloaded().relations());
        assertEquals(5, reloaded().relations().size(), "orders, 2 indexes, log, 1 index: "
                + reloaded().relations());
    }

    @Test
    void namesAreUniqueAcrossTablesAndIndexes() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(orders());
            DuplicateRelationException e = assertThrows(DuplicateRelationException.class,
                    () -> t.createTable(orders()));
            assertEquals("42P07", e.sqlState());
            assertThrows(DuplicateRelationException.class,
                    () -> t.createIndex(IndexSpec.on("orders", "orders", false, "customer")));
            assertThrows(DuplicateRelationException.class,
                    () -> t.createIndex(IndexSpec.on("orders_pkey", "orders", false, "customer")));
            assertEquals("42P01", assertThrows(UndefinedTableException.class, () -> t.dropTable("x")).sqlState());
            assertEquals("42704", assertThrows(UndefinedIndexException.class, () -> t.dropIndex("x")).sqlState());
            assertThrows(UndefinedTableException.class, () -> t.dropTable("orders_pkey"),
                    "an index is not a table");
            assertThrows(InvalidTableDefinitionException.class, () -> t.dropIndex("orders_pkey"));
            assertThrows(UndefinedColumnException.class,
                    () -> t.createIndex(IndexSpec.on("i", "orders", false, "nope")));
            assertThrows(DuplicateColumnException.class,
                    () -> t.createIndex(IndexSpec.on("i", "orders", false, "customer", "customer")));
            assertThrows(DuplicateColumnException.class, () -> t.createTable(TableSpec.of("d", List.of(
                    ColumnDef.of("a", ColumnType.integer()), ColumnDef.of("a", ColumnType.text())))));
            assertThrows(UndefinedColumnException.class, () -> t.createTable(TableSpec.of("d", List.of(
                    ColumnDef.of("a", ColumnType.integer())), "b")));
            assertThrows(InvalidTableDefinitionException.class,
                    () -> t.createTable(TableSpec.of("x".repeat(64), List.of(ColumnDef.of("a", ColumnType.text())))));
            assertThrows(io.cacdb.engine.error.StringDataRightTruncationException.class,
                    () -> t.createTable(TableSpec.of("d", List.of(
                            ColumnDef.of("a", ColumnType.varchar(2)).withDefault("abc")))), "a default must fit");
            assertFalse(t.isAborted());
            t.commit();
        }
        assertEquals(3, db.catalog().relations().size(), "only orders and its two indexes: " + db.catalog());
    }

    @Test
    void ddlRollbackLeavesNoTrace() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(orders());
            t.insert("orders", Row.of(1L, "c", null, null, "ab"));
            assertTrue(t.catalog().table("orders").isPresent(), "a transaction sees its own DDL");
            assertTrue(db.catalog().table("orders").isEmpty(), "others do not before it commits");
            t.rollback();
        }
        assertTrue(db.catalog().relations().isEmpty());
        assertTrue(reloaded().relations().isEmpty(), "no catalog entry left in the B+tree");
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(orders());
            assertEquals(0, count(t, "orders"));
            // A failed DDL statement is undone by itself: the table and its pkey are gone again, the rest stays.
            assertThrows(UndefinedColumnException.class,
                    () -> t.createTable(TableSpec.of("bad", List.of(ColumnDef.of("a", ColumnType.integer())))
                            .withUnique("b")));
            assertTrue(t.catalog().relation("bad").isEmpty());
            assertTrue(t.catalog().relation("bad_pkey").isEmpty());
            DatabaseTransaction.StatementSavepoint sp = t.savepoint();
            t.dropTable("orders");
            assertTrue(t.catalog().table("orders").isEmpty());
            t.rollbackTo(sp);
            assertTrue(t.catalog().table("orders").isPresent(), "rollback to savepoint restores the view");
            t.commit();
        }
        assertEquals(db.catalog().relations(), reloaded().relations());
        assertEquals(3, db.catalog().relations().size());
    }

    @Test
    void dropAndTruncateRollBack() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(orders());
            t.insert("orders", Row.of(1L, "c", null, null, "ab"));
            t.insert("orders", Row.of(2L, "d", null, null, "cd"));
            t.commit();
        }
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.truncate("orders");
            assertEquals(0, count(t, "orders"));
            t.insert("orders", Row.of(3L, "e", null, null, "ab"));
            assertEquals(1, count(t, "orders"));
            t.rollback();
        }
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            assertEquals(2, count(t, "orders"));
            t.dropTable("orders");
            assertThrows(UndefinedTableException.class, () -> count(t, "orders"));
            t.rollback();
        }
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            assertEquals(2, count(t, "orders"));
            t.truncate("orders");
            t.commit();
        }
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            assertEquals(0, count(t, "orders"));
            assertEquals(db.catalog().relations(), reloaded().relations());
        }
    }

    @Test
    void createIndexBuildsFromRowsAndFailsOnDuplicates() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(orders());
            for (long i = 0; i < 500; i++) {
                t.insert("orders", Row.of(i, "c" + (i % 7), null, BigDecimal.valueOf(i), "k" + i));
            }
            t.commit();
        }
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            DuplicateKeyException e = assertThrows(DuplicateKeyException.class,
                    () -> t.createIndex(IndexSpec.on("orders_cust_u", "orders", true, "customer")));
            assertEquals("orders_cust_u", e.indexName());
            assertTrue(t.catalog().index("orders_cust_u").isEmpty());
            t.createIndex(IndexSpec.on("orders_cust", "orders", false, "customer"));
            int n = 0;
            try (RowCursor c = t.scan("orders", ScanSpec.index("orders_cust")
                    .from(io.cacdb.engine.table.KeyBound.inclusive("c3"))
                    .to(io.cacdb.engine.table.KeyBound.inclusive("c3")))) {
                while (c.next()) {
                    assertEquals("c3", c.row().get(1));
                    assertEquals(3, ((Long) c.row().get(0)) % 7);
                    n++;
                }
            }
            assertEquals(71, n);
            t.commit();
        }
    }

    @Test
    void concurrentCreatesOfOneNameSerialize() throws Exception {
        DatabaseTransaction first = db.begin(IsolationLevel.READ_COMMITTED, false);
        first.createTable(orders());
        DatabaseTransaction second = db.begin(IsolationLevel.READ_COMMITTED, false);
        CompletableFuture<Void> create = CompletableFuture.runAsync(() -> {
            second.createTable(TableSpec.of("orders2", List.of(ColumnDef.of("a", ColumnType.integer()))));
            second.createTable(orders());
        }, pool);
        waits.awaitWaits(second.id(), 1);
        assertFalse(create.isDone(), "the second create waits for the first transaction");
        first.commit();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> create.get(LockWaits.BOUND.toSeconds(), TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof DuplicateRelationException, e.getCause().toString());
        second.commit();
        assertTrue(db.catalog().table("orders2").isPresent());
        assertEquals(db.catalog().relations(), reloaded().relations());
    }

    @Test
    void ddlWaitsForRowWorkAndRowWorkSeesTheNewDefinition() throws Exception {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(orders());
            t.commit();
        }
        DatabaseTransaction writer = db.begin(IsolationLevel.SERIALIZABLE, false);
        writer.insert("orders", Row.of(1L, "a", null, null, "x"));
        DatabaseTransaction ddl = db.begin(IsolationLevel.SERIALIZABLE, false);
        CompletableFuture<Void> index = CompletableFuture.runAsync(() -> {
            ddl.createIndex(IndexSpec.on("orders_cust", "orders", false, "customer"));
            ddl.commit();
        }, pool);
        waits.awaitWaits(ddl.id(), 1);
        writer.commit();
        index.get(LockWaits.BOUND.toSeconds(), TimeUnit.SECONDS);
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.insert("orders", Row.of(2L, "b", null, null, "y"));
            try (RowCursor c = t.scan("orders", ScanSpec.index("orders_cust"))) {
                assertTrue(c.next());
                assertEquals(1L, c.row().get(0), "the index was built from the committed row");
                assertTrue(c.next());
                assertEquals(2L, c.row().get(0), "and is maintained by later inserts");
                assertFalse(c.next());
            }
            t.commit();
        }
    }
}
