package io.cacdb.tpcc.run;

import io.cacdb.tpcc.check.AcknowledgedNewOrders;
import io.cacdb.tpcc.connect.ConnectionSettings;
import io.cacdb.tpcc.connect.SqlErrors;
import io.cacdb.tpcc.random.TpccRandom;
import io.cacdb.tpcc.series.PerSecondSeries;
import io.cacdb.tpcc.series.PerSecondSeries.Counter;
import io.cacdb.tpcc.txn.Delivery;
import io.cacdb.tpcc.txn.NewOrder;
import io.cacdb.tpcc.txn.OrderStatus;
import io.cacdb.tpcc.txn.Payment;
import io.cacdb.tpcc.txn.StatementCache;
import io.cacdb.tpcc.txn.StockLevel;
import io.cacdb.tpcc.txn.TerminalHome;
import io.cacdb.tpcc.txn.TransactionType;
import io.cacdb.tpcc.txn.TxnResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One emulated terminal: a thread bound to a home warehouse (and a Stock-Level district), one connection, a deck of
 * cards. Closed loop: the next transaction starts when the last one ended (plus keying and think time only with
 * spec pacing).
 *
 * <p>Errors: a 40001 or 40P01 rolls back and retries the same inputs at once (up to {@code maxRetries}); a broken
 * connection is dropped and the same inputs are retried on a new one, reconnecting at once and then with a doubling
 * backoff capped at {@code reconnectBackoffMax}, until the run ends. Anything else is counted, logged once per
 * distinct message, and the terminal moves on. Every failure is counted in the per-second series at the time it
 * happened. A New-Order is acknowledged (and logged for the audit) only once its COMMIT returned.
 */
final class Terminal implements Runnable {

    /** First reconnect delay after an immediate retry failed. */
    static final Duration RECONNECT_BACKOFF_FIRST = Duration.ofMillis(10);
    /**
     * Cap of the random pause before the second and later retries of a conflicting transaction: enough to let a
     * hot row's queue (W_YTD, D_NEXT_O_ID) move on, short next to a transaction. The first retry is immediate.
     */
    static final Duration CONFLICT_BACKOFF_MAX = Duration.ofMillis(10);

    private final int id;
    private final TerminalHome home;
    private final TpccRandom random;
    /** Retry pauses draw from their own stream, so conflicts do not shift the terminal's inputs. */
    private final TpccRandom backoffRandom;
    private final Deck deck;
    private final TpccRun.Options options;
    private final PerSecondSeries series;
    private final Timeline timeline;
    private final CountDownLatch stopSignal;
    private final AcknowledgedNewOrders acknowledged;
    private final ErrorSamples errors;
    private final Consumer<String> log;
    private final TerminalStats stats = new TerminalStats();
    private volatile Connection connection;
    private StatementCache statements;

    /** When the run's phases begin and end, in {@link System#nanoTime()}. */
    record Timeline(long startNanos, long measureFromNanos, long endNanos) {
    }

    Terminal(int id, TerminalHome home, long seed, TpccRun.Options options, PerSecondSeries series, Timeline timeline,
            CountDownLatch stopSignal, AcknowledgedNewOrders acknowledged, ErrorSamples errors, Consumer<String> log) {
        this.id = id;
        this.home = home;
        this.random = new TpccRandom(seed);
        this.deck = new Deck(options.mix(), new TpccRandom(this.random.nextSeed()));
        this.backoffRandom = new TpccRandom(this.random.nextSeed());
        this.options = options;
        this.series = series;
        this.timeline = timeline;
        this.stopSignal = stopSignal;
        this.acknowledged = acknowledged;
        this.errors = errors;
        this.log = log;
    }

    TerminalStats stats() {
        return stats;
    }

    AcknowledgedNewOrders acknowledged() {
        return acknowledged;
    }

