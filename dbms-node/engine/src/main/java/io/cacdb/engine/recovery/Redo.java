package io.cacdb.engine.recovery;

import io.cacdb.engine.bufferpool.PageNotFoundException;
import io.cacdb.engine.mtr.LatchMode;
import io.cacdb.engine.mtr.PageRef;
import io.cacdb.engine.mtr.PageSource;
import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.wal.LogRecord;
import io.cacdb.engine.wal.LoggedRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Redo of whole mini-transactions onto pages: the one function crash recovery, the standby's replay and takeover
 * share ({@code docs/wal-format.md}).
 *
 * <p>For each page an MTR changes, in the order the MTR first touches them: fix the page EXCLUSIVE, apply the MTR's
 * ops on it only if {@code pageLSN < endLsn} of the MTR (the pageLSN test, once per page and MTR: all of an MTR's
 * changes to a page or none), then {@link PageRef#markChanged markChanged(startLsn, endLsn)}, which sets pageLSN =
 * endLsn and makes the page dirty with recLSN = startLsn. A page storage has never seen is fixed with
 * {@link PageSource#fixForRedoInit} when the MTR's first op on it is an {@link PageOps.InitPage} (which rebuilds it
 * from zeroes; an image a concurrent prefetch brought in meanwhile is kept and goes through the pageLSN test); any other
 * op on a missing page means the log and storage disagree and fails.
 *
 * <p>One page is latched at a time, so replay cannot deadlock with readers that latch in tree order; the price is
 * that a reader running concurrently with replay (the standby serving reads) could see one page of an MTR before
 * another — readers that need MTR atomicity must coordinate above this class. Crash recovery runs it alone.
 *
 * <p>Thread-safe as far as the page source is; stateless apart from counters. Not idempotent by accident but by the
 * pageLSN test: applying an MTR twice changes nothing the second time.
 */
public final class Redo {

    private final PageSource pages;
    private long mtrsApplied;
    private long pageChangesApplied;
    private long pageChangesSkipped;

    public Redo(PageSource pages) {
        this.pages = Objects.requireNonNull(pages, "pages");
    }

    /**
     * Applies one whole MTR, given as the records the log reader returned for it (in log order, the last one flagged
     * as the MTR's end). Returns how many pages it changed.
     */
    public int apply(List<LoggedRecord> mtr) {
        if (mtr.isEmpty()) {
            throw new IllegalArgumentException("an MTR has at least one record");
        }
        LoggedRecord last = mtr.getLast();
        if (!last.mtrEnd()) {
            throw new IllegalArgumentException("the last record at LSN " + last.lsn() + " does not end its MTR");
        }
        List<LogRecord> records = new ArrayList<>(mtr.size());
        for (LoggedRecord r : mtr) {
            records.add(r.record());
        }
        return apply(mtr.getFirst().lsn(), last.endLsn(), records);
    }

    /** Applies the records of the MTR occupying {@code [startLsn, endLsn)}. Returns how many pages it changed. */
    public int apply(long startLsn, long endLsn, List<LogRecord> records) {
        if (endLsn <= startLsn) {
            throw new IllegalArgumentException("empty MTR range [" + startLsn + ", " + endLsn + ")");
        }
        Map<Long, List<LogRecord.PageRedo>> byPage = new LinkedHashMap<>();
        for (LogRecord r : records) {
            if (r instanceof LogRecord.PageRedo redo) {
                byPage.computeIfAbsent(redo.pageNo(), n -> new ArrayList<>()).add(redo);
            }
        }
        int changed = 0;
        for (Map.Entry<Long, List<LogRecord.PageRedo>> e : byPage.entrySet()) {
            if (applyToPage(e.getKey(), e.getValue(), startLsn, endLsn)) {
                changed++;
                pageChangesApplied++;
            } else {
                pageChangesSkipped++;
            }
        }
        mtrsApplied++;
        return changed;
    }

    private boolean applyToPage(long pageNo, List<LogRecord.PageRedo> ops, long startLsn, long endLsn) {
        PageRef page;
        try {
            page = pages.fix(pageNo, LatchMode.EXCLUSIVE);
        } catch (PageNotFoundException e) {
            if (!(ops.getFirst().op() instanceof PageOps.InitPage)) {
                throw new IllegalStateException("redo of the MTR ending at LSN " + endLsn + " changes page " + pageNo
                        + " with " + ops.getFirst().op().getClass().getSimpleName()
                        + ", but storage has no such page and the MTR does not initialise it", e);
            }
            page = pages.fixForRedoInit(pageNo);
        }
        try {
            byte[] bytes = page.bytes();
            long pageLsn = PageFormat.pageLsn(bytes);
            if (pageLsn >= endLsn) {
                return false;
            }
            for (LogRecord.PageRedo op : ops) {
                op.op().apply(bytes);
            }
            page.markChanged(startLsn, endLsn);
            return true;
        } finally {
            page.release();
        }
    }

    /** MTRs passed to {@link #apply} so far. */
    public long mtrsApplied() {
        return mtrsApplied;
    }

    /** (page, MTR) pairs whose changes were applied. */
    public long pageChangesApplied() {
        return pageChangesApplied;
    }

    /** (page, MTR) pairs skipped by the pageLSN test (the page already had the change). */
    public long pageChangesSkipped() {
        return pageChangesSkipped;
    }
}
