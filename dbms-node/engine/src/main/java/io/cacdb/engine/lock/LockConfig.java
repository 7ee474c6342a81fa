package io.cacdb.engine.lock;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@link LockManager}, checked when built.
 *
 * @param lockWaitTimeout          how long one lock request waits before it fails with a lock timeout (55P03). The
 *                                 backstop for waits deadlock detection does not resolve (a search cut short by
 *                                 {@code deadlockSearchTxnsMax}, a holder that hangs); 5 s by default, long enough
 *                                 that an OLTP transaction holding a lock finishes first.
 * @param shardCount               stripes of the lock table, each with its own mutex, so that unrelated keys do not
 *                                 contend; a power of two. 256 by default: several times the number of sessions
 *                                 that run at once on a node, so two sessions rarely share a stripe.
 * @param deadlockSearchTxnsMax    transactions the deadlock search visits at most per wait, which bounds its cost
 *                                 (each visit takes one stripe mutex); beyond it the wait timeout decides. 1000 by
 *                                 default: far more than the length of any real cycle.
 * @param locksPerTransactionMax   locks one transaction may hold at once; beyond it requests fail with
 *                                 {@code TooManyLocksException} instead of growing the lock table without bound.
 *                                 1,000,000 by default (~100-200 MB of lock table for one transaction).
 */
public record LockConfig(Duration lockWaitTimeout, int shardCount, int deadlockSearchTxnsMax,
                         int locksPerTransactionMax) {

    public static final Duration LOCK_WAIT_TIMEOUT_DEFAULT = Duration.ofSeconds(5);
    public static final int SHARD_COUNT_DEFAULT = 256;
    public static final int DEADLOCK_SEARCH_TXNS_MAX_DEFAULT = 1000;
    public static final int LOCKS_PER_TRANSACTION_MAX_DEFAULT = 1_000_000;

    /** Stripes are indexed with an int mask; more than this only wastes memory. */
    public static final int SHARD_COUNT_MAX = 1 << 16;

    public LockConfig {
        Objects.requireNonNull(lockWaitTimeout, "lockWaitTimeout");
        if (lockWaitTimeout.isNegative() || lockWaitTimeout.isZero()) {
            throw new IllegalArgumentException("lockWaitTimeout must be positive, got " + lockWaitTimeout);
        }
        if (shardCount < 1 || shardCount > SHARD_COUNT_MAX || Integer.bitCount(shardCount) != 1) {
            throw new IllegalArgumentException(
                    "shardCount must be a power of two in [1, " + SHARD_COUNT_MAX + "], got " + shardCount);
        }
        if (deadlockSearchTxnsMax < 2) {
            throw new IllegalArgumentException(
                    "deadlockSearchTxnsMax must be >= 2 (a cycle has two transactions), got " + deadlockSearchTxnsMax);
        }
        if (locksPerTransactionMax < 1) {
            throw new IllegalArgumentException("locksPerTransactionMax must be >= 1, got " + locksPerTransactionMax);
        }
    }

    public static LockConfig defaults() {
        return new LockConfig(LOCK_WAIT_TIMEOUT_DEFAULT, SHARD_COUNT_DEFAULT, DEADLOCK_SEARCH_TXNS_MAX_DEFAULT,
                LOCKS_PER_TRANSACTION_MAX_DEFAULT);
    }

    public LockConfig withLockWaitTimeout(Duration timeout) {
        return new LockConfig(timeout, shardCount, deadlockSearchTxnsMax, locksPerTransactionMax);
    }

    public LockConfig withShardCount(int shards) {
        return new LockConfig(lockWaitTimeout, shards, deadlockSearchTxnsMax, locksPerTransactionMax);
    }

    public LockConfig withDeadlockSearchTxnsMax(int txns) {
        return new LockConfig(lockWaitTimeout, shardCount, txns, locksPerTransactionMax);
    }

    public LockConfig withLocksPerTransactionMax(int locks) {
        return new LockConfig(lockWaitTimeout, shardCount, deadlockSearchTxnsMax, locks);
    }
}