    @Override
    public void run() {
        try {
            while (running()) {
                TransactionType type = deck.next();
                Object input = generate(type);
                if (options.specPacing() && !pause(type.keyingTime().toNanos())) {
                    break;
                }
                execute(type, input);
                if (options.specPacing()
                        && !pause((long) (random.thinkTime(type.meanThinkTime().toNanos())))) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            dropConnection();
        }
    }

    private boolean running() {
        return stopSignal.getCount() > 0 && System.nanoTime() < timeline.endNanos();
    }

    /** Waits up to {@code nanos} (cut short by the run's end); false if the run is over. */
    private boolean pause(long nanos) throws InterruptedException {
        long wait = Math.min(nanos, timeline.endNanos() - System.nanoTime());
        if (wait > 0 && stopSignal.await(wait, TimeUnit.NANOSECONDS)) {
            return false;
        }
        return running();
    }

    private Object generate(TransactionType type) {
        return switch (type) {
            case NEW_ORDER -> NewOrder.generate(random, home);
            case PAYMENT -> Payment.generate(random, home);
            case ORDER_STATUS -> OrderStatus.generate(random, home);
            case DELIVERY -> Delivery.generate(random, home);
            case STOCK_LEVEL -> StockLevel.generate(random, home);
        };
    }

    private static TxnResult body(TransactionType type, Object input, StatementCache sc, Timestamp now)
            throws SQLException {
        return switch (type) {
            case NEW_ORDER -> NewOrder.execute(sc, (NewOrder.Input) input, now);
            case PAYMENT -> Payment.execute(sc, (Payment.Input) input, now);
            case ORDER_STATUS -> OrderStatus.execute(sc, (OrderStatus.Input) input);
            case DELIVERY -> Delivery.execute(sc, (Delivery.Input) input, now);
            case STOCK_LEVEL -> StockLevel.execute(sc, (StockLevel.Input) input);
        };
    }

    /** Runs one business transaction to commit, intended rollback, or give-up. */
    private void execute(TransactionType type, Object input) throws InterruptedException {
        long first = System.nanoTime();
        int retries = 0;
        boolean firstAttempt = true;
        while (true) {
            if (!firstAttempt && !running()) {
                stats.abandonedAtEnd++;
                return;
            }
            firstAttempt = false;
            if (statements == null && !connect()) {
                stats.abandonedAtEnd++;
                return;
            }
            Connection c = statements.connection();
            boolean committing = false;
            try {
                TxnResult r = body(type, input, statements, new Timestamp(System.currentTimeMillis()));
                if (r.commit()) {
                    committing = true;
                    c.commit();
                } else {
                    c.rollback();
                }
                long done = System.nanoTime();
                finished(type, r, first, done);
                return;
            } catch (SQLException e) {
                long at = System.nanoTime();
                SqlErrors.Kind kind = SqlErrors.classify(e, c);
                switch (kind) {
                    case SERIALIZATION_FAILURE, DEADLOCK -> {
                        if (kind == SqlErrors.Kind.DEADLOCK) {
                            stats.deadlocks++;
                        } else {
                            stats.serializationFailures++;
                        }
                        stats.retries[type.ordinal()]++;
                        series.count(Counter.RETRYABLE_ABORTS, at);
                        rollback(c);
                        if (++retries > options.maxRetries()) {
                            stats.gaveUp++;
                            series.count(Counter.OTHER_ERRORS, at);
                            note("gave up after " + options.maxRetries() + " retries", e);
                            return;
                        }
                        if (retries > 1) {
                            long capMicros = Math.min(CONFLICT_BACKOFF_MAX.toNanos() / 1_000, 250L << Math.min(retries, 16));
                            pause(TimeUnit.MICROSECONDS.toNanos(backoffRandom.uniform(0, (int) capMicros)));
                        }
                    }
                    case CONNECTION -> {
                        stats.connectionsLost++;
                        if (committing) {
                            stats.commitOutcomeUnknown++;
                            if (type == TransactionType.NEW_ORDER) {
                                stats.newOrderOutcomeUnknown++;
                            }
                        }
                        series.count(Counter.CONNECTION_ERRORS, at);
                        note("connection lost", e);
                        dropConnection();
                    }
                    case OTHER -> {
                        stats.otherErrors++;
                        series.count(Counter.OTHER_ERRORS, at);
                        if (note(type.displayName() + " failed", e)) {
                            log.accept("terminal " + id + ": " + type.displayName() + " failed: " + e);
                        }
                        rollback(c);
                        return;
                    }
                }
            }
        }
    }

    private void finished(TransactionType type, TxnResult r, long first, long done) {
        if (!r.commit()) {
            stats.userRollbacks++;
            series.count(Counter.USER_ROLLBACKS, done);
            return;
        }
        long latency = done - first;
        stats.commits[type.ordinal()]++;
        series.commit(type, done, latency);
        if (done >= timeline.measureFromNanos() && done < timeline.endNanos()) {
            stats.latency[type.ordinal()].recordValue(
                    Math.min(PerSecondSeries.HIGHEST_LATENCY_MICROS, latency / 1_000));
        }
        if (r.isNewOrder()) {
            acknowledged.record(r.warehouse(), r.district(), r.orderId(), r.orderLines());
        }
        stats.deliverySkippedDistricts += r.skippedDistricts();
    }

    /** Connects, at once and then with a capped doubling backoff, until it works or the run ends. */
    private boolean connect() throws InterruptedException {
        long backoff = 0;
        while (running()) {
            Connection c = null;
            try {
                c = options.connection().open();
                c.setAutoCommit(false);
                options.isolation().apply(c);
                connection = c;
                statements = new StatementCache(c);
                return true;
            } catch (SQLException e) {
                stats.connectFailures++;
                series.count(Counter.CONNECTION_ERRORS, System.nanoTime());
                note("connect failed", e);
                if (c != null) {
                    close(c);
                }
            }
            if (backoff > 0 && !pause(backoff)) {
                return false;
            }
            backoff = backoff == 0 ? RECONNECT_BACKOFF_FIRST.toNanos()
                    : Math.min(backoff * 2, options.reconnectBackoffMax().toNanos());
        }
        return false;
    }

    private void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // The connection is unusable; the next attempt reconnects.
            note("rollback failed", e);
            dropConnection();
        }
    }

    private boolean note(String what, SQLException e) {
        return errors.add(what, e);
    }

    /** Closes the connection (if any); the next attempt opens a new one. */
    private void dropConnection() {
        if (statements != null) {
            try {
                statements.close();
            } catch (SQLException e) {
                errors.add("closing statements", e);
            }
            statements = null;
        }
        Connection c = connection;
        connection = null;
        if (c != null) {
            close(c);
        }
    }

    private void close(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            errors.add("closing a connection", e);
        }
    }

    /** From another thread at the end of the run: unblocks a terminal stuck on a dead socket. */
    void abortConnection() {
        Connection c = connection;
        if (c != null) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException e) {
                errors.add("aborting a connection", e);
            }
        }
    }

    /** Connect timeout from settings, for the run's join bound. */
    static Duration worstStatement(ConnectionSettings s) {
        return s.socketTimeout().plus(s.connectTimeout());
    }
}
