package io.cacdb.engine.table;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.catalog.ColumnDef;
import io.cacdb.engine.catalog.IndexColumn;
import io.cacdb.engine.catalog.IndexDef;
import io.cacdb.engine.catalog.IndexSpace;
import io.cacdb.engine.catalog.TableDef;
import io.cacdb.engine.keys.KeyCodec;
import io.cacdb.engine.keys.KeyColumn;
import io.cacdb.engine.keys.KeyType;
import io.cacdb.engine.row.ColumnType;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.row.RowCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * A table's definitions compiled for row work: the row codec, the primary-key codec and tree, and each secondary
 * index with its key codec and tree. Immutable and thread-safe; one per catalog version of the table.
 *
 * <p>Design note: the entries.
 * <ul>
 *   <li>Primary index: key = the primary-key columns ({@link KeyCodec}), or the hidden row id (one ascending
 *       bigint) for a table without a declared key; value = the whole row ({@link RowCodec}), key columns
 *       included, so a row decodes without its key.</li>
 *   <li>Secondary index: value = the row's primary key bytes. Key = the index columns followed by the primary key
 *       bytes, which makes entries of a non-unique index distinct and keeps them in (columns, primary key) order.
 *       A unique index drops the primary key suffix when no index column is NULL, so that the B+tree itself
 *       refuses a second entry with the same values; with a NULL the suffix stays, so NULLs are distinct (as in
 *       PostgreSQL). Since every column encoding is prefix-free, the suffix never changes how the column values
 *       compare.</li>
 * </ul>
 */
final class Table {

    /** The hidden row id's key, for tables without a declared primary key. */
    static final KeyCodec ROW_ID_KEY = KeyCodec.of(KeyColumn.asc(KeyType.BIGINT));

    final TableDef def;
    final RowCodec rowCodec;
    /** Empty for a hidden row id. */
    final int[] primaryColumns;
    final KeyCodec primaryCodec;
    final BTree primaryTree;
    /** The primary index's definition, or null for a hidden row id. */
    final IndexDef primaryIndex;
    final List<Secondary> secondaries;

    /** A secondary index, compiled. */
    static final class Secondary {
        final IndexDef def;
        final int[] columns;
        final KeyCodec codec;
        final BTree tree;

        Secondary(IndexDef def, int[] columns, KeyCodec codec, BTree tree) {
            this.def = def;
            this.columns = columns;
            this.codec = codec;
            this.tree = tree;
        }

        /** The entry key of a row whose primary key is {@code primaryKey}. */
        byte[] entryKey(Row row, byte[] primaryKey) {
            List<Object> values = row.project(columns);
            byte[] cols = codec.encode(values);
            if (def.unique() && !values.contains(null)) {
                return cols;
            }
            byte[] key = new byte[cols.length + primaryKey.length];
            System.arraycopy(cols, 0, key, 0, cols.length);
            System.arraycopy(primaryKey, 0, key, cols.length, primaryKey.length);
            return key;
        }
    }

    Table(TableDef def, List<IndexDef> indexes, IndexSpace space) {
        this.def = def;
        List<ColumnType> types = new ArrayList<>();
        for (ColumnDef c : def.columns()) {
            types.add(c.type());
        }
        this.rowCodec = new RowCodec(types);
        this.primaryTree = space.tree(def.primaryTreeId());
        IndexDef primary = null;
        List<Secondary> secs = new ArrayList<>();
        for (IndexDef i : indexes) {
            if (i.primary()) {
                primary = i;
            } else {
                secs.add(new Secondary(i, positions(i), codec(def, i), space.tree(i.treeId())));
            }
        }
        this.primaryIndex = primary;
        this.secondaries = List.copyOf(secs);
        if (def.hasHiddenRowId()) {
            this.primaryColumns = new int[0];
            this.primaryCodec = ROW_ID_KEY;
        } else {
            if (primary == null || primary.treeId() != def.primaryTreeId()) {
                throw new IllegalStateException("table " + def.name() + " has a primary key but its primary index "
                        + primary + " does not match tree " + def.primaryTreeId());
            }
            this.primaryColumns = positions(primary);
            this.primaryCodec = codec(def, primary);
        }
    }

    private static int[] positions(IndexDef i) {
        return i.columns().stream().mapToInt(IndexColumn::column).toArray();
    }

    static KeyCodec codec(TableDef table, IndexDef index) {
        List<KeyColumn> cols = new ArrayList<>();
        for (IndexColumn c : index.columns()) {
            cols.add(table.columns().get(c.column()).type().keyColumn(c.descending(), c.nullsFirst()));
        }
        return new KeyCodec(cols);
    }

    String name() {
        return def.name();
    }

    /** The name locks and errors use for the primary index. */
    String primaryIndexName() {
        return primaryIndex != null ? primaryIndex.name() : def.name() + " (row id)";
    }

    /** The primary key of a row of a table with a declared key. */
    byte[] primaryKey(Row row) {
        return primaryCodec.encode(row.project(primaryColumns));
    }

    Secondary secondary(String indexName) {
        for (Secondary s : secondaries) {
            if (s.def.name().equals(indexName)) {
                return s;
            }
        }
        return null;
    }
}
