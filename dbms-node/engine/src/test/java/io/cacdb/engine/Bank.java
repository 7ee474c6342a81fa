package io.cacdb.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.btree.BTree;
import io.cacdb.engine.btree.BTreeCursor;
import io.cacdb.engine.btree.KeyRange;
import io.cacdb.engine.error.DeadlockException;
import io.cacdb.engine.error.LockTimeoutException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.lock.ShortLocks;
import io.cacdb.engine.txn.Transaction;
import io.cacdb.engine.txn.TransactionManager;
import io.cacdb.engine.wal.LogRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bank workload at the index level, for the transaction and crash tests: accounts (index
 * {@link #ACCOUNTS_INDEX}: account number → balance) and an audit trail (index {@link #AUDIT_INDEX}: transfer id →
 * from, to, amount), both under SERIALIZABLE with next-key locks. A transfer moves money between two accounts and
 * records itself in the audit trail in one transaction, so after any crash the balances must equal the initial
 * balances plus the effect of exactly the audited transfers, and every acknowledged transfer must be audited.
 */
final class Bank {

    static final long ACCOUNTS_INDEX = 2;
    static final long AUDIT_INDEX = 3;

    /** What a transfer does besides moving money. */
    enum Kind {
        /** Commit. */
        COMMIT,
        /** Make every change, then roll the whole transaction back: nothing may remain. */
        ROLLBACK,
        /** Make a bogus change, roll back to a savepoint before it, then finish and commit. */
        SAVEPOINT,
        /** As {@link #SAVEPOINT}, then roll the whole transaction back. */
        SAVEPOINT_THEN_ROLLBACK
    }

    /** An audited transfer. */
    record Transfer(long id, int from, int to, long amount) {
    }

    private final Engine engine;
    /** Bytes of padding in each audit record, so that the audit trail spans many pages (eviction, splits). */
    private final int auditPadBytes;
    final AtomicLong deadlocks = new AtomicLong();
    final AtomicLong lockTimeouts = new AtomicLong();

    Bank(Engine engine) {
        this(engine, 0);
    }

    Bank(Engine engine, int auditPadBytes) {
        this.engine = engine;
        this.auditPadBytes = auditPadBytes;
    }

    io.cacdb.engine.index.IndexDirectory engineIndexes() {
        return engine.indexes();
    }

    TransactionManager txns() {
        return engine.transactions();
    }

    static byte[] accountKey(int account) {
        return ByteBuffer.allocate(4).putInt(account).array();
    }

    static byte[] transferKey(long id) {
        return ByteBuffer.allocate(8).putLong(id).array();
    }

    static byte[] money(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static long money(byte[] v) {
        return ByteBuffer.wrap(v).getLong();
    }

    /** Creates the two indexes and the accounts in one transaction, unless they exist. */
    void createIfAbsent(int accounts, long initialBalance) {
        if (engine.indexes().find(ACCOUNTS_INDEX).isPresent()) {
            return;
        }
        Transaction t = txns().begin(IsolationLevel.SERIALIZABLE, false);
        engine.indexes().createReserved(t, ACCOUNTS_INDEX);
        engine.indexes().createReserved(t, AUDIT_INDEX);
        BTree tree = engine.indexes().tree(ACCOUNTS_INDEX);
        for (int a = 0; a < accounts; a++) {
            byte[] key = accountKey(a);
            t.locks().lockForInsert(t.id(), t.isolation(), ACCOUNTS_INDEX, key, null).close();
            t.change(ACCOUNTS_INDEX, mtr -> {
                tree.insert(mtr, key, money(initialBalance));
                return Transaction.Change.of(null, LogRecord.UndoKind.UNDO_INSERT, key, null);
            });
        }
        txns().commit(t);
    }

    /**
     * Runs one transfer to its end, retrying after deadlocks and lock timeouts (the victim rolls back first).
     * Returns true if it committed (commit returned: durable), false for {@link Kind#ROLLBACK}.
     */
    boolean transfer(long id, int from, int to, long amount, Kind kind) {
        while (true) {
            Transaction t = txns().begin(IsolationLevel.SERIALIZABLE, false);
            try {
                return transferOnce(t, id, from, to, amount, kind);
            } catch (DeadlockException e) {
                deadlocks.incrementAndGet();
                txns().rollback(t);
            } catch (LockTimeoutException e) {
                lockTimeouts.incrementAndGet();
                txns().rollback(t);
            }
        }
    }

    /** One attempt; exposed so tests can interleave steps. */
    boolean transferOnce(Transaction t, long id, int from, int to, long amount, Kind kind) {
        BTree accounts = engine.indexes().tree(ACCOUNTS_INDEX);
        add(t, accounts, from, -amount);
        if (kind == Kind.SAVEPOINT || kind == Kind.SAVEPOINT_THEN_ROLLBACK) {
            Transaction.Savepoint sp = t.savepoint();
            add(t, accounts, to, 1_000_000);
            add(t, accounts, from, -1_000_000);
            t.rollbackTo(sp);
        }
        add(t, accounts, to, amount);
        audit(t, new Transfer(id, from, to, amount));
        if (kind == Kind.ROLLBACK || kind == Kind.SAVEPOINT_THEN_ROLLBACK) {
            txns().rollback(t);
            return false;
        }
        txns().commit(t);
        return true;
    }

    /** One attempt without its end: every change made, neither committed nor rolled back (for crash tests). */
    void transferWithoutEnd(Transaction t, long id, int from, int to, long amount, int extraChangePairs) {
        BTree accounts = engine.indexes().tree(ACCOUNTS_INDEX);
        add(t, accounts, from, -amount);
        for (int i = 0; i < extraChangePairs; i++) {
            add(t, accounts, from, 1);
            add(t, accounts, from, -1);
        }
        Transaction.Savepoint sp = t.savepoint();
        add(t, accounts, to, 1_000_000);
        t.rollbackTo(sp);
        add(t, accounts, to, amount);
        audit(t, new Transfer(id, from, to, amount));
    }

    /** Adds {@code delta} to an account's balance under an X lock until commit. */
    static void add(Transaction t, BTree accounts, int account, long delta) {
        byte[] key = accountKey(account);
        t.locks().lockForUpdate(t.id(), ACCOUNTS_INDEX, key);
        t.change(ACCOUNTS_INDEX, mtr -> {
            byte[] old = accounts.get(key);
            byte[] was = accounts.update(mtr, key, money(money(old) + delta));
            return Transaction.Change.of(null, LogRecord.UndoKind.UNDO_UPDATE, key, was);
        });
    }

    private void audit(Transaction t, Transfer tr) {
        BTree audit = engine.indexes().tree(AUDIT_INDEX);
        byte[] key = transferKey(tr.id());
        byte[] value = ByteBuffer.allocate(16 + auditPadBytes).putInt(tr.from()).putInt(tr.to()).putLong(tr.amount()).array();
        try (ShortLocks gap = t.locks().lockForInsert(t.id(), t.isolation(), AUDIT_INDEX, key, nextKey(audit, key))) {
            t.change(AUDIT_INDEX, mtr -> {
                audit.insert(mtr, key, value);
                return Transaction.Change.of(null, LogRecord.UndoKind.UNDO_INSERT, key, null);
            });
        }
    }

    private static byte[] nextKey(BTree tree, byte[] key) {
        BTreeCursor c = tree.cursor(new KeyRange(key, false, null, false), true);
        return c.next() ? c.key() : null;
    }

    /** The sum of all balances, read in a SERIALIZABLE transaction with S locks on every account and the end. */
    long lockedTotal() {
        while (true) {
            Transaction t = txns().begin(IsolationLevel.SERIALIZABLE, true);
            try {
                BTree accounts = engine.indexes().tree(ACCOUNTS_INDEX);
                List<byte[]> keys = new ArrayList<>();
                BTreeCursor c = accounts.cursor(KeyRange.all(), true);
                while (c.next()) {
                    keys.add(c.key());
                }
                t.locks().lockForRangeScan(t.id(), t.isolation(), ACCOUNTS_INDEX, keys, null).close();
                long sum = 0;
                for (byte[] k : keys) {
                    sum += money(accounts.get(k));
                }
                txns().commit(t);
                return sum;
            } catch (DeadlockException | LockTimeoutException e) {
                txns().rollback(t);
            }
        }
    }

    /** Balances by account, read without locks (quiescent engine). */
    Map<Integer, Long> balances() {
        Map<Integer, Long> out = new TreeMap<>();
        BTreeCursor c = engine.indexes().tree(ACCOUNTS_INDEX).cursor(KeyRange.all(), true);
        while (c.next()) {
            out.put(ByteBuffer.wrap(c.key()).getInt(), money(c.value()));
        }
        return out;
    }

    /** The audit trail by transfer id, read without locks (quiescent engine). */
    Map<Long, Transfer> audited() {
        Map<Long, Transfer> out = new TreeMap<>();
        BTreeCursor c = engine.indexes().tree(AUDIT_INDEX).cursor(KeyRange.all(), true);
        while (c.next()) {
            ByteBuffer v = ByteBuffer.wrap(c.value());
            long id = ByteBuffer.wrap(c.key()).getLong();
            out.put(id, new Transfer(id, v.getInt(), v.getInt(), v.getLong()));
        }
        return out;
    }

    /**
     * Checks the bank after a run or a recovery: trees valid, every balance = initial + audited effects (so no
     * partial or uncommitted transfer is visible), every acknowledged transfer audited, no rolled-back one.
     */
    void verify(int accounts, long initialBalance, Collection<Long> acknowledged, Collection<Long> rolledBack) {
        engine.indexes().tree(ACCOUNTS_INDEX).validate();
        engine.indexes().tree(AUDIT_INDEX).validate();
        Map<Integer, Long> balances = balances();
        Map<Long, Transfer> audited = audited();
        long[] expected = new long[accounts];
        java.util.Arrays.fill(expected, initialBalance);
        for (Transfer tr : audited.values()) {
            expected[tr.from()] -= tr.amount();
            expected[tr.to()] += tr.amount();
        }
        assertEquals(accounts, balances.size(), "accounts");
        long total = 0;
        for (int a = 0; a < accounts; a++) {
            assertEquals(expected[a], balances.get(a), "balance of account " + a + " vs the audited transfers");
            total += balances.get(a);
        }
        assertEquals((long) accounts * initialBalance, total, "the total never changes");
        for (long id : acknowledged) {
            assertTrue(audited.containsKey(id), "acknowledged transfer " + id + " is lost");
        }
        for (long id : rolledBack) {
            assertFalse(audited.containsKey(id), "rolled-back transfer " + id + " is visible");
        }
    }
}
