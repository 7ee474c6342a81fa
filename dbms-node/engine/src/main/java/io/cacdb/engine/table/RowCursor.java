package io.cacdb.engine.table;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.btree.BTreeCursor;
import io.cacdb.engine.btree.KeyRange;
import io.cacdb.engine.lock.ShortLocks;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.txn.Transaction;
import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * A range scan over a table's primary index or one of its secondary indexes, returning rows in index order or its
 * reverse, under the key-range locking protocol ({@code io.cacdb.engine.lock.NextKeyLocks}).
 *
 * <p>Design note. The cursor holds no latch and no B+tree cursor between calls; each step probes the tree for the
 * first key after (descending: before) the last one returned, locks it, and probes again: only a key that is still
 * the neighbour of the last one while it is locked is returned. The lock on a key covers the gap below it (an insert
 * into the gap needs X on the key after it), so under SERIALIZABLE, where the S locks stay until commit, the keys
 * returned and the gaps between them cannot change until the transaction ends. The end of the range is locked too:
 * the first key above the range, or the index's supremum — at the end of an ascending scan, at the start of a
 * descending one (a descending scan then walks down from a locked key, so each gap it crosses is already covered).
 * Under READ COMMITTED the same locks are short: each is released once its row has been read, which makes the scan
 * wait for uncommitted writers of what it reads but lets others insert behind it (phantoms are allowed).
 *
 * <p>A secondary entry is followed to its row by locking the row's primary key (S, same duration) and reading it;
 * the row must be there and index this entry (an index inconsistency is an {@link IllegalStateException}).
 *
 * <p>Rows changed by the scanning transaction itself between {@link #next()} calls are seen as they are then; a
 * caller that updates the rows it scans (UPDATE ... WHERE on the scanned index) collects their keys first.
 *
 * <p>Not thread-safe: one cursor per transaction thread. {@link #close()} ends the scan (it holds nothing that needs
 * releasing between calls, so an unclosed cursor leaks nothing but is a caller bug to be fixed).
 */
public final class RowCursor implements AutoCloseable {

    private final Transaction txn;
    private final Table table;
    private final BTree tree;
    /** Null when scanning the primary index. */
    private final Table.Secondary secondary;
    private final KeyRange range;
    private final boolean descending;

    /** The last key returned (null before the first). */
    private byte[] last;
    private boolean rangeEndLocked;
    private boolean done;
    private boolean closed;
    private Row row;
    private byte[] rowKey;

    RowCursor(Transaction txn, Table table, Table.Secondary secondary, KeyRange range, boolean descending) {
        this.txn = txn;
        this.table = table;
        this.secondary = secondary;
        this.tree = secondary == null ? table.primaryTree : secondary.tree;
        this.range = range;
        this.descending = descending;
        this.done = range == null; // an empty range (e.g. exclusive bound after the last possible key)
    }

    /** Moves to the next row; false when the range is exhausted. */
    public boolean next() {
        if (closed) {
            throw new IllegalStateException("cursor is closed");
        }
        row = null;
        rowKey = null;
        if (done) {
            return false;
        }
        boolean found = descending ? nextDescending() : nextAscending();
        if (!found) {
            done = true;
        }
        return found;
    }

    /** The current row. */
    public Row row() {
        if (row == null) {
            throw new NoSuchElementException("no current row: call next() first and check its result");
        }
        return row;
    }

    /** The current row's primary key. */
    public RowKey key() {
        if (rowKey == null) {
            throw new NoSuchElementException("no current row: call next() first and check its result");
        }
        return new RowKey(rowKey);
    }

    @Override
    public void close() {
        closed = true;
        row = null;
        rowKey = null;
    }

    /** One probed entry. */
    private record Entry(byte[] key, byte[] value) {
    }

    private boolean nextAscending() {
        for (int round = 0; ; round++) {
            checkRounds(round);
            Entry c = probeAscending();
            if (c != null && range.belowHigh(c.key)) {
                try (ShortLocks l = txn.locks().lockForRead(txn.id(), txn.isolation(), tree.indexId(), c.key)) {
                    Entry again = probeAscending();
                    if (again == null || !Arrays.equals(again.key, c.key)) {
                        continue; // the neighbour changed while we waited for it
                    }
                    if (deliver(again)) {
                        return true;
                    }
                    continue; // secondary entry whose row moved on: probe again
                }
            }
            // c is the first key above the range (or none): lock the range's end, then make sure nothing came in.
            try (ShortLocks l = txn.locks().lockRangeEnd(txn.id(), txn.isolation(), tree.indexId(),
                    c == null ? null : c.key)) {
                Entry again = probeAscending();
                if (sameKey(c, again)) {
                    return false;
                }
            }
        }
    }

    private boolean nextDescending() {
        if (!rangeEndLocked) {
            lockEndAboveRange();
            rangeEndLocked = true;
        }
        for (int round = 0; ; round++) {
            checkRounds(round);
            Entry c = probeDescending();
            if (c == null || !range.aboveLow(c.key)) {
                return false; // the gap below the lowest key returned is covered by that key's lock
            }
            try (ShortLocks l = txn.locks().lockForRead(txn.id(), txn.isolation(), tree.indexId(), c.key)) {
                Entry again = probeDescending();
                if (again == null || !Arrays.equals(again.key, c.key)) {
                    continue;
                }
                if (deliver(again)) {
                    return true;
                }
            }
        }
    }

    /** Locks the first key above the range (or the supremum), checking it is still that key once locked. */
    private void lockEndAboveRange() {
        for (int round = 0; ; round++) {
            checkRounds(round);
            Entry c = firstAboveRange();
            try (ShortLocks l = txn.locks().lockRangeEnd(txn.id(), txn.isolation(), tree.indexId(),
                    c == null ? null : c.key)) {
                if (sameKey(c, firstAboveRange())) {
                    return;
                }
            }
        }
    }

    private Entry firstAboveRange() {
        if (range.high() == null) {
            return null;
        }
        return first(new KeyRange(range.high(), !range.highInclusive(), null, false), true);
    }

    /** The first entry after the last key returned (or from the range's start), without an upper bound. */
    private Entry probeAscending() {
        KeyRange r = last == null ? new KeyRange(range.low(), range.lowInclusive(), null, false)
                : new KeyRange(last, false, null, false);
        return first(r, true);
    }

    /** The first entry below the last key returned (or from the range's top), without a lower bound. */
    private Entry probeDescending() {
        KeyRange r = last == null ? new KeyRange(null, false, range.high(), range.highInclusive())
                : new KeyRange(null, false, last, false);
        return first(r, false);
    }

    private Entry first(KeyRange r, boolean ascending) {
        BTreeCursor c = tree.cursor(r, ascending);
        return c.next() ? new Entry(c.key(), c.value()) : null;
    }

    private static boolean sameKey(Entry a, Entry b) {
        return a == null ? b == null : b != null && Arrays.equals(a.key, b.key);
    }

    /** Reads the row of a locked entry into {@link #row}; false if there is none to return. */
    private boolean deliver(Entry e) {
        if (secondary == null) {
            row = table.rowCodec.decode(e.value);
            rowKey = e.key;
            last = e.key;
            return true;
        }
        byte[] primaryKey = e.value;
        byte[] stored;
        try (ShortLocks l = txn.locks().lockForRead(txn.id(), txn.isolation(), table.primaryTree.indexId(),
                primaryKey)) {
            stored = table.primaryTree.get(primaryKey);
        }
        if (stored == null) {
            throw new IllegalStateException("index " + secondary.def.name() + " has an entry for a row that table "
                    + table.name() + " does not have (primary key " + new RowKey(primaryKey) + ")");
        }
        Row r = table.rowCodec.decode(stored);
        byte[] expected = secondary.entryKey(r, primaryKey);
        if (!Arrays.equals(expected, e.key)) {
            throw new IllegalStateException("index " + secondary.def.name() + " entry " + new RowKey(e.key)
                    + " does not match its row " + r + " (which indexes as " + new RowKey(expected) + ")");
        }
        row = r;
        rowKey = primaryKey;
        last = e.key;
        return true;
    }

    private void checkRounds(int round) {
        if (round >= IndexAccess.NEIGHBOUR_RELOCKS_MAX) {
            throw new IllegalStateException("scan of " + table.name() + " re-probed " + round
                    + " times without the neighbourhood settling");
        }
    }
}
