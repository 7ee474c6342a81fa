package io.cacdb.server.ha;

import io.cacdb.dax.cluster.NodeInfo;
import io.cacdb.engine.volume.VolumeReader;
import io.micrometer.core.instrument.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standby's failure detection loop: every {@code leasePollInterval} it reads the lease at quorum and feeds the
 * {@link FailureDetector} (heartbeats come from the {@link HaClient}), points the HA client at the lease holder's HA
 * port, and once the verdict says take over, stops and calls the {@link Promotion} from its own thread.
 *
 * <p>{@link #confirmAfterFence} is the takeover's lease check: after fencing, a renewal the standby had not seen
 * (sent before the fence completed) makes it wait until that renewal's lease is surely over.
 *
 * <p>Threads: one platform thread ({@code ha-monitor}); {@link #heartbeat} from the HA client's thread; the detector
 * is guarded by a lock.
 */
public final class StandbyMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StandbyMonitor.class);

    /** Called once, from the monitor's thread, when the verdict says take over. */
    @FunctionalInterface
    public interface Promotion {
        void takeOver(FailureDetector.Verdict verdict, Optional<LeaseRecord> lastLease);
    }

    private final String node;
    private final VolumeReader reader;
    private final HaConfig config;
    private final Clock clock;
    private final HaClient client;
    private final Promotion promotion;
    private final Runnable everyPoll;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final FailureDetector detector;
    private final Thread thread;
    // Guarded by lock.
    private FailureDetector.Verdict verdict = FailureDetector.Verdict.STORAGE_UNREACHABLE;
    private boolean stopped;
    private long leaseReadFailures;

    public StandbyMonitor(String node, VolumeReader reader, HaConfig config, Clock clock, HaClient client,
                          Promotion promotion) {
        this(node, reader, config, clock, client, promotion, () -> { });
    }

    /** @param everyPoll run on the monitor's thread after every lease read (the node checks its replayer there) */
    public StandbyMonitor(String node, VolumeReader reader, HaConfig config, Clock clock, HaClient client,
                          Promotion promotion, Runnable everyPoll) {
        this.node = Objects.requireNonNull(node, "node");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.client = client;
        this.promotion = Objects.requireNonNull(promotion, "promotion");
        this.everyPoll = Objects.requireNonNull(everyPoll, "everyPoll");
        this.detector = new FailureDetector(config, clock.monotonicTime());
        this.thread = Thread.ofPlatform().name("ha-monitor").daemon().unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** A heartbeat arrived (HA client thread). */
    public void heartbeat(HaFrame.Heartbeat heartbeat) {
        lock.lock();
        try {
            detector.heartbeat(clock.monotonicTime());
        } finally {
            lock.unlock();
        }
    }

    /** The HA link was closed by the active's end (HA client thread): heartbeats have stopped. */
    public void linkEnded() {
        lock.lock();
        try {
            detector.linkEnded();
        } finally {
            lock.unlock();
        }
    }

    public FailureDetector.Verdict verdict() {
        lock.lock();
        try {
            return verdict;
        } finally {
            lock.unlock();
        }
    }

    /** Milliseconds since the last heartbeat (-1: none yet). */
    public long heartbeatAgeMillis() {
        lock.lock();
        try {
            long last = detector.lastHeartbeatNanos();
            return last == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(clock.monotonicTime() - last);
        } finally {
            lock.unlock();
        }
    }

    /** The lease last read. */
    public Optional<LeaseRecord> lastLease() {
        lock.lock();
        try {
            return detector.lastLease();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        FailureDetector.Verdict previous = null;
        while (true) {
            lock.lock();
            try {
                if (stopped) {
                    return;
                }
            } finally {
                lock.unlock();
            }
            Optional<LeaseStore.Stored> read = readLease();
            FailureDetector.Verdict now;
            Optional<LeaseRecord> lease;
            lock.lock();
            try {
                if (read != null) {
                    detector.leaseRead(clock.monotonicTime(), read);
                }
                now = detector.verdict(clock.monotonicTime());
                verdict = now;
                lease = detector.lastLease();
            } finally {
                lock.unlock();
            }
            if (client != null) {
                client.target(lease.filter(l -> !l.holder().equals(node) && !l.haEndpoint().isEmpty())
                        .map(l -> NodeInfo.Endpoint.parse(l.haEndpoint())));
            }
            everyPoll.run();
            if (now != previous) {
                log.info("standby {}: failure detector says {} (lease {}, last heartbeat {} ms ago)", node, now,
                        lease.map(l -> l.holder() + "@" + l.epoch() + (l.released() ? " released" : ""))
                                .orElse("none"), heartbeatAgeMillis());
                previous = now;
            }
            if (now.takeOver()) {
                lock.lock();
                try {
                    if (stopped) {
                        return;
                    }
                    stopped = true;
                } finally {
                    lock.unlock();
                }
                promotion.takeOver(now, lease);
                return;
            }
            lock.lock();
            try {
                if (!stopped) {
                    changed.awaitNanos(config.leasePollInterval().toNanos());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /** One quorum read of the lease, bounded; null when it failed (the detector then sees no read). */
    private Optional<LeaseStore.Stored> readLease() {
        try {
            return ActiveLease.await(LeaseStore.read(reader), config.leaseDuration(), "reading the lease");
        } catch (LeaseException | LeaseStore.CorruptLeaseException e) {
            if (leaseReadFailures++ % 100 == 0) {
                log.warn("standby {}: cannot read the lease ({} failures so far): {}", node, leaseReadFailures,
                        e.getMessage());
            }
            return null;
        }
    }

    /**
     * After fencing: reads the lease once more. If it shows a sequence the detector had not seen (a renewal sent
     * before the fence completed), waits until that renewal's lease has run out on this clock — from the completion of
     * this read, which is after the renewal was sent. A released lease needs no wait. Returns the time waited.
     *
     * @throws LeaseException if the lease cannot be read
     */
    public Duration confirmAfterFence(VolumeReader fencedReader) {
        Optional<LeaseStore.Stored> now = ActiveLease.await(LeaseStore.read(fencedReader), config.storageStepTimeout(),
                "reading the lease after fencing");
        long readAt = clock.monotonicTime();
        long seen;
        lock.lock();
        try {
            seen = detector.lastSequence();
        } finally {
            lock.unlock();
        }
        long seq = now.map(LeaseStore.Stored::sequence).orElse(0L);
        boolean released = now.map(s -> s.lease().released()).orElse(false);
        if (seq <= seen || released) {
            return Duration.ZERO;
        }
        long until = readAt + config.leaseDuration().toNanos();
        log.warn("standby {}: the lease was renewed (sequence {} after {}) before the fence completed; waiting {} ms"
                + " for it to run out", node, seq, seen, config.leaseDuration().toMillis());
        lock.lock();
        try {
            long left;
            while ((left = until - clock.monotonicTime()) > 0) {
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LeaseException("interrupted while waiting for the old lease to run out", e);
        } finally {
            lock.unlock();
        }
        return Duration.ofNanos(clock.monotonicTime() - readAt);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(config.leaseDuration().multipliedBy(4).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
