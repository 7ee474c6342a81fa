package io.cacdb.engine.wal;

import java.util.Objects;

/**
 * Where a log writer continues: the durable end of the log (an MTR boundary) and the bytes of its block before it,
 * which the first write of a new writer must carry again because a log block write always holds the block's whole
 * used prefix. Found by {@link LogEnd}; {@link #EMPTY} for a fresh volume.
 *
 * @param endLsn               the end of the last complete MTR: the next record goes here
 * @param tailBlockPrefix      stream bytes {@code [blockStart(endLsn), endLsn)}
 * @param tailFirstRecordOffset offset of the first record starting in the prefix, or {@link LogBlock#NO_RECORD_START}
 */
public record LogTail(long endLsn, byte[] tailBlockPrefix, int tailFirstRecordOffset) {

    public static final LogTail EMPTY = new LogTail(0, new byte[0], LogBlock.NO_RECORD_START);

    public LogTail {
        Objects.requireNonNull(tailBlockPrefix, "tailBlockPrefix");
        if (endLsn < 0 || tailBlockPrefix.length != LogBlock.offsetOf(endLsn)) {
            throw new IllegalArgumentException("tail prefix of " + tailBlockPrefix.length + " bytes does not end at LSN "
                    + endLsn + " (offset " + LogBlock.offsetOf(endLsn) + " in its block)");
        }
        if (tailFirstRecordOffset != LogBlock.NO_RECORD_START
                && (tailFirstRecordOffset < 0 || tailFirstRecordOffset >= tailBlockPrefix.length)) {
            throw new IllegalArgumentException("tail first-record offset " + tailFirstRecordOffset
                    + " outside the prefix of " + tailBlockPrefix.length + " bytes");
        }
    }
}
