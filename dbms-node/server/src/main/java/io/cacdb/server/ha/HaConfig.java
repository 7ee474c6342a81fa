package io.cacdb.server.ha;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of failure detection and takeover (DESIGN §6, {@code docs/failover.md}). Every value is a duration; the
 * relations between them are checked here, so a config that exists is one whose lease arithmetic is sound.
 *
 * @param leaseDuration      how long one renewal of the active's lease in META lasts; a standby takes over only after
 *                           it saw no renewal for longer than this (and heartbeats stopped)
 * @param leaseRenewInterval how often the active renews (at write quorum)
 * @param leaseGuard         the active stops serving this long before its lease runs out on its own clock: covers
 *                           clock-rate differences between the nodes and the time to cut its sessions off
 * @param leasePollInterval  how often the standby reads the lease (at read quorum)
 * @param heartbeatInterval  how often the active heartbeats each connected standby over the HA port
 * @param heartbeatTimeout   no heartbeat for longer than this = heartbeats stopped
 * @param connectTimeout     bound on one TCP connect of the standby to the active's HA port
 * @param standbyFloorHold   how long the active keeps honouring the retention floor of a standby it no longer hears
 *                           from (after that the standby may have to re-seed from the latest checkpoint)
 * @param catchUpTimeout     bound on the standby's catch-up at takeover; past it the takeover recovers cold
 * @param storageStepTimeout bound on each storage step of a takeover (fence, META reads and writes)
 */
