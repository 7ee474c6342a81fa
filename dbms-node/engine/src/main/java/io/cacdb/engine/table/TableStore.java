package io.cacdb.engine.table;

import io.cacdb.engine.btree.BTreeCursor;
import io.cacdb.engine.btree.KeyRange;
import io.cacdb.engine.catalog.Catalog;
import io.cacdb.engine.catalog.CatalogCodec;
import io.cacdb.engine.catalog.CatalogSnapshot;
import io.cacdb.engine.catalog.ColumnDef;
import io.cacdb.engine.catalog.IndexColumn;
import io.cacdb.engine.catalog.IndexDef;
import io.cacdb.engine.catalog.IndexSpace;
import io.cacdb.engine.catalog.RelationDef;
import io.cacdb.engine.catalog.TableDef;
import io.cacdb.engine.error.DuplicateColumnException;
import io.cacdb.engine.error.DuplicateKeyException;
import io.cacdb.engine.error.DuplicateRelationException;
import io.cacdb.engine.error.InvalidTableDefinitionException;
import io.cacdb.engine.error.NotFoundException;
import io.cacdb.engine.error.NotNullViolationException;
import io.cacdb.engine.error.ReadOnlyTransactionException;
import io.cacdb.engine.error.UndefinedColumnException;
import io.cacdb.engine.error.UndefinedIndexException;
import io.cacdb.engine.error.UndefinedTableException;
import io.cacdb.engine.keys.KeyCodec;
import io.cacdb.engine.lock.LockMode;
import io.cacdb.engine.lock.LockResource;
import io.cacdb.engine.row.ColumnType;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.txn.Transaction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * The tables of one database: DDL and row operations, each run in a caller's transaction ({@link TableTxn}).
 *
 * <p>Design note: locks. A table's lock resource is {@code LockResource.index(tableId)}. Row work takes IS (reads)
 * or IX (writes) on it, then the key locks of {@link io.cacdb.engine.lock.NextKeyLocks} on each index it touches;
 * CREATE INDEX takes S (readers go on, writers wait), DROP TABLE, DROP INDEX and TRUNCATE take X, CREATE TABLE takes X
 * on the new table. A row operation resolves the table's name in the catalog, locks the table, and resolves it again:
 * if the definitions changed while it waited (the DDL published them before releasing its lock, see
 * {@link Catalog}), it starts over with the new ones; a dropped table is {@link UndefinedTableException}.
 *
 * <p>Statement atomicity is the caller's (a savepoint around each call, see {@code Database}): an operation that
 * fails half-way (a unique violation in the third index) leaves its earlier index changes in the transaction.
 *
 * <p>Rows of a table without a declared primary key are keyed by a hidden row id from a per-tree counter, started at
 * one above the largest id in the tree when first used after open; ids of rolled-back inserts are not reused within
 * a run (they may be after a restart, which is harmless: the rows are gone).
 *
 * <p>Thread-safe: any number of transactions call it concurrently, each on its own thread.
 */
public final class TableStore {

    /** Longest relation or column name, in UTF-8 bytes: PostgreSQL's NAMEDATALEN - 1, which clients assume. */
    public static final int NAME_BYTES_MAX = 63;

    /** Most columns a table may have: PostgreSQL's limit (MaxHeapAttributeNumber). */
    public static final int COLUMNS_MAX = 1600;

    /** Most columns an index key may have: PostgreSQL's INDEX_MAX_KEYS. */
    public static final int INDEX_COLUMNS_MAX = 32;

    /**
     * Compiled tables kept; beyond this the cache is cleared (tables are recompiled on next use). Bounds memory
     * with many tables or much DDL; compiling is cheap, so the bound matters more than the hit rate.
     */
    static final int COMPILED_TABLES_MAX = 4096;

    private final Catalog catalog;
    private final IndexSpace space;
    private final Map<CompiledKey, Table> compiled = new ConcurrentHashMap<>();
    private final Map<Long, AtomicLong> rowIds = new ConcurrentHashMap<>();

    private record CompiledKey(TableDef def, List<IndexDef> indexes) {
    }

