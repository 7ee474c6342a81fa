package io.cacdb.dax.transport;

import io.cacdb.dax.cluster.ServerInfo;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Network conditions injected in our own transport, because the local kernel has no {@code netem} (DESIGN §7):
 *
 * <ul>
 *   <li>a one-way delay between different zones: a request to a server in another zone than the client's is held
 *       for the delay before it is sent, and its response for the delay after it arrives; the transport schedules
 *       both on its event loop, it never sleeps;</li>
 *   <li>an optional random extra delay per message (jitter) from a seeded random source, so tests can reorder
 *       messages reproducibly-in-distribution;</li>
 *   <li>cutting off a server or a whole zone: requests to it fail fast as unreachable, and responses from it that
 *       arrive while it is cut off are dropped (the request then fails as unreachable); healing restores it.</li>
 * </ul>
 *
 * One instance may be shared by several clients of a test; every method is thread-safe. The default,
 * {@link #none()}, injects nothing.
 */
public final class NetworkConditions {

    private volatile long crossZoneDelayNanos;
    private volatile long maxJitterNanos;
    private volatile Random jitterRandom = new Random(0);
    private final Set<String> cutServers = ConcurrentHashMap.newKeySet();
    private final Set<String> cutZones = ConcurrentHashMap.newKeySet();

    /** No delay, nothing cut off. */
    public static NetworkConditions none() {
        return new NetworkConditions(Duration.ZERO);
    }

    public NetworkConditions(Duration crossZoneOneWayDelay) {
        setCrossZoneDelay(crossZoneOneWayDelay);
    }

    public void setCrossZoneDelay(Duration oneWay) {
        if (oneWay.isNegative()) {
            throw new IllegalArgumentException("cross-zone delay must be >= 0, was " + oneWay);
        }
        crossZoneDelayNanos = oneWay.toNanos();
    }

    public Duration crossZoneDelay() {
        return Duration.ofNanos(crossZoneDelayNanos);
    }

    /**
     * Adds to every message (request and response, same zone or not) a uniformly random extra delay in
     * {@code [0, maxExtraOneWay]} drawn from {@code new Random(seed)}. {@code Duration.ZERO} turns jitter off.
     */
    public void setJitter(Duration maxExtraOneWay, long seed) {
        if (maxExtraOneWay.isNegative()) {
            throw new IllegalArgumentException("jitter must be >= 0, was " + maxExtraOneWay);
        }
        jitterRandom = new Random(seed);
        maxJitterNanos = maxExtraOneWay.toNanos();
    }

    /** The delay to apply to one message between a party in {@code fromZone} and one in {@code toZone}. */
    public long oneWayDelayNanos(String fromZone, String toZone) {
        long delay = fromZone.equals(toZone) ? 0 : crossZoneDelayNanos;
        long jitter = maxJitterNanos;
        if (jitter > 0) {
            delay += (long) (jitterRandom.nextDouble() * jitter);
        }
        return delay;
    }

    public void cutOff(String serverId) {
        cutServers.add(serverId);
    }

    public void heal(String serverId) {
        cutServers.remove(serverId);
    }

    public void cutOffZone(String zone) {
        cutZones.add(zone);
    }

    public void healZone(String zone) {
        cutZones.remove(zone);
    }

    /** Heals every server and zone and removes jitter; the cross-zone delay stays. */
    public void healAll() {
        cutServers.clear();
        cutZones.clear();
        maxJitterNanos = 0;
    }

    public boolean isCutOff(ServerInfo server) {
        return cutServers.contains(server.id()) || cutZones.contains(server.zone());
    }
}
