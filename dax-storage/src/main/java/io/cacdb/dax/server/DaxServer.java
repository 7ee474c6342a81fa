package io.cacdb.dax.server;

import io.cacdb.dax.admin.AdminHttpServer;
import io.cacdb.dax.admin.Health;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.store.BlockStorage;
import io.cacdb.dax.store.RocksBlockStorage;
import io.cacdb.dax.store.StorageException;
import io.cacdb.dax.store.VolumeRecord;
import io.cacdb.dax.wire.DaxFrameDecoder;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.RequestDecoder;
import io.cacdb.dax.wire.ResponseEncoder;
import io.cacdb.dax.wire.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DAX storage server: a RocksDB store of block replicas served over the DAX protocol, plus an admin HTTP
 * endpoint.
 *
 * <p>Promises: a mutation is answered only after it is durable (synced), decided by the single group-commit writer
 * ({@link GroupCommitWriter}); reads and scans run on a bounded pool and see only durable state; no event-loop thread
 * ever waits on disk. Bounded queues answer OVERLOADED when full. A malformed frame closes only its own connection.
 *
 * <p>Lifecycle ({@link ServerState}): {@link #start} returns a SERVING server. {@link #close()} is graceful: stop
 * accepting, answer new requests SHUTTING_DOWN, finish everything queued, close RocksDB. {@link #crash()} is for
 * tests: connections are closed at once and every queued or in-progress request is dropped without an answer; since
 * nothing is acknowledged before its sync, this is what losing the unsynced state of a real crash looks like to
 * clients.
 */
public final class DaxServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DaxServer.class);

    /** Outbound bytes buffered per connection before it stops reading (see the handler's backpressure). */
    static final int WRITE_BUFFER_HIGH_WATER_BYTES = 4 << 20;
    /** Outbound bytes below which a paused connection reads again. */
    static final int WRITE_BUFFER_LOW_WATER_BYTES = 1 << 20;
    /** How long crash() waits for each part to stop; it only ever waits on threads that are not blocked on I/O. */
    static final long CRASH_WAIT_MILLIS = 5_000;

    private final ServerConfig config;
    private final AtomicReference<ServerState> state = new AtomicReference<>(ServerState.STARTING);
    private final PrometheusMeterRegistry registry;
    private final ServerMetrics metrics;
    private final ConcurrentMap<Long, VolumeRecord> volumes = new ConcurrentHashMap<>();
    private final ChannelGroup channels = new DefaultChannelGroup("dax-connections", GlobalEventExecutor.INSTANCE);
    private BlockStorage storage;
    private BlockCache cache;
    private GroupCommitWriter writer;
    private ReadService reads;
    private ThreadPoolExecutor readPool;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;
    private AdminHttpServer admin;

    private DaxServer(ServerConfig config, PrometheusMeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.metrics = new ServerMetrics(registry);
    }

    /** Starts a server with its own metrics registry; returns once it is serving. */
    public static DaxServer start(ServerConfig config) {
        return start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /**
     * Starts a server that records into {@code registry} (exposed on its admin port); returns once it is serving.
     *
     * @throws StorageException if the data directory cannot be opened
     * @throws IllegalStateException if a port cannot be bound
     */
    public static DaxServer start(ServerConfig config, PrometheusMeterRegistry registry) {
        DaxServer server = new DaxServer(config, registry);
        try {
            server.startParts();
        } catch (RuntimeException | Error e) {
            server.stopParts(false);
            server.state.set(ServerState.STOPPED);
            throw e;
        }
        server.transition(ServerState.STARTING, ServerState.SERVING);
        log.info("DAX server {} (zone {}) serving on {}:{}, admin on {}:{}, data in {}", config.serverId(),
                config.zone(), config.bindHost(), server.rpcPort(), config.bindHost(), server.adminPort(),
                config.dataDir());
        return server;
    }

    private void startParts() {
        storage = RocksBlockStorage.open(config.dataDir());
        for (VolumeRecord r : storage.volumes()) {
            volumes.put(r.volume(), r);
            registerVolumeGauge(r);
        }
        cache = new BlockCache(config.cacheBytes());
        writer = new GroupCommitWriter(config.serverId(), storage, volumes, cache, metrics, this::registerVolumeGauge,
                config.writeQueueCapacity(), config.groupCommitMaxRequests(), config.groupCommitMaxBytes());
        writer.start();
        reads = new ReadService(storage, volumes, cache, metrics);
        readPool = new ThreadPoolExecutor(config.readThreads(), config.readThreads(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.readQueueCapacity()),
                Thread.ofPlatform().name("dax-read-" + config.serverId() + "-", 0).daemon(true).factory(),
                new ThreadPoolExecutor.AbortPolicy());
        Gauge.builder(ServerMetrics.PREFIX + "write.queue.depth", writer, GroupCommitWriter::queueDepth)
                .description("Mutations waiting for the group-commit writer").register(registry);
        Gauge.builder(ServerMetrics.PREFIX + "read.queue.depth", readPool, p -> p.getQueue().size())
                .description("Reads and scans waiting for a read thread").register(registry);
        Gauge.builder(ServerMetrics.PREFIX + "cache.weight", cache, BlockCache::weightBytes).baseUnit("bytes")
                .description("Bytes charged to the block cache").register(registry);

        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("dax-accept-" + config.serverId(), true),
                NioIoHandler.newFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(config.eventLoopThreads(),
                new DefaultThreadFactory("dax-io-" + config.serverId(), true), NioIoHandler.newFactory());
        ResponseEncoder encoder = new ResponseEncoder();
        DaxServerHandler.Dispatcher dispatcher = new DaxServerHandler.Dispatcher() {
            @Override
            public void dispatch(Channel channel, DaxRequest request, long startNanos) {
                DaxServer.this.dispatch(channel, request, startNanos);
            }

            @Override
            public void badConnection() {
                metrics.badConnections.increment();
            }
        };
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new io.netty.channel.WriteBufferWaterMark(WRITE_BUFFER_LOW_WATER_BYTES,
                                WRITE_BUFFER_HIGH_WATER_BYTES))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        ResponseOutbox.attach(ch);
                        ch.pipeline().addLast("frames", new DaxFrameDecoder())
                                .addLast("requests", new RequestDecoder())
                                .addLast("responses", encoder)
                                .addLast("handler", new DaxServerHandler(dispatcher));
                    }
                });
        try {
            serverChannel = bootstrap.bind(config.bindHost(), config.rpcPort()).syncUninterruptibly().channel();
        } catch (Exception e) {
            // Netty rethrows the bind failure (a checked BindException) without declaring it
            throw new IllegalStateException("cannot bind DAX RPC on " + config.bindHost() + ":" + config.rpcPort()
                    + ": " + e, e);
        }
        admin = AdminHttpServer.start(config.bindHost(), config.adminPort(), registry, this::health);
    }

    private void registerVolumeGauge(VolumeRecord r) {
        long volume = r.volume();
        Gauge.builder(ServerMetrics.PREFIX + "fenced.epoch", volumes,
                        m -> m.containsKey(volume) ? m.get(volume).fencedEpoch() : Double.NaN)
                .description("Highest epoch this server has been fenced to, per volume")
                .tag("volume", Long.toString(volume)).register(registry);
    }

    // ----------------------------------------------------------------------------------------------- requests

    /** Routes one request; runs on an event loop, so it only hands work over. */
    private void dispatch(Channel channel, DaxRequest request, long startNanos) {
        ResponseOutbox outbox = ResponseOutbox.of(channel);
        Consumer<DaxResponse> reply = response -> {
            metrics.recordRequest(request.opcode(), response, startNanos);
            outbox.send(response);
        };
        if (state.get() != ServerState.SERVING) {
            reply.accept(DaxResponse.Error.of(request, Status.SHUTTING_DOWN, 0, "server " + config.serverId()
                    + " is " + state.get()));
            return;
        }
        switch (request) {
            case DaxRequest.Ping p -> reply.accept(new DaxResponse.Pong(p.requestId(), config.serverId(),
                    config.zone()));
            case DaxRequest.Read r -> {
                DaxResponse quick = reads.readCached(r);
                if (quick != null) {
                    reply.accept(quick);
                } else {
                    submitRead(request, () -> reads.read(r), reply);
                }
            }
            case DaxRequest.Scan s -> submitRead(request, () -> reads.scan(s), reply);
            case DaxRequest.Write w -> submitWrite(request, w.block().payload().length, startNanos, reply);
            case DaxRequest.CreateVolume c -> submitWrite(request, 0, startNanos, reply);
            case DaxRequest.Fence f -> submitWrite(request, 0, startNanos, reply);
            case DaxRequest.DeleteBelow d -> submitWrite(request, 0, startNanos, reply);
        }
    }

    private void submitWrite(DaxRequest request, long payloadBytes, long startNanos,
            Consumer<DaxResponse> reply) {
        if (writer.failure() != null) {
            reply.accept(DaxResponse.Error.of(request, Status.INTERNAL_ERROR, 0, "the writer of server "
                    + config.serverId() + " failed: " + writer.failure()));
            return;
        }
        if (!writer.submit(new GroupCommitWriter.Pending(request, payloadBytes, startNanos, reply))) {
            reply.accept(DaxResponse.Error.of(request, Status.OVERLOADED, 0, "write queue of server "
                    + config.serverId() + " is full (" + config.writeQueueCapacity() + " requests)"));
        }
    }

    private void submitRead(DaxRequest request, Supplier<DaxResponse> work,
            Consumer<DaxResponse> reply) {
        try {
            readPool.execute(() -> {
                DaxResponse response;
                try {
                    response = work.get();
                } catch (StorageException | IllegalStateException e) {
                    // IllegalStateException: the store was closed under us by a crash or close
                    log.error("{} failed on server {}", request, config.serverId(), e);
                    response = DaxResponse.Error.of(request, Status.INTERNAL_ERROR, 0, e.getMessage());
                }
                reply.accept(response);
            });
        } catch (RejectedExecutionException e) {
            Status status = state.get() == ServerState.SERVING ? Status.OVERLOADED : Status.SHUTTING_DOWN;
            reply.accept(DaxResponse.Error.of(request, status, 0, "read queue of server " + config.serverId()
                    + " is full (" + config.readQueueCapacity() + " requests) or stopping"));
        }
    }

    // ----------------------------------------------------------------------------------------------- accessors

    public ServerConfig config() {
        return config;
    }

    public String serverId() {
        return config.serverId();
    }

    public String zone() {
        return config.zone();
    }

    public ServerState state() {
        return state.get();
    }

    /** The bound RPC port (the configured one, or the ephemeral one chosen for port 0). */
    public int rpcPort() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** This server as a cluster map lists it: id, bind host, bound RPC port, zone. */
    public ServerInfo serverInfo() {
        return new ServerInfo(config.serverId(), config.bindHost(), rpcPort(), config.zone());
    }

    /** The bound admin HTTP port. */
    public int adminPort() {
        return admin.port();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Group-commit batches written with a synced WAL since start: well below the writes when batching works. */
    public long syncedBatches() {
        return writer.syncedBatches();
    }

    /** What {@code /health} reports: UP while serving, 503 otherwise. */
    public Health health() {
        ServerState s = state.get();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("serverId", config.serverId());
        fields.put("zone", config.zone());
        return new Health(s == ServerState.SERVING, s == ServerState.SERVING ? "UP" : s.name(), fields);
    }

    // ----------------------------------------------------------------------------------------------- lifecycle

    /**
     * Graceful stop: stops accepting connections, answers new requests SHUTTING_DOWN, lets the writer finish every
     * queued mutation and the read pool every queued read (each within the configured shutdown timeout), then closes
     * connections, RocksDB and the admin endpoint. Idempotent; does nothing after {@link #crash()}.
     */
    @Override
    public void close() {
        if (!state.compareAndSet(ServerState.SERVING, ServerState.STOPPING)) {
            return;
        }
        log.info("DAX server {} stopping", config.serverId());
        stopParts(true);
        if (state.compareAndSet(ServerState.STOPPING, ServerState.STOPPED)) {
            log.info("DAX server {} stopped", config.serverId());
        }
    }

    /**
     * Abrupt stop, for tests: closes every connection at once, drops every queued and in-progress request without an
     * answer, closes RocksDB. A batch already inside its synced write may still land on disk, unacknowledged.
     */
    public void crash() {
        ServerState s = state.get();
        if (!s.canMoveTo(ServerState.CRASHED) || !state.compareAndSet(s, ServerState.CRASHED)) {
            return;
        }
        log.info("DAX server {} crashing (test)", config.serverId());
        stopParts(false);
    }

    /** Tears down whatever exists, gracefully (finish queued work) or not. Safe on a partly started server. */
    private void stopParts(boolean graceful) {
        long timeoutMillis = graceful ? config.shutdownTimeoutMillis() : CRASH_WAIT_MILLIS;
        boolean interrupted = false;
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(timeoutMillis);
        }
        if (!graceful) {
            channels.close().awaitUninterruptibly(timeoutMillis);
        }
        try {
            if (writer != null) {
                boolean stopped = graceful ? writer.finish(timeoutMillis) : writer.crash(timeoutMillis);
                if (!stopped) {
                    log.error("server {}: writer did not stop within {} ms", config.serverId(), timeoutMillis);
                }
            }
            if (readPool != null) {
                if (graceful) {
                    readPool.shutdown();
                } else {
                    readPool.shutdownNow();
                }
                if (!readPool.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
                    log.error("server {}: read pool did not stop within {} ms", config.serverId(), timeoutMillis);
                }
            }
        } catch (InterruptedException e) {
            interrupted = true;
            log.warn("server {}: interrupted while stopping; closing without waiting further", config.serverId());
        }
        channels.close().awaitUninterruptibly(timeoutMillis);
        for (EventLoopGroup g : new EventLoopGroup[] {workerGroup, bossGroup}) {
            if (g != null) {
                g.shutdownGracefully(0, timeoutMillis, TimeUnit.MILLISECONDS).awaitUninterruptibly(timeoutMillis);
            }
        }
        // safe even if a read or commit is still running: the store waits for it and refuses later calls
        if (storage != null) {
            storage.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void transition(ServerState from, ServerState to) {
        if (!from.canMoveTo(to) || !state.compareAndSet(from, to)) {
            throw new IllegalStateException("server " + config.serverId() + ": illegal transition " + state.get()
                    + " -> " + to + " (expected from " + from + ")");
        }
    }
}
