package io.cacdb.tpcc.run;

import io.cacdb.tpcc.series.PerSecondSeries;
import io.cacdb.tpcc.txn.TransactionType;
import org.HdrHistogram.Histogram;

/**
 * One terminal's totals over the whole run (counts) and over the measurement window (latency histograms). Written
 * only by its terminal; read after the terminal has stopped. {@link #add} sums terminals.
 */
public final class TerminalStats {

    private static final int TYPES = TransactionType.values().length;

    final long[] commits = new long[TYPES];
    /** Retryable aborts (40001 and 40P01) by transaction type. */
    final long[] retries = new long[TYPES];
    long userRollbacks;
    long serializationFailures;
    long deadlocks;
    /** A working connection broke (I/O error, socket timeout, server shutdown). */
    long connectionsLost;
    /** A connect attempt failed (no primary reachable). */
    long connectFailures;
    long otherErrors;
    /** Transactions given up after {@code maxRetries} retryable aborts. */
    long gaveUp;
    /** COMMIT was sent but the connection broke before the answer: the transaction may or may not have committed. */
    long commitOutcomeUnknown;
    /** New-Orders among {@link #commitOutcomeUnknown}. */
    long newOrderOutcomeUnknown;
    /** Transactions the run's end interrupted between attempts (retry or reconnect pending). */
    long abandonedAtEnd;
    long deliverySkippedDistricts;
    final Histogram[] latency = new Histogram[TYPES];

    TerminalStats() {
        for (int i = 0; i < TYPES; i++) {
            latency[i] = new Histogram(PerSecondSeries.HIGHEST_LATENCY_MICROS, 3);
        }
    }

    void add(TerminalStats o) {
        for (int i = 0; i < TYPES; i++) {
            commits[i] += o.commits[i];
            retries[i] += o.retries[i];
            latency[i].add(o.latency[i]);
        }
        userRollbacks += o.userRollbacks;
        serializationFailures += o.serializationFailures;
        deadlocks += o.deadlocks;
        connectionsLost += o.connectionsLost;
        connectFailures += o.connectFailures;
        otherErrors += o.otherErrors;
        gaveUp += o.gaveUp;
        commitOutcomeUnknown += o.commitOutcomeUnknown;
        newOrderOutcomeUnknown += o.newOrderOutcomeUnknown;
        abandonedAtEnd += o.abandonedAtEnd;
        deliverySkippedDistricts += o.deliverySkippedDistricts;
    }

    public long commits(TransactionType t) {
        return commits[t.ordinal()];
    }

    /** Retryable aborts (40001, 40P01) of {@code t} over the whole run. */
    public long retries(TransactionType t) {
        return retries[t.ordinal()];
    }

    /** Latency of the measurement window's commits of {@code t} (microseconds). */
    public Histogram latency(TransactionType t) {
        return latency[t.ordinal()];
    }

    /** Latency of all types' commits in the window (microseconds). */
    public Histogram latencyAll() {
        Histogram all = new Histogram(PerSecondSeries.HIGHEST_LATENCY_MICROS, 3);
        for (Histogram h : latency) {
            all.add(h);
        }
        return all;
    }

    public long userRollbacks() {
        return userRollbacks;
    }

    public long serializationFailures() {
        return serializationFailures;
    }

    public long deadlocks() {
        return deadlocks;
    }

    public long retries() {
        return serializationFailures + deadlocks;
    }

    public long connectionsLost() {
        return connectionsLost;
    }

    public long connectFailures() {
        return connectFailures;
    }

    public long connectionErrors() {
        return connectionsLost + connectFailures;
    }

    public long otherErrors() {
        return otherErrors;
    }

    public long gaveUp() {
        return gaveUp;
    }

    public long commitOutcomeUnknown() {
        return commitOutcomeUnknown;
    }

    public long newOrderOutcomeUnknown() {
        return newOrderOutcomeUnknown;
    }

    public long abandonedAtEnd() {
        return abandonedAtEnd;
    }

    public long deliverySkippedDistricts() {
        return deliverySkippedDistricts;
    }
}
