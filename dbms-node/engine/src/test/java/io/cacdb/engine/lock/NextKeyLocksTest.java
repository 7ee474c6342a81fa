package io.cacdb.engine.lock;

import static io.cacdb.engine.lock.IsolationLevel.READ_COMMITTED;
import static io.cacdb.engine.lock.IsolationLevel.SERIALIZABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The next-key protocol of {@code docs/locking.md} with two transactions on threads of their own, over a stand-in
 * index (a sorted set of ints; keys encoded big-endian, which preserves order for non-negative ints). Each
 * transaction follows the protocol as the transaction layer will: find the next key, lock, then read or write.
 */
class NextKeyLocksTest {

    private static final long INDEX = 7;

    private final WaitEvents events = new WaitEvents();
    private final LockManager lm = new LockManager(
            LockConfig.defaults().withLockWaitTimeout(Duration.ofMinutes(1)), new SimpleMeterRegistry(), events);
    private final NextKeyLocks locks = new NextKeyLocks(lm);
    private final ConcurrentSkipListSet<Integer> index = new ConcurrentSkipListSet<>(List.of(10, 20, 30));

    @AfterEach
    void lockTableIsEmptyAfterEveryTest() {
        assertTrue(lm.isEmpty(), "lock table must be empty at the end: " + lm.lockedResourceCount() + " resources");
    }

    private static byte[] key(int k) {
        return ByteBuffer.allocate(4).putInt(k).array();
    }

    /** The key after {@code k} in the index, encoded, or null for the supremum. */
    private byte[] nextKeyAfter(int k) {
        Integer next = index.higher(k);
        return next == null ? null : key(next);
    }

    /** A range scan [lo, hi] following the protocol; returns what it read. */
    @SuppressWarnings("try") // the handle scopes the short locks; the body need not name it
    private List<Integer> scan(long txn, IsolationLevel isolation, int lo, int hi) {
        List<Integer> keys = List.copyOf(index.subSet(lo, true, hi, true));
        byte[] after = nextKeyAfter(hi);
        try (ShortLocks held = locks.lockForRangeScan(txn, isolation, INDEX,
                keys.stream().map(NextKeyLocksTest::key).toList(), after)) {
            // Re-read after locking: what the scan returns is what is locked (a changed range would be re-locked).
            List<Integer> again = List.copyOf(index.subSet(lo, true, hi, true));
            assertEquals(keys, again, "range changed while txn " + txn + " held its locks");
            return again;
        }
    }

    @SuppressWarnings("try") // the handle scopes the insert's next-key lock
    private void insert(long txn, IsolationLevel isolation, int k) {
        try (ShortLocks during = locks.lockForInsert(txn, isolation, INDEX, key(k), nextKeyAfter(k))) {
            index.add(k);
        }
    }

    @Test
    void serializableScanBlocksAnInsertIntoItsRangeUntilCommit() throws Exception {
        try (Session scanner = new Session(1); Session inserter = new Session(2)) {
            assertEquals(List.of(10, 20), scanner.call(() -> scan(1, SERIALIZABLE, 10, 25)).get());

            CompletableFuture<Void> ins = inserter.run(() -> insert(2, SERIALIZABLE, 15));
            events.awaitWaiting(2);
            assertEquals(List.of(10, 20), Session.await(scanner.call(() -> scan(1, SERIALIZABLE, 10, 25))),
                    "no phantom: the scanner reads the same range again");
            assertFalse(ins.isDone(), "insert waits for the scanner");
            assertFalse(index.contains(15));

            scanner.runNow(() -> lm.releaseAll(1)); // commit
            Session.await(ins);
            assertTrue(index.contains(15));
            assertEquals(Optional.of(LockMode.X), inserter.call(() -> lm.heldMode(2, LockResource.key(INDEX, key(15))))
                    .get(), "the inserted key stays X-locked until commit");
            assertEquals(Optional.empty(), inserter.call(() -> lm.heldMode(2, LockResource.key(INDEX, key(20)))).get(),
                    "the next-key lock lasted only for the insert");
            inserter.runNow(() -> lm.releaseAll(2));
        }
    }

    @Test
    void serializableScanToTheEndBlocksAnAppend() throws Exception {
        try (Session scanner = new Session(1); Session inserter = new Session(2)) {
            assertEquals(List.of(30), scanner.call(() -> scan(1, SERIALIZABLE, 25, Integer.MAX_VALUE)).get());
            assertTrue(lm.isLocked(LockResource.supremum(INDEX)), "a range to the end locks the supremum");

            CompletableFuture<Void> ins = inserter.run(() -> insert(2, SERIALIZABLE, 40));
            events.awaitWaiting(2);
            assertFalse(ins.isDone());
            scanner.runNow(() -> lm.releaseAll(1));
            Session.await(ins);
            inserter.runNow(() -> lm.releaseAll(2));
        }
    }

