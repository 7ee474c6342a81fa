package io.cacdb.server.ha;

import io.cacdb.dax.client.StaleEpochException;
import io.cacdb.engine.volume.VolumeWriter;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active's lease on its volume: renewed in META block 2 at write quorum every {@code leaseRenewInterval}, at the
 * active's epoch (so once a standby fenced the volume, no renewal can succeed).
 *
 * <h2>The rule</h2>
 * A renewal <em>sent</em> at {@code t} (this node's monotonic clock) and acknowledged by storage lets the active serve
 * until {@code t + leaseDuration - leaseGuard}. A standby takes over only after it has seen the same lease sequence for
 * longer than {@code leaseDuration} since the read that first returned it — and every renewal of that sequence was
 * sent before that read — and after fencing it re-reads the lease (a renewal it missed would show there). So the
 * active's serving time is over, by at least the guard, before the standby serves. Sending time, not acknowledgement
 * time, is what counts; an acknowledgement later than the serving time it would give is ignored.
 *
 * <p>When the lease runs out on this clock, or a renewal meets a higher epoch ({@link StaleEpochException}), the lease
 * is lost for good: {@link #holds()} turns false at once and the {@link Listener} is told once, from the lease's own
 * thread (or from {@link #tick()} in tests). The node then stops serving, reads included.
 *
 * <p>Threads: one platform thread ({@code ha-lease-v<volume>}) runs {@link #tick()} and waits on a condition until
 * the next renewal or the end of the lease; storage callbacks only record their outcome. Up to
 * {@link #RENEWALS_IN_FLIGHT_MAX} renewals in flight: one slow quorum write (a replica stalled by a busy machine) does
 * not hold back the next renewal, whose own sending time counts. Time comes from the given {@link Clock}, so tests drive it with a {@code MockClock} and {@link #tick()}.
 */
public final class ActiveLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ActiveLease.class);

    /**
     * A new holder starts this far above the sequence its quorum read returned: the previous holder's last renewals
     * may sit on fewer than W replicas, unseen by that read, and writing one of their sequences again with other bytes
     * would be refused as a version conflict. A holder writes at most one renewal per quarter renew interval while its
     * lease lasts (20 with the defaults), far fewer than this.
     */
    static final long ACQUIRE_SEQUENCE_GAP = 1024;

    /**
     * Renewals sent and not yet answered, at most: with the defaults a renewal is sent every 100 ms, so three in flight
     * cover a write that takes up to 300 ms while the lease (500 ms − 100 ms guard) lasts — beyond that the lease is
     * lost anyway.
     */
    static final int RENEWALS_IN_FLIGHT_MAX = 3;

    /** A failed renewal is retried after a quarter of the renew interval: four tries fit where one would. */
    static final int RETRY_DIVISOR = 4;

    /** Told once when the lease is lost (not on release or close). */
    @FunctionalInterface
    public interface Listener {
        void leaseLost(String reason);
    }

    /** NEW → HELD (acquire) → LOST | RELEASED | CLOSED. */
    public enum State { NEW, HELD, LOST, RELEASED, CLOSED }

    private final VolumeWriter volume;
    private final LeaseRecord identity;
    private final HaConfig config;
    private final Clock clock;
    private final Listener listener;
    private final Counter renewalsOk;
    private final Counter renewalsLate;
    private final Counter renewalsFailed;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private State state = State.NEW;
    private long nextSequence;
    private long lastAckedSequence;
    private long validUntilNanos;
    private long nextRenewAtNanos;
    private int inFlight;
    private String lostReason;
    private boolean lostReported;
    private boolean stopThread;
    private int failureStreak;
    private Thread thread;

    public ActiveLease(VolumeWriter volume, LeaseRecord identity, HaConfig config, Clock clock,
                       MeterRegistry registry, Listener listener) {
        this.volume = Objects.requireNonNull(volume, "volume");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (identity.epoch() != volume.epoch()) {
            throw new IllegalArgumentException("lease epoch " + identity.epoch() + " differs from the writer's "
                    + volume.epoch());
        }
        if (identity.released()) {
            throw new IllegalArgumentException("a lease is acquired unreleased");
        }
        this.renewalsOk = Counter.builder("cacdb.ha.lease.renewals").tag("outcome", "ok")
                .description("lease renewals acknowledged in time").register(registry);
        this.renewalsLate = Counter.builder("cacdb.ha.lease.renewals").tag("outcome", "late")
                .description("lease renewals acknowledged too late to extend the lease").register(registry);
        this.renewalsFailed = Counter.builder("cacdb.ha.lease.renewals").tag("outcome", "failed")
                .description("lease renewals that failed").register(registry);
    }

    /**
     * NEW → HELD: reads the stored lease (for its sequence) and writes this node's at the next sequence, both bounded
     * by {@code storageStepTimeout}. The caller has fenced the volume to its epoch and checked that no other node
     * holds a live lease.
     *
     * @throws LeaseException if storage refused or did not answer in time, or the acknowledgement came too late
     */
    public void acquire() {
        lock.lock();
        try {
            if (state != State.NEW) {
                throw new IllegalStateException("acquire needs NEW, lease is " + state);
            }
        } finally {
            lock.unlock();
        }
        Duration wait = config.storageStepTimeout();
        long current = await(LeaseStore.read(volume), wait, "reading the lease").map(LeaseStore.Stored::sequence)
                .orElse(0L);
        long seq = current + ACQUIRE_SEQUENCE_GAP;
        long sent = clock.monotonicTime();
        await(LeaseStore.write(volume, identity, seq), wait, "writing the lease at sequence " + seq);
        long acked = clock.monotonicTime();
        long serving = config.servingPerRenewal().toNanos();
        if (acked - sent > serving) {
            throw new LeaseException("the lease write took " + Duration.ofNanos(acked - sent).toMillis()
                    + " ms, longer than the " + config.servingPerRenewal().toMillis() + " ms it would give");
        }
        lock.lock();
        try {
            state = State.HELD;
            lastAckedSequence = seq;
            nextSequence = seq + 1;
            validUntilNanos = sent + serving;
            nextRenewAtNanos = sent + config.leaseRenewInterval().toNanos();
        } finally {
            lock.unlock();
        }
        renewalsOk.increment();
        log.info("volume {}: lease acquired by {} at epoch {}, sequence {} ({} ms; renewed every {} ms, lasts {} ms)",
                volume.volume(), identity.holder(), identity.epoch(), seq, Duration.ofNanos(acked - sent).toMillis(),
                config.leaseRenewInterval().toMillis(), config.leaseDuration().toMillis());
    }

    /** Starts the renewing thread (after {@link #acquire()}). */
    public void start() {
        lock.lock();
        try {
            if (state != State.HELD || thread != null) {
                throw new IllegalStateException("start needs a HELD lease without a thread, lease is " + state);
            }
            thread = Thread.ofPlatform().name("ha-lease-v" + volume.volume()).daemon().unstarted(this::run);
            thread.start();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            tick();
            lock.lock();
            try {
                if (stopThread || state != State.HELD) {
                    return;
                }
                long now = clock.monotonicTime();
                long wakeAt = validUntilNanos;
                if (inFlight < RENEWALS_IN_FLIGHT_MAX) {
                    wakeAt = Math.min(wakeAt, nextRenewAtNanos);
                }
                long waitNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(wakeAt - now,
                        config.leaseRenewInterval().toNanos()));
                changed.awaitNanos(waitNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * One step: loses the lease if it ran out (or a renewal was fenced), otherwise sends a renewal when one is due and
     * fewer than {@link #RENEWALS_IN_FLIGHT_MAX} are in flight. Never blocks on storage. Reports a loss to the listener, once, from the calling thread.
     */
    public void tick() {
        String report = null;
        lock.lock();
        try {
            if (state == State.HELD) {
                long now = clock.monotonicTime();
                if (lostReason == null && now >= validUntilNanos) {
                    lostReason = "the lease was not renewed in time (last renewal acknowledged: sequence "
                            + lastAckedSequence + "; it lasted until " + Duration.ofNanos(now - validUntilNanos)
                            .toMillis() + " ms ago)";
                }
                if (lostReason != null) {
                    state = State.LOST;
                } else if (inFlight < RENEWALS_IN_FLIGHT_MAX && now >= nextRenewAtNanos) {
                    renewLocked(now);
                }
            }
            if (state == State.LOST && !lostReported) {
                lostReported = true;
                report = lostReason;
            }
        } finally {
            lock.unlock();
        }
        if (report != null) {
            log.error("volume {}: {} LOST its lease at epoch {}: {}", volume.volume(), identity.holder(),
                    identity.epoch(), report);
            listener.leaseLost(report);
        }
    }

    private void renewLocked(long now) {
        long seq = nextSequence++;
        long sent = now;
        nextRenewAtNanos = now + config.leaseRenewInterval().toNanos();
        CompletableFuture<Void> write;
        try {
            write = LeaseStore.write(volume, identity, seq);
        } catch (RuntimeException e) {
            write = CompletableFuture.failedFuture(e);
        }
        inFlight++;
        write.whenComplete((v, error) -> renewed(seq, sent, error));
    }

    private void renewed(long seq, long sentNanos, Throwable error) {
        lock.lock();
        try {
            inFlight--;
            if (state != State.HELD) {
                return;
            }
            Throwable cause = unwrap(error);
            if (cause == null) {
                long acked = clock.monotonicTime();
                long serving = config.servingPerRenewal().toNanos();
                if (acked - sentNanos <= serving) {
                    validUntilNanos = Math.max(validUntilNanos, sentNanos + serving);
                    lastAckedSequence = Math.max(lastAckedSequence, seq);
                    renewalsOk.increment();
                    if (failureStreak > 0) {
                        log.info("volume {}: lease renewals succeed again (sequence {}) after {} failures",
                                volume.volume(), seq, failureStreak);
                    }
                    failureStreak = 0;
                } else {
                    renewalsLate.increment();
                    log.warn("volume {}: lease renewal {} acknowledged after {} ms: too late to extend the lease",
                            volume.volume(), seq, Duration.ofNanos(acked - sentNanos).toMillis());
                }
            } else if (cause instanceof StaleEpochException stale) {
                renewalsFailed.increment();
                lostReason = "fenced: volume " + volume.volume() + " is at epoch " + stale.currentEpoch()
                        + ", this node writes at " + identity.epoch();
            } else {
                renewalsFailed.increment();
                // a write that failed fast (unreachable replicas) is tried again soon, not a whole interval later
                nextRenewAtNanos = Math.min(nextRenewAtNanos, clock.monotonicTime()
                        + config.leaseRenewInterval().toNanos() / RETRY_DIVISOR);
                if (failureStreak++ == 0) {
                    log.warn("volume {}: lease renewal {} failed (will retry every {} ms; serving stops in {} ms): {}",
                            volume.volume(), seq, config.leaseRenewInterval().toMillis(),
                            Math.max(0, Duration.ofNanos(validUntilNanos - clock.monotonicTime()).toMillis()),
                            cause.toString());
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether this node may serve now: the lease is held and has not run out on this node's clock. */
    public boolean holds() {
        lock.lock();
        try {
            return state == State.HELD && lostReason == null && clock.monotonicTime() < validUntilNanos;
        } finally {
            lock.unlock();
        }
    }

    public State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** Time left to serve on this node's clock (0 once lost or run out). */
    public Duration remaining() {
        lock.lock();
        try {
            if (state != State.HELD || lostReason != null) {
                return Duration.ZERO;
            }
            return Duration.ofNanos(Math.max(0, validUntilNanos - clock.monotonicTime()));
        } finally {
            lock.unlock();
        }
    }

    /** The highest sequence storage acknowledged in time. */
    public long sequence() {
        lock.lock();
        try {
            return lastAckedSequence;
        } finally {
            lock.unlock();
        }
    }

    public Optional<String> lostReason() {
        lock.lock();
        try {
            return Optional.ofNullable(lostReason);
        } finally {
            lock.unlock();
        }
    }

    public LeaseRecord identity() {
        return identity;
    }

    /**
     * Graceful stop: stops renewing and writes the lease as released (bounded), so a standby takes over without
     * waiting for it to run out. Call only once this node no longer serves. A failed write is logged: the lease then
     * simply runs out.
     */
    public void release() {
        boolean held;
        long seq;
        lock.lock();
        try {
            held = state == State.HELD && lostReason == null;
            seq = nextSequence++;
            if (state == State.HELD) {
                state = State.RELEASED;
            }
            stopThread = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        joinThread();
        if (!held) {
            return;
        }
        try {
            await(LeaseStore.write(volume, identity.releasedCopy(), seq), config.storageStepTimeout(),
                    "releasing the lease");
            log.info("volume {}: lease released by {} at sequence {}", volume.volume(), identity.holder(), seq);
        } catch (LeaseException e) {
            log.warn("volume {}: could not release the lease; it runs out in {} ms instead: {}", volume.volume(),
                    config.leaseDuration().toMillis(), e.getMessage());
        }
    }

    /** Stops renewing without releasing (the lease runs out). Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (state == State.NEW || state == State.HELD) {
                state = State.CLOSED;
            }
            stopThread = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        joinThread();
    }

    private void joinThread() {
        Thread t;
        lock.lock();
        try {
            t = thread;
        } finally {
            lock.unlock();
        }
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(config.storageStepTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Throwable unwrap(Throwable e) {
        Throwable c = e;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    static <T> T await(CompletableFuture<T> future, Duration wait, String what) {
        try {
            return future.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof StaleEpochException stale) {
                throw new LeaseException(what + ": fenced, the volume is at epoch " + stale.currentEpoch(), stale);
            }
            throw new LeaseException(what + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new LeaseException(what + " did not finish within " + wait, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LeaseException("interrupted while " + what, e);
        }
    }
}
