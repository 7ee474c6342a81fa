package io.cacdb.server.proxy;

import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.NodeInfo;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.server.ha.LeaseRecord;
import io.cacdb.server.ha.LeaseStore;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is active, as the lease in META says: reads it at quorum every poll interval and names the holder's PostgreSQL
 * endpoint (from the cluster map's node lines) while the lease is live — held, not released, and renewed within its
 * duration as seen from here. A released lease, one not renewed for longer than its duration, or an unreadable one
 * for that long leaves no target: new clients wait ({@link #awaitTarget}) instead of being sent to a node that will
 * refuse them. A change of target goes to the listener (the proxy ends the connections to the old active).
 *
 * <p>Threads: one platform thread ({@code proxy-lease}); the getters and {@link #awaitTarget} from any thread.
 */
public final class ActiveTracker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ActiveTracker.class);

    /** The active as the proxy routes to it. */
    public record Target(String node, long epoch, NodeInfo.Endpoint pg) {
    }

    private final VolumeReader reader;
    private final ClusterMap map;
    private final Duration pollInterval;
    private final Duration readTimeout;
    private final LongSupplier nanoTime;
    private final Consumer<Optional<Target>> listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread thread;
    // guarded by lock
    private Optional<Target> target = Optional.empty();
    private long lastSequence = -1;
    private long sequenceSeenAtNanos;
    private long lastReadAtNanos;
    private LeaseRecord lastLease;
    private boolean closed;
    private String unknownHolderLogged;

    /**
     * @param listener told of every change of target (from the tracker's thread)
     */
    public ActiveTracker(VolumeReader reader, ClusterMap map, Duration pollInterval, Duration readTimeout,
                         LongSupplier nanoTime, Consumer<Optional<Target>> listener) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.map = Objects.requireNonNull(map, "map");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
        this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.thread = Thread.ofPlatform().name("proxy-lease").daemon().unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    public Optional<Target> target() {
        lock.lock();
        try {
            return target;
        } finally {
            lock.unlock();
        }
    }

    /** The target, waiting up to {@code wait} for one to appear. */
    public Optional<Target> awaitTarget(Duration wait) throws InterruptedException {
        long deadline = nanoTime.getAsLong() + wait.toNanos();
        lock.lock();
        try {
            while (target.isEmpty() && !closed) {
                long left = deadline - nanoTime.getAsLong();
                if (left <= 0) {
                    break;
                }
                changed.awaitNanos(left);
            }
            return target;
        } finally {
            lock.unlock();
        }
    }

    /** The lease last read (for {@code /health}). */
    public Optional<LeaseRecord> lastLease() {
        lock.lock();
        try {
            return Optional.ofNullable(lastLease);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(readTimeout.plus(pollInterval).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            Optional<LeaseStore.Stored> read = Optional.empty();
            boolean readOk = false;
            try {
                read = LeaseStore.read(reader).get(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
                readOk = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                log.debug("proxy: reading the lease failed: {}", e.toString());
            }
            Optional<Target> before;
            Optional<Target> after;
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                before = target;
                after = observe(readOk, read, nanoTime.getAsLong());
                target = after;
                if (!after.equals(before)) {
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
            if (!after.equals(before)) {
                log.info("proxy: active node {} (was {})", after.map(ActiveTracker::describe).orElse("none"),
                        before.map(ActiveTracker::describe).orElse("none"));
                listener.accept(after);
            }
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                changed.awaitNanos(pollInterval.toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Folds one read into the state; returns the target now. Caller holds the lock. */
    private Optional<Target> observe(boolean readOk, Optional<LeaseStore.Stored> read, long now) {
        if (readOk) {
            lastReadAtNanos = now;
            long seq = read.map(LeaseStore.Stored::sequence).orElse(0L);
            if (seq > lastSequence) { // only a higher sequence is a renewal (read quorums may alternate)
                lastSequence = seq;
                sequenceSeenAtNanos = now;
                lastLease = read.map(LeaseStore.Stored::lease).orElse(null);
            }
        }
        if (lastLease == null || lastLease.released()) {
            return Optional.empty();
        }
        long lease = Duration.ofMillis(lastLease.durationMillis()).toNanos();
        if (now - sequenceSeenAtNanos > lease || now - lastReadAtNanos > lease) {
            return Optional.empty(); // not renewed, or not readable, for a whole lease: the holder is not serving
        }
        Optional<NodeInfo> node = map.node(lastLease.holder());
        if (node.isEmpty()) {
            if (!lastLease.holder().equals(unknownHolderLogged)) {
                unknownHolderLogged = lastLease.holder();
                log.error("proxy: the active node {} has no 'node' line in the cluster map: cannot route to it",
                        lastLease.holder());
            }
            return Optional.empty();
        }
        return Optional.of(new Target(lastLease.holder(), lastLease.epoch(), node.get().pg()));
    }

    private static String describe(Target t) {
        return t.node() + " at " + t.pg() + " (epoch " + t.epoch() + ")";
    }
}
