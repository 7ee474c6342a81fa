package io.cacdb.engine.wal;

import java.util.ArrayList;
import java.util.List;

/**
 * Which epoch owns which part of the log: entry {@code (epoch, startLsn)} says that from {@code startLsn} on the log
 * was written by {@code epoch} (until the next entry's start). Takeover appends an entry at the durable end it found
 * and stores the history in META block 1. It is what makes a stale tail void: bytes at or above the start of any
 * epoch newer than the block's own epoch were never part of the log, whatever a replica still holds. Immutable.
 */
public record EpochHistory(List<Entry> entries) {

    /** The log belongs to {@code epoch} from {@code startLsn} on. */
    public record Entry(long epoch, long startLsn) {
        public Entry {
            if (epoch < 0 || startLsn < 0) {
                throw new IllegalArgumentException("epoch " + epoch + " and startLsn " + startLsn + " must be >= 0");
            }
        }
    }

    /** No takeover yet: every block is valid at its own epoch. */
    public static final EpochHistory EMPTY = new EpochHistory(List.of());

    public EpochHistory {
        entries = List.copyOf(entries);
        for (int i = 1; i < entries.size(); i++) {
            Entry prev = entries.get(i - 1);
            Entry cur = entries.get(i);
            if (cur.epoch() <= prev.epoch() || cur.startLsn() < prev.startLsn()) {
                throw new IllegalArgumentException("epoch history must have increasing epochs and non-decreasing "
                        + "start LSNs: " + prev + " then " + cur);
            }
        }
    }

    /** This history with {@code (epoch, startLsn)} added; the epoch must be newer and start no earlier. */
    public EpochHistory with(long epoch, long startLsn) {
        List<Entry> next = new ArrayList<>(entries);
        next.add(new Entry(epoch, startLsn));
        return new EpochHistory(next);
    }

    /** The newest epoch in the history, 0 if empty. */
    public long latestEpoch() {
        return entries.isEmpty() ? 0 : entries.getLast().epoch();
    }

    /**
     * The first LSN at which bytes written under {@code blockEpoch} are void: the start of the oldest epoch newer than
     * it, or {@link Long#MAX_VALUE} if there is none.
     */
    public long voidFrom(long blockEpoch) {
        for (Entry e : entries) {
            if (e.epoch() > blockEpoch) {
                return e.startLsn();
            }
        }
        return Long.MAX_VALUE;
    }
}
