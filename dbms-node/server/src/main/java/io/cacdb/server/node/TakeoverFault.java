package io.cacdb.server.node;

import java.util.Arrays;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * A fault injected at a named point of this node's own takeover, for tests: {@link #haltAt} ends the JVM there with
 * {@link Runtime#halt} — no shutdown hook, nothing flushed, no lease released, as a SIGKILL would — so that a test kills
 * a standby at an exact step of its takeover instead of racing a timer. Every node that is not under test gets
 * {@link #none()}.
 *
 * <p>A node process takes it from the system property {@value #HALT_PROPERTY} (a {@link Point} name, e.g.
 * {@code -Dcacdb.fault.halt-in-takeover=recovered}); see {@link #parse}.
 */
@FunctionalInterface
public interface TakeoverFault {

    /** The system property {@link NodeMain} reads: the point at which the node process halts in its takeover. */
    String HALT_PROPERTY = "cacdb.fault.halt-in-takeover";
    /** The exit status of a halted node: 128 + 9, what a shell reports for a process ended by SIGKILL. */
    int HALT_STATUS = 137;

    /** Where in the takeover ({@code io.cacdb.server.ha.Takeover}) the fault is reached, in order. */
    enum Point {
        /**
         * The volume is fenced to the new epoch (the old active can no longer complete a write); nothing else is
         * written yet: no epoch record in META, no log, no lease.
         */
        FENCED,
        /**
         * The takeover's engine work is done: the new epoch is in META and its log started, the losers are rolled
         * back with CLRs under it, the checkpointer runs; the lease is not taken yet and no client was served.
         */
        RECOVERED;

        /** The name as written in the system property. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Called by the node when its takeover reaches {@code point}. */
    void reached(Point point);

    /** No fault. */
    static TakeoverFault none() {
        return point -> { };
    }

    /** Halts the JVM (status {@value #HALT_STATUS}) when the takeover reaches {@code at}. */
    static TakeoverFault haltAt(Point at) {
        return point -> {
            if (point == at) {
                LoggerFactory.getLogger(TakeoverFault.class).error("fault injected ({}={}): halting this JVM in its"
                        + " takeover, at point {}", HALT_PROPERTY, at.key(), at.key());
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(HALT_STATUS);
            }
        };
    }

    /**
     * The fault a value of {@value #HALT_PROPERTY} names: {@link #none()} for null or blank, else {@link #haltAt}
     * the point named.
     *
     * @throws IllegalArgumentException naming the property, the value and the points there are
     */
    static TakeoverFault parse(String value) {
        if (value == null || value.isBlank()) {
            return none();
        }
        for (Point p : Point.values()) {
            if (p.key().equals(value.trim())) {
                return haltAt(p);
            }
        }
        throw new IllegalArgumentException("system property " + HALT_PROPERTY + " = '" + value + "' names no takeover"
                + " point; expected one of " + Arrays.stream(Point.values()).map(Point::key).toList());
    }
}
