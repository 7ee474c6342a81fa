package io.cacdb.replay;

/**
 * Where a standby starts reading the log.
 * <ul>
 *   <li>{@link LatestCheckpoint}: the redo start of the checkpoint named by META (LSN 0 on a volume that has none):
 *       the usual start, and the only one after which the transaction table is exact from the first record (the
 *       checkpoint's own table supplies the transactions that began earlier);</li>
 *   <li>{@link AtLsn}: a given LSN, an MTR boundary (a re-attach after a short pause, tests). Transactions that
 *       began before it are unknown to the table unless it is 0.</li>
 * </ul>
 */
public sealed interface StartPoint permits StartPoint.LatestCheckpoint, StartPoint.AtLsn {

    record LatestCheckpoint() implements StartPoint {
    }

    record AtLsn(long lsn) implements StartPoint {
        public AtLsn {
            if (lsn < 0) {
                throw new IllegalArgumentException("start LSN must be >= 0, was " + lsn);
            }
        }
    }

    static StartPoint latestCheckpoint() {
        return new LatestCheckpoint();
    }

    static StartPoint at(long lsn) {
        return new AtLsn(lsn);
    }
}
