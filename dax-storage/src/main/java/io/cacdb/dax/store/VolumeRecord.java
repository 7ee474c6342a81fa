package io.cacdb.dax.store;

import io.cacdb.dax.block.Space;

/**
 * The durable control state of one volume on one server: its fenced epoch and the truncation point of each space.
 * Immutable; a change makes a new record. Both values only ever grow (checked by {@link #withFencedEpoch} and
 * {@link #withTruncation}).
 */
public record VolumeRecord(long volume, long fencedEpoch, long pageTruncation, long logTruncation, long metaTruncation) {

    public VolumeRecord {
        if (volume < 0 || fencedEpoch < 0 || pageTruncation < 0 || logTruncation < 0 || metaTruncation < 0) {
            throw new IllegalArgumentException("volume record fields must be >= 0: volume=" + volume + " epoch="
                    + fencedEpoch + " truncation=" + pageTruncation + "/" + logTruncation + "/" + metaTruncation);
        }
    }

    /** A freshly created volume: epoch 0, nothing truncated. */
    public static VolumeRecord created(long volume) {
        return new VolumeRecord(volume, 0, 0, 0, 0);
    }

    public long truncation(Space space) {
        return switch (space) {
            case PAGE -> pageTruncation;
            case LOG -> logTruncation;
            case META -> metaTruncation;
        };
    }

    public VolumeRecord withFencedEpoch(long epoch) {
        if (epoch < fencedEpoch) {
            throw new IllegalStateException("fenced epoch of volume " + volume + " would go back from " + fencedEpoch
                    + " to " + epoch);
        }
        return new VolumeRecord(volume, epoch, pageTruncation, logTruncation, metaTruncation);
    }

    public VolumeRecord withTruncation(Space space, long blockNo) {
        long old = truncation(space);
        if (blockNo < old) {
            throw new IllegalStateException("truncation point of volume " + volume + " " + space + " would go back from "
                    + old + " to " + blockNo);
        }
        return switch (space) {
            case PAGE -> new VolumeRecord(volume, fencedEpoch, blockNo, logTruncation, metaTruncation);
            case LOG -> new VolumeRecord(volume, fencedEpoch, pageTruncation, blockNo, metaTruncation);
            case META -> new VolumeRecord(volume, fencedEpoch, pageTruncation, logTruncation, blockNo);
        };
    }
}
