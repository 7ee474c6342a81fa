package io.cacdb.engine.txn;

import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Mini-transactions between "about to append" and "pages stamped and transaction table updated": the window in which
 * a change is in the log (or about to be) but not yet visible in the buffer pool's dirty-page table or in the
 * transaction table. A fuzzy checkpoint or a flush watermark must not claim anything about LSNs such an MTR may
 * occupy, so each one registers a floor first — the appended end of the log when it registers, which is at most its
 * start LSN since the append comes later, and always an MTR boundary — and {@link #floor()} is the lowest floor
 * registered.
 *
 * <p>Thread-safe, lock-free: one skip-list insert and remove per MTR.
 */
final class PendingMtrs {

    /** One registered MTR; ordered by floor, then by a sequence number that makes tokens distinct. */
    record Token(long floorLsn, long seq) implements Comparable<Token> {
        @Override
        public int compareTo(Token o) {
            int c = Long.compare(floorLsn, o.floorLsn);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private static final Token LOWEST = new Token(Long.MIN_VALUE, Long.MIN_VALUE);

    private final ConcurrentSkipListSet<Token> pending = new ConcurrentSkipListSet<>();
    private final AtomicLong seq = new AtomicLong();
    private final LongSupplier appendedLsn;

    PendingMtrs(LongSupplier appendedLsn) {
        this.appendedLsn = appendedLsn;
    }

    Token enter() {
        Token t = new Token(appendedLsn.getAsLong(), seq.incrementAndGet());
        pending.add(t);
        return t;
    }

    void exit(Token t) {
        if (!pending.remove(t)) {
            throw new IllegalStateException("MTR token " + t + " exited twice or never entered");
        }
    }

    /** The lowest floor of a registered MTR, or {@link Long#MAX_VALUE} if none is in its window. */
    long floor() {
        Token first = pending.ceiling(LOWEST);
        return first == null ? Long.MAX_VALUE : first.floorLsn();
    }

    int size() {
        return pending.size();
    }
}
