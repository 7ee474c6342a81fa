package io.cacdb.engine.lock;

import static io.cacdb.engine.lock.LockMode.S;
import static io.cacdb.engine.lock.LockMode.X;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.error.LockTimeoutException;
import io.cacdb.engine.error.QueryCancelledException;
import io.cacdb.engine.error.TooManyLocksException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LockManagerTest {

    private static final LockResource A = LockResource.key(1, new byte[] {1});
    private static final LockResource B = LockResource.key(1, new byte[] {2});

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WaitEvents events = new WaitEvents();
    /** Long timeout: a test that relies on a grant fails by its own bound, not by a lock timeout. */
    private LockManager lm = new LockManager(LockConfig.defaults().withLockWaitTimeout(Duration.ofMinutes(1)),
            registry, events);

    @AfterEach
    void lockTableIsEmptyAfterEveryTest() {
        assertTrue(lm.isEmpty(), "lock table must be empty at the end: " + lm.lockedResourceCount() + " resources");
    }

    @Test
    void reentrantRequestsReturnAtOnceAndHoldOneLock() {
        lm.lock(1, A, S);
        lm.lock(1, A, S);
        lm.lock(1, A, LockMode.IS);
        assertEquals(Optional.of(S), lm.heldMode(1, A));
        lm.lock(1, A, X);
        lm.lock(1, A, S);
        assertEquals(Optional.of(X), lm.heldMode(1, A), "a weaker request after X keeps X");
        assertEquals(1, lm.heldCount(1));
        assertTrue(lm.tryLock(1, LockResource.key(1, new byte[] {1}), X), "equal resource, other object");
        assertEquals(0, registry.counter("cacdb.lock.waits").count(), "no re-entrant request waited");
        lm.releaseAll(1);
        assertFalse(lm.isLocked(A));
    }

    @Test
    void noBargingPastAWaitingExclusiveRequest() throws Exception {
        try (Session t2 = new Session(2); Session t3 = new Session(3)) {
            lm.lock(1, A, S);
            CompletableFuture<Void> x = t2.run(() -> lm.lock(2, A, X));
            events.awaitWaiting(2);
            CompletableFuture<Void> s = t3.run(() -> lm.lock(3, A, S));
            events.awaitWaiting(3);
            assertFalse(lm.tryLock(4, A, S), "S is compatible with the holder but must not pass the waiting X");
            assertFalse(s.isDone(), "txn 3 queued behind txn 2");

            lm.releaseAll(1);
            Session.await(x);
            assertFalse(s.isDone(), "txn 3's S waits for txn 2's X");
            t2.runNow(() -> lm.releaseAll(2));
            Session.await(s);
            t3.runNow(() -> lm.releaseAll(3));
            lm.releaseAll(4);
        }
    }

    @Test
    void releaseGrantsTheCompatibleGroupAtTheHeadOnly() throws Exception {
        try (Session t2 = new Session(2); Session t3 = new Session(3); Session t4 = new Session(4);
             Session t5 = new Session(5)) {
            lm.lock(1, A, X);
            CompletableFuture<Void> s2 = t2.run(() -> lm.lock(2, A, S));
            events.awaitWaiting(2);
            CompletableFuture<Void> s3 = t3.run(() -> lm.lock(3, A, S));
            events.awaitWaiting(3);
            CompletableFuture<Void> x4 = t4.run(() -> lm.lock(4, A, X));
            events.awaitWaiting(4);
            CompletableFuture<Void> s5 = t5.run(() -> lm.lock(5, A, S));
            events.awaitWaiting(5);

            lm.releaseAll(1);
            Session.await(s2);
            Session.await(s3);
            assertFalse(x4.isDone() || s5.isDone(), "X and the S behind it wait for both S holders");
            t2.runNow(() -> lm.releaseAll(2));
            assertFalse(x4.isDone(), "X waits for the last S holder");
            t3.runNow(() -> lm.releaseAll(3));
            Session.await(x4);
            assertFalse(s5.isDone(), "S behind X waits until X is released");
            t4.runNow(() -> lm.releaseAll(4));
            Session.await(s5);
            t5.runNow(() -> lm.releaseAll(5));
        }
    }

    @Test
    void upgradeGoesAheadOfOtherWaiters() throws Exception {
        try (Session t1 = new Session(1); Session t2 = new Session(2); Session t3 = new Session(3)) {
            t1.runNow(() -> lm.lock(1, A, S));
            t2.runNow(() -> lm.lock(2, A, S));
            CompletableFuture<Void> x3 = t3.run(() -> lm.lock(3, A, X));
            events.awaitWaiting(3);
            CompletableFuture<Void> up1 = t1.run(() -> lm.lock(1, A, X));
            events.awaitWaiting(1);

            t2.runNow(() -> lm.releaseAll(2));
            Session.await(up1);
            assertEquals(Optional.of(X), t1.call(() -> lm.heldMode(1, A)).get());
            assertFalse(x3.isDone(), "txn 3 queued first but the upgrade went ahead");
            t1.runNow(() -> lm.releaseAll(1));
            Session.await(x3);
            t3.runNow(() -> lm.releaseAll(3));
        }
    }

    @Test
    void soleHolderUpgradesAtOnce() {
        lm.lock(1, A, S);
        lm.lock(1, A, X);
        assertEquals(Optional.of(X), lm.heldMode(1, A));
        lm.lock(1, B, LockMode.IX);
        lm.lock(1, B, S);
        assertEquals(Optional.of(LockMode.SIX), lm.heldMode(1, B), "S on top of IX is SIX");
        assertEquals(0, registry.counter("cacdb.lock.waits").count());
        lm.releaseAll(1);
    }

    @Test
    void releaseOfOneLockWakesItsWaiterAndNoOther() throws Exception {
        try (Session t2 = new Session(2); Session t3 = new Session(3)) {
            lm.lock(1, A, S);
            lm.lock(1, B, X);
            CompletableFuture<Void> onA = t2.run(() -> lm.lock(2, A, X));
            events.awaitWaiting(2);
            CompletableFuture<Void> onB = t3.run(() -> lm.lock(3, B, S));
            events.awaitWaiting(3);

            assertTrue(lm.release(1, A), "short lock released");
            assertFalse(lm.release(1, A), "second release finds nothing");
            Session.await(onA);
            assertFalse(onB.isDone(), "B is still held by txn 1");
            assertEquals(Optional.empty(), lm.heldMode(1, A));

            lm.releaseAll(1);
            Session.await(onB);
            t2.runNow(() -> lm.releaseAll(2));
            t3.runNow(() -> lm.releaseAll(3));
        }
    }

    @Test
    void releaseAllWakesWaitersOnEveryResource() throws Exception {
        try (Session t2 = new Session(2); Session t3 = new Session(3)) {
            lm.lock(1, A, X);
            lm.lock(1, B, X);
            CompletableFuture<Void> onA = t2.run(() -> lm.lock(2, A, S));
            CompletableFuture<Void> onB = t3.run(() -> lm.lock(3, B, X));
            events.awaitWaiting(2);
            events.awaitWaiting(3);
            lm.releaseAll(1);
            Session.await(onA);
            Session.await(onB);
            assertEquals(0, lm.heldCount(1));
            t2.runNow(() -> lm.releaseAll(2));
            t3.runNow(() -> lm.releaseAll(3));
        }
    }

    @Test
    void waitTimesOutWithLockNotAvailable() throws Exception {
        lm = new LockManager(LockConfig.defaults().withLockWaitTimeout(Duration.ofMillis(50)), registry, events);
        try (Session t2 = new Session(2)) {
            lm.lock(1, A, X);
            Throwable e = Session.failure(t2.run(() -> lm.lock(2, A, S)));
            LockTimeoutException timeout = assertInstanceOf(LockTimeoutException.class, e);
            assertEquals("55P03", timeout.sqlState());
            assertEquals(2, timeout.txnId());
            assertTrue(timeout.getMessage().contains("txns [1]"), timeout.getMessage());
            assertTrue(timeout.waited().compareTo(Duration.ofMillis(50)) >= 0, "waited at least the timeout");
            assertEquals(1, registry.counter("cacdb.lock.timeouts").count());
            assertEquals(Optional.empty(), t2.call(() -> lm.heldMode(2, A)).get(), "request withdrawn");

            lm.releaseAll(1);
            assertFalse(lm.isLocked(A), "no stale waiter left in the queue");
            t2.runNow(() -> lm.releaseAll(2));
        }
    }

    @Test
    void cancelEndsTheWaitAndLetsThoseBehindGo() throws Exception {
        try (Session t2 = new Session(2); Session t3 = new Session(3)) {
            lm.lock(1, A, S);
            CompletableFuture<Void> x2 = t2.run(() -> lm.lock(2, A, X));
            events.awaitWaiting(2);
            CompletableFuture<Void> s3 = t3.run(() -> lm.lock(3, A, S));
            events.awaitWaiting(3);

            assertTrue(lm.cancel(2), "txn 2 was waiting");
            QueryCancelledException e = assertInstanceOf(QueryCancelledException.class, Session.failure(x2));
            assertEquals("57014", e.sqlState());
            Session.await(s3); // the withdrawn X no longer blocks the S behind it
            assertEquals(1, registry.counter("cacdb.lock.cancellations").count());

            Throwable again = Session.failure(t2.run(() -> lm.lock(2, B, S)));
            assertInstanceOf(QueryCancelledException.class, again, "cancel is sticky until releaseAll");
            t2.runNow(() -> lm.releaseAll(2));
            t2.runNow(() -> lm.lock(2, B, S)); // a new transaction with the same id is not cancelled
            t2.runNow(() -> lm.releaseAll(2));
            lm.releaseAll(1);
            t3.runNow(() -> lm.releaseAll(3));
        }
    }

    @Test
    void cancelOfATransactionThatDoesNotWaitMarksItOnly() {
        lm.lock(1, A, S);
        assertFalse(lm.cancel(1));
        assertFalse(lm.cancel(99), "unknown transaction");
        assertThrows(QueryCancelledException.class, () -> lm.lock(1, B, S));
        assertEquals(Optional.of(S), lm.heldMode(1, A), "held locks stay until rollback");
        lm.releaseAll(1);
    }

    @Test
    void interruptEndsTheWaitAndKeepsTheFlag() throws Exception {
        lm.lock(1, A, X);
        AtomicBoolean flagAfter = new AtomicBoolean();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                lm.lock(2, A, X);
                outcome.complete(null);
            } catch (RuntimeException e) {
                flagAfter.set(Thread.currentThread().isInterrupted());
                lm.releaseAll(2);
                outcome.complete(e);
            }
        });
        events.awaitWaiting(2);
        waiter.interrupt();
        Throwable e = Session.await(outcome);
        assertInstanceOf(QueryCancelledException.class, e);
        assertTrue(flagAfter.get(), "InterruptedException restores the interrupt flag");
        lm.releaseAll(1);
    }

    @Test
    void tryLockNeverWaitsAndLeavesNoTrace() {
        lm.lock(1, A, X);
        assertFalse(lm.tryLock(2, A, S));
        assertTrue(lm.tryLock(2, B, S), "unrelated resource is free");
        assertTrue(lm.heldMode(2, B).isPresent());
        lm.lock(1, B, S);
        assertFalse(lm.tryLock(1, B, X), "upgrade blocked by txn 2's S");
        assertEquals(Optional.of(S), lm.heldMode(1, B), "failed tryLock changed nothing");
        assertEquals(0, registry.counter("cacdb.lock.waits").count());
        lm.releaseAll(2);
        assertTrue(lm.tryLock(1, B, X));
        lm.releaseAll(1);
    }

    @Test
    void locksPerTransactionAreBounded() {
        lm = new LockManager(LockConfig.defaults().withLocksPerTransactionMax(2), registry, events);
        lm.lock(1, A, S);
        lm.lock(1, B, S);
        lm.lock(1, A, X); // an upgrade is not a new lock
        TooManyLocksException e = assertThrows(TooManyLocksException.class,
                () -> lm.lock(1, LockResource.supremum(1), S));
        assertEquals("53200", e.sqlState());
        assertEquals(2, lm.heldCount(1));
        lm.releaseAll(1);
    }

    @Test
    void configRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> LockConfig.defaults().withShardCount(3));
        assertThrows(IllegalArgumentException.class, () -> LockConfig.defaults().withLockWaitTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> LockConfig.defaults().withDeadlockSearchTxnsMax(1));
        assertThrows(IllegalArgumentException.class, () -> LockConfig.defaults().withLocksPerTransactionMax(0));
    }

    @Test
    void resourcesAreValues() {
        assertEquals(LockResource.key(3, new byte[] {1, 2}), LockResource.key(3, new byte[] {1, 2}));
        assertFalse(LockResource.key(3, new byte[] {1, 2}).equals(LockResource.key(4, new byte[] {1, 2})));
        assertFalse(LockResource.supremum(3).equals(LockResource.index(3)));
        assertEquals(LockResource.supremum(3), LockResource.keyOrSupremum(3, null));
        byte[] buf = {9};
        LockResource k = LockResource.key(3, buf);
        buf[0] = 10;
        assertEquals(LockResource.key(3, new byte[] {9}), k, "the key bytes were copied");
    }
}