    public TableStore(Catalog catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.space = catalog.indexSpace();
    }

    public Catalog catalog() {
        return catalog;
    }

    // ------------------------------------------------------------------------------------------------ DDL

    /** CREATE TABLE, with its primary index and a unique index per UNIQUE constraint. */
    public TableDef createTable(TableTxn t, TableSpec spec) {
        requireWritable(t);
        checkName(spec.name());
        if (spec.columns().isEmpty() || spec.columns().size() > COLUMNS_MAX) {
            throw new InvalidTableDefinitionException("table " + spec.name() + " needs 1 to " + COLUMNS_MAX
                    + " columns, got " + spec.columns().size());
        }
        Set<String> names = new HashSet<>();
        for (ColumnDef c : spec.columns()) {
            checkName(c.name());
            if (!names.add(c.name())) {
                throw new DuplicateColumnException(spec.name(), c.name());
            }
        }
        List<Integer> pk = positions(spec.name(), spec.columns(), spec.primaryKey());
        if (pk.size() > INDEX_COLUMNS_MAX) {
            throw new InvalidTableDefinitionException("primary key of " + spec.name() + " has " + pk.size()
                    + " columns; at most " + INDEX_COLUMNS_MAX);
        }
        List<ColumnDef> columns = new ArrayList<>();
        for (int i = 0; i < spec.columns().size(); i++) {
            ColumnDef c = spec.columns().get(i);
            // The default must be a value of the column (errors as for a row); primary-key columns are NOT NULL.
            Object dflt = c.type().coerce(c.defaultValue());
            columns.add(new ColumnDef(c.name(), c.type(), c.nullable() && !pk.contains(i), dflt));
        }
        CatalogSnapshot view = view(t);
        if (view.relation(spec.name()).isPresent()) {
            throw new DuplicateRelationException(spec.name());
        }
        long treeId = space.create(t.txn());
        t.txn().locks().lockIndex(t.txn().id(), treeId, LockMode.X);
        TableDef def = new TableDef(treeId, spec.name(), columns, pk, treeId);
        catalogInsert(t, def);
        if (!pk.isEmpty()) {
            List<IndexColumn> cols = pk.stream().map(IndexColumn::asc).toList();
            catalogInsert(t, new IndexDef(treeId, generatedName(spec.name(), "pkey"), def.id(), cols, true, true,
                    treeId));
        }
        for (List<String> unique : spec.uniqueConstraints()) {
            List<Integer> pos = positions(spec.name(), columns, unique);
            String name = generatedName(spec.name() + "_" + String.join("_", unique), "key");
            addIndex(t, def, name, pos.stream().map(IndexColumn::asc).toList(), true);
        }
        return def;
    }

    /** DROP TABLE: the table, its indexes, their B+trees. */
    public void dropTable(TableTxn t, String name) {
        requireWritable(t);
        Table table = open(t, name, LockMode.X);
        CatalogSnapshot view = view(t);
        for (IndexDef i : view.indexesOf(table.def.id())) {
            catalogDelete(t, i);
            if (!i.primary()) {
                space.drop(t.txn(), i.treeId());
            }
        }
        catalogDelete(t, table.def);
        space.drop(t.txn(), table.def.primaryTreeId());
    }

    /** CREATE [UNIQUE] INDEX, built from the table's rows; a unique index fails on the first duplicate. */
    public IndexDef createIndex(TableTxn t, IndexSpec spec) {
        requireWritable(t);
        checkName(spec.name());
        if (spec.columns().isEmpty() || spec.columns().size() > INDEX_COLUMNS_MAX) {
            throw new InvalidTableDefinitionException("index " + spec.name() + " needs 1 to " + INDEX_COLUMNS_MAX
                    + " columns, got " + spec.columns().size());
        }
        Table table = open(t, spec.table(), LockMode.S);
        List<IndexColumn> cols = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (IndexSpec.Part p : spec.columns()) {
            int pos = table.def.columnPosition(p.column())
                    .orElseThrow(() -> new UndefinedColumnException(spec.table(), p.column()));
            if (!seen.add(pos)) {
                throw new DuplicateColumnException(spec.name(), p.column());
            }
            cols.add(new IndexColumn(pos, p.descending(), p.nullsFirst()));
        }
        return addIndex(t, table.def, spec.name(), cols, spec.unique());
    }

