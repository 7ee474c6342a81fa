package io.cacdb.engine.mtr;

import io.cacdb.engine.page.PageFormat;
import io.cacdb.engine.page.PageOp;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.wal.LogRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Redo for tests, by the rules of {@code docs/wal-format.md}: applies each MTR's page changes to a page only if the
 * page's pageLSN is below the MTR's end LSN, then sets pageLSN to that end LSN. Pages not in the map start as
 * zeroes. Every op goes through its encoding and {@link PageOps#decode} first, so what is replayed is what the log
 * would hold.
 */
public final class MtrReplayer {

    private MtrReplayer() {
    }

    /** Replays {@code mtrs} in order onto {@code pages}; returns how many page changes were applied. */
    public static int replay(List<ListLogSink.LoggedMtr> mtrs, Map<Long, byte[]> pages) {
        int applied = 0;
        for (ListLogSink.LoggedMtr mtr : mtrs) {
            // The pageLSN test is taken once per page and MTR: all of an MTR's changes to a page, or none.
            Set<Long> eligible = new HashSet<>();
            Set<Long> refused = new HashSet<>();
            List<Long> touched = new ArrayList<>();
            for (LogRecord r : mtr.records()) {
                if (!(r instanceof LogRecord.PageRedo redo)) {
                    continue;
                }
                long pageNo = redo.pageNo();
                byte[] page = pages.computeIfAbsent(pageNo, n -> new byte[PageFormat.PAGE_SIZE_BYTES]);
                if (!eligible.contains(pageNo) && !refused.contains(pageNo)) {
                    if (PageFormat.pageLsn(page) < mtr.endLsn()) {
                        eligible.add(pageNo);
                        touched.add(pageNo);
                    } else {
                        refused.add(pageNo);
                    }
                }
                if (eligible.contains(pageNo)) {
                    roundTrip(redo.op()).apply(page);
                    applied++;
                }
            }
            for (long pageNo : touched) {
                PageFormat.setPageLsn(pages.get(pageNo), mtr.endLsn());
            }
        }
        return applied;
    }

    /** The op as the log would give it back. */
    public static PageOp roundTrip(PageOp op) {
        ByteBuffer buf = ByteBuffer.allocate(op.encodedSize());
        op.encode(buf);
        if (buf.hasRemaining()) {
            throw new IllegalStateException(op.getClass().getSimpleName() + " encoded " + buf.position()
                    + " bytes, declared " + op.encodedSize());
        }
        buf.flip();
        return PageOps.decode(op.code(), buf);
    }
}
