package io.cacdb.engine.lock;

import static io.cacdb.engine.lock.LockMode.S;
import static io.cacdb.engine.lock.LockMode.X;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.error.DeadlockException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Deadlocks with real threads. The lock wait timeout is far longer than the test bound, so a deadlock that is not
 * detected fails the test by its bound (promptness) rather than resolving itself by a timeout.
 */
class DeadlockTest {

    private static final LockResource A = LockResource.key(1, new byte[] {1});
    private static final LockResource B = LockResource.key(1, new byte[] {2});
    private static final LockResource C = LockResource.key(2, new byte[] {3});

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WaitEvents events = new WaitEvents();
    private final LockManager lm = new LockManager(
            LockConfig.defaults().withLockWaitTimeout(Duration.ofMinutes(10)), registry, events);

    @AfterEach
    void lockTableIsEmptyAfterEveryTest() {
        assertTrue(lm.isEmpty(), "lock table must be empty at the end: " + lm.lockedResourceCount() + " resources");
    }

    @Test
    void twoCycleAbortsTheYoungestWhichClosedIt() throws Exception {
        try (Session t1 = new Session(1); Session t2 = new Session(2)) {
            t1.runNow(() -> lm.lock(1, A, X));
            t2.runNow(() -> lm.lock(2, B, X));
            CompletableFuture<Void> w1 = t1.run(() -> lm.lock(1, B, X));
            events.awaitWaiting(1);
            CompletableFuture<Void> w2 = t2.run(() -> lm.lock(2, A, X));

            DeadlockException e = assertInstanceOf(DeadlockException.class, Session.failure(w2));
            assertEquals("40P01", e.sqlState());
            assertEquals(2, e.victimTxnId());
            assertEquals(List.of(1L, 2L), e.cycleTxnIds().stream().sorted().toList());
            assertFalse(w1.isDone(), "the survivor waits until the victim's rollback releases its locks");
            assertEquals(Optional.of(X), t2.call(() -> lm.heldMode(2, B)).get(), "victim keeps its locks");

            t2.runNow(() -> lm.releaseAll(2)); // the victim's rollback
            Session.await(w1);
            t1.runNow(() -> lm.releaseAll(1));
            assertEquals(1, registry.counter("cacdb.lock.deadlocks").count(), "exactly one victim");
        }
    }

    @Test
    void twoCycleAbortsTheYoungestEvenWhenTheOlderClosedIt() throws Exception {
        try (Session t1 = new Session(1); Session t2 = new Session(2)) {
            t1.runNow(() -> lm.lock(1, A, X));
            t2.runNow(() -> lm.lock(2, B, X));
            CompletableFuture<Void> w2 = t2.run(() -> lm.lock(2, A, S));
            events.awaitWaiting(2);
            CompletableFuture<Void> w1 = t1.run(() -> lm.lock(1, B, S)); // txn 1 closes the cycle

            DeadlockException e = assertInstanceOf(DeadlockException.class, Session.failure(w2));
            assertEquals(2, e.victimTxnId());
            assertFalse(w1.isDone());
            t2.runNow(() -> lm.releaseAll(2));
            Session.await(w1);
            t1.runNow(() -> lm.releaseAll(1));
            assertEquals(1, registry.counter("cacdb.lock.deadlocks").count());
        }
    }

    @Test
    void threeCycleHasExactlyOneVictimAndTheOthersFinish() throws Exception {
        try (Session t1 = new Session(1); Session t2 = new Session(2); Session t3 = new Session(3)) {
            t1.runNow(() -> lm.lock(1, A, X));
            t2.runNow(() -> lm.lock(2, B, X));
            t3.runNow(() -> lm.lock(3, C, X));
            CompletableFuture<Void> w1 = t1.run(() -> lm.lock(1, B, S));
            events.awaitWaiting(1);
            CompletableFuture<Void> w2 = t2.run(() -> lm.lock(2, C, X));
            events.awaitWaiting(2);
            CompletableFuture<Void> w3 = t3.run(() -> lm.lock(3, A, S));

            DeadlockException e = assertInstanceOf(DeadlockException.class, Session.failure(w3));
            assertEquals(3, e.victimTxnId());
            assertEquals(List.of(1L, 2L, 3L), e.cycleTxnIds().stream().sorted().toList());
            assertTrue(e.getMessage().contains("waits for"), e.getMessage());
            assertFalse(w1.isDone() || w2.isDone(), "survivors wait for the victim's rollback");

            t3.runNow(() -> lm.releaseAll(3));
            Session.await(w2);
            assertFalse(w1.isDone(), "txn 1 waits for txn 2, which still runs");
            t2.runNow(() -> lm.releaseAll(2));
            Session.await(w1);
            t1.runNow(() -> lm.releaseAll(1));
            assertEquals(1, registry.counter("cacdb.lock.deadlocks").count(), "exactly one victim");
        }
    }

    @Test
    void twoUpgradersOfOneResourceDeadlock() throws Exception {
        try (Session t1 = new Session(1); Session t2 = new Session(2)) {
            t1.runNow(() -> lm.lock(1, A, S));
            t2.runNow(() -> lm.lock(2, A, S));
            CompletableFuture<Void> up1 = t1.run(() -> lm.lock(1, A, X));
            events.awaitWaiting(1);
            CompletableFuture<Void> up2 = t2.run(() -> lm.lock(2, A, X));

            DeadlockException e = assertInstanceOf(DeadlockException.class, Session.failure(up2));
            assertEquals(2, e.victimTxnId());
            assertTrue(e.getMessage().contains("upgrade to X"), e.getMessage());
            assertEquals(Optional.of(S), t2.call(() -> lm.heldMode(2, A)).get(), "the victim still holds S");
            assertFalse(up1.isDone(), "txn 1's upgrade waits for the victim's S");

            t2.runNow(() -> lm.releaseAll(2));
            Session.await(up1);
            assertEquals(Optional.of(X), t1.call(() -> lm.heldMode(1, A)).get());
            t1.runNow(() -> lm.releaseAll(1));
        }
    }

    @Test
    void waiterBehindAPendingUpgradeIsPartOfACycle() throws Exception {
        // txn 2's S on A is compatible with every held mode but queues behind txn 1's pending upgrade: the edge
        // 2 -> 1 comes from queue order. Cycle: 3 waits for B (held by 2), 2 waits for 1's upgrade, 1 waits for 3's S.
        try (Session t1 = new Session(1); Session t2 = new Session(2); Session t3 = new Session(3)) {
            t1.runNow(() -> lm.lock(1, A, S));
            t3.runNow(() -> lm.lock(3, A, S));
            t2.runNow(() -> lm.lock(2, B, X));
            CompletableFuture<Void> up1 = t1.run(() -> lm.lock(1, A, X));
            events.awaitWaiting(1);
            CompletableFuture<Void> s2 = t2.run(() -> lm.lock(2, A, S));
            events.awaitWaiting(2);
            CompletableFuture<Void> b3 = t3.run(() -> lm.lock(3, B, S));

            DeadlockException e = assertInstanceOf(DeadlockException.class, Session.failure(b3));
            assertEquals(3, e.victimTxnId());
            assertEquals(List.of(1L, 2L, 3L), e.cycleTxnIds().stream().sorted().toList());
            t3.runNow(() -> lm.releaseAll(3));
            Session.await(up1);
            assertFalse(s2.isDone(), "txn 2's S waits for txn 1's X");
            t1.runNow(() -> lm.releaseAll(1));
            Session.await(s2);
            t2.runNow(() -> lm.releaseAll(2));
            assertEquals(1, registry.counter("cacdb.lock.deadlocks").count());
        }
    }
}