    private IndexDef addIndex(TableTxn t, TableDef def, String name, List<IndexColumn> cols, boolean unique) {
        if (view(t).relation(name).isPresent()) {
            throw new DuplicateRelationException(name);
        }
        long treeId = space.create(t.txn());
        // Nobody may read the new index before this transaction ends (row work takes IS/IX on it).
        t.txn().locks().lockIndex(t.txn().id(), treeId, LockMode.X);
        IndexDef index = new IndexDef(treeId, name, def.id(), cols, unique, false, treeId);
        catalogInsert(t, index);
        Table compiledTable = compile(def, view(t).indexesOf(def.id()));
        Table.Secondary s = compiledTable.secondary(name);
        IndexAccess access = new IndexAccess(t.txn(), s.tree, name);
        // The table is locked S (or X, new table): no other transaction changes rows while the index is built.
        BTreeCursor rows = compiledTable.primaryTree.cursor(KeyRange.all(), true);
        while (rows.next()) {
            byte[] primaryKey = rows.key();
            Row row = compiledTable.rowCodec.decode(rows.value());
            access.insertUnlocked(s.entryKey(row, primaryKey), primaryKey);
        }
        return index;
    }

    /** DROP INDEX of a secondary index (the primary index goes with its table). */
    public void dropIndex(TableTxn t, String name) {
        requireWritable(t);
        IndexDef index = view(t).index(name).orElseThrow(() -> new UndefinedIndexException(name));
        if (index.primary()) {
            throw new InvalidTableDefinitionException("cannot drop index " + name
                    + ": it is the primary key of its table; drop the table instead");
        }
        TableDef def = view(t).table(index.tableId())
                .orElseThrow(() -> new IllegalStateException("index " + name + " without its table"));
        open(t, def.name(), LockMode.X);
        // Re-read under the lock: the index may have gone while we waited.
        IndexDef current = view(t).index(name).orElseThrow(() -> new UndefinedIndexException(name));
        catalogDelete(t, current);
        space.drop(t.txn(), current.treeId());
    }

    /**
     * TRUNCATE: every index of the table gets a new empty B+tree and the old ones are dropped, in this transaction
     * (so a rollback brings the rows back). The table keeps its id; its hidden row ids start again at 1.
     */
    public void truncate(TableTxn t, String name) {
        requireWritable(t);
        Table table = open(t, name, LockMode.X);
        long newPrimary = space.create(t.txn());
        space.drop(t.txn(), table.def.primaryTreeId());
        catalogUpdate(t, table.def, table.def.withPrimaryTreeId(newPrimary));
        for (IndexDef i : view(t).indexesOf(table.def.id())) {
            long newTree;
            if (i.primary()) {
                newTree = newPrimary;
            } else {
                newTree = space.create(t.txn());
                space.drop(t.txn(), i.treeId());
            }
            catalogUpdate(t, i, i.withTreeId(newTree));
        }
    }

    private void catalogInsert(TableTxn t, RelationDef def) {
        IndexAccess access = new IndexAccess(t.txn(), catalog.tree(), "catalog");
        try {
            access.insert(CatalogCodec.key(def.name()), CatalogCodec.encode(def));
        } catch (DuplicateKeyException e) {
            throw new DuplicateRelationException(def.name());
        }
        t.catalogChanges().add(def.name(), null, def);
    }

    private void catalogUpdate(TableTxn t, RelationDef before, RelationDef after) {
        IndexAccess access = new IndexAccess(t.txn(), catalog.tree(), "catalog");
        if (access.update(CatalogCodec.key(before.name()), CatalogCodec.encode(after)) == null) {
            throw new IllegalStateException("catalog entry " + before.name() + " vanished under its lock");
        }
        t.catalogChanges().add(before.name(), before, after);
    }