    @Test
    void serializableReadOfAMissingKeyBlocksItsInsert() throws Exception {
        try (Session reader = new Session(1); Session inserter = new Session(2)) {
            reader.runNow(() -> {
                assertFalse(index.contains(15));
                locks.lockRangeEnd(1, SERIALIZABLE, INDEX, nextKeyAfter(15)).close();
            });
            CompletableFuture<Void> ins = inserter.run(() -> insert(2, SERIALIZABLE, 15));
            events.awaitWaiting(2);
            assertFalse(ins.isDone(), "the key the reader found missing cannot appear before it commits");
            reader.runNow(() -> lm.releaseAll(1));
            Session.await(ins);
            inserter.runNow(() -> lm.releaseAll(2));
        }
    }

    @Test
    void readCommittedScanDoesNotBlockAnInsertIntoItsRange() throws Exception {
        try (Session scanner = new Session(1); Session inserter = new Session(2)) {
            assertEquals(List.of(10, 20), scanner.call(() -> scan(1, READ_COMMITTED, 10, 25)).get());
            assertEquals(1, scanner.call(() -> lm.heldCount(1)).get(), "only the index intention lock remains");

            // The scanner has not committed; the insert goes ahead at once (it would wait under SERIALIZABLE).
            Session.await(inserter.run(() -> insert(2, SERIALIZABLE, 15)));
            assertEquals(0, events.waits(2), "the insert never waited");
            inserter.runNow(() -> lm.releaseAll(2));
            assertEquals(List.of(10, 15, 20), Session.await(scanner.call(() -> scan(1, READ_COMMITTED, 10, 25))),
                    "READ COMMITTED sees the phantom");
            scanner.runNow(() -> lm.releaseAll(1));
        }
    }

    @Test
    void readCommittedReaderWaitsForAnUncommittedDeleteInItsRange() throws Exception {
        try (Session deleter = new Session(1); Session reader = new Session(2)) {
            deleter.runNow(() -> {
                locks.lockForDelete(1, INDEX, key(20), nextKeyAfter(20));
                index.remove(20); // physically gone; the undo log would put it back on rollback
            });
            Future<List<Integer>> read = reader.call(() -> scan(2, READ_COMMITTED, 10, 25));
            events.awaitWaiting(2);
            assertFalse(read.isDone(), "the reader must not see the delete before it commits");
            deleter.runNow(() -> lm.releaseAll(1)); // commit
            assertEquals(List.of(10), Session.await(read));
            reader.runNow(() -> lm.releaseAll(2));
        }
    }

    @Test
    void shortLocksLeaveLocksHeldBeforeTheStep() {
        scan(1, SERIALIZABLE, 10, 25); // S on 10, 20 and 30 until commit
        LockResource twenty = LockResource.key(INDEX, key(20));
        try (ShortLocks during = locks.lockForInsert(1, SERIALIZABLE, INDEX, key(15), key(20))) {
            assertEquals(List.of(), during.resources(), "20 was held before the insert: not released after it");
            index.add(15);
        }
        assertEquals(Optional.of(LockMode.X), lm.heldMode(1, twenty), "S joined with X stays X until commit");

        locks.lockForUpdate(1, INDEX, key(30));
        try (ShortLocks read = locks.lockForRead(1, READ_COMMITTED, INDEX, key(30))) {
            assertEquals(List.of(), read.resources());
        }
        assertEquals(Optional.of(LockMode.X), lm.heldMode(1, LockResource.key(INDEX, key(30))));

        try (ShortLocks read = locks.lockForRead(1, READ_COMMITTED, INDEX, key(99))) {
            assertEquals(List.of(LockResource.key(INDEX, key(99))), read.resources());
        }
        assertEquals(Optional.empty(), lm.heldMode(1, LockResource.key(INDEX, key(99))), "short lock released");
        assertEquals(Optional.of(LockMode.IX), lm.heldMode(1, LockResource.index(INDEX)), "IS joined with IX");
        lm.releaseAll(1);
    }

    @Test
    void wholeIndexLockWaitsForRowWork() throws Exception {
        try (Session rows = new Session(1); Session ddl = new Session(2)) {
            rows.runNow(() -> locks.lockForRead(1, SERIALIZABLE, INDEX, key(10)));
            CompletableFuture<Void> truncate = ddl.run(() -> locks.lockIndex(2, INDEX, LockMode.X));
            events.awaitWaiting(2);
            assertFalse(truncate.isDone());
            rows.runNow(() -> lm.releaseAll(1));
            Session.await(truncate);
            ddl.runNow(() -> lm.releaseAll(2));
        }
        assertThrows(IllegalArgumentException.class, () -> locks.lockIndex(3, INDEX, LockMode.IX));
    }
}
