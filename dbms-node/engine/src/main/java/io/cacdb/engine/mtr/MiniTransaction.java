package io.cacdb.engine.mtr;

import io.cacdb.engine.page.PageOp;
import io.cacdb.engine.wal.LogRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A mini-transaction: a group of page changes that reach the log together and become visible together.
 *
 * <p>Design note. Pages are fixed through a {@link PageSource} and stay latched until {@link #commit()} or
 * {@link #abandon()}; a page this MTR has not changed may be released early ({@link #release}) for latch coupling.
 * {@link #apply} changes an EXCLUSIVE-fixed page at once (so later steps of the same MTR see the change) and
 * remembers a {@link LogRecord.PageRedo}. At commit the records go to the {@link LogSink} as one contiguous run —
 * logical records ({@link LogRecord.Undo}, {@link LogRecord.Compensation}, ...) first, in the order they were added,
 * then the page redo records in the order the changes were made — <em>while the latches are still held</em>, so the
 * log order of the changes to any one page is the order in which they were made. Then every changed page gets
 * pageLSN = the MTR's end LSN (and becomes dirty with recLSN = its start LSN), and only then are the latches
 * released: nobody can see a change before its log record has an LSN.
 *
 * <p>Rules (violations are programmer errors and throw {@link IllegalStateException}): a page is fixed at most once
 * (fixing it again in the same or a weaker mode returns the same ref; upgrading SHARED to EXCLUSIVE is refused
 * because it could deadlock); ops only on EXCLUSIVE pages of this MTR; a changed page cannot be released early; a
 * MTR with changes cannot be abandoned; nothing is allowed after commit or abandon.
 *
 * <p>Not thread-safe: an MTR belongs to one thread, like the latches it holds.
 */
public final class MiniTransaction {

    private enum State {
        ACTIVE,
        COMMITTED,
        ABANDONED
    }

    private final PageSource pages;
    private final LogSink log;
    private final long txnId;
    private final Map<Long, Fixed> fixed = new LinkedHashMap<>();
    private final List<LogRecord> logical = new ArrayList<>();
    private final List<LogRecord> redo = new ArrayList<>();
    private State state = State.ACTIVE;

    private static final class Fixed {
        final PageRef ref;
        boolean changed;

        Fixed(PageRef ref) {
            this.ref = ref;
        }
    }

    /** A system MTR (page redo records carry transaction id 0). */
    public MiniTransaction(PageSource pages, LogSink log) {
        this(pages, log, 0);
    }

    /** An MTR on behalf of transaction {@code txnId}: its page redo records carry that id. */
    public MiniTransaction(PageSource pages, LogSink log, long txnId) {
        this.pages = Objects.requireNonNull(pages, "pages");
        this.log = Objects.requireNonNull(log, "log");
        this.txnId = txnId;
    }

    public long txnId() {
        return txnId;
    }

    /** Where this MTR fixes its pages. */
    public PageSource pageSource() {
        return pages;
    }

    /** Fixes a page (or returns this MTR's existing ref if it already holds it in a sufficient mode). */
    public PageRef fix(long pageNo, LatchMode mode) {
        checkActive();
        Fixed f = fixed.get(pageNo);
        if (f != null) {
            if (mode == LatchMode.EXCLUSIVE && f.ref.mode() != LatchMode.EXCLUSIVE) {
                throw new IllegalStateException("page " + pageNo + " is fixed SHARED in this MTR; upgrading to"
                        + " EXCLUSIVE could deadlock");
            }
            return f.ref;
        }
        PageRef ref = pages.fix(pageNo, mode);
        fixed.put(pageNo, new Fixed(ref));
        return ref;
    }

    /** Fixes a newly allocated page EXCLUSIVE without reading it (frame of zeroes); the caller initialises it. */
    public PageRef fixNew(long pageNo) {
        checkActive();
        if (fixed.containsKey(pageNo)) {
            throw new IllegalStateException("page " + pageNo + " is already fixed in this MTR; it cannot be new");
        }
        PageRef ref = pages.fixNew(pageNo);
        fixed.put(pageNo, new Fixed(ref));
        return ref;
    }

    /** Whether this MTR holds the page. */
    public boolean holds(long pageNo) {
        return fixed.containsKey(pageNo);
    }

    /** Number of pages this MTR holds. */
    public int fixedCount() {
        return fixed.size();
    }

    /** Whether this MTR has changed any page. */
    public boolean hasChanges() {
        return !redo.isEmpty();
    }

    /** Applies {@code op} to an EXCLUSIVE-fixed page of this MTR now and logs it at commit. */
    public void apply(PageRef page, PageOp op) {
        checkActive();
        Fixed f = fixed.get(page.pageNo());
        if (f == null || f.ref != page) {
            throw new IllegalStateException("page " + page.pageNo() + " is not fixed in this MTR");
        }
        if (page.mode() != LatchMode.EXCLUSIVE) {
            throw new IllegalStateException("page " + page.pageNo() + " is fixed " + page.mode()
                    + "; changes need EXCLUSIVE");
        }
        op.apply(page.bytes());
        f.changed = true;
        redo.add(new LogRecord.PageRedo(txnId, page.pageNo(), op));
    }

    /**
     * Adds a record that is not a page change (Undo, Compensation, Commit, ...). It precedes every page redo record
     * of this MTR in the log, so a transaction's Undo or Compensation record is the MTR's first and its LSN is the
     * MTR's start LSN.
     */
    public void addRecord(LogRecord record) {
        checkActive();
        if (record instanceof LogRecord.PageRedo) {
            throw new IllegalStateException("page redo records are made by apply(), not added: " + record);
        }
        logical.add(Objects.requireNonNull(record, "record"));
    }

    /** Releases a page this MTR has not changed (latch coupling). Releasing a changed page is refused. */
    public void release(PageRef page) {
        checkActive();
        Fixed f = fixed.get(page.pageNo());
        if (f == null || f.ref != page) {
            throw new IllegalStateException("page " + page.pageNo() + " is not fixed in this MTR");
        }
        if (f.changed) {
            throw new IllegalStateException("page " + page.pageNo() + " was changed by this MTR; it stays latched"
                    + " until commit");
        }
        fixed.remove(page.pageNo());
        page.release();
    }

    /**
     * Appends the records (if any) while holding the latches, stamps every changed page with the MTR's LSN range,
     * then releases all pages. Returns the range, or empty if there was nothing to log. Does not wait for
     * durability: the transaction layer waits for the durable LSN where it must (commit).
     */
    public Optional<LogSink.LsnRange> commit() {
        checkActive();
        state = State.COMMITTED;
        try {
            if (logical.isEmpty() && redo.isEmpty()) {
                return Optional.empty();
            }
            List<LogRecord> records = new ArrayList<>(logical.size() + redo.size());
            records.addAll(logical);
            records.addAll(redo);
            LogSink.LsnRange range = log.appendMtr(records);
            for (Fixed f : fixed.values()) {
                if (f.changed) {
                    f.ref.markChanged(range.startLsn(), range.endLsn());
                }
            }
            return Optional.of(range);
        } finally {
            releaseAll();
        }
    }

    /** Ends an MTR that changed no page: drops any logical records, releases the pages, logs nothing. */
    public void abandon() {
        checkActive();
        if (!redo.isEmpty()) {
            throw new IllegalStateException("MTR changed " + redo.size() + " page(s); it must commit, not abandon");
        }
        state = State.ABANDONED;
        releaseAll();
    }

    private void releaseAll() {
        for (Fixed f : fixed.values()) {
            f.ref.release();
        }
        fixed.clear();
    }

    private void checkActive() {
        if (state != State.ACTIVE) {
            throw new IllegalStateException("MTR is " + state);
        }
    }
}
