package io.cacdb.server.ha;

import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.StaleEpochException;
import io.cacdb.engine.volume.DaxVolume;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.volume.VolumeWriter;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a takeover needs from the storage tier: a reader, fencing, and a writer at the fenced epoch. {@link #dax} is
 * the real one; tests give a memory volume that fences like DAX.
 */
public interface TakeoverStorage {

    long volume();

    VolumeReader reader();

    /**
     * Fences the volume to at least {@code epoch} so that no write of an older epoch can complete any more, claims that
     * epoch for this node ({@link EpochClaim}), and returns the epoch fenced to (higher than asked if a server reports a
     * higher fence already).
     *
     * @throws EpochClaim.EpochClaimedException when another node claimed the epoch first: this node must not take over
     */
    long fence(long epoch, Duration timeout);

    /** A writer at {@code epoch}, which {@link #fence} has fenced to. */
    VolumeWriter writer(long epoch);

    /**
     * The DAX volume {@code volume} through {@code client}, for node {@code node} (the claimant of its epochs);
     * {@code claimedFloor} is the highest epoch this node saw claimed by another (0: none): it fences above it, since a
     * claimant that died before storing its epoch in the history would otherwise be met at the same epoch forever.
     */
    static TakeoverStorage dax(DaxClient client, long volume, String node, LongSupplier claimedFloor) {
        return new TakeoverStorage() {
            private static final Logger log = LoggerFactory.getLogger(TakeoverStorage.class);
            /** Attempts when servers report higher fences: each retry jumps past the highest one reported. */
            private static final int FENCE_ATTEMPTS_MAX = 5;

            @Override
            public long volume() {
                return volume;
            }

            @Override
            public VolumeReader reader() {
                return DaxVolume.reader(client, volume);
            }

            @Override
            public long fence(long epoch, Duration timeout) {
                long e = Math.max(epoch, claimedFloor.getAsLong() + 1);
                for (int attempt = 1; ; attempt++) {
                    try {
                        long fenced = ActiveLease.await(client.fence(volume, e), timeout, "fencing volume " + volume
                                + " to epoch " + e).longValue();
                        EpochClaim.claim(DaxVolume.writer(client, volume, fenced), node, timeout);
                        return fenced;
                    } catch (LeaseException failure) {
                        if (!(failure.getCause() instanceof StaleEpochException stale) || attempt >= FENCE_ATTEMPTS_MAX) {
                            throw failure;
                        }
                        log.info("volume {} is already fenced at epoch {}; fencing above it", volume,
                                stale.currentEpoch());
                        e = Math.max(e, stale.currentEpoch()) + 1;
                    }
                }
            }

            @Override
            public VolumeWriter writer(long epoch) {
                return DaxVolume.writer(client, volume, epoch);
            }
        };
    }
}
