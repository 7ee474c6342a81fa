package io.cacdb.engine.txn;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@link TransactionManager}, checked when built.
 *
 * @param commitDurableWaitMax how long a commit waits for its Commit record to become durable before the engine halts
 *                             (the outcome is then unknown to the client). The log writer fails waiters itself when
 *                             it stops (fenced, storage error), so this bound is only a backstop against a storage
 *                             tier that neither acknowledges nor fails; 60 s by default, far above any healthy
 *                             quorum write (~1 ms) and above DAX request timeouts with retries.
 * @param mtrBytesReserve      log bytes a change waits to be available ({@code LogWriter.awaitAppendCapacity})
 *                             before it latches pages, so that the append under latches rarely waits. 64 KiB by
 *                             default: a row change that splits a leaf and its parent logs about three page images'
 *                             worth of cells plus the row's undo image (~2 KiB); clamped to the writer's largest MTR.
 * @param transactionsPerEpochMax transactions one epoch may begin; ids are {@code epoch << 40 | counter}, so 2^40
 *                             (about 115 days at 100,000 transactions/s) after which begin fails until the next
 *                             restart or takeover starts a new epoch.
 */
public record TransactionConfig(Duration commitDurableWaitMax, int mtrBytesReserve, long transactionsPerEpochMax) {

    public static final Duration COMMIT_DURABLE_WAIT_MAX_DEFAULT = Duration.ofSeconds(60);
    public static final int MTR_BYTES_RESERVE_DEFAULT = 64 * 1024;
    /** Bits of a transaction id below the epoch. */
    public static final int TXN_ID_EPOCH_SHIFT = 40;
    public static final long TRANSACTIONS_PER_EPOCH_MAX = 1L << TXN_ID_EPOCH_SHIFT;

    public TransactionConfig {
        Objects.requireNonNull(commitDurableWaitMax, "commitDurableWaitMax");
        if (commitDurableWaitMax.isNegative() || commitDurableWaitMax.isZero()) {
            throw new IllegalArgumentException("commitDurableWaitMax must be > 0, was " + commitDurableWaitMax);
        }
        if (mtrBytesReserve < 1) {
            throw new IllegalArgumentException("mtrBytesReserve must be >= 1, was " + mtrBytesReserve);
        }
        if (transactionsPerEpochMax < 1 || transactionsPerEpochMax > TRANSACTIONS_PER_EPOCH_MAX) {
            throw new IllegalArgumentException("transactionsPerEpochMax must be in [1, " + TRANSACTIONS_PER_EPOCH_MAX
                    + "], was " + transactionsPerEpochMax);
        }
    }

    public static TransactionConfig defaults() {
        return new TransactionConfig(COMMIT_DURABLE_WAIT_MAX_DEFAULT, MTR_BYTES_RESERVE_DEFAULT,
                TRANSACTIONS_PER_EPOCH_MAX);
    }

    public TransactionConfig withCommitDurableWaitMax(Duration d) {
        return new TransactionConfig(d, mtrBytesReserve, transactionsPerEpochMax);
    }

    public TransactionConfig withTransactionsPerEpochMax(long n) {
        return new TransactionConfig(commitDurableWaitMax, mtrBytesReserve, n);
    }
}
