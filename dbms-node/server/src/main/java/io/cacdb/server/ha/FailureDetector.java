package io.cacdb.server.ha;

import java.util.Optional;

/**
 * The standby's decision whether the active is gone (DESIGN §6): take over only when heartbeats have stopped
 * <em>and</em> no lease renewal was seen for longer than the lease — or the lease was released and heartbeats stopped.
 * A cut between the two nodes alone (heartbeats lost, lease renewed) never causes a takeover; neither does an active
 * that still heartbeats while its renewals fail (it stops serving by itself, and its heartbeats with it).
 *
 * <p>Pure and single-threaded: the standby's monitor feeds it observations with their times (monotonic nanoseconds
 * of the standby's clock) and asks {@link #verdict(long)}. The decision table is {@link Verdict#decide}, one test
 * per row.
 *
 * <p>Lease times are <em>read completion</em> times: a renewal the standby sees was sent before the read that
 * returned it completed, so "unchanged for longer than the lease since that completion" bounds the holder's serving
 * time from above (see {@link ActiveLease}).
 */
public final class FailureDetector {

    /** What the standby concludes now. */
    public enum Verdict {
        /** Heartbeats arrive, the lease is renewed. */
        HEALTHY(false),
        /** Heartbeats stopped but the lease is still renewed: the link between the nodes is cut. No takeover. */
        HEARTBEATS_LOST(false),
        /** Heartbeats arrive but the lease is not renewed (or released): the active is stopping. Wait. */
        LEASE_STALE(false),
        /** The standby cannot read the lease (storage unreachable from here): decide nothing. */
        STORAGE_UNREACHABLE(false),
        /** Heartbeats stopped and the lease ran out: take over. */
        EXPIRED(true),
        /** Heartbeats stopped and the holder released the lease (graceful stop): take over without waiting. */
        RELEASED(true);

        private final boolean takeOver;

        Verdict(boolean takeOver) {
            this.takeOver = takeOver;
        }

        public boolean takeOver() {
            return takeOver;
        }

        /**
         * The decision table.
         *
         * <pre>
         * lease readable | heartbeats fresh | lease renewed within the lease | released | verdict
         * no             | any              | any                            | any      | STORAGE_UNREACHABLE
         * yes            | yes              | yes                            | no       | HEALTHY
         * yes            | no               | yes                            | no       | HEARTBEATS_LOST
         * yes            | yes              | no                             | any      | LEASE_STALE
         * yes            | yes              | any                            | yes      | LEASE_STALE
         * yes            | no               | no                             | no       | EXPIRED
         * yes            | no               | any                            | yes      | RELEASED
         * </pre>
         */
        public static Verdict decide(boolean leaseReadable, boolean heartbeatsFresh, boolean leaseRenewed,
                                     boolean released) {
            if (!leaseReadable) {
                return STORAGE_UNREACHABLE;
            }
            if (heartbeatsFresh) {
                return leaseRenewed && !released ? HEALTHY : LEASE_STALE;
            }
            if (released) {
                return RELEASED;
            }
            return leaseRenewed ? HEARTBEATS_LOST : EXPIRED;
        }
    }

    private final long leaseNanos;
    private final long heartbeatTimeoutNanos;
    /** A lease read older than this means the standby cannot read storage now. */
    private final long readStaleNanos;
    private long lastHeartbeatNanos;
    private boolean heartbeatSeen;
    /** The HA link ended (the active closed it, or its process died and its kernel closed the socket). */
    private boolean linkEnded;
    private long lastSequence = -1;
    private Optional<LeaseRecord> lastLease = Optional.empty();
    private long changedAtNanos;
    private long lastReadNanos;
    private boolean readSeen;

    /**
     * @param startedNanos when watching started: with no lease stored at all, the lease counts as last changed here
     */
    public FailureDetector(HaConfig config, long startedNanos) {
        this.leaseNanos = config.leaseDuration().toNanos();
        this.heartbeatTimeoutNanos = config.heartbeatTimeout().toNanos();
        this.readStaleNanos = Math.max(config.leasePollInterval().multipliedBy(4).toNanos(), leaseNanos / 2);
        this.changedAtNanos = startedNanos;
    }

    /** A heartbeat from the active arrived at {@code nowNanos}. */
    public void heartbeat(long nowNanos) {
        heartbeatSeen = true;
        linkEnded = false;
        lastHeartbeatNanos = Math.max(lastHeartbeatNanos, nowNanos);
    }

    /**
     * The HA link was closed by the other end (end of stream or a reset, not a read timeout): an active that
     * deactivates (graceful stop, switchover, lost lease) closes it, and so does the kernel of an active whose process
     * died. Heartbeats count as stopped from here until the next one arrives, without waiting for the heartbeat
     * timeout. Safe because heartbeats are only ever a reason <em>not</em> to take over: the lease still decides.
     */
    public void linkEnded() {
        linkEnded = true;
    }

    /**
     * A quorum read of the lease completed at {@code completedNanos} and returned {@code stored} (empty: no lease
     * record exists). A sequence higher than any seen before is a renewal, seen at that time. A lower one is not: a
     * renewal the dying active sent to fewer than W replicas shows in some read quorums and not in others (a quorum
     * read returns the highest version among its R replies), so reads may alternate between two sequences; only the
     * first sight of the higher one counts, or a dead active's lease would look renewed at every alternation.
     */
    public void leaseRead(long completedNanos, Optional<LeaseStore.Stored> stored) {
        readSeen = true;
        lastReadNanos = Math.max(lastReadNanos, completedNanos);
        long seq = stored.map(LeaseStore.Stored::sequence).orElse(0L);
        if (seq > lastSequence) {
            if (lastSequence != -1 || stored.isPresent()) {
                changedAtNanos = completedNanos;
            }
            lastSequence = seq;
            lastLease = stored.map(LeaseStore.Stored::lease);
        }
    }

    public Verdict verdict(long nowNanos) {
        boolean readable = readSeen && nowNanos - lastReadNanos <= readStaleNanos;
        boolean fresh = heartbeatSeen && !linkEnded && nowNanos - lastHeartbeatNanos <= heartbeatTimeoutNanos;
        boolean renewed = nowNanos - changedAtNanos <= leaseNanos;
        boolean released = lastLease.map(LeaseRecord::released).orElse(false);
        return Verdict.decide(readable, fresh, renewed, released);
    }

    /** The lease sequence last seen (0: none stored; -1: never read). */
    public long lastSequence() {
        return lastSequence;
    }

    /** The lease last seen. */
    public Optional<LeaseRecord> lastLease() {
        return lastLease;
    }

    /** When the standby first saw the current lease sequence (its clock). */
    public long leaseChangedAtNanos() {
        return changedAtNanos;
    }

    public long lastHeartbeatNanos() {
        return lastHeartbeatNanos;
    }
}
