package io.cacdb.server.node;

import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.QuorumNotReachedException;
import io.cacdb.dax.client.StaleEpochException;
import io.cacdb.engine.volume.DaxVolume;
import io.cacdb.engine.wal.EpochHistory;
import io.cacdb.engine.wal.MetaRecords;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks and fences the epoch a starting active writes at: one above the newest epoch in the volume's epoch history
 * (META), bumped above any server that reports a higher fence (a node that fenced and died before it stored its
 * epoch). The engine then refuses to open at an epoch not newer than its history, so a mistake here fails loudly.
 *
 * <p>Two nodes starting at once could pick the same epoch; that race is the takeover protocol's to close (the
 * standby issue). A single node per volume, as today, cannot meet it.
 */
public final class EpochFencing {

    private static final Logger log = LoggerFactory.getLogger(EpochFencing.class);

    /** Attempts when servers keep reporting higher fences: each retry jumps past the highest one reported. */
    static final int FENCE_ATTEMPTS_MAX = 5;
    /**
     * Pause between attempts to create the volume while too few servers answer: servers refusing connections fail an
     * attempt at once, and this keeps such a loop from spinning.
     */
    static final Duration CREATE_RETRY_PAUSE = Duration.ofMillis(100);

    private EpochFencing() {
    }

    /**
     * Creates the volume if it is new (idempotent), reads its epoch history, fences it to the next epoch and
     * returns that epoch. Each storage step is bounded by {@code timeout}.
     */
    public static long createAndFence(DaxClient client, long volume, Duration timeout) {
        createVolume(client, volume, timeout);
        EpochHistory history = await(MetaRecords.epochHistory(DaxVolume.reader(client, volume)), timeout,
                "reading the epoch history of volume " + volume);
        long epoch = history.latestEpoch() + 1;
        for (int attempt = 1; ; attempt++) {
            try {
                await(client.fence(volume, epoch), timeout, "fencing volume " + volume + " to epoch " + epoch);
                log.info("volume {}: epoch history {}, fenced to epoch {}", volume, history.entries(), epoch);
                return epoch;
            } catch (StaleEpochException e) {
                if (attempt >= FENCE_ATTEMPTS_MAX) {
                    throw e;
                }
                log.info("volume {} is already fenced at epoch {} (history says {}); fencing above it", volume,
                        e.currentEpoch(), history.latestEpoch());
                epoch = Math.max(epoch, e.currentEpoch()) + 1;
            }
        }
    }

    /**
     * Creates the volume if it is new (idempotent): a starting node's first contact with storage. An attempt that
     * finds too few servers answering ({@link QuorumNotReachedException}: servers still starting, or first requests
     * that miss the DAX request timeout on a loaded machine) is repeated until {@code timeout} has passed in all, the
     * bound the configuration promises for this step, instead of failing the start after one request timeout.
     */
    public static void createVolume(DaxClient client, long volume, Duration timeout) {
        String step = "creating volume " + volume;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                await(client.createVolume(volume), Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), step);
                return;
            } catch (QuorumNotReachedException e) {
                if (deadline - System.nanoTime() <= CREATE_RETRY_PAUSE.toNanos()) {
                    throw e;
                }
                log.warn("{}: attempt {} failed ({}); trying again until {} have passed", step, attempt,
                        e.getMessage(), timeout);
                LockSupport.parkNanos(CREATE_RETRY_PAUSE.toNanos());
                if (Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("interrupted while " + step, e);
                }
            }
        }
    }

    /** Waits for a storage step; its failure is rethrown as is when unchecked, with the step named otherwise. */
    static <T> T await(CompletableFuture<T> future, Duration timeout, String step) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(step + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new IllegalStateException(step + " did not finish within " + timeout
                    + " (are the DAX servers of the cluster map running?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + step, e);
        }
    }
}
