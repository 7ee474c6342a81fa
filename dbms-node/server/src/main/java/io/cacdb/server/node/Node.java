package io.cacdb.server.node;

import io.cacdb.dax.admin.AdminHttpServer;
import io.cacdb.dax.admin.Health;
import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.DaxClientConfig;
import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.ClusterMapFile;
import io.cacdb.dax.transport.NetworkConditions;
import io.cacdb.engine.Database;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.volume.DaxVolume;
import io.cacdb.server.pgwire.PgServerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running database node (today always the single active of its volume): a DAX client on the cluster map's servers,
 * the volume fenced to a new epoch, the {@link Database} opened (formatted or recovered) at that epoch, the PostgreSQL
 * protocol server with the SQL layer, and the admin HTTP endpoint with {@code /metrics} (engine, DAX client and
 * pgwire meters in one Prometheus registry) and {@code /health} (the role; 200 only while ACTIVE).
 *
 * <p>{@link #start} returns an ACTIVE node or throws, having closed whatever it opened. {@link #close()} is the
 * graceful stop: no new clients, sessions ended, the engine flushed and checkpointed, then the storage client.
 * Thread-safe: close may race with health probes; close is idempotent.
 */
public final class Node implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Node.class);

    private final NodeConfig config;
    private final PrometheusMeterRegistry registry;
    private final AtomicReference<NodeRole> role = new AtomicReference<>(NodeRole.STARTING);
    /** What start opened, closed in reverse order by close (or by a failed start). */
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private volatile AdminHttpServer admin;
    private volatile SqlLayer.Serving pg;
    private volatile long epoch;

    private Node(NodeConfig config) {
        this.config = config;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("node", config.nodeName(), "zone", config.zone());
        Gauge.builder("cacdb.node.role", role, r -> r.get().code())
                .description("node role: 0 STARTING, 1 ACTIVE, 2 STOPPING, 3 STOPPED, 4 STANDBY, 5 PROMOTING,"
                        + " 6 FENCED").register(registry);
    }

    /**
     * Starts a node: admin HTTP first (so {@code /health} answers STARTING during recovery), then the storage
     * client, volume creation and fencing, the database, and the protocol server.
     *
     * @throws NodeStartException saying which step failed; everything opened so far is closed
     */
    public static Node start(NodeConfig config, SqlLayer sql) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(sql, "sql");
        Node node = new Node(config);
        try {
            node.startParts(sql);
        } catch (NodeStartException e) {
            node.closeOpened(e);
            node.move(NodeRole.STARTING, NodeRole.STOPPED);
            throw e;
        } catch (RuntimeException | Error e) {
            node.closeOpened(e);
            node.move(NodeRole.STARTING, NodeRole.STOPPED);
            throw e;
        }
        node.move(NodeRole.STARTING, NodeRole.ACTIVE);
        log.info("node {} (zone {}) ACTIVE at epoch {} of volume {}: PostgreSQL on {}:{}, admin on {}:{}",
                config.nodeName(), config.zone(), node.epoch, config.volume(), config.bindHost(), node.pgPort(),
                config.bindHost(), node.adminPort());
        return node;
    }

    private void startParts(SqlLayer sql) {
        admin = step("starting admin HTTP on " + config.bindHost() + ":" + config.adminPort(),
                () -> AdminHttpServer.start(config.bindHost(), config.adminPort(), registry, this::health));
        opened.push(admin);
        ClusterMap map = step("reading the cluster map", () -> ClusterMapFile.read(config.clusterMapFile()));
        DaxClientConfig clientConfig = DaxClientConfig.builder(config.zone())
                .requestTimeout(config.daxRequestTimeout()).build();
        DaxClient client = DaxClient.create(map, clientConfig, registry, new NetworkConditions(config.zoneDelay()));
        opened.push(client);
        epoch = step("fencing volume " + config.volume(),
                () -> EpochFencing.createAndFence(client, config.volume(), config.storageOpenTimeout()));
        EngineConfig engineConfig = EngineConfig.defaults()
                .withBufferPoolFrames(config.bufferPoolFrames())
                .withLog(EngineConfig.defaults().log().withBufferCapacityBytes(Math.toIntExact(config.logBufferBytes()))
                        .withLogBudgetBytes(config.logBudgetBytes()))
                .withCheckpointInterval(config.checkpointInterval());
        Database database = step("opening the database at epoch " + epoch,
                () -> Database.open(DaxVolume.writer(client, config.volume(), epoch), engineConfig, registry));
        opened.push(database);
        PgServerConfig d = PgServerConfig.defaults();
        PgServerConfig pgConfig = new PgServerConfig(config.bindHost(), config.pgPort(), config.maxConnections(),
                d.startupHeadroomConnections(), d.eventLoopThreads(), config.authConfig(), d.authenticationTimeout(),
                d.serverVersion(), d.inboundHighWaterMessages(), d.inboundHighWaterBytes(), d.outboundHighWaterBytes(),
                d.outboundLowWaterBytes());
        pg = step("starting the PostgreSQL protocol server on " + config.bindHost() + ":" + config.pgPort(),
                () -> sql.serve(database, pgConfig, registry));
        opened.push(pg);
    }

    private static <T> T step(String what, java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (RuntimeException e) {
            throw new NodeStartException(what + ": " + e.getMessage(), e);
        }
    }

    public NodeConfig config() {
        return config;
    }

    public NodeRole role() {
        return role.get();
    }

    /** The epoch this node writes at. */
    public long epoch() {
        return epoch;
    }

    /** The bound PostgreSQL port (the configured one, or the one chosen for port 0). */
    public int pgPort() {
        return pg.port();
    }

    public int adminPort() {
        return admin.port();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** What {@code /health} reports: UP (200) while ACTIVE, the role's name (503) otherwise. */
    public Health health() {
        NodeRole r = role.get();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("node", config.nodeName());
        fields.put("zone", config.zone());
        fields.put("role", r.name());
        fields.put("volume", Long.toString(config.volume()));
        fields.put("epoch", Long.toString(epoch));
        return new Health(r == NodeRole.ACTIVE, r == NodeRole.ACTIVE ? "UP" : r.name(), fields);
    }

    /**
     * Graceful stop: the protocol server tells clients 57P01 and closes, the database flushes and checkpoints, the
     * storage client and the admin endpoint close. Idempotent.
     */
    @Override
    public void close() {
        if (!role.compareAndSet(NodeRole.ACTIVE, NodeRole.STOPPING)) {
            return;
        }
        log.info("node {} stopping", config.nodeName());
        long started = System.nanoTime();
        RuntimeException failure = closeOpened(null);
        move(NodeRole.STOPPING, NodeRole.STOPPED);
        log.info("node {} stopped in {} ms", config.nodeName(), (System.nanoTime() - started) / 1_000_000);
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes what start opened, newest first; failures are collected (onto {@code primary} if given). */
    private RuntimeException closeOpened(Throwable primary) {
        RuntimeException failure = null;
        while (!opened.isEmpty()) {
            AutoCloseable part = opened.pop();
            try {
                part.close();
            } catch (Exception e) {
                log.warn("node {}: closing {} failed", config.nodeName(), part.getClass().getSimpleName(), e);
                if (primary != null) {
                    primary.addSuppressed(e);
                } else if (failure == null) {
                    failure = new IllegalStateException("closing " + part.getClass().getSimpleName() + " failed: "
                            + e, e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }

    private void move(NodeRole from, NodeRole to) {
        if (!from.canMoveTo(to)) {
            throw new IllegalStateException("illegal node transition " + from + " -> " + to);
        }
        if (!role.compareAndSet(from, to)) {
            throw new IllegalStateException("node " + config.nodeName() + " expected role " + from + " to move to "
                    + to + " but is " + role.get());
        }
    }
}
