package io.cacdb.dax.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.placement.Placement;
import io.cacdb.dax.placement.SegmentCoverage;
import io.cacdb.dax.transport.NetworkConditions;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.Status;
import io.cacdb.dax.wire.WireLimits;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DAX client library: quorum writes, the three read kinds, fencing, log truncation, and the repair machinery
 * (read repair, hinted handoff, anti-entropy) over one connection per server.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@link #write}: completes when W replicas (spanning two zones) hold a version at least the one sent,
 *       durably. Replicas that missed it get a hint.</li>
 *   <li>{@link #readQuorum}: the highest version among R replicas whose copies pass their checksum; since R + W &gt;
 *       N it sees every write that completed before the read started.</li>
 *   <li>{@link #readAtLeast}: a copy of version ≥ {@code min} from the nearest replica that has one, else the
 *       quorum read's answer (which is below {@code min} only if no replica reached holds {@code min}).</li>
 *   <li>{@link #readAny}: the nearest replica's copy; no freshness guarantee.</li>
 *   <li>{@link #fence}: on completion, in every segment at least N − W + 1 replicas refuse older epochs, so no
 *       write of an older epoch can complete any more.</li>
 *   <li>{@link #deleteBelow}: on completion, in every segment at least W replicas have truncated, so no write below
 *       the point can complete any more and the truncation survives N − W lost replicas.</li>
 * </ul>
 *
 * <h2>Repairs need an epoch</h2>
 * A repair is a write, and writes carry an epoch. The client repairs a volume with the highest epoch it has itself
 * used for that volume in writes, fences or truncations; a client that never did (a standby) does not repair, it
 * only counts {@code cacdb.dax.client.repairs.skipped}.
 *
 * <h2>Threads</h2>
 * Returned futures complete on the client's Netty event loops (or, for anti-entropy, on a virtual thread): callers
 * must not block in dependent stages; use the {@code *Async} variants for blocking work. All methods are
 * thread-safe.
 */
public final class DaxClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DaxClient.class);

    /** Volume argument of {@link #call} for requests that name no volume (PING). */
    private static final long NO_VOLUME = -1;

    /**
     * SCAN page size of anti-entropy: the wire maximum, so a pass over a volume needs the fewest round trips; the
     * pass holds at most one page per server in memory (9 servers × 8192 × ~60 bytes ≈ 4.5 MiB).
     */
    static final int ANTI_ENTROPY_SCAN_ENTRIES = WireLimits.MAX_SCAN_ENTRIES;

    /** Blocks anti-entropy repairs concurrently: enough to hide round trips, few enough not to flood a server. */
    static final int ANTI_ENTROPY_PARALLEL_BLOCKS = 32;

    /** Bound on waiting for the event loops to stop in {@link #close()}: they hold no work worth waiting longer for. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final ClusterMap map;
    private final Placement placement;
    private final DaxClientConfig config;
    private final NetworkConditions network;
    private final ClientMetrics metrics;
    private final MultiThreadIoEventLoopGroup group;
    private final Map<String, ServerConnection> connections = new LinkedHashMap<>();
    private final Cache<BlockAddress, Version> versionList;
    private final Set<Long> knownVolumes = ConcurrentHashMap.newKeySet();
    private final Map<Long, Long> repairEpochs = new ConcurrentHashMap<>();
    private final HintedHandoff hints;
    private final ExecutorService background = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("dax-client-anti-entropy-", 0).factory());
    private final Set<Long> antiEntropyRunning = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> antiEntropyTask;
    private final SettleTracker settleTracker = new SettleTracker();
    private volatile boolean closed;

    private DaxClient(ClusterMap map, DaxClientConfig config, MeterRegistry registry, NetworkConditions network) {
        this.map = map;
        this.placement = new Placement(map);
        this.config = config;
        this.network = network;
        this.metrics = new ClientMetrics(registry);
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(), NioIoHandler.newFactory());
        for (ServerInfo s : map.servers()) {
            connections.put(s.id(), new ServerConnection(s, config.clientZone(), config, network,
                    (EventLoop) group.next(), metrics));
        }
        this.versionList = Caffeine.newBuilder().maximumSize(config.versionListMaxEntries()).build();
        this.hints = new HintedHandoff(this, config, metrics);
        if (config.antiEntropyInterval().isZero()) {
            antiEntropyTask = null;
        } else {
            long period = config.antiEntropyInterval().toNanos();
            antiEntropyTask = group.next().scheduleWithFixedDelay(this::periodicAntiEntropy, period, period,
                    TimeUnit.NANOSECONDS);
        }
    }

    /** A client with no injected network conditions. */
    public static DaxClient create(ClusterMap map, DaxClientConfig config, MeterRegistry registry) {
        return create(map, config, registry, NetworkConditions.none());
    }

    /** A client whose transport applies {@code network} (cross-zone delay, cut-offs) to every message. */
    public static DaxClient create(ClusterMap map, DaxClientConfig config, MeterRegistry registry,
            NetworkConditions network) {
        return new DaxClient(map, config, registry, network);
    }

    public ClusterMap clusterMap() {
        return map;
    }

    public Placement placement() {
        return placement;
    }

    public DaxClientConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------------------------------ volumes

    /**
     * Creates a volume on every server. Completes once every segment has W replicas that hold the volume (so writes
     * can complete); servers that missed the creation get it when they first answer UNKNOWN_VOLUME to this client.
     */
    public CompletableFuture<Void> createVolume(long volume) {
        openVolume(volume);
        return broadcast("create", "volume " + volume, map.quorum().writeQuorum(), NO_VOLUME,
                id -> new DaxRequest.CreateVolume(id, volume),
                (server, response) -> response instanceof DaxResponse.VolumeCreated ? null : describe(response),
                (server) -> { })
                .thenApply(acked -> null);
    }

    /**
     * Declares that this client uses an existing volume: a server that answers UNKNOWN_VOLUME for it is sent
     * CREATE_VOLUME and the request is retried once (that is how a server that missed the creation is repaired).
     */
    public void openVolume(long volume) {
        if (volume < 0) {
            throw new IllegalArgumentException("volume must be >= 0, was " + volume);
        }
        knownVolumes.add(volume);
    }

    // ------------------------------------------------------------------------------------------------------ writes

    /**
     * Writes a block to all N replicas of its segment; completes at W acknowledgements spanning two zones (APPLIED,
     * ALREADY_PRESENT and SUPERSEDED all count: a version at least the one sent is durable there).
     *
     * <p>Fails with {@link StaleEpochException} if any replica reports a higher fenced epoch (this writer is
     * deposed), {@link VersionConflictException} if a replica holds this version with other bytes,
     * {@link BelowTruncationException} below the truncation point, and {@link QuorumNotReachedException} once W can
     * no longer be reached. On success the version is recorded in the version list and replicas that did not
     * acknowledge get a hint.
     */
    public CompletableFuture<Void> write(long epoch, Block block) {
        requireOpen();
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, was " + epoch);
        }
        if (!block.checksumValid()) {
            throw new IllegalArgumentException(block + ": payload does not match its CRC32C (changed after "
                    + "Block.of?)");
        }
        noteEpoch(block.address().volume(), epoch);
        List<ServerInfo> replicas = placement.replicasOf(block.address());
        WriteQuorum q = new WriteQuorum(epoch, block, replicas, System.nanoTime());
        for (ServerInfo server : replicas) {
            call(server, "write", id -> new DaxRequest.Write(id, epoch, block), block.address().volume())
                    .whenComplete((response, error) -> q.onReply(server, response, error));
        }
        return q.result;
    }

    /** Per-write quorum state; replies arrive on several event loops, so every method is synchronized. */
    private final class WriteQuorum {
        final long epoch;
        final Block block;
        final List<ServerInfo> replicas;
        final long startNanos;
        final CompletableFuture<Void> result = new CompletableFuture<>();
        final Set<String> acked = new HashSet<>();
        final Set<String> ackedZones = new HashSet<>();
        final Map<String, String> failures = new HashMap<>();
        int settled;

        WriteQuorum(long epoch, Block block, List<ServerInfo> replicas, long startNanos) {
            this.epoch = epoch;
            this.block = block;
            this.replicas = replicas;
            this.startNanos = startNanos;
            settleTracker.begin();
        }

        synchronized void onReply(ServerInfo server, DaxResponse response, Throwable error) {
            settled++;
            BlockAddress address = block.address();
            if (error != null) {
                failures.put(server.id(), describe(error));
            } else if (response instanceof DaxResponse.WriteAck) {
                acked.add(server.id());
                ackedZones.add(server.zone());
            } else if (response instanceof DaxResponse.Error e) {
                failures.put(server.id(), describe(e));
                switch (e.status()) {
                    case STALE_EPOCH -> finish(new StaleEpochException(address.volume(), epoch, e.detail(), server.id()));
                    case VERSION_CONFLICT -> finish(new VersionConflictException(address, block.version(),
                            server.id(), e.message()));
                    case BELOW_TRUNCATION -> finish(new BelowTruncationException(address, e.detail(), server.id()));
                    default -> {
                    }
                }
            } else {
                failures.put(server.id(), "unexpected response " + response);
            }
            int w = map.quorum().writeQuorum();
            if (!result.isDone() && acked.size() >= w && ackedZones.size() >= 2) {
                versionList.asMap().merge(address, block.version(), Version::max);
                finish(null);
            }
            int outstanding = replicas.size() - settled;
            if (!result.isDone() && (acked.size() + outstanding < w || outstanding == 0)) {
                finish(new QuorumNotReachedException("write", address + "@" + block.version(), w, acked.size(),
                        failures));
            }
            if (outstanding == 0 && !result.isCompletedExceptionally()) {
                for (ServerInfo r : replicas) {
                    if (!acked.contains(r.id())) {
                        hints.add(r, new HintedHandoff.WriteHint(epoch, block));
                    }
                }
            }
            if (outstanding == 0) {
                settleTracker.end();
            }
        }

        private void finish(DaxException error) {
            if (result.isDone()) {
                return;
            }
            metrics.quorumLatency("write", error == null, System.nanoTime() - startNanos);
            if (error == null) {
                result.complete(null);
            } else {
                result.completeExceptionally(error);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------- reads

    /**
     * Reads {@code address} by version: with a version-list entry (this client wrote the block recently) as
     * {@link #readAtLeast} that version, otherwise {@link #readQuorum}.
     */
    public CompletableFuture<Optional<Block>> read(BlockAddress address) {
        Version known = versionList.getIfPresent(address);
        return known != null ? readAtLeast(address, known) : readQuorum(address);
    }

    /**
     * Asks every replica, completes at R replies whose copies pass their checksum (a missing block is a reply) with
     * the highest version among them, or empty if none holds the block. Once all replicas answered, replicas with a
     * missing, older or corrupt copy are repaired with the newest good copy (read repair).
     *
     * <p>Fails with {@link CorruptBlockException} if replicas report corrupt copies and none is good, or
     * {@link QuorumNotReachedException} if fewer than R replicas answer.
     */
    public CompletableFuture<Optional<Block>> readQuorum(BlockAddress address) {
        requireOpen();
        long start = System.nanoTime();
        CompletableFuture<Optional<Block>> result = quorumRead(address);
        result.whenComplete((r, e) -> metrics.quorumLatency("read.quorum", e == null, System.nanoTime() - start));
        return result;
    }

    private CompletableFuture<Optional<Block>> quorumRead(BlockAddress address) {
        List<ServerInfo> replicas = placement.replicasOf(address);
        QuorumRead q = new QuorumRead(address, replicas);
        for (ServerInfo server : replicas) {
            readReplica(server, address).thenAccept(q::onReply);
        }
        return q.result;
    }

    private final class QuorumRead {
        final BlockAddress address;
        final List<ServerInfo> replicas;
        final CompletableFuture<Optional<Block>> result = new CompletableFuture<>();
        final List<ReplicaCopy> replies = new ArrayList<>();
        int clean;

        QuorumRead(BlockAddress address, List<ServerInfo> replicas) {
            this.address = address;
            this.replicas = replicas;
            settleTracker.begin();
        }

        synchronized void onReply(ReplicaCopy copy) {
            replies.add(copy);
            if (copy instanceof ReplicaCopy.Good || copy instanceof ReplicaCopy.Missing) {
                clean++;
            }
            int r = map.quorum().readQuorum();
            if (!result.isDone() && clean >= r) {
                result.complete(best(replies).map(ReplicaCopy.Good::block));
            }
            if (replies.size() < replicas.size()) {
                return;
            }
            Optional<ReplicaCopy.Good> best = best(replies);
            if (!result.isDone()) {
                List<String> corrupt = ids(replies, ReplicaCopy.Corrupt.class);
                if (best.isPresent() && clean + corrupt.size() >= r) {
                    result.complete(best.map(ReplicaCopy.Good::block));
                } else if (best.isEmpty() && !corrupt.isEmpty()) {
                    result.completeExceptionally(new CorruptBlockException(address, corrupt,
                            ids(replies, ReplicaCopy.Failed.class)));
                } else {
                    result.completeExceptionally(new QuorumNotReachedException("read", address.toString(), r, clean,
                            failureReasons(replies)));
                }
            }
            best.ifPresent(b -> repairStale(b.block(), replies));
            settleTracker.end();
        }
    }

    /**
     * Optimistic read: the nearest replica (same zone first); if its copy is below {@code min} (or missing, corrupt,
     * unreachable), all other replicas at once, taking the first good copy of version ≥ {@code min}; else a quorum
     * read, whose answer is returned even if below {@code min} (then no replica reached holds {@code min}).
     */
    public CompletableFuture<Optional<Block>> readAtLeast(BlockAddress address, Version min) {
        requireOpen();
        long start = System.nanoTime();
        List<ServerInfo> order = nearestFirst(placement.replicasOf(address));
        CompletableFuture<Optional<Block>> result = new CompletableFuture<>();
        List<ReplicaCopy> seen = new ArrayList<>();
        readReplica(order.get(0), address).thenAccept(first -> {
            if (first instanceof ReplicaCopy.Good g && g.block().version().isAtLeast(min)) {
                result.complete(Optional.of(g.block()));
                return;
            }
            synchronized (seen) {
                seen.add(first);
            }
            List<ServerInfo> others = order.subList(1, order.size());
            if (others.isEmpty()) {
                metrics.escalationsToQuorum.increment();
                quorumRead(address).whenComplete((r, e) -> completeFrom(result, r, e));
                return;
            }
            metrics.escalationsToOthers.increment();
            int[] remaining = {others.size()};
            for (ServerInfo other : others) {
                readReplica(other, address).thenAccept(copy -> {
                    boolean last;
                    synchronized (seen) {
                        seen.add(copy);
                        last = --remaining[0] == 0;
                        if (!result.isDone() && copy instanceof ReplicaCopy.Good g
                                && g.block().version().isAtLeast(min)) {
                            result.complete(Optional.of(g.block()));
                            repairStale(g.block(), List.copyOf(seen));
                            return;
                        }
                    }
                    if (last && !result.isDone()) {
                        metrics.escalationsToQuorum.increment();
                        quorumRead(address).whenComplete((r, e) -> completeFrom(result, r, e));
                    }
                });
            }
        });
        result.whenComplete((r, e) -> metrics.quorumLatency("read.atleast", e == null, System.nanoTime() - start));
        return result;
    }

    /**
     * The nearest replica's copy, without any freshness guarantee: for data validated some other way. Tries the
     * next-nearest replica when one is unreachable or corrupt.
     */
    public CompletableFuture<Optional<Block>> readAny(BlockAddress address) {
        requireOpen();
        long start = System.nanoTime();
        CompletableFuture<Optional<Block>> result = new CompletableFuture<>();
        readAnyFrom(address, nearestFirst(placement.replicasOf(address)), 0, new ArrayList<>(), result);
        result.whenComplete((r, e) -> metrics.quorumLatency("read.any", e == null, System.nanoTime() - start));
        return result;
    }

    private void readAnyFrom(BlockAddress address, List<ServerInfo> order, int index, List<ReplicaCopy> seen,
            CompletableFuture<Optional<Block>> result) {
        if (index == order.size()) {
            List<String> corrupt = ids(seen, ReplicaCopy.Corrupt.class);
            if (!corrupt.isEmpty()) {
                result.completeExceptionally(new CorruptBlockException(address, corrupt,
                        ids(seen, ReplicaCopy.Failed.class)));
            } else {
                result.completeExceptionally(new QuorumNotReachedException("read.any", address.toString(), 1, 0,
                        failureReasons(seen)));
            }
            return;
        }
        if (index > 0) {
            metrics.escalationsToOthers.increment();
        }
        readReplica(order.get(index), address).thenAccept(copy -> {
            switch (copy) {
                case ReplicaCopy.Good g -> {
                    result.complete(Optional.of(g.block()));
                    repairStale(g.block(), seen);
                }
                case ReplicaCopy.Missing m -> result.complete(Optional.empty());
                default -> {
                    seen.add(copy);
                    readAnyFrom(address, order, index + 1, seen, result);
                }
            }
        });
    }

    /**
     * Reads one server's copy of a block and checks its checksum. Never completes exceptionally: failures are
     * {@link ReplicaCopy.Failed}. Also a diagnostic tool (inspect one replica).
     */
    public CompletableFuture<ReplicaCopy> readReplica(ServerInfo server, BlockAddress address) {
        return call(server, "read", id -> new DaxRequest.Read(id, address), address.volume())
                .handle((response, error) -> {
                    if (error != null) {
                        return new ReplicaCopy.Failed(server.id(), describe(error));
                    }
                    if (response instanceof DaxResponse.ReadResult r) {
                        if (!r.found()) {
                            return new ReplicaCopy.Missing(server.id());
                        }
                        if (!r.block().checksumValid()) {
                            return new ReplicaCopy.Corrupt(server.id(), "copy of " + r.block().version()
                                    + " fails its CRC32C");
                        }
                        return new ReplicaCopy.Good(server.id(), r.block());
                    }
                    if (response instanceof DaxResponse.Error e && e.status() == Status.CORRUPT_BLOCK) {
                        return new ReplicaCopy.Corrupt(server.id(), "server reports CORRUPT_BLOCK: " + e.message());
                    }
                    return new ReplicaCopy.Failed(server.id(), describe(response));
                });
    }

    /** One server's version summaries of a whole space of a volume (all SCAN pages). Diagnostic and test aid. */
    public CompletableFuture<List<BlockSummary>> scanReplica(ServerInfo server, long volume, Space space) {
        List<BlockSummary> all = new ArrayList<>();
        CompletableFuture<List<BlockSummary>> result = new CompletableFuture<>();
        scanFrom(server, volume, space, 0, all, result);
        return result;
    }

    private void scanFrom(ServerInfo server, long volume, Space space, long from, List<BlockSummary> all,
            CompletableFuture<List<BlockSummary>> result) {
        scanPage(server, volume, space, from).whenComplete((page, error) -> {
            if (error != null) {
                result.completeExceptionally(unwrap(error));
                return;
            }
            all.addAll(page.entries());
            if (page.more()) {
                scanFrom(server, volume, space, page.nextFromBlockNo(), all, result);
            } else {
                result.complete(all);
            }
        });
    }

    CompletableFuture<DaxResponse.ScanResult> scanPage(ServerInfo server, long volume, Space space, long from) {
        return call(server, "scan", id -> new DaxRequest.Scan(id, volume, space, from, Long.MAX_VALUE,
                ANTI_ENTROPY_SCAN_ENTRIES), volume).thenApply(response -> {
                    if (response instanceof DaxResponse.ScanResult s) {
                        return s;
                    }
                    throw new CompletionException(asException(server, response));
                });
    }

    /** Replicas in the client's zone first, then the others, each group in placement order. */
    private List<ServerInfo> nearestFirst(List<ServerInfo> replicas) {
        List<ServerInfo> order = new ArrayList<>(replicas.size());
        replicas.stream().filter(s -> s.zone().equals(config.clientZone())).forEach(order::add);
        replicas.stream().filter(s -> !s.zone().equals(config.clientZone())).forEach(order::add);
        return order;
    }

    /** Read repair: sends {@code best} to every replica in {@code replies} that answered with less. */
    private void repairStale(Block best, Collection<ReplicaCopy> replies) {
        for (ReplicaCopy copy : replies) {
            boolean stale = switch (copy) {
                case ReplicaCopy.Good g -> best.version().isNewerThan(g.block().version());
                case ReplicaCopy.Missing m -> true;
                case ReplicaCopy.Corrupt c -> true;
                case ReplicaCopy.Failed f -> false;
            };
            if (stale) {
                map.server(copy.serverId()).ifPresent(server -> {
                    CompletableFuture<Boolean> repair = repairWrite(server, best);
                    if (repair != null) {
                        metrics.readRepairs.increment();
                        settleTracker.begin();
                        repair.whenComplete((ok, e) -> settleTracker.end());
                    }
                });
            }
        }
    }

    /**
     * Writes {@code block} to one replica with this client's repair epoch for the volume. Returns null (and counts
     * a skipped repair) when the client has no epoch for the volume. The future never fails: it tells whether the
     * replica now holds at least that version.
     */
    CompletableFuture<Boolean> repairWrite(ServerInfo server, Block block) {
        Long epoch = repairEpochs.get(block.address().volume());
        if (epoch == null) {
            metrics.repairsSkipped.increment();
            return null;
        }
        return call(server, "repair", id -> new DaxRequest.Write(id, epoch, block), block.address().volume())
                .handle((response, error) -> {
                    boolean ok = error == null && response instanceof DaxResponse.WriteAck;
                    if (!ok) {
                        log.debug("repair of {} on {} failed: {}", block, server.id(),
                                error != null ? describe(error) : describe(response));
                    }
                    return ok;
                });
    }

    // ------------------------------------------------------------------------------------ fencing and truncation

    /**
     * Raises the volume's epoch to {@code newEpoch} on every server. Completes (with {@code newEpoch}) once the
     * servers that acknowledged cover, in every segment, at least N − W + 1 replicas: then no write of an older
     * epoch can ever reach W again. Servers that have not acknowledged keep receiving the FENCE in the background
     * (as hints). Idempotent. Fails with {@link StaleEpochException} if a server is already fenced above
     * {@code newEpoch}, or {@link QuorumNotReachedException} if too few servers acknowledge.
     */
    public CompletableFuture<Long> fence(long volume, long newEpoch) {
        requireOpen();
        openVolume(volume);
        noteEpoch(volume, newEpoch);
        return broadcast("fence", "volume " + volume + " epoch " + newEpoch, map.quorum().fenceQuorum(), volume,
                id -> new DaxRequest.Fence(id, volume, newEpoch),
                (server, response) -> {
                    if (response instanceof DaxResponse.Fenced f) {
                        if (f.currentEpoch() > newEpoch) {
                            throw new StaleEpochException(volume, newEpoch, f.currentEpoch(), server.id());
                        }
                        return null;
                    }
                    if (response instanceof DaxResponse.Error e && e.status() == Status.STALE_EPOCH) {
                        throw new StaleEpochException(volume, newEpoch, e.detail(), server.id());
                    }
                    return describe(response);
                },
                server -> hints.add(server, new HintedHandoff.FenceHint(volume, newEpoch)))
                .thenApply(acked -> newEpoch);
    }

    /**
     * Log truncation: deletes every block of {@code (volume, space)} below {@code blockNo} on every server.
     * Completes once, in every segment, at least W replicas acknowledged (the write-quorum rule, stronger than
     * fencing's N − W + 1): the truncation is then as durable as a write, and no write below the point can reach W
     * again. Stragglers receive it in the background (as hints). Fails with {@link StaleEpochException} if the
     * volume is fenced above {@code epoch}.
     */
    public CompletableFuture<Void> deleteBelow(long epoch, long volume, Space space, long blockNo) {
        requireOpen();
        noteEpoch(volume, epoch);
        return broadcast("delete", "volume " + volume + " " + space + " below " + blockNo,
                map.quorum().writeQuorum(), volume,
                id -> new DaxRequest.DeleteBelow(id, epoch, volume, space, blockNo),
                (server, response) -> {
                    if (response instanceof DaxResponse.Deleted) {
                        return null;
                    }
                    if (response instanceof DaxResponse.Error e && e.status() == Status.STALE_EPOCH) {
                        throw new StaleEpochException(volume, epoch, e.detail(), server.id());
                    }
                    return describe(response);
                },
                server -> hints.add(server, new HintedHandoff.DeleteHint(epoch, volume, space, blockNo)))
                .thenApply(acked -> null);
    }

    /** Classifies one server's answer to a broadcast: null = acknowledged, a string = why not; may throw a verdict. */
    @FunctionalInterface
    private interface BroadcastClassifier {
        String classify(ServerInfo server, DaxResponse response);
    }

    /**
     * Sends one request to every server of the map; completes when the acknowledging servers cover every segment
     * with at least {@code perSegment} replicas ({@link SegmentCoverage}). {@code onFailure} runs for each server
     * that finally failed (not for verdicts).
     */
    private CompletableFuture<Set<String>> broadcast(String op, String target, int perSegment, long volume,
            LongFunction<DaxRequest> request, BroadcastClassifier classifier,
            java.util.function.Consumer<ServerInfo> onFailure) {
        long start = System.nanoTime();
        CompletableFuture<Set<String>> result = new CompletableFuture<>();
        Set<String> acked = new HashSet<>();
        Map<String, String> failures = new HashMap<>();
        int[] settled = {0};
        settleTracker.begin();
        for (ServerInfo server : map.servers()) {
            call(server, op, request, volume).whenComplete((response, error) -> {
                boolean failed = false;
                boolean last;
                synchronized (acked) {
                    last = ++settled[0] == map.servers().size();
                    try {
                        String why = error != null ? describe(error) : classifier.classify(server, response);
                        if (why == null) {
                            acked.add(server.id());
                        } else {
                            failures.put(server.id(), why);
                            failed = true;
                        }
                    } catch (DaxException verdict) {
                        failures.put(server.id(), verdict.getMessage());
                        if (result.completeExceptionally(verdict)) {
                            metrics.quorumLatency(op, false, System.nanoTime() - start);
                        }
                    }
                    if (!result.isDone() && SegmentCoverage.everySegmentHas(map, acked, perSegment)) {
                        metrics.quorumLatency(op, true, System.nanoTime() - start);
                        result.complete(Set.copyOf(acked));
                    } else if (!result.isDone() && settled[0] == map.servers().size()) {
                        metrics.quorumLatency(op, false, System.nanoTime() - start);
                        int worstSegment = map.quorum().replicas() - SegmentCoverage.worstCaseUnacked(map, acked);
                        result.completeExceptionally(new QuorumNotReachedException(op, target, perSegment,
                                worstSegment, failures));
                    }
                }
                if (failed) {
                    onFailure.accept(server);
                }
                if (last) {
                    settleTracker.end();
                }
            });
        }
        return result;
    }

    // ------------------------------------------------------------------------------------------- version list etc.

    /** The last version this client wrote of {@code address}, if still in the version list. */
    public Optional<Version> lastWrittenVersion(BlockAddress address) {
        return Optional.ofNullable(versionList.getIfPresent(address));
    }

    /** The epoch this client repairs {@code volume} with (the highest it used in writes, fences, truncations). */
    public Optional<Long> repairEpoch(long volume) {
        return Optional.ofNullable(repairEpochs.get(volume));
    }

    private void noteEpoch(long volume, long epoch) {
        repairEpochs.merge(volume, epoch, Math::max);
    }

    /** Bytes of hints waiting for servers that missed writes, fences or truncations. */
    public long pendingHintBytes() {
        return hints.pendingBytes();
    }

    /** Completes when no hints are pending (now, or once delivered or dropped). */
    public CompletableFuture<Void> hintsDrained() {
        return hints.drained();
    }

    // ------------------------------------------------------------------------------------------------ anti-entropy

    /**
     * One anti-entropy pass over a volume: SCANs every server (paged), groups blocks into segments, compares the
     * replicas' versions, and copies the newest good version to reachable replicas that lack it. Runs on a virtual
     * thread; the future completes with what was found and done.
     */
    public CompletableFuture<AntiEntropyReport> antiEntropy(long volume) {
        requireOpen();
        return CompletableFuture.supplyAsync(() -> new AntiEntropy(this, placement, metrics).run(volume),
                background);
    }

    private void periodicAntiEntropy() {
        for (long volume : repairEpochs.keySet()) {
            if (closed || !antiEntropyRunning.add(volume)) {
                continue;
            }
            antiEntropy(volume).whenComplete((report, error) -> {
                antiEntropyRunning.remove(volume);
                if (error != null) {
                    log.warn("anti-entropy of volume {} failed: {}", volume, describe(error));
                } else if (report.blocksDivergent() > 0) {
                    log.info("anti-entropy of volume {}: {}", volume, report);
                }
            });
        }
    }

    // ------------------------------------------------------------------------------------- requests with retries

    /**
     * One request to one server with retries: retryable statuses and connection failures are retried with capped
     * exponential backoff within the request deadline ({@link DaxClientConfig#requestTimeout()}); an UNKNOWN_VOLUME
     * for a volume this client created or opened is answered with CREATE_VOLUME and the request retried once.
     * Completes with the server's final response (possibly an {@link DaxResponse.Error}), or exceptionally with the
     * last transport failure.
     */
    CompletableFuture<DaxResponse> call(ServerInfo server, String op, LongFunction<DaxRequest> request, long volume) {
        CompletableFuture<DaxResponse> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new ClientClosedException());
            return result;
        }
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        attempt(connections.get(server.id()), op, request, volume, deadline, 0, false, result);
        return result;
    }

    private void attempt(ServerConnection conn, String op, LongFunction<DaxRequest> request, long volume,
            long deadline, int attempt, boolean volumeCreated, CompletableFuture<DaxResponse> result) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            result.completeExceptionally(new DaxTimeoutException(conn.server().id(), op, config.requestTimeout()));
            return;
        }
        conn.send(request, Duration.ofNanos(remaining)).whenComplete((response, error) -> {
            if (error != null) {
                Throwable cause = unwrap(error);
                if (cause instanceof DaxException de && de.retryable() && !(cause instanceof DaxTimeoutException)
                        && attempt < config.retryAttempts()) {
                    retryLater(conn, op, request, volume, deadline, attempt, volumeCreated, result, cause);
                } else {
                    result.completeExceptionally(cause);
                }
                return;
            }
            if (response instanceof DaxResponse.Error e) {
                if (e.status() == Status.UNKNOWN_VOLUME && !volumeCreated && knownVolumes.contains(volume)) {
                    log.info("{} does not know volume {}; creating it there", conn.server().id(), volume);
                    conn.send(id -> new DaxRequest.CreateVolume(id, volume), Duration.ofNanos(remaining))
                            .whenComplete((created, createError) -> {
                                if (createError == null && created instanceof DaxResponse.VolumeCreated) {
                                    attempt(conn, op, request, volume, deadline, attempt, true, result);
                                } else {
                                    result.complete(response);
                                }
                            });
                    return;
                }
                if (e.status().retryable() && attempt < config.retryAttempts()) {
                    retryLater(conn, op, request, volume, deadline, attempt, volumeCreated, result,
                            new DaxServerException(conn.server().id(), e.status(), e.detail(), e.message()));
                    return;
                }
            }
            result.complete(response);
        });
    }

    private void retryLater(ServerConnection conn, String op, LongFunction<DaxRequest> request, long volume,
            long deadline, int attempt, boolean volumeCreated, CompletableFuture<DaxResponse> result,
            Throwable lastError) {
        long backoff = Math.min(config.retryBackoffMin().toNanos() << Math.min(attempt, 20),
                config.retryBackoffMax().toNanos());
        if (closed || System.nanoTime() + backoff >= deadline) {
            result.completeExceptionally(lastError);
            return;
        }
        metrics.retry(op);
        conn.loop().schedule(() -> attempt(conn, op, request, volume, deadline, attempt + 1, volumeCreated, result),
                backoff, TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private void requireOpen() {
        if (closed) {
            throw new ClientClosedException();
        }
    }

    private static <T> void completeFrom(CompletableFuture<T> target, T value, Throwable error) {
        if (error != null) {
            target.completeExceptionally(unwrap(error));
        } else {
            target.complete(value);
        }
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static String describe(Throwable t) {
        Throwable c = unwrap(t);
        return c instanceof DaxException ? c.getMessage() : c.toString();
    }

    static String describe(DaxResponse response) {
        if (response instanceof DaxResponse.Error e) {
            return e.status() + (e.detail() != 0 ? "(" + e.detail() + ")" : "") + ": " + e.message();
        }
        return "unexpected response " + response;
    }

    static DaxException asException(ServerInfo server, DaxResponse response) {
        if (response instanceof DaxResponse.Error e) {
            return new DaxServerException(server.id(), e.status(), e.detail(), e.message());
        }
        return new DaxServerException(server.id(), Status.INTERNAL_ERROR, 0, "unexpected response " + response);
    }

    private static List<String> ids(Collection<ReplicaCopy> copies, Class<? extends ReplicaCopy> kind) {
        return copies.stream().filter(kind::isInstance).map(ReplicaCopy::serverId).sorted().toList();
    }

    private static Map<String, String> failureReasons(Collection<ReplicaCopy> copies) {
        Map<String, String> reasons = new HashMap<>();
        for (ReplicaCopy c : copies) {
            switch (c) {
                case ReplicaCopy.Failed f -> reasons.put(f.serverId(), f.reason());
                case ReplicaCopy.Corrupt x -> reasons.put(x.serverId(), "corrupt: " + x.reason());
                default -> {
                }
            }
        }
        return reasons;
    }

    private static Optional<ReplicaCopy.Good> best(Collection<ReplicaCopy> copies) {
        ReplicaCopy.Good best = null;
        for (ReplicaCopy c : copies) {
            if (c instanceof ReplicaCopy.Good g && (best == null || g.block().version().isNewerThan(best.block().version()))) {
                best = g;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Completes when every operation issued so far has settled in the background too: all replicas of writes and
     * broadcasts answered or failed (and their hints are queued), quorum reads got their last replies, and read
     * repairs finished. Tests wait on it instead of sleeping; hint delivery and anti-entropy are not included.
     */
    CompletableFuture<Void> settled() {
        return settleTracker.idle();
    }

    /** Counts operations whose stragglers are still outstanding, and read-repair writes in flight. */
    private static final class SettleTracker {
        private int active;
        private final List<CompletableFuture<Void>> waiters = new ArrayList<>();

        synchronized void begin() {
            active++;
        }

        synchronized void end() {
            if (--active == 0) {
                waiters.forEach(w -> w.complete(null));
                waiters.clear();
            }
        }

        synchronized CompletableFuture<Void> idle() {
            CompletableFuture<Void> f = new CompletableFuture<>();
            if (active == 0) {
                f.complete(null);
            } else {
                waiters.add(f);
            }
            return f;
        }
    }

    EventLoop loopFor(ServerInfo server) {
        return connections.get(server.id()).loop();
    }

    /** Test hook: drops this client's connection to one server as a network failure would. */
    void dropConnectionForTest(String serverId) {
        connections.get(serverId).dropConnectionForTest();
    }

    /**
     * Stops background work (hint delivery, anti-entropy), fails pending requests with
     * {@link ClientClosedException}, closes every connection and the event loops. Pending hints are discarded.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (antiEntropyTask != null) {
            antiEntropyTask.cancel(false);
        }
        hints.close();
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        connections.values().forEach(c -> closing.add(c.close()));
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                    .get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("closing DAX connections did not finish cleanly: {}", e.toString());
        }
        background.shutdownNow();
        group.shutdownGracefully(0, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(CLOSE_TIMEOUT.toMillis());
    }
}
