package io.cacdb.dax.client;

import io.cacdb.dax.wire.WireLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * Typed configuration of a {@link DaxClient}. Every value has its unit in its name and a default with the reason
 * for it below; {@link #DaxClientConfig validation} checks each value and the relations between them at
 * construction, so a client never starts with an unusable configuration.
 *
 * @param clientZone             the zone this client runs in: replicas in it are "near" and are not delayed by
 *                               injected cross-zone delay
 * @param requestTimeout         deadline of one replica request including its retries
 * @param connectTimeout         deadline of one TCP connect attempt
 * @param retryAttempts          retries after the first attempt for retryable statuses and connection failures
 * @param retryBackoffMin        first retry backoff; doubles per retry
 * @param retryBackoffMax        cap of the retry backoff
 * @param reconnectBackoffMin    first wait after a failed connect before the next connect attempt
 * @param reconnectBackoffMax    cap of the reconnect backoff
 * @param versionListMaxEntries  capacity of the version list (blocks whose last written version is remembered)
 * @param hintedHandoffMaxBytes  capacity of all hint queues together, in payload bytes
 * @param maxInFlightPerServer   requests in flight to one server before new ones fail fast
 * @param hintProbeMin           first wait before probing a server that has hints
 * @param hintProbeMax           cap of the probe backoff
 * @param antiEntropyInterval    period of the background anti-entropy pass over written volumes; ZERO = off
 * @param ioThreads              Netty event-loop threads of the client
 */
public record DaxClientConfig(
        String clientZone,
        Duration requestTimeout,
        Duration connectTimeout,
        int retryAttempts,
        Duration retryBackoffMin,
        Duration retryBackoffMax,
        Duration reconnectBackoffMin,
        Duration reconnectBackoffMax,
        int versionListMaxEntries,
        long hintedHandoffMaxBytes,
        int maxInFlightPerServer,
        Duration hintProbeMin,
        Duration hintProbeMax,
        Duration antiEntropyInterval,
        int ioThreads) {

    /** A replica fsyncs in well under 10 ms; 2 s leaves room for group commit under load and a slow disk. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(2);
    /** A loopback or same-region connect takes < 1 ms; 1 s means the server is down, not slow. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** Two retries absorb a transient OVERLOADED or a reconnect; more only delays declaring the replica failed. */
    public static final int DEFAULT_RETRY_ATTEMPTS = 2;
    /** Short enough not to matter next to a 2 s deadline, long enough to let an overloaded server drain. */
    public static final Duration DEFAULT_RETRY_BACKOFF_MIN = Duration.ofMillis(5);
    public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofMillis(200);
    /** A restarting server is back within seconds; reconnecting more often than every 20 ms wastes nothing useful. */
    public static final Duration DEFAULT_RECONNECT_BACKOFF_MIN = Duration.ofMillis(20);
    /** A dead server is retried at least every 2 s, so a returning one is used again quickly. */
    public static final Duration DEFAULT_RECONNECT_BACKOFF_MAX = Duration.ofSeconds(2);
    /**
     * About 100 bytes per entry, so 256 Ki entries ≈ 25 MiB: covers every page of a 2 GiB buffer pool of 8 KiB
     * pages; a block whose entry was evicted is read at quorum, which is correct, only slower.
     */
    public static final int DEFAULT_VERSION_LIST_MAX_ENTRIES = 256 * 1024;
    /**
     * 64 MiB of hints: several seconds of full-speed writes to one down server. Beyond that anti-entropy is the
     * cheaper way to bring it back; the oldest hints are dropped and counted.
     */
    public static final long DEFAULT_HINTED_HANDOFF_MAX_BYTES = 64L << 20;
    /** Far above what a server's bounded queues accept at once; a runaway caller fails fast instead of buffering. */
    public static final int DEFAULT_MAX_IN_FLIGHT_PER_SERVER = 4096;
    public static final Duration DEFAULT_HINT_PROBE_MIN = Duration.ofMillis(50);
    /** A server back from a restart receives its hints within ~5 s at worst. */
    public static final Duration DEFAULT_HINT_PROBE_MAX = Duration.ofSeconds(5);
    /** Two event loops: the build and test machines have 2 cores; one loop already handles ~100k requests/s. */
    public static final int DEFAULT_IO_THREADS = 2;

    /** Upper bound of {@link #ioThreads}: more loops than this only add context switches for one client. */
    public static final int MAX_IO_THREADS = 64;

    public DaxClientConfig {
        Objects.requireNonNull(clientZone, "clientZone");
        if (clientZone.isBlank()) {
            throw new IllegalArgumentException("clientZone must not be blank");
        }
        positive(requestTimeout, "requestTimeout");
        positive(connectTimeout, "connectTimeout");
        positive(retryBackoffMin, "retryBackoffMin");
        positive(retryBackoffMax, "retryBackoffMax");
        positive(reconnectBackoffMin, "reconnectBackoffMin");
        positive(reconnectBackoffMax, "reconnectBackoffMax");
        positive(hintProbeMin, "hintProbeMin");
        positive(hintProbeMax, "hintProbeMax");
        Objects.requireNonNull(antiEntropyInterval, "antiEntropyInterval");
        if (antiEntropyInterval.isNegative()) {
            throw new IllegalArgumentException("antiEntropyInterval must be >= 0 (0 = off), was " + antiEntropyInterval);
        }
        if (retryAttempts < 0) {
            throw new IllegalArgumentException("retryAttempts must be >= 0, was " + retryAttempts);
        }
        if (retryBackoffMin.compareTo(retryBackoffMax) > 0) {
            throw new IllegalArgumentException("retryBackoffMin " + retryBackoffMin + " exceeds retryBackoffMax "
                    + retryBackoffMax);
        }
        if (reconnectBackoffMin.compareTo(reconnectBackoffMax) > 0) {
            throw new IllegalArgumentException("reconnectBackoffMin " + reconnectBackoffMin
                    + " exceeds reconnectBackoffMax " + reconnectBackoffMax);
        }
        if (hintProbeMin.compareTo(hintProbeMax) > 0) {
            throw new IllegalArgumentException("hintProbeMin " + hintProbeMin + " exceeds hintProbeMax " + hintProbeMax);
        }
        if (connectTimeout.compareTo(requestTimeout) > 0) {
            throw new IllegalArgumentException("connectTimeout " + connectTimeout + " exceeds requestTimeout "
                    + requestTimeout + ": a request would time out before its connect could");
        }
        if (versionListMaxEntries < 1) {
            throw new IllegalArgumentException("versionListMaxEntries must be >= 1, was " + versionListMaxEntries);
        }
        if (hintedHandoffMaxBytes < WireLimits.MAX_BLOCK_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("hintedHandoffMaxBytes " + hintedHandoffMaxBytes
                    + " must hold at least one largest block (" + WireLimits.MAX_BLOCK_PAYLOAD_BYTES + " bytes)");
        }
        if (maxInFlightPerServer < 1) {
            throw new IllegalArgumentException("maxInFlightPerServer must be >= 1, was " + maxInFlightPerServer);
        }
        if (ioThreads < 1 || ioThreads > MAX_IO_THREADS) {
            throw new IllegalArgumentException("ioThreads must be in 1.." + MAX_IO_THREADS + ", was " + ioThreads);
        }
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + d);
        }
    }

    /** The defaults, for a client in {@code clientZone}. */
    public static DaxClientConfig defaults(String clientZone) {
        return builder(clientZone).build();
    }

    public static Builder builder(String clientZone) {
        return new Builder(clientZone);
    }

    public Builder toBuilder() {
        Builder b = new Builder(clientZone);
        b.requestTimeout = requestTimeout;
        b.connectTimeout = connectTimeout;
        b.retryAttempts = retryAttempts;
        b.retryBackoffMin = retryBackoffMin;
        b.retryBackoffMax = retryBackoffMax;
        b.reconnectBackoffMin = reconnectBackoffMin;
        b.reconnectBackoffMax = reconnectBackoffMax;
        b.versionListMaxEntries = versionListMaxEntries;
        b.hintedHandoffMaxBytes = hintedHandoffMaxBytes;
        b.maxInFlightPerServer = maxInFlightPerServer;
        b.hintProbeMin = hintProbeMin;
        b.hintProbeMax = hintProbeMax;
        b.antiEntropyInterval = antiEntropyInterval;
        b.ioThreads = ioThreads;
        return b;
    }

    /** Builder starting from the defaults; {@link #build()} validates. */
    public static final class Builder {
        private String clientZone;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private int retryAttempts = DEFAULT_RETRY_ATTEMPTS;
        private Duration retryBackoffMin = DEFAULT_RETRY_BACKOFF_MIN;
        private Duration retryBackoffMax = DEFAULT_RETRY_BACKOFF_MAX;
        private Duration reconnectBackoffMin = DEFAULT_RECONNECT_BACKOFF_MIN;
        private Duration reconnectBackoffMax = DEFAULT_RECONNECT_BACKOFF_MAX;
        private int versionListMaxEntries = DEFAULT_VERSION_LIST_MAX_ENTRIES;
        private long hintedHandoffMaxBytes = DEFAULT_HINTED_HANDOFF_MAX_BYTES;
        private int maxInFlightPerServer = DEFAULT_MAX_IN_FLIGHT_PER_SERVER;
        private Duration hintProbeMin = DEFAULT_HINT_PROBE_MIN;
        private Duration hintProbeMax = DEFAULT_HINT_PROBE_MAX;
        private Duration antiEntropyInterval = Duration.ZERO;
        private int ioThreads = DEFAULT_IO_THREADS;

        private Builder(String clientZone) {
            this.clientZone = clientZone;
        }

        public Builder clientZone(String v) { clientZone = v; return this; }
        public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder retryAttempts(int v) { retryAttempts = v; return this; }
        public Builder retryBackoff(Duration min, Duration max) { retryBackoffMin = min; retryBackoffMax = max; return this; }
        public Builder reconnectBackoff(Duration min, Duration max) {
            reconnectBackoffMin = min;
            reconnectBackoffMax = max;
            return this;
        }
        public Builder versionListMaxEntries(int v) { versionListMaxEntries = v; return this; }
        public Builder hintedHandoffMaxBytes(long v) { hintedHandoffMaxBytes = v; return this; }
        public Builder maxInFlightPerServer(int v) { maxInFlightPerServer = v; return this; }
        public Builder hintProbe(Duration min, Duration max) { hintProbeMin = min; hintProbeMax = max; return this; }
        public Builder antiEntropyInterval(Duration v) { antiEntropyInterval = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }

        public DaxClientConfig build() {
            return new DaxClientConfig(clientZone, requestTimeout, connectTimeout, retryAttempts, retryBackoffMin,
                    retryBackoffMax, reconnectBackoffMin, reconnectBackoffMax, versionListMaxEntries,
                    hintedHandoffMaxBytes, maxInFlightPerServer, hintProbeMin, hintProbeMax, antiEntropyInterval,
                    ioThreads);
        }
    }
}