public record HaConfig(Duration leaseDuration, Duration leaseRenewInterval, Duration leaseGuard,
                       Duration leasePollInterval, Duration heartbeatInterval, Duration heartbeatTimeout,
                       Duration connectTimeout, Duration standbyFloorHold, Duration catchUpTimeout,
                       Duration storageStepTimeout) {

    /** DESIGN §6: 500 ms. Short enough for sub-second takeover, five renewals long. */
    public static final Duration LEASE_DURATION_DEFAULT = Duration.ofMillis(500);
    /** DESIGN §6: every 100 ms, so four renewals can fail before the active must stop. */
    public static final Duration LEASE_RENEW_INTERVAL_DEFAULT = Duration.ofMillis(100);
    /**
     * 100 ms: monotonic clocks of two healthy hosts drift by far less than 1 % over a lease, and closing the sessions
     * takes milliseconds; the rest is margin for a paused JVM.
     */
    public static final Duration LEASE_GUARD_DEFAULT = Duration.ofMillis(100);
    /** 50 ms: a quorum read of one META block costs a cross-zone round trip; detection adds at most this. */
    public static final Duration LEASE_POLL_INTERVAL_DEFAULT = Duration.ofMillis(50);
    /** As the lease renewal: the standby learns of the active about as often as storage does. */
    public static final Duration HEARTBEAT_INTERVAL_DEFAULT = Duration.ofMillis(100);
    /** Five missed heartbeats, the same as the lease. */
    public static final Duration HEARTBEAT_TIMEOUT_DEFAULT = Duration.ofMillis(500);
    public static final Duration CONNECT_TIMEOUT_DEFAULT = Duration.ofSeconds(1);
    /** A minute of log kept for a standby that went quiet: a network blip never costs it a re-seed. */
    public static final Duration STANDBY_FLOOR_HOLD_DEFAULT = Duration.ofSeconds(60);
    /** A caught-up standby needs milliseconds; 30 s means it is far behind and cold recovery is no slower. */
    public static final Duration CATCH_UP_TIMEOUT_DEFAULT = Duration.ofSeconds(30);
    /** As a node's start-up storage steps. */
    public static final Duration STORAGE_STEP_TIMEOUT_DEFAULT = Duration.ofSeconds(30);

    public HaConfig {
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(leaseRenewInterval, "leaseRenewInterval");
        Objects.requireNonNull(leaseGuard, "leaseGuard");
        Objects.requireNonNull(leasePollInterval, "leasePollInterval");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(standbyFloorHold, "standbyFloorHold");
        Objects.requireNonNull(catchUpTimeout, "catchUpTimeout");
        Objects.requireNonNull(storageStepTimeout, "storageStepTimeout");
        for (Duration d : new Duration[] {leaseDuration, leaseRenewInterval, leasePollInterval, heartbeatInterval,
                heartbeatTimeout, connectTimeout, standbyFloorHold, catchUpTimeout, storageStepTimeout}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("HA durations must be > 0: " + this);
            }
        }
        if (leaseGuard.isNegative() || leaseGuard.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("lease guard " + leaseGuard + " must be in [0, lease duration "
                    + leaseDuration + ")");
        }
        if (leaseRenewInterval.multipliedBy(2).compareTo(leaseDuration.minus(leaseGuard)) > 0) {
            throw new IllegalArgumentException("lease renew interval " + leaseRenewInterval + " must allow two renewals"
                    + " within the lease duration " + leaseDuration + " minus the guard " + leaseGuard);
        }
        if (leasePollInterval.multipliedBy(2).compareTo(leaseDuration) > 0) {
            throw new IllegalArgumentException("lease poll interval " + leasePollInterval + " must be at most half the"
                    + " lease duration " + leaseDuration + " (a standby must see renewals)");
        }
        if (heartbeatTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("heartbeat timeout " + heartbeatTimeout + " must be at least two"
                    + " heartbeat intervals (" + heartbeatInterval + ")");
        }
    }

    public static HaConfig defaults() {
        return new HaConfig(LEASE_DURATION_DEFAULT, LEASE_RENEW_INTERVAL_DEFAULT, LEASE_GUARD_DEFAULT,
                LEASE_POLL_INTERVAL_DEFAULT, HEARTBEAT_INTERVAL_DEFAULT, HEARTBEAT_TIMEOUT_DEFAULT,
                CONNECT_TIMEOUT_DEFAULT, STANDBY_FLOOR_HOLD_DEFAULT, CATCH_UP_TIMEOUT_DEFAULT,
                STORAGE_STEP_TIMEOUT_DEFAULT);
    }

    public HaConfig withLease(Duration duration, Duration renewInterval, Duration guard) {
        return new HaConfig(duration, renewInterval, guard, leasePollInterval, heartbeatInterval, heartbeatTimeout,
                connectTimeout, standbyFloorHold, catchUpTimeout, storageStepTimeout);
    }

    public HaConfig withLeasePollInterval(Duration d) {
        return new HaConfig(leaseDuration, leaseRenewInterval, leaseGuard, d, heartbeatInterval, heartbeatTimeout,
                connectTimeout, standbyFloorHold, catchUpTimeout, storageStepTimeout);
    }

    public HaConfig withHeartbeat(Duration interval, Duration timeout) {
        return new HaConfig(leaseDuration, leaseRenewInterval, leaseGuard, leasePollInterval, interval, timeout,
                connectTimeout, standbyFloorHold, catchUpTimeout, storageStepTimeout);
    }

    public HaConfig withStandbyFloorHold(Duration d) {
        return new HaConfig(leaseDuration, leaseRenewInterval, leaseGuard, leasePollInterval, heartbeatInterval,
                heartbeatTimeout, connectTimeout, d, catchUpTimeout, storageStepTimeout);
    }

    public HaConfig withCatchUpTimeout(Duration d) {
        return new HaConfig(leaseDuration, leaseRenewInterval, leaseGuard, leasePollInterval, heartbeatInterval,
                heartbeatTimeout, connectTimeout, standbyFloorHold, d, storageStepTimeout);
    }

    public HaConfig withStorageStepTimeout(Duration d) {
        return new HaConfig(leaseDuration, leaseRenewInterval, leaseGuard, leasePollInterval, heartbeatInterval,
                heartbeatTimeout, connectTimeout, standbyFloorHold, catchUpTimeout, d);
    }

    /** How long the active may serve after sending a renewal that storage acknowledged. */
    public Duration servingPerRenewal() {
        return leaseDuration.minus(leaseGuard);
    }
}
