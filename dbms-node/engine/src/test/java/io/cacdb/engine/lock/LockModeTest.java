package io.cacdb.engine.lock;

import static io.cacdb.engine.lock.LockMode.IS;
import static io.cacdb.engine.lock.LockMode.IX;
import static io.cacdb.engine.lock.LockMode.S;
import static io.cacdb.engine.lock.LockMode.SIX;
import static io.cacdb.engine.lock.LockMode.X;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The compatibility matrix, one test per row, checked twice: on {@link LockMode#compatibleWith} and on a real lock
 * manager (a second transaction's {@code tryLock} succeeds exactly for the compatible modes).
 */
class LockModeTest {

    private static final LockResource R = LockResource.key(1, new byte[] {7});

    private static void assertRow(LockMode held, Set<LockMode> compatible) {
        for (LockMode other : LockMode.values()) {
            boolean expected = compatible.contains(other);
            assertEquals(expected, held.compatibleWith(other), held + " vs " + other);
            assertEquals(expected, other.compatibleWith(held), "symmetry: " + other + " vs " + held);

            LockManager lm = new LockManager(LockConfig.defaults(), new SimpleMeterRegistry());
            lm.lock(1, R, held);
            assertEquals(expected, lm.tryLock(2, R, other), "tryLock " + other + " while " + held + " is held");
            lm.releaseAll(1);
            lm.releaseAll(2);
            assertTrue(lm.isEmpty(), "lock table empty after both released");
        }
    }

    @Test
    void rowIS() {
        assertRow(IS, EnumSet.of(IS, IX, S, SIX));
    }

    @Test
    void rowIX() {
        assertRow(IX, EnumSet.of(IS, IX));
    }

    @Test
    void rowS() {
        assertRow(S, EnumSet.of(IS, S));
    }

    @Test
    void rowSIX() {
        assertRow(SIX, EnumSet.of(IS));
    }

    @Test
    void rowX() {
        assertRow(X, EnumSet.noneOf(LockMode.class));
    }

    @Test
    void joinIsTheWeakestModeCoveringBoth() {
        assertEquals(SIX, S.join(IX));
        assertEquals(SIX, IX.join(S));
        assertEquals(S, IS.join(S));
        assertEquals(IX, IS.join(IX));
        assertEquals(X, S.join(X));
        assertEquals(SIX, SIX.join(IS));
        for (LockMode a : LockMode.values()) {
            for (LockMode b : LockMode.values()) {
                LockMode j = a.join(b);
                assertTrue(j.covers(a) && j.covers(b), a + " join " + b + " = " + j + " must cover both");
            }
        }
    }

    @Test
    void coversFollowsConflicts() {
        assertTrue(X.covers(S));
        assertTrue(SIX.covers(IX));
        assertTrue(S.covers(IS));
        assertFalse(S.covers(IX));
        assertFalse(IX.covers(S));
        assertFalse(IS.covers(S));
    }
}
