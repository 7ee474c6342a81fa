package io.cacdb.dax.server;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.store.VolumeRecord;
import io.cacdb.dax.wire.DaxResponse.WriteOutcome;
import io.cacdb.dax.wire.Status;
import java.util.function.Supplier;

/**
 * The decision table of a conditional WRITE, as a pure function so each row can be read and tested on its own.
 * Rows are checked top to bottom; the first that matches decides:
 *
 * <pre>
 * volume unknown                                   → refuse UNKNOWN_VOLUME
 * writer epoch &lt; fenced epoch                      → refuse STALE_EPOCH (detail = fenced epoch)
 * payload does not match its crc                   → refuse CHECKSUM_MISMATCH
 * blockNo &lt; truncation point of its space          → refuse BELOW_TRUNCATION (detail = truncation point)
 * nothing stored                                   → store, APPLIED
 * sent version &gt; stored                             → store, APPLIED
 * sent version &lt; stored                             → keep, SUPERSEDED (stored version)
 * equal version, equal bytes                       → keep, ALREADY_PRESENT
 * equal version, stored copy fails its checksum    → store (repair), APPLIED
 * equal version, different bytes                   → refuse VERSION_CONFLICT
 * </pre>
 *
 * A lower version never replaces a stored block, even a damaged one: the invariant "a replica never replaces a
 * block by a lower version" holds without exceptions, and a damaged copy is answered CORRUPT_BLOCK on read, so
 * readers repair it with the newest version.
 */
final class WriteRules {

    private WriteRules() {
    }

    /** What a WRITE does. */
    sealed interface Decision {
    }

    /** Store the sent block and answer APPLIED. */
    record Store() implements Decision {
    }

    /** Store nothing and answer success with this outcome and stored version. */
    record Keep(WriteOutcome outcome, Version storedVersion) implements Decision {
    }

    /** Store nothing and answer this error. */
    record Refuse(Status status, long detail, String message) implements Decision {
    }

    static final Store STORE = new Store();

    /**
     * @param volume the volume's current record (including earlier entries of the same batch), null if unknown
     * @param stored looks up the currently stored copy (null if none); called only when the earlier rows pass
     */
    static Decision decide(VolumeRecord volume, long writerEpoch, Block sent, Supplier<Block> stored) {
        if (volume == null) {
            return new Refuse(Status.UNKNOWN_VOLUME, 0, "volume " + sent.address().volume() + " is not known here");
        }
        if (writerEpoch < volume.fencedEpoch()) {
            return new Refuse(Status.STALE_EPOCH, volume.fencedEpoch(), "writer epoch " + writerEpoch
                    + " is below the fenced epoch " + volume.fencedEpoch() + " of volume " + volume.volume());
        }
        if (!sent.checksumValid()) {
            return new Refuse(Status.CHECKSUM_MISMATCH, 0, "payload of " + sent.address() + " does not match crc32c "
                    + Integer.toHexString(sent.crc32c()));
        }
        long truncation = volume.truncation(sent.address().space());
        if (sent.address().blockNo() < truncation) {
            return new Refuse(Status.BELOW_TRUNCATION, truncation, sent.address() + " is below the truncation point "
                    + truncation);
        }
        Block current = stored.get();
        if (current == null) {
            return STORE;
        }
        int c = sent.version().compareTo(current.version());
        if (c > 0) {
            return STORE;
        }
        if (c < 0) {
            return new Keep(WriteOutcome.SUPERSEDED, current.version());
        }
        if (current.sameContentAs(sent)) {
            return new Keep(WriteOutcome.ALREADY_PRESENT, current.version());
        }
        if (!current.checksumValid()) {
            return STORE;
        }
        return new Refuse(Status.VERSION_CONFLICT, 0, sent.address() + " version " + sent.version()
                + " is stored with different bytes");
    }
}
