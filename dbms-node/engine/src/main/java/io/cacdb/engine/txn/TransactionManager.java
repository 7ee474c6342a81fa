package io.cacdb.engine.txn;

import io.cacdb.engine.error.NotActiveException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.lock.LockManager;
import io.cacdb.engine.lock.NextKeyLocks;
import io.cacdb.engine.mtr.LogSink;
import io.cacdb.engine.mtr.MiniTransaction;
import io.cacdb.engine.mtr.PageSource;
import io.cacdb.engine.wal.LogRecord;
import io.cacdb.engine.wal.LogWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Begins, commits and rolls back transactions, and runs every mini-transaction of the engine so that checkpoints
 * can tell which log positions are settled.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>Ids</b> are {@code epoch << 40 | counter}: unique across restarts and takeovers (every open or takeover runs
 *       at a new, higher epoch), and increasing in begin order, which the lock manager's deadlock victim choice
 *       (youngest = largest id) relies on.</li>
 *   <li><b>Changes.</b> {@link Transaction#change} is one MTR: wait for log capacity <em>before</em> latching, let the
 *       caller make one B+tree change, put its {@code Undo} record first (chained to the transaction's previous
 *       record), append and stamp, then note the record in the transaction table and the in-memory undo list.</li>
 *   <li><b>Commit</b> appends a {@code Commit} record (its own MTR), waits until the log is durable up to its end,
 *       releases the locks and only then returns: a commit is acknowledged only when durable (asserted).</li>
 *   <li><b>Rollback</b> walks the in-memory undo list backwards; each step is one MTR holding a {@code Compensation}
 *       record (undoNextLsn = the next change still to undo) first and the inverse B+tree change, so a crash in the
 *       middle resumes where it stopped and never undoes a change twice. Then {@code Abort}, then the locks go.
 *       {@link Transaction#rollbackTo} does the same down to a savepoint and keeps the locks.</li>
 *   <li><b>Fuzzy snapshots.</b> Every MTR registers in {@link PendingMtrs} before it appends and leaves only after
 *       its pages are stamped dirty and the transaction table reflects its record.
 *       {@link #fuzzySnapshot} reads, in this order, the appended end of the log, the lowest pending floor, the transaction
 *       table, then the dirty-page table; the minimum of the first, the second and the recLSNs is a redo start
 *       (and flush watermark) that no in-flight MTR can undercut — see {@code docs/transactions.md} for the proof.</li>
 *   <li><b>Failure.</b> A page change that cannot be logged (the append fails after the tree changed pages in the
 *       buffer pool, e.g. because the log writer was fenced) leaves memory ahead of the log. That is not
 *       recoverable in place: the manager <b>halts</b> (state HALTED, the halt listener stops page writes), the
 *       failing call throws {@link EngineHaltedException}, and every later call {@link NotActiveException}.</li>
 * </ul>
 *
 * <p>Threads: thread-safe. A {@link Transaction} is used by one thread at a time; {@link #fuzzySnapshot},
 * {@link #transactionTable} and metrics may run on any thread.
 */
public final class TransactionManager {

    private static final Logger log = LoggerFactory.getLogger(TransactionManager.class);

    /** Lifecycle, legal transitions RECOVERING → SERVING → CLOSED, and any → HALTED. */
    public enum State {
        /** Recovery may run MTRs (undo of losers); no transaction may begin. */
        RECOVERING,
        SERVING,
        CLOSED,
        /** A change could not be logged; nothing more is accepted. */
        HALTED
    }

    private final PageSource pages;
    private final LogWriter logWriter;
    private final LockManager lockManager;
    private final NextKeyLocks nextKeyLocks;
    private final TransactionConfig config;
    private final long epoch;
    private final int mtrBytesReserve;
    private final PendingMtrs pending;
    private final ConcurrentHashMap<Long, LocalTransaction> table = new ConcurrentHashMap<>();
    private final AtomicLong counter = new AtomicLong();
    private final AtomicReference<State> state = new AtomicReference<>(State.RECOVERING);
    private final AtomicReference<Throwable> haltCause = new AtomicReference<>();
    private volatile Consumer<Throwable> haltListener = t -> { };
    private volatile Transaction.IndexResolver indexes;
    private final io.micrometer.core.instrument.Clock clock;

    private final Counter commits;
    private final Counter aborts;
    private final Counter clrs;
    private final Timer commitLatency;

    /**
     * @param pages       where MTRs fix pages (the buffer pool)
     * @param logWriter   the log, running at this node's epoch
     * @param lockManager the lock table
     */
    public TransactionManager(PageSource pages, LogWriter logWriter, LockManager lockManager,
                              TransactionConfig config, MeterRegistry registry) {
        this.pages = Objects.requireNonNull(pages, "pages");
        this.logWriter = Objects.requireNonNull(logWriter, "logWriter");
        this.lockManager = Objects.requireNonNull(lockManager, "lockManager");
        this.nextKeyLocks = new NextKeyLocks(lockManager);
        this.config = Objects.requireNonNull(config, "config");
        this.epoch = logWriter.epoch();
        if (epoch < 1 || epoch >= (1L << (63 - TransactionConfig.TXN_ID_EPOCH_SHIFT))) {
            throw new IllegalArgumentException("epoch " + epoch + " does not fit a transaction id (needs 1 <= epoch < 2^"
                    + (63 - TransactionConfig.TXN_ID_EPOCH_SHIFT) + ")");
        }
        this.mtrBytesReserve = Math.min(config.mtrBytesReserve(), logWriter.maxMtrBytes());
        this.pending = new PendingMtrs(logWriter::appendedLsn);
        this.clock = registry.config().clock();
        this.commits = Counter.builder("cacdb.txn.commits").description("transactions committed").register(registry);
        this.aborts = Counter.builder("cacdb.txn.aborts").description("transactions rolled back").register(registry);
        this.clrs = Counter.builder("cacdb.txn.compensations")
                .description("changes undone (compensation records written)").register(registry);
        this.commitLatency = Timer.builder("cacdb.txn.commit.latency")
                .description("commit call to return, including the wait for the durable log").register(registry);
        Gauge.builder("cacdb.txn.active", table, ConcurrentHashMap::size).register(registry);
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /** Resolves index ids to trees for rollback; set once the index directory is open (before serving). */
    public void setIndexResolver(Transaction.IndexResolver resolver) {
        this.indexes = Objects.requireNonNull(resolver, "resolver");
    }

    /** Called once, on the halting thread, when the manager halts (the engine stops page writes there). */
    public void setHaltListener(Consumer<Throwable> listener) {
        this.haltListener = Objects.requireNonNull(listener, "listener");
    }

    /** RECOVERING → SERVING: transactions may begin. */
    public void startServing() {
        if (indexes == null) {
            throw new IllegalStateException("an index resolver must be set before serving");
        }
        transition(State.RECOVERING, State.SERVING);
    }

    /** SERVING → CLOSED: no new transaction may begin; running ones may still finish. */
    public void close() {
        state.compareAndSet(State.SERVING, State.CLOSED);
        state.compareAndSet(State.RECOVERING, State.CLOSED);
    }

    public State state() {
        return state.get();
    }

    private void transition(State from, State to) {
        if (!state.compareAndSet(from, to)) {
            throw new IllegalStateException("transaction manager is " + state.get() + ", cannot go " + from + " -> "
                    + to);
        }
    }

    // ------------------------------------------------------------------------------------------------ transactions

    /** Begins a transaction. Its id is larger than every id handed out before, on this node and earlier epochs. */
    public Transaction begin(IsolationLevel isolation, boolean readOnly) {
        Objects.requireNonNull(isolation, "isolation");
        requireState(State.SERVING);
        long n = counter.incrementAndGet();
        if (n >= config.transactionsPerEpochMax()) {
            throw new IllegalStateException("epoch " + epoch + " has used " + n + " transaction ids of "
                    + config.transactionsPerEpochMax() + "; restart the node to start a new epoch");
        }
        long id = (epoch << TransactionConfig.TXN_ID_EPOCH_SHIFT) | n;
        LocalTransaction t = new LocalTransaction(this, id, isolation, readOnly);
        table.put(id, t);
        return t;
    }

    /**
     * Commits: appends the Commit record, waits until it is durable, releases the locks, and returns only then. A
     * transaction that logged nothing just releases its locks. Afterwards the transaction accepts nothing.
     *
     * @throws EngineHaltedException if the commit record could not be made durable (the outcome is unknown to the
     *                               caller: it is committed if and only if recovery finds the record)
     */
    public void commit(Transaction txn) {
        LocalTransaction t = own(txn);
        long started = System.nanoTime();
        t.commit();
        commitLatency.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        commits.increment();
    }

    /** Rolls back every change (writing CLRs), logs Abort, releases the locks. Afterwards it accepts nothing. */
    public void rollback(Transaction txn) {
        LocalTransaction t = own(txn);
        t.rollback();
        aborts.increment();
    }

    private LocalTransaction own(Transaction txn) {
        if (!(txn instanceof LocalTransaction t) || t.manager() != this) {
            throw new IllegalArgumentException("transaction " + txn + " was not begun by this manager");
        }
        return t;
    }

    /**
     * The transaction table: every transaction that has logged a record and not yet logged its end, with its last
     * record and the next record to undo. A moment's view; for checkpoints use {@link #fuzzySnapshot}.
     */
    public List<LogRecord.ActiveTxn> transactionTable() {
        List<LogRecord.ActiveTxn> out = new ArrayList<>();
        for (LocalTransaction t : table.values()) {
            t.tableEntry().ifPresent(out::add);
        }
        out.sort(Comparator.comparingLong(LogRecord.ActiveTxn::txnId));
        return out;
    }

    /** Transactions begun and not yet ended (including those that logged nothing). */
    public int activeCount() {
        return table.size();
    }

    /**
     * A snapshot for a fuzzy checkpoint or a flush watermark, taken while transactions run. The order of the reads
     * is what makes it safe (see the class comment and {@code docs/transactions.md}); {@code dirtyPageTable} is read
     * last.
     */
    public FuzzySnapshot fuzzySnapshot(Supplier<List<LogRecord.DirtyPage>> dirtyPageTable) {
        long appended = logWriter.appendedLsn();
        long pendingFloor = pending.floor();
        List<LogRecord.ActiveTxn> tt = new ArrayList<>();
        long undoFloor = Long.MAX_VALUE;
        for (LocalTransaction t : table.values()) {
            Optional<LogRecord.ActiveTxn> e = t.tableEntry();
            if (e.isPresent()) {
                tt.add(e.get());
                undoFloor = Math.min(undoFloor, t.firstLsn());
            }
        }
        tt.sort(Comparator.comparingLong(LogRecord.ActiveTxn::txnId));
        List<LogRecord.DirtyPage> dpt = dirtyPageTable.get();
        long stable = Math.min(appended, pendingFloor);
        for (LogRecord.DirtyPage p : dpt) {
            stable = Math.min(stable, p.recLsn());
        }
        return new FuzzySnapshot(stable, Math.min(stable, undoFloor), dpt, tt);
    }

    public NextKeyLocks nextKeyLocks() {
        return nextKeyLocks;
    }

    public LockManager lockManager() {
        return lockManager;
    }

    public LogWriter logWriter() {
        return logWriter;
    }

    public PageSource pageSource() {
        return pages;
    }

    /** The epoch this manager's transaction ids and log records belong to. */
    public long epoch() {
        return epoch;
    }

    Transaction.IndexResolver indexResolver() {
        Transaction.IndexResolver r = indexes;
        if (r == null) {
            throw new IllegalStateException("no index resolver set; rollback cannot find trees");
        }
        return r;
    }

    TransactionConfig config() {
        return config;
    }

    void ended(LocalTransaction t) {
        table.remove(t.id(), t);
    }

    void countCompensation() {
        clrs.increment();
    }

    long nowMicros() {
        return clock.wallTime() * 1000;
    }

    // ------------------------------------------------------------------------------------------------ MTRs

    /** What {@link #runMtr} did: the body's value and where the MTR went in the log (empty if nothing was logged). */
    public record MtrResult<T>(T value, Optional<LogSink.LsnRange> range) {
    }

    /**
     * Runs one mini-transaction of the engine on behalf of {@code txnId} (0 for a system change: index directory,
     * space format): waits for log capacity before any latch, runs {@code body} (which fixes pages, applies ops, adds
     * records), commits the MTR, calls {@code afterAppend} (still inside the checkpoint-visible window: update the
     * transaction table there), and returns. If {@code body} throws without having changed a page the MTR is
     * abandoned and the exception propagates; if pages changed and cannot be logged the manager halts.
     */
    public <T> MtrResult<T> runMtr(long txnId, Function<MiniTransaction, T> body,
                                   java.util.function.BiConsumer<T, Optional<LogSink.LsnRange>> afterAppend) {
        requireMtrsAllowed();
        try {
            logWriter.awaitAppendCapacity(mtrBytesReserve);
        } catch (RuntimeException e) {
            throw haltIfLogStopped(e);
        }
        PendingMtrs.Token token = pending.enter();
        try {
            MiniTransaction mtr = new MiniTransaction(pages, logWriter, txnId);
            T value;
            try {
                value = body.apply(mtr);
            } catch (RuntimeException | Error e) {
                if (mtr.hasChanges()) {
                    throw halt("MTR of transaction " + txnId + " failed after changing pages", e);
                }
                abandonQuietly(mtr, e);
                throw e;
            }
            Optional<LogSink.LsnRange> range;
            try {
                range = mtr.commit();
            } catch (RuntimeException | Error e) {
                if (mtr.hasChanges()) {
                    throw halt("the log did not take an MTR of transaction " + txnId
                            + " whose page changes are already in the buffer pool", e);
                }
                if (e instanceof RuntimeException re) {
                    throw haltIfLogStopped(re);
                }
                throw e;
            }
            if (afterAppend != null) {
                afterAppend.accept(value, range);
            }
            return new MtrResult<>(value, range);
        } finally {
            pending.exit(token);
        }
    }

    private static void abandonQuietly(MiniTransaction mtr, Throwable cause) {
        try {
            mtr.abandon();
        } catch (IllegalStateException e) {
            // The body ended the MTR itself; nothing is held. Keep the body's exception as the one reported.
            cause.addSuppressed(e);
        }
    }

    /**
     * Appends a record that changes no page (Commit, Abort) as its own MTR, inside the checkpoint-visible window,
     * and calls {@code afterAppend} with its range before leaving the window.
     */
    LogSink.LsnRange appendRecord(LogRecord record, Consumer<LogSink.LsnRange> afterAppend) {
        requireMtrsAllowed();
        try {
            logWriter.awaitAppendCapacity(mtrBytesReserve);
        } catch (RuntimeException e) {
            throw haltIfLogStopped(e);
        }
        PendingMtrs.Token token = pending.enter();
        try {
            LogSink.LsnRange range;
            try {
                range = logWriter.appendMtr(List.of(record));
            } catch (RuntimeException e) {
                throw haltIfLogStopped(e);
            }
            afterAppend.accept(range);
            return range;
        } finally {
            pending.exit(token);
        }
    }

    /**
     * A stopped log writer (fenced, storage failure, closed) never takes another record: nothing this node does can
     * become durable, so it must stop serving — halt — rather than leave sessions retrying. Other failures (log
     * full: nothing appended) are returned unchanged.
     */
    private RuntimeException haltIfLogStopped(RuntimeException e) {
        if (e instanceof io.cacdb.engine.wal.LogWriterStoppedException) {
            return halt("the log writer stopped", e);
        }
        return e;
    }

    private void requireMtrsAllowed() {
        State s = state.get();
        if (s == State.HALTED) {
            throw notActive();
        }
    }

    void requireNotHalted() {
        if (state.get() == State.HALTED) {
            throw notActive();
        }
    }

    void requireState(State expected) {
        State s = state.get();
        if (s != expected) {
            if (s == State.HALTED || s == State.CLOSED) {
                throw notActive();
            }
            throw new NotActiveException(s.name());
        }
    }

    private NotActiveException notActive() {
        NotActiveException e = new NotActiveException(state.get().name());
        Throwable cause = haltCause.get();
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /**
     * Halts the manager: nothing more is accepted, the halt listener runs once. Returns the exception the failing
     * call must throw.
     */
    EngineHaltedException halt(String why, Throwable cause) {
        EngineHaltedException e = new EngineHaltedException(why, cause);
        if (haltCause.compareAndSet(null, e)) {
            state.set(State.HALTED);
            log.error("engine halted: {}", why, cause);
            cancelLockWaits();
            try {
                haltListener.accept(e);
            } catch (RuntimeException listenerFailure) {
                e.addSuppressed(listenerFailure);
                log.error("halt listener failed", listenerFailure);
            }
        }
        return e;
    }

    /**
     * Ends every lock wait of a running transaction with {@code QueryCancelledException}, so that sessions blocked on
     * a lock learn at once that the engine no longer serves (they could otherwise wait for holders that will never
     * finish).
     */
    public void cancelLockWaits() {
        for (Long id : table.keySet()) {
            lockManager.cancel(id);
        }
    }

    /** Why the manager halted, if it did. */
    public Optional<Throwable> haltCause() {
        return Optional.ofNullable(haltCause.get());
    }
}
