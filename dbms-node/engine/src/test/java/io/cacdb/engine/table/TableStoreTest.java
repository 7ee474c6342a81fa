package io.cacdb.engine.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.Database;
import io.cacdb.engine.DatabaseTransaction;
import io.cacdb.engine.catalog.ColumnDef;
import io.cacdb.engine.error.DuplicateKeyException;
import io.cacdb.engine.error.NotFoundException;
import io.cacdb.engine.error.NotNullViolationException;
import io.cacdb.engine.error.NumericValueOutOfRangeException;
import io.cacdb.engine.error.ReadOnlyTransactionException;
import io.cacdb.engine.error.RowTooLargeException;
import io.cacdb.engine.error.StringDataRightTruncationException;
import io.cacdb.engine.error.UndefinedColumnException;
import io.cacdb.engine.error.UndefinedIndexException;
import io.cacdb.engine.error.UndefinedTableException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.row.ColumnType;
import io.cacdb.engine.row.Row;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TableStoreTest {

    Database db;

    @BeforeEach
    void setUp() {
        db = new FakeEngine().database();
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(TableSpec.of("users", List.of(
                            ColumnDef.notNull("id", ColumnType.integer()),
                            ColumnDef.notNull("email", ColumnType.varchar(40)),
                            ColumnDef.of("name", ColumnType.varchar(10)),
                            ColumnDef.of("score", ColumnType.numeric(6, 2)).withDefault(new BigDecimal("0.00")),
                            ColumnDef.of("active", ColumnType.bool()).withDefault(true)), "id")
                    .withUnique("email"));
            t.createIndex(IndexSpec.on("users_name", "users", false, "name"));
            t.commit();
        }
    }

    static List<Row> drain(RowCursor c) {
        List<Row> out = new ArrayList<>();
        try (c) {
            while (c.next()) {
                out.add(c.row());
            }
        }
        return out;
    }

    static List<Object> column(List<Row> rows, int c) {
        return rows.stream().map(r -> r.get(c)).toList();
    }

    @Test
    void insertGetUpdateDelete() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            Row stored = t.insert("users", Map.of("id", 1, "email", "a@x", "name", "ann"));
            assertEquals(Row.of(1, "a@x", "ann", new BigDecimal("0.00"), true), stored, "defaults filled in");
            RowKey k = t.key("users", 1L);
            assertEquals(stored, t.get("users", k).orElseThrow());
            Row updated = t.update("users", k, Map.of("name", "anna", "score", 12));
            assertEquals("anna", updated.get(2));
            assertEquals(new BigDecimal("12.00"), updated.get(3));
            assertEquals(List.of(updated), drain(t.scan("users", ScanSpec.index("users_name"))));
            assertEquals(updated, t.delete("users", k));
            assertTrue(t.get("users", k).isEmpty());
            assertThrows(NotFoundException.class, () -> t.delete("users", k));
            assertThrows(NotFoundException.class, () -> t.update("users", k, Map.of("name", "x")));
            assertTrue(drain(t.scan("users", ScanSpec.index("users_name"))).isEmpty(), "index entry gone too");
            assertTrue(drain(t.scan("users", ScanSpec.index("users_email_key"))).isEmpty());
            t.commit();
        }
    }

    @Test
    void typedErrorsAndStatementAtomicity() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.insert("users", Map.of("id", 1, "email", "a@x"));
            assertEquals("23502", assertThrows(NotNullViolationException.class,
                    () -> t.insert("users", Map.of("id", 2))).sqlState());
            assertEquals("22001", assertThrows(StringDataRightTruncationException.class,
                    () -> t.insert("users", Map.of("id", 2, "email", "b@x", "name", "much too long"))).sqlState());
            assertEquals("22003", assertThrows(NumericValueOutOfRangeException.class,
                    () -> t.insert("users", Map.of("id", 2, "email", "b@x", "score", 10_000))).sqlState());
            DuplicateKeyException pk = assertThrows(DuplicateKeyException.class,
                    () -> t.insert("users", Map.of("id", 1, "email", "other@x")));
            assertEquals("users_pkey", pk.indexName());
            // The primary index takes the row, then the unique index refuses it: the statement leaves nothing.
            DuplicateKeyException uk = assertThrows(DuplicateKeyException.class,
                    () -> t.insert("users", Map.of("id", 2, "email", "a@x")));
            assertEquals("users_email_key", uk.indexName());
            assertEquals("23505", uk.sqlState());
            assertTrue(t.get("users", t.key("users", 2)).isEmpty(), "the failed statement was rolled back");
            assertFalse(t.isAborted(), "a data error does not abort the transaction");
            assertThrows(UndefinedTableException.class, () -> t.insert("nope", Map.of()));
            assertThrows(UndefinedColumnException.class, () -> t.insert("users", Map.of("idd", 1)));
            assertThrows(UndefinedIndexException.class, () -> t.scan("users", ScanSpec.index("nope")));
            t.commit();
        }
    }

    @Test
    void rowTooLarge() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(TableSpec.of("docs", List.of(ColumnDef.notNull("id", ColumnType.integer()),
                    ColumnDef.of("body", ColumnType.text())), "id"));
            t.insert("docs", Row.of(1, "x".repeat(1000)));
            RowTooLargeException e = assertThrows(RowTooLargeException.class,
                    () -> t.insert("docs", Row.of(2, "x".repeat(3000))));
            assertEquals("54000", e.sqlState());
            assertEquals(1, drain(t.scan("docs", ScanSpec.primary())).size());
            t.commit();
        }
    }

    @Test
    void uniqueIndexTreatsNullsAsDistinct() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(TableSpec.of("p", List.of(ColumnDef.notNull("id", ColumnType.integer()),
                    ColumnDef.of("a", ColumnType.integer()), ColumnDef.of("b", ColumnType.text())), "id"));
            t.createIndex(IndexSpec.on("p_ab", "p", true, "a", "b"));
            t.insert("p", Row.of(1, 1, null));
            t.insert("p", Row.of(2, 1, null));
            t.insert("p", Row.of(3, null, null));
            t.insert("p", Row.of(4, null, null));
            t.insert("p", Row.of(5, 1, "x"));
            assertThrows(DuplicateKeyException.class, () -> t.insert("p", Row.of(6, 1, "x")));
            List<Row> rows = drain(t.scan("p", ScanSpec.index("p_ab")));
            assertEquals(List.of(5, 1, 2, 3, 4), column(rows, 0), "(1,'x') < (1,NULL) < (NULL,NULL), then by key");
            t.commit();
        }
    }

    @Test
    void scansWithBoundsInBothDirections() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            for (int i = 1; i <= 20; i++) {
                t.insert("users", Map.of("id", i, "email", "u" + i + "@x", "name", "n" + (i % 4)));
            }
            assertEquals(List.of(5, 6, 7), column(drain(t.scan("users", ScanSpec.primary()
                    .from(KeyBound.inclusive(5)).to(KeyBound.exclusive(8)))), 0));
            assertEquals(List.of(8, 7, 6), column(drain(t.scan("users", ScanSpec.primary()
                    .from(KeyBound.exclusive(5)).to(KeyBound.inclusive(8)).reversed())), 0));
            assertEquals(List.of(20, 19), column(drain(t.scan("users", ScanSpec.primary()
                    .from(KeyBound.inclusive(19)).reversed())), 0));
            assertEquals(List.of(1, 5, 9, 13, 17), column(drain(t.scan("users", ScanSpec.index("users_name")
                    .from(KeyBound.inclusive("n1")).to(KeyBound.inclusive("n1")))), 0), "prefix = n1, by id");
            assertEquals(List.of(19, 15, 11, 7, 3, 18), column(drain(t.scan("users", ScanSpec.index("users_name")
                    .from(KeyBound.exclusive("n1")).reversed())), 0).subList(0, 6), "descending from the top");
            assertEquals(List.of(1), column(drain(t.scan("users", ScanSpec.index("users_pkey")
                    .to(KeyBound.inclusive(1)))), 0), "the primary index by name");
        }
    }

    @Test
    void compositeDescendingKeysAndMovingPrimaryKey() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(TableSpec.of("ev", List.of(ColumnDef.notNull("day", ColumnType.date()),
                    ColumnDef.notNull("seq", ColumnType.bigint()), ColumnDef.of("v", ColumnType.doublePrecision())),
                    "day", "seq"));
            t.createIndex(new IndexSpec("ev_v", "ev", List.of(IndexSpec.Part.desc("v")), false));
            java.time.LocalDate d = java.time.LocalDate.of(2024, 2, 29);
            t.insert("ev", Row.of(d, 1L, 1.0));
            t.insert("ev", Row.of(d, 2L, 3.0));
            t.insert("ev", Row.of(d.plusDays(1), 1L, null));
            assertEquals(java.util.Arrays.asList(null, 3.0, 1.0), column(drain(t.scan("ev", ScanSpec.index("ev_v"))), 2),
                    "DESC NULLS FIRST");
            RowKey k = t.key("ev", d, 1L);
            Row moved = t.update("ev", k, old -> old.with(1, 9L).with(2, 2.0));
            assertTrue(t.get("ev", k).isEmpty());
            assertEquals(moved, t.get("ev", t.key("ev", d, 9L)).orElseThrow());
            assertEquals(List.of(2L, 9L), column(drain(t.scan("ev", ScanSpec.primary()
                    .from(KeyBound.inclusive(d)).to(KeyBound.inclusive(d)))), 1));
            assertEquals(java.util.Arrays.asList(null, 3.0, 2.0), column(drain(t.scan("ev", ScanSpec.index("ev_v"))), 2));
            t.commit();
        }
    }

    @Test
    void hiddenRowIds() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(TableSpec.of("log", List.of(ColumnDef.of("msg", ColumnType.text()))));
            t.createIndex(IndexSpec.on("log_msg", "log", false, "msg"));
            t.insert("log", Row.of("b"));
            t.insert("log", Row.of("a"));
            t.insert("log", Row.of("a"));
            List<RowKey> keys = new ArrayList<>();
            try (RowCursor c = t.scan("log", ScanSpec.primary())) {
                while (c.next()) {
                    keys.add(c.key());
                }
            }
            assertEquals(List.of(t.key("log", 1L), t.key("log", 2L), t.key("log", 3L)), keys);
            assertEquals(List.of("a", "a", "b"), column(drain(t.scan("log", ScanSpec.index("log_msg"))), 0));
            t.delete("log", keys.get(1));
            t.update("log", keys.get(0), Map.of("msg", "c"));
            assertEquals(List.of("a", "c"), column(drain(t.scan("log", ScanSpec.index("log_msg"))), 0));
            t.commit();
        }
    }

    @Test
    void readOnlyTransactionsRefuseWrites() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.READ_COMMITTED, true)) {
            ReadOnlyTransactionException e = assertThrows(ReadOnlyTransactionException.class,
                    () -> t.insert("users", Map.of("id", 1, "email", "a")));
            assertEquals("25006", e.sqlState());
            assertThrows(ReadOnlyTransactionException.class, () -> t.truncate("users"));
            assertTrue(drain(t.scan("users", ScanSpec.primary())).isEmpty());
            t.commit();
        }
    }

    @Test
    void rollbackUndoesRowsAndIndexEntries() {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.insert("users", Map.of("id", 1, "email", "a@x", "name", "a"));
            t.commit();
        }
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.insert("users", Map.of("id", 2, "email", "b@x", "name", "b"));
            t.update("users", t.key("users", 1), Map.of("name", "z", "email", "z@x"));
            DatabaseTransaction.StatementSavepoint sp = t.savepoint();
            t.delete("users", t.key("users", 2));
            t.rollbackTo(sp);
            assertEquals(2, drain(t.scan("users", ScanSpec.index("users_name"))).size());
            t.rollback();
        }
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            assertEquals(List.of(Row.of(1, "a@x", "a", new BigDecimal("0.00"), true)),
                    drain(t.scan("users", ScanSpec.primary())));
            assertEquals(List.of("a@x"), column(drain(t.scan("users", ScanSpec.index("users_email_key"))), 1));
            assertEquals(List.of("a"), column(drain(t.scan("users", ScanSpec.index("users_name"))), 2));
        }
    }
}
