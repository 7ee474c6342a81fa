package io.cacdb.server.ha;

import io.cacdb.engine.volume.VolumeReader;
import io.micrometer.core.instrument.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whether another node holds a live lease on the volume, asked by a node that wants to become active at start-up:
 * the lease is read at quorum; none stored, or released, is not live; otherwise it is watched for longer than a lease
 * (reads every poll interval) and is live if its sequence moves — someone renews it. A stale lease costs one lease
 * duration of waiting; a graceful stop releases it so that the next start does not wait.
 */
public final class LeaseProbe {

    private LeaseProbe() {
    }

    /**
     * The live lease, or empty.
     *
     * @throws LeaseException if the lease cannot be read
     */
    public static Optional<LeaseRecord> liveLease(VolumeReader reader, HaConfig config, Clock clock) {
        Optional<LeaseStore.Stored> first = ActiveLease.await(LeaseStore.read(reader), config.storageStepTimeout(),
                "reading the lease");
        if (first.isEmpty() || first.get().lease().released()) {
            return Optional.empty();
        }
        long start = clock.monotonicTime();
        long watch = config.leaseDuration().plus(config.leasePollInterval()).toNanos();
        ReentrantLock lock = new ReentrantLock();
        Condition never = lock.newCondition();
        while (clock.monotonicTime() - start <= watch) {
            lock.lock();
            try {
                never.awaitNanos(config.leasePollInterval().toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LeaseException("interrupted while watching the lease", e);
            } finally {
                lock.unlock();
            }
            Optional<LeaseStore.Stored> now = ActiveLease.await(LeaseStore.read(reader), config.storageStepTimeout(),
                    "reading the lease");
            // only a higher sequence is a renewal: a lower one is a read quorum without a minority-written renewal
            if (now.isPresent() && now.get().sequence() > first.get().sequence()) {
                return now.get().lease().released() ? Optional.empty() : Optional.of(now.get().lease());
            }
        }
        return Optional.empty();
    }

    /** How long {@link #liveLease} watches a lease that is stored and not released. */
    public static Duration watchTime(HaConfig config) {
        return config.leaseDuration().plus(config.leasePollInterval());
    }
}
