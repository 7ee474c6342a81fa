package io.cacdb.server.pgwire;

import io.cacdb.server.auth.AuthConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of a {@link PgServer}, with defaults ({@link #defaults()}) and checked relations between the limits.
 *
 * @param bindHost address to listen on
 * @param port TCP port; 0 picks a free one ({@link PgServer#port()})
 * @param maxConnections client sessions served at once; the next StartupMessage is refused with 53300. Each session
 *     is a virtual thread plus what the SQL layer holds for it; 256 is well above what TPC-C terminals need
 * @param startupHeadroomConnections connections allowed beyond {@code maxConnections} that have not started a
 *     session yet (cancel requests, clients being told 53300, slow handshakes); beyond it a new connection is closed
 *     at once. Bounds the sockets an unauthenticated crowd can hold
 * @param eventLoopThreads Netty I/O threads; they only frame, decode and hand over, so few are needed
 * @param authentication who may connect, and how
 * @param authenticationTimeout a connection that has not finished authenticating by then is closed (PostgreSQL's
 *     authentication_timeout, 60 s by default), so half-open handshakes cannot pin connection slots
 * @param serverVersion what {@code server_version} reports; clients parse its leading number (pgjdbc and libpq need
 *     at least 12 to skip old-server workarounds, DESIGN.md §5 speaks PostgreSQL 15's protocol)
 * @param inboundHighWaterMessages decoded messages queued for a connection's thread at which the server stops
 *     reading from that connection (pgjdbc pipelines a few hundred Bind/Execute per Sync)
 * @param inboundHighWaterBytes queued message bytes at which reading stops (one Bind may be up to {@link
 *     PgWireLimits#MAX_DATA_MESSAGE_BYTES})
 * @param outboundHighWaterBytes bytes written but not yet sent to a client at which its session thread waits (a
 *     client that reads results slowly slows its own statement, not the server)
 * @param outboundLowWaterBytes bytes below which a waiting session thread goes on
 */
public record PgServerConfig(String bindHost, int port, int maxConnections, int startupHeadroomConnections,
        int eventLoopThreads, AuthConfig authentication, Duration authenticationTimeout, String serverVersion,
        int inboundHighWaterMessages, int inboundHighWaterBytes, int outboundHighWaterBytes,
        int outboundLowWaterBytes) {

    public static final int DEFAULT_PORT = 5432;
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    public static final int DEFAULT_STARTUP_HEADROOM_CONNECTIONS = 64;
    public static final int DEFAULT_EVENT_LOOP_THREADS = 2;
    public static final Duration DEFAULT_AUTHENTICATION_TIMEOUT = Duration.ofSeconds(60);
    public static final String DEFAULT_SERVER_VERSION = "15.0 (cacdb)";
    public static final int DEFAULT_INBOUND_HIGH_WATER_MESSAGES = 1024;
    public static final int DEFAULT_INBOUND_HIGH_WATER_BYTES = 4 << 20;
    public static final int DEFAULT_OUTBOUND_HIGH_WATER_BYTES = 1 << 20;
    public static final int DEFAULT_OUTBOUND_LOW_WATER_BYTES = 256 << 10;

    public PgServerConfig {
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(authentication, "authentication");
        Objects.requireNonNull(authenticationTimeout, "authenticationTimeout");
        Objects.requireNonNull(serverVersion, "serverVersion");
        check(port >= 0 && port <= 65535, "port must be in [0, 65535], got " + port);
        check(maxConnections >= 1, "maxConnections must be at least 1, got " + maxConnections);
        check(startupHeadroomConnections >= 1, "startupHeadroomConnections must be at least 1 (cancel requests "
                + "must get through when every session slot is taken), got " + startupHeadroomConnections);
        check(eventLoopThreads >= 1, "eventLoopThreads must be at least 1, got " + eventLoopThreads);
        check(!authenticationTimeout.isNegative() && !authenticationTimeout.isZero(),
                "authenticationTimeout must be positive, got " + authenticationTimeout);
        check(serverVersion.matches("\\d+(\\.\\d+)*.*"), "serverVersion must start with a version number, got "
                + serverVersion);
        check(inboundHighWaterMessages >= 2, "inboundHighWaterMessages must be at least 2, got "
                + inboundHighWaterMessages);
        check(inboundHighWaterBytes >= PgWireLimits.MAX_CONTROL_MESSAGE_BYTES, "inboundHighWaterBytes must hold "
                + "at least one control message (" + PgWireLimits.MAX_CONTROL_MESSAGE_BYTES + "), got "
                + inboundHighWaterBytes);
        check(outboundLowWaterBytes >= 1 && outboundLowWaterBytes < outboundHighWaterBytes,
                "outbound water marks need 0 < low < high, got low " + outboundLowWaterBytes + ", high "
                        + outboundHighWaterBytes);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Loopback, port 5432, everyone trusted, the defaults above. */
    public static PgServerConfig defaults() {
        return new PgServerConfig("127.0.0.1", DEFAULT_PORT, DEFAULT_MAX_CONNECTIONS,
                DEFAULT_STARTUP_HEADROOM_CONNECTIONS, DEFAULT_EVENT_LOOP_THREADS, AuthConfig.trust(),
                DEFAULT_AUTHENTICATION_TIMEOUT, DEFAULT_SERVER_VERSION, DEFAULT_INBOUND_HIGH_WATER_MESSAGES,
                DEFAULT_INBOUND_HIGH_WATER_BYTES, DEFAULT_OUTBOUND_HIGH_WATER_BYTES, DEFAULT_OUTBOUND_LOW_WATER_BYTES);
    }

    public PgServerConfig withPort(int newPort) {
        return new PgServerConfig(bindHost, newPort, maxConnections, startupHeadroomConnections, eventLoopThreads,
                authentication, authenticationTimeout, serverVersion, inboundHighWaterMessages, inboundHighWaterBytes,
                outboundHighWaterBytes, outboundLowWaterBytes);
    }

    public PgServerConfig withMaxConnections(int newMax) {
        return new PgServerConfig(bindHost, port, newMax, startupHeadroomConnections, eventLoopThreads,
                authentication, authenticationTimeout, serverVersion, inboundHighWaterMessages, inboundHighWaterBytes,
                outboundHighWaterBytes, outboundLowWaterBytes);
    }

    public PgServerConfig withAuthentication(AuthConfig newAuth) {
        return new PgServerConfig(bindHost, port, maxConnections, startupHeadroomConnections, eventLoopThreads,
                newAuth, authenticationTimeout, serverVersion, inboundHighWaterMessages, inboundHighWaterBytes,
                outboundHighWaterBytes, outboundLowWaterBytes);
    }

    public PgServerConfig withAuthenticationTimeout(Duration newTimeout) {
        return new PgServerConfig(bindHost, port, maxConnections, startupHeadroomConnections, eventLoopThreads,
                authentication, newTimeout, serverVersion, inboundHighWaterMessages, inboundHighWaterBytes,
                outboundHighWaterBytes, outboundLowWaterBytes);
    }

    public PgServerConfig withInboundHighWater(int messages, int bytes) {
        return new PgServerConfig(bindHost, port, maxConnections, startupHeadroomConnections, eventLoopThreads,
                authentication, authenticationTimeout, serverVersion, messages, bytes, outboundHighWaterBytes,
                outboundLowWaterBytes);
    }

    public PgServerConfig withOutboundWaterMarks(int lowBytes, int highBytes) {
        return new PgServerConfig(bindHost, port, maxConnections, startupHeadroomConnections, eventLoopThreads,
                authentication, authenticationTimeout, serverVersion, inboundHighWaterMessages, inboundHighWaterBytes,
                highBytes, lowBytes);
    }
}
