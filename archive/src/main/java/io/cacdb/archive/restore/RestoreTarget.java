package io.cacdb.archive.restore;

/** Where a point-in-time restore stops. */
public sealed interface RestoreTarget {

    /** Everything committed in a mini-transaction that ends at or before {@code lsn}. */
    record ToLsn(long lsn) implements RestoreTarget {
        public ToLsn {
            if (lsn < 0) {
                throw new IllegalArgumentException("target LSN must be >= 0, was " + lsn);
            }
        }
    }

    /** Every transaction whose commit time (the active's wall clock, microseconds) is at or before {@code micros}. */
    record ToTime(long micros) implements RestoreTarget {
    }
}
