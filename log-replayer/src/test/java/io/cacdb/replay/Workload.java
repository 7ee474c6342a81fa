package io.cacdb.replay;

import io.cacdb.engine.Engine;
import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.txn.Transaction;
import io.cacdb.engine.wal.LogRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A seeded random workload on an active engine: several B+trees, transactions of inserts, updates and deletes (values
 * of varying size, so pages split and merge), most committed, some rolled back, checkpoints now and then. Keeps a
 * model of the committed contents. One thread at a time (no locks needed: nothing runs concurrently on the active).
 */
final class Workload {

    /** Keys per index: enough for trees several levels deep with the value sizes below. */
    static final int KEY_SPACE = 1500;
    static final int VALUE_BYTES_MAX = 400;

    private final Engine engine;
    private final SplittableRandom random;
    final List<Long> indexes = new ArrayList<>();
    /** Committed contents: index → key → value. */
    final Map<Long, TreeMap<Integer, byte[]>> committed = new HashMap<>();
    /** "index:key" of changes made by transactions left open: what 2PL would keep locked. */
    private final java.util.Set<String> reserved = new java.util.HashSet<>();
    long commits;
    long rollbacks;
    long checkpoints;

    Workload(Engine engine, SplittableRandom random, int indexCount) {
        this.engine = engine;
        this.random = random;
        Transaction t = engine.transactions().begin(IsolationLevel.SERIALIZABLE, false);
        for (int i = 0; i < indexCount; i++) {
            long id = engine.indexes().create(t);
            indexes.add(id);
            committed.put(id, new TreeMap<>());
        }
        engine.transactions().commit(t);
    }

    private Workload(Engine engine, SplittableRandom random, Workload continued) {
        this.engine = engine;
        this.random = random;
        this.indexes.addAll(continued.indexes);
        continued.committed.forEach((id, m) -> committed.put(id, new TreeMap<>(m)));
        this.reserved.addAll(continued.reserved);
    }

    /** The same indexes and committed model, continued on another engine (the new active after a takeover). */
    Workload on(Engine other, SplittableRandom r) {
        return new Workload(other, r, this);
    }

    /** Runs {@code transactions} transactions of 1..{@code opsMax} changes each. */
    void run(int transactions, int opsMax, double rollbackShare, double checkpointShare) {
        for (int i = 0; i < transactions; i++) {
            Transaction t = engine.transactions().begin(IsolationLevel.SERIALIZABLE, false);
            Map<Long, TreeMap<Integer, byte[]>> overlay = changes(t, 1 + random.nextInt(opsMax));
            if (random.nextDouble() < rollbackShare) {
                engine.transactions().rollback(t);
                rollbacks++;
            } else {
                engine.transactions().commit(t);
                overlay.forEach((id, m) -> m.forEach((k, v) -> {
                    if (v == null) {
                        committed.get(id).remove(k);
                    } else {
                        committed.get(id).put(k, v);
                    }
                }));
                commits++;
            }
            if (random.nextDouble() < checkpointShare) {
                engine.checkpointer().checkpoint();
                checkpoints++;
            }
        }
    }

    /**
     * A transaction with {@code ops} changes left open (a loser if the active dies now). Its keys stay reserved: the
     * workload takes no row locks, so later transactions must not touch them (under two-phase locking they would
     * wait), or undoing this one would meet their changes.
     */
    Transaction openTransaction(int ops) {
        Transaction t = engine.transactions().begin(IsolationLevel.SERIALIZABLE, false);
        Map<Long, TreeMap<Integer, byte[]>> touched = changes(t, ops);
        touched.forEach((id, m) -> m.keySet().forEach(k -> reserved.add(id + ":" + k)));
        return t;
    }

    /** Makes {@code ops} changes in {@code t} (not recorded in the model). */
    void changeIn(Transaction t, int ops) {
        changes(t, ops);
    }

    /** Waits until everything appended so far is durable (rollbacks do not wait for their Abort). */
    void awaitDurable() throws Exception {
        engine.logWriter().awaitDurable(engine.logWriter().appendedLsn()).get(30, TimeUnit.SECONDS);
    }

    private Map<Long, TreeMap<Integer, byte[]>> changes(Transaction t, int ops) {
        Map<Long, TreeMap<Integer, byte[]>> overlay = new HashMap<>();
        for (int op = 0; op < ops; op++) {
            long id = indexes.get(random.nextInt(indexes.size()));
            BTree tree = engine.indexes().tree(id);
            int k = random.nextInt(KEY_SPACE);
            while (reserved.contains(id + ":" + k)) {
                k = random.nextInt(KEY_SPACE);
            }
            byte[] key = ByteBuffer.allocate(4).putInt(k).array();
            byte[] value = new byte[1 + random.nextInt(VALUE_BYTES_MAX)];
            random.nextBytes(value);
            byte[] present = tree.get(key);
            TreeMap<Integer, byte[]> o = overlay.computeIfAbsent(id, x -> new TreeMap<>());
            if (present == null) {
                t.change(id, mtr -> {
                    tree.insert(mtr, key, value);
                    return Transaction.Change.of(null, LogRecord.UndoKind.UNDO_INSERT, key, null);
                });
                o.put(k, value);
            } else if (random.nextBoolean()) {
                t.change(id, mtr -> {
                    byte[] old = tree.update(mtr, key, value);
                    return Transaction.Change.of(old, LogRecord.UndoKind.UNDO_UPDATE, key, old);
                });
                o.put(k, value);
            } else {
                t.change(id, mtr -> {
                    byte[] old = tree.delete(mtr, key);
                    return Transaction.Change.of(old, LogRecord.UndoKind.UNDO_DELETE, key, old);
                });
                o.put(k, null);
            }
        }
        return overlay;
    }

    /** The committed model in the form {@link Contents} reads: index → hex key → hex value (indexes only). */
    Map<Long, Map<String, String>> model() {
        HexFormat hex = HexFormat.of();
        Map<Long, Map<String, String>> out = new TreeMap<>();
        committed.forEach((id, m) -> {
            Map<String, String> t = new TreeMap<>();
            m.forEach((k, v) -> t.put(hex.formatHex(ByteBuffer.allocate(4).putInt(k).array()), hex.formatHex(v)));
            out.put(id, t);
        });
        return out;
    }
}
