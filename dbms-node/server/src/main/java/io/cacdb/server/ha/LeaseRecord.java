package io.cacdb.server.ha;

import java.util.Objects;

/**
 * The active's lease as stored in META block 2: who holds it, at which epoch, where its HA port is (the standby dials
 * it for heartbeats), how long one renewal lasts, and whether the holder gave it up on a graceful stop. The renewal
 * sequence is the META version ({@link LeaseStore.Stored#sequence()}): a standby sees a renewal as a new sequence.
 *
 * @param holder        the node name of the active
 * @param epoch         the epoch the holder writes at (the lease is written at that epoch, so a fenced holder cannot
 *                      renew)
 * @param haEndpoint    {@code host:port} of the holder's HA port, or empty when it has none
 * @param durationMillis how long one renewal lasts, as the holder was configured (informational: every node uses its
 *                      own configured duration)
 * @param released      the holder stopped serving on purpose (graceful stop): a standby need not wait for it to run out
 */
public record LeaseRecord(String holder, long epoch, String haEndpoint, int durationMillis, boolean released) {

    /** Node names are at most 64 characters ({@code NodeConfig}); host:port at most 255 bytes. */
    static final int TEXT_BYTES_MAX = 255;

    public LeaseRecord {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(haEndpoint, "haEndpoint");
        if (holder.isEmpty()) {
            throw new IllegalArgumentException("lease holder must not be empty");
        }
        if (epoch < 1) {
            throw new IllegalArgumentException("lease epoch must be >= 1, was " + epoch);
        }
        if (durationMillis < 1) {
            throw new IllegalArgumentException("lease duration must be >= 1 ms, was " + durationMillis);
        }
    }

    public LeaseRecord releasedCopy() {
        return new LeaseRecord(holder, epoch, haEndpoint, durationMillis, true);
    }
}