    private void catalogDelete(TableTxn t, RelationDef def) {
        IndexAccess access = new IndexAccess(t.txn(), catalog.tree(), "catalog");
        if (access.delete(CatalogCodec.key(def.name())) == null) {
            throw new IllegalStateException("catalog entry " + def.name() + " vanished under its lock");
        }
        t.catalogChanges().add(def.name(), def, null);
    }

    private static List<Integer> positions(String table, List<ColumnDef> columns, List<String> names) {
        List<Integer> out = new ArrayList<>();
        for (String n : names) {
            int pos = -1;
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(n)) {
                    pos = i;
                }
            }
            if (pos < 0) {
                throw new UndefinedColumnException(table, n);
            }
            if (out.contains(pos)) {
                throw new DuplicateColumnException(table, n);
            }
            out.add(pos);
        }
        return out;
    }

    private static void checkName(String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > NAME_BYTES_MAX) {
            throw new InvalidTableDefinitionException("name \"" + name + "\" has " + bytes + " bytes; names have 1 to "
                    + NAME_BYTES_MAX);
        }
    }

    /** {@code base_suffix}, cut to the name limit as PostgreSQL does for the names it makes up. */
    private static String generatedName(String base, String suffix) {
        String name = base + "_" + suffix;
        while (name.getBytes(StandardCharsets.UTF_8).length > NAME_BYTES_MAX) {
            base = base.substring(0, base.length() - 1);
            name = base + "_" + suffix;
        }
        return name;
    }

    // ------------------------------------------------------------------------------------------------ rows

    /**
     * Inserts a row given as one value per column (null = NULL; use {@link #insert(TableTxn, String, Map)} for
     * defaults). Returns the row as stored (coerced values). Errors: {@link NotNullViolationException},
     * {@link DuplicateKeyException} naming the index, the type errors of {@link ColumnType#coerce},
     * {@link io.cacdb.engine.error.RowTooLargeException}.
     */
    public Row insert(TableTxn t, String tableName, Row row) {
        requireWritable(t);
        Table table = open(t, tableName, LockMode.IX);
        if (row.size() != table.def.columns().size()) {
            throw new IllegalArgumentException("table " + tableName + " has " + table.def.columns().size()
                    + " columns, the row " + row.size() + " values");
        }
        return insertRow(t, table, normalize(table, row));
    }

    /**
     * Inserts a row given by column name; columns not named get their default (or NULL). Unknown names:
     * {@link UndefinedColumnException}.
     */
    public Row insert(TableTxn t, String tableName, Map<String, Object> values) {
        requireWritable(t);
        Table table = open(t, tableName, LockMode.IX);
        List<ColumnDef> cols = table.def.columns();
        Object[] v = new Object[cols.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = cols.get(i).defaultValue();
        }
        for (Map.Entry<String, Object> e : values.entrySet()) {
            int pos = table.def.columnPosition(e.getKey())
                    .orElseThrow(() -> new UndefinedColumnException(tableName, e.getKey()));
            v[pos] = e.getValue();
        }
        return insertRow(t, table, normalize(table, Row.of(v)));
    }

    private Row insertRow(TableTxn t, Table table, Row row) {
        byte[] primaryKey = table.def.hasHiddenRowId()
                ? Table.ROW_ID_KEY.encode(rowIdCounter(table).getAndIncrement())
                : table.primaryKey(row);
        new IndexAccess(t.txn(), table.primaryTree, table.primaryIndexName())
                .insert(primaryKey, table.rowCodec.encode(row));
        for (Table.Secondary s : table.secondaries) {
            new IndexAccess(t.txn(), s.tree, s.def.name()).insert(s.entryKey(row, primaryKey), primaryKey);
        }
        return row;
    }

    private AtomicLong rowIdCounter(Table table) {
        return rowIds.computeIfAbsent(table.primaryTree.indexId(), id -> {
            BTreeCursor c = table.primaryTree.cursor(KeyRange.all(), false);
            long next = c.next() ? (Long) Table.ROW_ID_KEY.decode(c.key()).get(0) + 1 : 1;
            return new AtomicLong(next);
        });
    }

    /** The row key of the row whose primary key (or hidden row id, a Long) is {@code keyValues}. */
    public RowKey rowKey(TableTxn t, String tableName, Object... keyValues) {
        Table table = open(t, tableName, LockMode.IS);
        return new RowKey(encodeKey(table, keyValues));
    }

    private static byte[] encodeKey(Table table, Object... keyValues) {
        if (table.def.hasHiddenRowId()) {
            if (keyValues.length != 1 || !(keyValues[0] instanceof Long)) {
                throw new IllegalArgumentException("table " + table.name() + " is keyed by a hidden row id (a Long),"
                        + " got " + Arrays.toString(keyValues));
            }
            return Table.ROW_ID_KEY.encode(keyValues);
        }
        if (keyValues.length != table.primaryColumns.length) {
            throw new IllegalArgumentException("table " + table.name() + " has " + table.primaryColumns.length
                    + " key columns, got " + keyValues.length + " values");
        }
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < keyValues.length; i++) {
            values.add(table.def.columns().get(table.primaryColumns[i]).type().coerce(keyValues[i]));
        }
        return table.primaryCodec.encode(values);
    }

    /** The row with this key, or null; S-locked as the isolation level says. */
    public Row get(TableTxn t, String tableName, RowKey key) {
        Table table = open(t, tableName, LockMode.IS);
        byte[] stored = new IndexAccess(t.txn(), table.primaryTree, table.primaryIndexName()).get(key.bytes());
        return stored == null ? null : table.rowCodec.decode(stored);
    }

    /**
     * The row with this key, or null, after taking the update lock (X) on its key: SELECT ... FOR UPDATE, and the
     * first step of an UPDATE or DELETE that must read the current row before writing it. Taking X first avoids the
     * S-then-X upgrade that deadlocks two transactions which both read a row and then update it.
     */
    public Row getForUpdate(TableTxn t, String tableName, RowKey key) {
        requireWritable(t);
        Table table = open(t, tableName, LockMode.IX);
        byte[] primaryKey = key.bytes();
        t.txn().locks().lockForUpdate(t.txn().id(), table.primaryTree.indexId(), primaryKey);
        byte[] stored = table.primaryTree.get(primaryKey);
        return stored == null ? null : table.rowCodec.decode(stored);
    }

    /**
     * Updates the row with this key: {@code change} gets the current row (X-locked) and returns the new one, whose
     * values are coerced and checked like an insert's. Every secondary index whose key changes gets its old entry
     * deleted and the new one inserted; a changed primary key moves the row. Returns the new row;
     * {@link NotFoundException} if there is no row with this key.
     */
    public Row update(TableTxn t, String tableName, RowKey key, UnaryOperator<Row> change) {
        requireWritable(t);
        return updateRow(t, open(t, tableName, LockMode.IX), key, change);
    }

    /** Updates the named columns of the row with this key; see {@link #update(TableTxn, String, RowKey, UnaryOperator)}. */
    public Row update(TableTxn t, String tableName, RowKey key, Map<String, Object> values) {
        requireWritable(t);
        Table table = open(t, tableName, LockMode.IX);
        Map<Integer, Object> byPosition = new java.util.HashMap<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            byPosition.put(table.def.columnPosition(e.getKey())
                    .orElseThrow(() -> new UndefinedColumnException(tableName, e.getKey())), e.getValue());
        }
        return updateRow(t, table, key, old -> {
            Row r = old;
            for (Map.Entry<Integer, Object> e : byPosition.entrySet()) {
                r = r.with(e.getKey(), e.getValue());
            }
            return r;
        });
    }

    private Row updateRow(TableTxn t, Table table, RowKey key, UnaryOperator<Row> change) {
        String tableName = table.name();
        byte[] primaryKey = key.bytes();
        IndexAccess primary = new IndexAccess(t.txn(), table.primaryTree, table.primaryIndexName());
        t.txn().locks().lockForUpdate(t.txn().id(), table.primaryTree.indexId(), primaryKey);
        byte[] stored = table.primaryTree.get(primaryKey);
        if (stored == null) {
            throw new NotFoundException("table " + tableName + " has no row with key " + key);
        }
        Row old = table.rowCodec.decode(stored);
        Row updated = change.apply(old);
        if (updated.size() != old.size()) {
            throw new IllegalArgumentException("updated row has " + updated.size() + " values for "
                    + old.size() + " columns");
        }
        updated = normalize(table, updated);
        byte[] newKey = table.def.hasHiddenRowId() ? primaryKey : table.primaryKey(updated);
        boolean moved = !Arrays.equals(newKey, primaryKey);
        if (moved) {
            primary.delete(primaryKey);
            primary.insert(newKey, table.rowCodec.encode(updated));
        } else {
            primary.update(primaryKey, table.rowCodec.encode(updated));
        }
        for (Table.Secondary s : table.secondaries) {
            byte[] oldEntry = s.entryKey(old, primaryKey);
            byte[] newEntry = s.entryKey(updated, newKey);
            IndexAccess access = new IndexAccess(t.txn(), s.tree, s.def.name());
            if (!Arrays.equals(oldEntry, newEntry)) {
                access.delete(oldEntry);
                access.insert(newEntry, newKey);
            } else if (moved) {
                access.update(oldEntry, newKey);
            }
        }
        return updated;
    }

    /** Deletes the row with this key and its index entries; returns it. {@link NotFoundException} if absent. */
    public Row delete(TableTxn t, String tableName, RowKey key) {
        requireWritable(t);
        Table table = open(t, tableName, LockMode.IX);
        byte[] primaryKey = key.bytes();
        byte[] stored = new IndexAccess(t.txn(), table.primaryTree, table.primaryIndexName()).delete(primaryKey);
        if (stored == null) {
            throw new NotFoundException("table " + tableName + " has no row with key " + key);
        }
        Row old = table.rowCodec.decode(stored);
        for (Table.Secondary s : table.secondaries) {
            byte[] entry = s.entryKey(old, primaryKey);
            if (new IndexAccess(t.txn(), s.tree, s.def.name()).delete(entry) == null) {
                throw new IllegalStateException("index " + s.def.name() + " lacks the entry of row " + old);
            }
        }
        return old;
    }

    /** A range scan; the caller closes the cursor. See {@link RowCursor} for the locks it takes. */
    public RowCursor scan(TableTxn t, String tableName, ScanSpec spec) {
        Table table = open(t, tableName, LockMode.IS);
        Table.Secondary secondary = null;
        KeyCodec codec = table.primaryCodec;
        int[] columns = table.primaryColumns;
        if (spec.index() != null) {
            secondary = table.secondary(spec.index());
            if (secondary == null) {
                if (table.primaryIndex != null && table.primaryIndex.name().equals(spec.index())) {
                    return scan(t, tableName, new ScanSpec(null, spec.lower(), spec.upper(), spec.descending()));
                }
                throw new UndefinedIndexException(spec.index());
            }
            codec = secondary.codec;
            columns = secondary.columns;
        }
        KeyRange range = keyRange(table, codec, columns, spec.lower(), spec.upper());
        return new RowCursor(t.txn(), table, secondary, range, spec.descending());
    }

    /** The byte range of a scan's bounds; null if it is empty by construction. */
    private static KeyRange keyRange(Table table, KeyCodec codec, int[] columns, KeyBound lower, KeyBound upper) {
        byte[] low = null;
        boolean lowInclusive = false;
        if (lower != null && !lower.values().isEmpty()) {
            byte[] prefix = codec.encode(boundValues(table, columns, lower));
            if (lower.inclusive()) {
                low = prefix;
                lowInclusive = true;
            } else {
                low = KeyCodec.prefixSuccessor(prefix);
                lowInclusive = true;
                if (low == null) {
                    return null;
                }
            }
        }
        byte[] high = null;
        boolean highInclusive = false;
        if (upper != null && !upper.values().isEmpty()) {
            byte[] prefix = codec.encode(boundValues(table, columns, upper));
            high = upper.inclusive() ? KeyCodec.prefixSuccessor(prefix) : prefix;
        }
        return new KeyRange(low, lowInclusive, high, highInclusive);
    }

    private static List<Object> boundValues(Table table, int[] columns, KeyBound bound) {
        if (bound.values().size() > Math.max(columns.length, 1)) {
            throw new IllegalArgumentException("bound has " + bound.values().size() + " values for an index of "
                    + columns.length + " columns");
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < bound.values().size(); i++) {
            Object v = bound.values().get(i);
            if (columns.length == 0) {
                out.add(v); // hidden row id: a Long
                continue;
            }
            ColumnType type = table.def.columns().get(columns[i]).type();
            out.add(boundValue(type, v));
        }
        return out;
    }

    /** A bound's value in the column's key form, without the column's length or precision limits. */
    private static Object boundValue(ColumnType type, Object v) {
        if (v == null) {
            return null;
        }
        return switch (type.kind()) {
            case VARCHAR, TEXT -> ColumnType.text().coerce(v);
            case CHAR -> {
                String s = (String) ColumnType.text().coerce(v);
                int chars = s.codePointCount(0, s.length());
                yield chars < type.length() ? s + " ".repeat(type.length() - chars) : s;
            }
            case NUMERIC -> ColumnType.numeric().coerce(v);
            default -> type.coerce(v);
        };
    }

    /** Coerces every value to its column's type and checks NOT NULL. */
    private static Row normalize(Table table, Row row) {
        List<ColumnDef> cols = table.def.columns();
        Object[] out = new Object[cols.size()];
        for (int i = 0; i < out.length; i++) {
            ColumnDef c = cols.get(i);
            Object v = c.type().coerce(row.get(i));
            if (v == null && !c.nullable()) {
                throw new NotNullViolationException(table.name(), c.name());
            }
            out[i] = v;
        }
        return Row.of(out);
    }

    // ------------------------------------------------------------------------------------------------ resolution

    private CatalogSnapshot view(TableTxn t) {
        return catalog.view(t.catalogChanges());
    }

    /**
     * Resolves a table, locks it in {@code mode} (IS/IX for row work, S/X for DDL), and resolves it again until the
     * definitions seen before and after the lock agree.
     */
    private Table open(TableTxn t, String name, LockMode mode) {
        Transaction txn = t.txn();
        for (int round = 0; ; round++) {
            if (round >= IndexAccess.NEIGHBOUR_RELOCKS_MAX) {
                throw new IllegalStateException("table " + name + " changed definition " + round
                        + " times while transaction " + txn.id() + " waited for it");
            }
            CatalogSnapshot before = view(t);
            TableDef def = before.table(name).orElseThrow(() -> new UndefinedTableException(name));
            if (mode == LockMode.S || mode == LockMode.X) {
                txn.locks().lockIndex(txn.id(), def.id(), mode);
            } else {
                txn.locks().lockManager().lock(txn.id(), LockResource.index(def.id()), mode);
            }
            CatalogSnapshot after = view(t);
            TableDef again = after.table(name).orElseThrow(() -> new UndefinedTableException(name));
            List<IndexDef> indexes = after.indexesOf(again.id());
            if (again.equals(def) && indexes.equals(before.indexesOf(def.id()))) {
                return compile(again, indexes);
            }
        }
    }

    private Table compile(TableDef def, List<IndexDef> indexes) {
        CompiledKey key = new CompiledKey(def, indexes);
        Table table = compiled.get(key);
        if (table == null) {
            if (compiled.size() >= COMPILED_TABLES_MAX) {
                compiled.clear();
            }
            table = new Table(def, indexes, space);
            compiled.putIfAbsent(key, table);
        }
        return table;
    }

    private static void requireWritable(TableTxn t) {
        if (t.txn().isReadOnly()) {
            throw new ReadOnlyTransactionException("cannot execute a write in a read-only transaction "
                    + t.txn().id());
        }
    }
}
