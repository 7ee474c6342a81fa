package io.cacdb.server.node;

import io.cacdb.dax.admin.AdminHttpServer;
import io.cacdb.dax.admin.Health;
import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.DaxClientConfig;
import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.ClusterMapFile;
import io.cacdb.archive.log.ArchiverConfig;
import io.cacdb.archive.log.LogArchiver;
import io.cacdb.archive.s3.ArchiveException;
import io.cacdb.archive.s3.S3Store;
import io.cacdb.engine.Database;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.volume.DaxVolume;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.volume.VolumeWriter;
import io.cacdb.ioscheduler.IoScheduler;
import io.cacdb.replay.ReplayState;
import io.cacdb.replay.StandbyReplayer;
import io.cacdb.replay.lag.ReplayLag;
import io.cacdb.replay.prefetch.Warmer;
import io.cacdb.replay.safety.BufferPoolPressure;
import io.cacdb.server.ha.ActiveLease;
import io.cacdb.server.ha.EpochClaim;
import io.cacdb.server.ha.FailureDetector;
import io.cacdb.server.ha.HaClient;
import io.cacdb.server.ha.HaConfig;
import io.cacdb.server.ha.HaFrame;
import io.cacdb.server.ha.HaServer;
import io.cacdb.server.ha.HotPagesStore;
import io.cacdb.server.ha.LeaseException;
import io.cacdb.server.ha.LeaseProbe;
import io.cacdb.server.ha.LeaseRecord;
import io.cacdb.server.ha.LeaseStore;
import io.cacdb.server.ha.StandbyMonitor;
import io.cacdb.server.ha.Takeover;
import io.cacdb.server.ha.TakeoverStorage;
import io.cacdb.server.pgwire.PgServer;
import io.cacdb.server.pgwire.PgServerConfig;
import io.cacdb.server.session.SqlState;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running database node of a volume, active or standby, and the transitions between ({@link NodeRole};
 * {@code docs/failover.md}).
 *
 * <h2>Parts</h2>
 * For the whole life of the process: the admin HTTP endpoint ({@code /metrics}, {@code /health}), a DAX client on the
 * cluster map's servers, the HA port ({@link HaServer}) and the PostgreSQL port, whose sessions go through a
 * {@link RoleGate} that lets them reach the SQL layer only while the node is ACTIVE and holds its lease (57P03
 * otherwise). By role:
 * <ul>
 *   <li><b>ACTIVE</b>: the volume fenced to its epoch, the {@link Database}, the {@link ActiveLease} renewed in META,
 *       heartbeats to the standby, the standby's replayed LSN as the log retention floor;</li>
 *   <li><b>STANDBY</b>: a {@link StandbyReplayer} on a read-only handle of the volume, the {@link HaClient} dialling
 *       the lease holder's HA port, the {@link StandbyMonitor} deciding when to take over.</li>
 * </ul>
 *
 * <h2>Transitions</h2>
 * Role changes run one at a time under a lock, on the node's role thread (or the caller's for start and close):
 * promotion ({@link Takeover}), loss of the lease (stop serving at once — new sessions refused, running ones ended
 * with 57P03 — then FENCED, then rejoin as standby once storage answers), graceful stop (release the lease after the
 * final checkpoint so the standby takes over without waiting for it to run out).
 *
 * <p>Thread-safe: close may race with health probes and role changes; close is idempotent.
 */
public final class Node implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Node.class);

    /** {@code POST /switchover} on the admin port: a planned handover to the standby ({@link #switchover}). */
    public static final String SWITCHOVER_ACTION = "switchover";
    /** How long a switchover waits for the standby to take the lease before this node rejoins as standby anyway. */
    public static final Duration SWITCHOVER_TIMEOUT = Duration.ofSeconds(10);

    private final NodeConfig config;
    private final SqlLayer sql;
    private final NodeFaults faults;
    private final Clock clock;
    private final PrometheusMeterRegistry registry;
    private final AtomicReference<NodeRole> role = new AtomicReference<>(NodeRole.STARTING);
    /** Role changes hold this: promotion, lease loss, rejoin, stop. */
    private final ReentrantLock lifecycle = new ReentrantLock();
    private final Condition rejoinWait = lifecycle.newCondition();
    private final ExecutorService roleThread;
    /** Periodic work of the active's role (the hot-pages list); one daemon thread. */
    private final ScheduledExecutorService background;
    /** Process-lifetime parts, closed in reverse order by close (or by a failed start). */
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final RoleGate gate;
    private volatile boolean stopping;
    private volatile AdminHttpServer admin;
    private volatile DaxClient client;
    private volatile HaServer ha;
    private volatile PgServer pg;
    private volatile long epoch;
    // ACTIVE
    private volatile ScheduledFuture<?> hotPagesTask;
    private volatile HotPagesPublisher hotPages;
    private volatile Database database;
    private volatile SqlLayer.Backend backend;
    private volatile ActiveLease lease;
    /** The log archiver while ACTIVE with archiving configured; its archive point joins the retention floor. */
    private volatile LogArchiver archiver;
    private S3Store archiveStore;
    // STANDBY
    private volatile StandbyReplayer replayer;
    private volatile IoScheduler replayScheduler;
    private volatile HaClient haClient;
    private volatile StandbyMonitor monitor;
    private volatile Warmer warmer;
    private volatile Takeover.Result lastTakeover;
    private volatile boolean reseedPending;
    private volatile long reseeds;
    /** The highest MTR boundary this standby replayed that the active's heartbeat reported durable (-1: none). */
    private volatile long durableBoundary = -1;
    /** The highest epoch another node claimed when this node's takeover tried it (0: none); fence above it. */
    private volatile long claimedEpochFloor;

    private Node(NodeConfig config, SqlLayer sql, NodeFaults faults, Clock clock) {
        this.config = config;
        this.sql = sql;
        this.faults = faults;
        this.clock = clock;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("node", config.nodeName(), "zone", config.zone());
        this.gate = new RoleGate(() -> "node " + config.nodeName() + " is " + role.get()
                + (role.get() == NodeRole.STANDBY ? " (a hot standby); connect to the active" : ""));
        this.roleThread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("node-role").daemon()
                .unstarted(r));
        this.background = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
                .name("node-background").daemon().unstarted(r));
        registerMeters();
    }

    /** {@link #start(NodeConfig, SqlLayer, NodeFaults)} without injected faults. */
    public static Node start(NodeConfig config, SqlLayer sql) {
        return start(config, sql, NodeFaults.none());
    }

    /**
     * Starts a node: admin HTTP first (so {@code /health} answers STARTING meanwhile), the storage client, the HA and
     * PostgreSQL ports (refusing sessions), then the role: ACTIVE (fence, recover, lease, serve) or STANDBY (replay,
     * watch) as {@link NodeConfig#role()} and the lease in META say.
     *
     * @param faults injected network faults (tests); {@link NodeFaults#none()} otherwise
     * @throws NodeStartException saying which step failed; everything opened so far is closed
     */
    public static Node start(NodeConfig config, SqlLayer sql, NodeFaults faults) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(faults, "faults");
        Node node = new Node(config, sql, faults, Clock.SYSTEM);
        node.lifecycle.lock();
        try {
            node.startParts();
            node.chooseRole();
        } catch (RuntimeException | Error e) {
            node.stopRoleParts(true);
            node.closeOpened(e);
            node.role.set(NodeRole.STOPPED);
            node.roleThread.shutdownNow();
            throw e;
        } finally {
            node.lifecycle.unlock();
        }
        log.info("node {} (zone {}) {} at epoch {} of volume {}: PostgreSQL on {}:{}, HA on {}:{}, admin on {}:{}",
                config.nodeName(), config.zone(), node.role(), node.epoch, config.volume(), config.bindHost(),
                node.pgPort(), config.bindHost(), node.haPort(), config.bindHost(), node.adminPort());
        return node;
    }

    private void startParts() {
        admin = step("starting admin HTTP on " + config.bindHost() + ":" + config.adminPort(),
                () -> AdminHttpServer.start(config.bindHost(), config.adminPort(), registry::scrape, this::health,
                        Map.of(SWITCHOVER_ACTION, this::switchoverAction)));
        opened.push(admin);
        ClusterMap map = step("reading the cluster map", () -> ClusterMapFile.read(config.clusterMapFile()));
        DaxClientConfig clientConfig = DaxClientConfig.builder(config.zone())
                .requestTimeout(config.daxRequestTimeout()).build();
        faults.storage().setCrossZoneDelay(config.zoneDelay());
        client = DaxClient.create(map, clientConfig, registry, faults.storage());
        opened.push(client);
        ha = step("starting the HA port on " + config.bindHost() + ":" + config.haPort(),
                () -> HaServer.start(config.bindHost(), config.haPort(), config.nodeName(), config.ha(), clock,
                        faults.ha()));
        opened.push(ha);
        PgServerConfig d = PgServerConfig.defaults();
        PgServerConfig pgConfig = new PgServerConfig(config.bindHost(), config.pgPort(), config.maxConnections(),
                d.startupHeadroomConnections(), d.eventLoopThreads(), config.authConfig(), d.authenticationTimeout(),
                d.serverVersion(), d.inboundHighWaterMessages(), d.inboundHighWaterBytes(), d.outboundHighWaterBytes(),
                d.outboundLowWaterBytes());
        pg = step("starting the PostgreSQL protocol server on " + config.bindHost() + ":" + config.pgPort(),
                () -> PgServer.start(pgConfig, gate, registry));
        opened.push(pg);
    }

    private void chooseRole() {
        if (config.role() == StartRole.STANDBY) {
            becomeStandby(NodeRole.STARTING);
            return;
        }
        step("creating volume " + config.volume(), () -> {
            EpochFencing.createVolume(client, config.volume(), config.storageOpenTimeout());
            return null;
        });
        Optional<LeaseRecord> live = step("probing the lease of volume " + config.volume(),
                () -> LeaseProbe.liveLease(reader(), config.ha(), clock));
        if (live.isPresent()) {
            LeaseRecord l = live.get();
            if (config.role() == StartRole.ACTIVE) {
                throw new NodeStartException("refused to become active: node " + l.holder() + " holds a live lease"
                        + " on volume " + config.volume() + " at epoch " + l.epoch() + "; start this node with role ="
                        + " standby (or auto) to rejoin as its standby", null);
            }
            log.info("node {}: node {} holds a live lease at epoch {}: joining as its standby", config.nodeName(),
                    l.holder(), l.epoch());
            becomeStandby(NodeRole.STARTING);
            return;
        }
        epoch = step("fencing volume " + config.volume(),
                () -> EpochFencing.createAndFence(client, config.volume(), config.nodeName(),
                        config.storageOpenTimeout()));
        VolumeWriter writer = DaxVolume.writer(client, config.volume(), epoch);
        loadArchiver();
        Database db = step("opening the database at epoch " + epoch,
                () -> Database.open(writer, engineConfig(), registry, this::retentionFloorLsn));
        database = db;
        startArchiver(db, epoch);
        step("taking the lease at epoch " + epoch, () -> {
            serveAsActive(db, writer);
            return null;
        });
        move(NodeRole.STARTING, NodeRole.ACTIVE);
    }

    /**
     * The active's log retention floor: the standby's replayed LSN and, when archiving, the archive point — no log
     * leaves DAX before the standby has it and S3 has it.
     */
    private long retentionFloorLsn() {
        LogArchiver a = archiver;
        return a == null ? ha.retentionFloorLsn() : Math.min(ha.retentionFloorLsn(), a.retentionFloorLsn());
    }

    /**
     * With archiving configured: the archiver, its manifest read before the engine can truncate anything. If S3 does
     * not answer now, the node serves anyway: the archiver retries in the background and the floor holds the log.
     */
    private void loadArchiver() {
        config.archive().ifPresent(s3 -> {
            if (archiveStore == null) {
                archiveStore = S3Store.open(s3);
                opened.push(archiveStore);
            }
            LogArchiver a = new LogArchiver(archiveStore, reader(), ArchiverConfig.defaults(), registry);
            try {
                a.load();
            } catch (ArchiveException e) {
                log.warn("node {}: cannot read the log archive manifest at {} yet ({}); the archiver retries and the"
                        + " log stays in DAX meanwhile", config.nodeName(), s3.url(""), e.getMessage());
            }
            archiver = a;
        });
    }

    private void startArchiver(Database db, long atEpoch) {
        LogArchiver a = archiver;
        if (a != null) {
            a.start(atEpoch, () -> db.engine().logWriter().durableLsn());
        }
    }

    /** Lease, SQL backend, gate, heartbeats: what makes an open database served. The caller moves to ACTIVE. */
    private void serveAsActive(Database db, VolumeWriter writer) {
        long e = writer.epoch();
        ActiveLease l = new ActiveLease(writer, new LeaseRecord(config.nodeName(), e, haEndpoint(),
                Math.toIntExact(config.ha().leaseDuration().toMillis()), false), config.ha(), clock, registry,
                reason -> roleThread.execute(() -> onLeaseLost(reason)));
        l.acquire();
        lease = l;
        l.start();
        backend = sql.over(db, registry);
        // the flusher writes faster while the standby's pool fills with pages it may not evict (DESIGN §6)
        long recent = config.ha().heartbeatTimeout().toNanos();
        db.engine().bufferPool().setStandbyPressure(() -> {
            long now = clock.monotonicTime();
            return ha.standbys().values().stream().filter(v -> now - v.receivedNanos() <= recent)
                    .mapToDouble(v -> v.status().pressure()).max().orElse(0);
        });
        gate.open(backend, () -> role.get() == NodeRole.ACTIVE && l.holds());
        HotPagesPublisher p = new HotPagesPublisher(db, writer);
        hotPages = p;
        hotPagesTask = background.scheduleWithFixedDelay(p::publishQuietly, HOT_PAGES_FIRST_DELAY.toMillis(),
                HotPagesStore.PUBLISH_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        ha.activate(sequence -> role.get() == NodeRole.ACTIVE && l.holds()
                ? Optional.of(new HaFrame.Heartbeat(config.nodeName(), e, l.sequence(),
                db.engine().logWriter().durableLsn(), sequence))
                : Optional.empty());
    }

    private void becomeStandby(NodeRole from) {
        IoScheduler scheduler = new IoScheduler(engineConfig().io(), registry);
        replayScheduler = scheduler;
        StandbyReplayer r = StandbyReplayer.create(reader(), scheduler, config.standbyConfig(), registry);
        replayer = r;
        step("starting the standby replayer of volume " + config.volume(), () -> {
            r.start();
            return null;
        });
        warmer = warmFromHotPages(r);
        durableBoundary = -1;
        HaClient c = new HaClient(config.nodeName(), config.ha(), this::standbyStatus, new HaClient.Listener() {
            @Override
            public void heartbeat(HaFrame.Heartbeat hb) {
                onHeartbeat(hb);
            }

            @Override
            public void linkEnded() {
                StandbyMonitor m = monitor;
                if (m != null) {
                    m.linkEnded();
                }
            }
        }, faults.ha());
        StandbyMonitor m = new StandbyMonitor(config.nodeName(), reader(), config.ha(), clock, c,
                (verdict, lastLease) -> roleThread.execute(() -> promote(verdict, lastLease)),
                this::checkReplayer);
        haClient = c;
        monitor = m;
        move(from, NodeRole.STANDBY);
        c.start();
        m.start();
        log.info("node {} is the STANDBY of volume {}: replaying from LSN {}", config.nodeName(), config.volume(),
                r.replayedLsn());
    }

    /** HA client thread: feeds the failure detector and remembers the durable boundary for the takeover. */
    private void onHeartbeat(HaFrame.Heartbeat hb) {
        StandbyMonitor m = monitor;
        if (m != null) {
            m.heartbeat(hb);
        }
        // an MTR boundary this standby applied that the active reports durable: the takeover searches the end of the
        // log from here instead of from the checkpoint
        StandbyReplayer current = replayer;
        long replayed = current == null ? -1 : current.replayedLsn();
        if (replayed >= 0 && replayed <= hb.durableLsn() && replayed > durableBoundary) {
            durableBoundary = replayed;
        }
    }

    /**
     * Monitor thread, every poll: a replayer that failed (most often: the active truncated the log past it before it
     * could report its position, as right after a restart) is re-seeded from the latest checkpoint on the role thread.
     */
    private void checkReplayer() {
        StandbyReplayer r = replayer;
        if (r != null && r.state() == ReplayState.FAILED && !reseedPending) {
            reseedPending = true;
            log.warn("node {}: the standby's replay failed ({}); re-seeding it from the latest checkpoint",
                    config.nodeName(), r.failure().map(Throwable::toString).orElse("?"));
            roleThread.execute(this::reseed);
        }
    }

    /** Role thread: a new replayer from the latest checkpoint replaces the failed one (cold pool). */
    private void reseed() {
        lifecycle.lock();
        try {
            reseedPending = false;
            StandbyReplayer old = replayer;
            if (stopping || role.get() != NodeRole.STANDBY || old == null || old.state() != ReplayState.FAILED) {
                return;
            }
            old.close(); // first: it removes its meters, so the new replayer registers its own
            StandbyReplayer fresh = StandbyReplayer.create(reader(), replayScheduler, config.standbyConfig(), registry);
            try {
                fresh.start();
            } catch (RuntimeException e) {
                log.error("node {}: re-seeding the standby failed; trying again at the next poll", config.nodeName(),
                        e);
            }
            replayer = fresh;
            reseeds++;
            log.info("node {}: standby re-seeded from LSN {} ({} re-seeds so far)", config.nodeName(),
                    fresh.replayedLsn(), reseeds);
        } finally {
            lifecycle.unlock();
        }
    }

    /** Role thread: the monitor decided the active is gone. */
    private void promote(FailureDetector.Verdict verdict, Optional<LeaseRecord> lastLease) {
        lifecycle.lock();
        try {
            if (stopping || role.get() != NodeRole.STANDBY) {
                return;
            }
            log.warn("node {}: taking over volume {} ({}; last lease {})", config.nodeName(), config.volume(), verdict,
                    lastLease.map(l -> l.holder() + " at epoch " + l.epoch()).orElse("none"));
            move(NodeRole.STANDBY, NodeRole.PROMOTING);
            HaClient c = haClient;
            haClient = null;
            if (c != null) {
                c.close();
            }
            StandbyMonitor m = monitor;
            Takeover.AfterFence confirm = m == null ? Takeover.AfterFence.NONE : m::confirmAfterFence;
            try {
                loadArchiver();
                Takeover.Result result = Takeover.run(new Takeover.Inputs(config.nodeName(),
                        TakeoverStorage.dax(client, config.volume(), config.nodeName(), () -> claimedEpochFloor),
                        replayer, replayScheduler,
                        engineConfig(),
                        config.ha(), registry, this::retentionFloorLsn, reader -> {
                            faults.takeover().reached(TakeoverFault.Point.FENCED); // tests: halt right after fencing
                            return confirm.confirm(reader);
                        }, durableBoundary));
                faults.takeover().reached(TakeoverFault.Point.RECOVERED); // tests: halt before the lease and serving
                replayer = null;
                replayScheduler = null;
                monitor = null;
                database = result.database();
                epoch = result.epoch();
                startArchiver(result.database(), result.epoch());
                lastTakeover = result;
                serveAsActive(result.database(), DaxVolume.writer(client, config.volume(), result.epoch()));
                move(NodeRole.PROMOTING, NodeRole.ACTIVE);
                log.warn("node {} is ACTIVE at epoch {} after a {} takeover in {} ms", config.nodeName(), epoch,
                        result.mode(), result.total().toMillis());
            } catch (RuntimeException e) {
                log.error("node {}: the takeover failed; fenced off, will rejoin as standby", config.nodeName(), e);
                move(NodeRole.PROMOTING, NodeRole.FENCED);
                stopRoleParts(true);
                if (e instanceof EpochClaim.EpochClaimedException claimed) {
                    // another node took the epoch: if it serves, its lease keeps this node a standby; if it died
                    // before storing the epoch, the next takeover fences above it. If both lost (their claims split
                    // the replicas) both would try again at once and split again: rejoin after a random part of a lease
                    claimedEpochFloor = Math.max(claimedEpochFloor, claimed.epoch());
                    long jitter = ThreadLocalRandom.current().nextLong(config.ha().leaseDuration().toMillis() + 1);
                    background.schedule(() -> roleThread.execute(this::rejoinAsStandby), jitter,
                            TimeUnit.MILLISECONDS);
                } else {
                    roleThread.execute(this::rejoinAsStandby);
                }
            }
        } finally {
            lifecycle.unlock();
        }
    }

    /** Role thread: the lease ran out or was fenced. Stop serving at once, reads included. */
    private void onLeaseLost(String reason) {
        lifecycle.lock();
        try {
            if (role.get() != NodeRole.ACTIVE) {
                return;
            }
            gate.close();
            int cut = pg.terminateConnections(SqlState.CANNOT_CONNECT_NOW, "terminating connection: node "
                    + config.nodeName() + " lost its lease (" + reason + "); connect to the active");
            ha.deactivate();
            move(NodeRole.ACTIVE, NodeRole.FENCED);
            log.error("node {} stopped serving: {} (ended {} connections); FENCED", config.nodeName(), reason, cut);
            stopRoleParts(true);
        } finally {
            lifecycle.unlock();
        }
        roleThread.execute(this::rejoinAsStandby);
    }

    /** Role thread: a FENCED node becomes a standby again once it can read storage. */
    private void rejoinAsStandby() {
        while (!stopping) {
            try {
                Optional<LeaseStore.Stored> read = readLeaseOnce(); // the storage check: a quorum read of META
                lifecycle.lock();
                try {
                    if (stopping || role.get() != NodeRole.FENCED) {
                        return;
                    }
                    log.info("node {}: storage answers again (lease {}): rejoining as standby", config.nodeName(),
                            read.map(s -> s.lease().holder() + " at epoch " + s.lease().epoch()).orElse("none"));
                    becomeStandby(NodeRole.FENCED);
                    return;
                } finally {
                    lifecycle.unlock();
                }
            } catch (LeaseException | NodeStartException e) {
                log.info("node {}: cannot rejoin yet: {}", config.nodeName(), e.getMessage());
                stopRoleParts(true);
                lifecycle.lock();
                try {
                    rejoinWait.await(config.ha().leaseDuration().toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                } finally {
                    lifecycle.unlock();
                }
            }
        }
    }

    private Optional<LeaseStore.Stored> readLeaseOnce() {
        try {
            return LeaseStore.read(reader()).get(config.ha().storageStepTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new LeaseException("reading the lease: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LeaseException("interrupted while reading the lease", e);
        }
    }

    /**
     * Closes the role's parts: an active's lease (no release), backend and database (abruptly when {@code abrupt},
     * else flushed and checkpointed), a standby's monitor, HA client, replayer and its scheduler.
     */
    private void stopRoleParts(boolean abrupt) {
        ScheduledFuture<?> task = hotPagesTask;
        hotPagesTask = null;
        hotPages = null;
        if (task != null) {
            task.cancel(false);
        }
        warmer = null;
        StandbyMonitor m = monitor;
        monitor = null;
        if (m != null) {
            m.close();
        }
        HaClient c = haClient;
        haClient = null;
        if (c != null) {
            c.close();
        }
        ActiveLease l = lease;
        if (abrupt && l != null) {
            l.close();
            lease = null;
        }
        LogArchiver a = archiver;
        archiver = null;
        if (a != null) {
            a.close();
        }
        SqlLayer.Backend b = backend;
        backend = null;
        if (b != null) {
            b.close();
        }
        Database db = database;
        database = null;
        if (db != null) {
            if (abrupt) {
                db.engine().closeAbruptly();
            } else {
                try {
                    db.close();
                } catch (RuntimeException e) {
                    log.warn("node {}: closing the database failed", config.nodeName(), e);
                }
            }
        }
        if (!abrupt && l != null) {
            l.release();
            lease = null;
        }
        StandbyReplayer r = replayer;
        replayer = null;
        if (r != null) {
            r.close();
        }
        IoScheduler s = replayScheduler;
        replayScheduler = null;
        if (s != null) {
            s.close();
        }
    }

    private VolumeReader reader() {
        return DaxVolume.reader(client, config.volume());
    }

    private String haEndpoint() {
        return config.bindHost() + ":" + ha.port();
    }

    private EngineConfig engineConfig() {
        return EngineConfig.defaults()
                .withBufferPoolFrames(config.bufferPoolFrames())
                .withLog(EngineConfig.defaults().log().withBufferCapacityBytes(Math.toIntExact(config.logBufferBytes()))
                        .withLogBudgetBytes(config.logBudgetBytes()))
                .withCheckpointInterval(config.checkpointInterval());
    }

    private HaFrame.StandbyStatus standbyStatus() {
        StandbyReplayer r = replayer;
        if (r == null) {
            return new HaFrame.StandbyStatus(config.nodeName(), "NONE", 0, Long.MAX_VALUE, 0, 0, 0, 0, 0);
        }
        ReplayLag lag = r.lag();
        BufferPoolPressure p = r.pressure();
        return new HaFrame.StandbyStatus(config.nodeName(), r.state().name(), r.replayedLsn(), r.retentionFloorLsn(),
                lag.bytes(), lag.millis(), p.unsafePages(), p.pinnedFrames(), p.frames());
    }

    private static <T> T step(String what, java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (NodeStartException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new NodeStartException(what + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------------ hot pages

    /** The active's first hot-pages list comes this soon, so a standby started just after it finds one. */
    static final Duration HOT_PAGES_FIRST_DELAY = Duration.ofSeconds(1);

    /** The active's hot-pages list: the pages resident in its pool, stored in META for standbys to warm from. */
    private final class HotPagesPublisher {
        private final Database db;
        private final VolumeWriter writer;
        private long lists;

        HotPagesPublisher(Database db, VolumeWriter writer) {
            this.db = db;
            this.writer = writer;
        }

        /** Stores the list now; returns how many pages it holds. */
        synchronized int publish() throws Exception {
            long[] pages = db.engine().bufferPool().residentPages(HotPagesStore.PAGES_ASKED_MAX);
            long seq = HotPagesStore.sequence(writer.epoch(), ++lists);
            return HotPagesStore.write(writer, pages, seq).get(config.ha().storageStepTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        void publishQuietly() {
            try {
                int n = publish();
                log.debug("node {}: hot-pages list of {} pages stored", config.nodeName(), n);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.info("node {}: storing the hot-pages list failed (the next try is in {} ms): {}",
                        config.nodeName(), HotPagesStore.PUBLISH_INTERVAL_MILLIS, e.toString());
            }
        }
    }

    /** Stores the active's hot-pages list now (tests; the active also does it on a timer); returns its length. */
    int publishHotPages() throws Exception {
        HotPagesPublisher p = hotPages;
        if (p == null) {
            throw new IllegalStateException("node " + config.nodeName() + " is " + role.get() + ", not ACTIVE");
        }
        return p.publish();
    }

    /** A new standby's pool warms from the active's list, if there is one; a failure only means a cold start. */
    private Warmer warmFromHotPages(StandbyReplayer r) {
        try {
            Optional<long[]> pages = HotPagesStore.read(reader()).get(config.ha().storageStepTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
            if (pages.isEmpty() || pages.get().length == 0) {
                log.info("node {}: no hot-pages list of an active yet; the standby starts with a cold pool",
                        config.nodeName());
                return null;
            }
            Warmer w = r.warm(pages.get());
            log.info("node {}: warming the standby's pool from the active's {} hot pages (up to {})",
                    config.nodeName(), pages.get().length, w.budget());
            return w;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            log.warn("node {}: cannot read the hot-pages list; the standby starts with a cold pool: {}",
                    config.nodeName(), e.toString());
            return null;
        }
    }

    /** The standby's warm-up, while one runs or ran since this node last became standby. */
    Optional<Warmer> warmer() {
        return Optional.ofNullable(warmer);
    }

    // ------------------------------------------------------------------------------------------------ switchover

    /**
     * What a planned handover did.
     *
     * @param newActive the node that holds the lease now (empty: none took it within the timeout; this node rejoined
     *                  as standby and its own monitor takes the released lease back)
     * @param newEpoch  the epoch of the new holder's lease (0 when none)
     * @param released  from the start until the lease was stored as released (clients were refused from the start)
     * @param handedOver from the start until the new holder's lease was seen
     */
    public record Switchover(Optional<String> newActive, long newEpoch, Duration released, Duration handedOver) {
    }

    /** Why a switchover was not started (the node keeps serving). */
    public static final class SwitchoverRefusedException extends RuntimeException {
        SwitchoverRefusedException(String message) {
            super(message);
        }
    }

    /**
     * Planned handover to the standby (DESIGN §6 "switchover"), no acknowledged commit lost: refuse new statements and
     * end every session (57P03; clients reconnect through the multi-host URL or the proxy), stop heartbeating (the
     * standby's HA link ends, so it does not wait for the heartbeat timeout), close the database without flushing (every
     * acknowledged commit is in the durable log; transactions in flight become losers the new active rolls back), then
     * store the lease as released: the standby's next poll sees it and takes over warm, without waiting for the lease
     * to run out. This node is FENCED meanwhile, and rejoins as standby once it sees the new holder's lease (or after
     * {@link #SWITCHOVER_TIMEOUT}: its own monitor then takes the released lease back).
     *
     * @throws SwitchoverRefusedException when this node is not ACTIVE or has no live standby to hand over to
     */
    public Switchover switchover() {
        long started = System.nanoTime();
        lifecycle.lock();
        try {
            NodeRole r = role.get();
            if (stopping || r != NodeRole.ACTIVE) {
                throw new SwitchoverRefusedException("node " + config.nodeName() + " is " + r
                        + ": a switchover is run on the active");
            }
            requireLiveStandby();
            log.warn("node {}: switchover: handing volume {} over to the standby", config.nodeName(),
                    config.volume());
            gate.close();
            int cut = pg.terminateConnections(SqlState.CANNOT_CONNECT_NOW, "terminating connection: node "
                    + config.nodeName() + " hands over to its standby (switchover); connect to the active");
            ha.deactivate();
            ActiveLease l = lease;
            lease = null;
            move(NodeRole.ACTIVE, NodeRole.FENCED);
            stopRoleParts(true); // no flush: the log holds every acknowledged commit, the new active needs no pages
            if (l != null) {
                l.release();
            }
            log.info("node {}: switchover: lease released ({} connections ended) in {} ms", config.nodeName(), cut,
                    elapsedMillis(started));
        } finally {
            lifecycle.unlock();
        }
        Duration released = Duration.ofNanos(System.nanoTime() - started);
        Optional<LeaseRecord> next = awaitNewHolder(started + SWITCHOVER_TIMEOUT.toNanos());
        Duration handedOver = Duration.ofNanos(System.nanoTime() - started);
        lifecycle.lock();
        try {
            if (!stopping && role.get() == NodeRole.FENCED) {
                becomeStandby(NodeRole.FENCED);
            }
        } finally {
            lifecycle.unlock();
        }
        log.warn("node {}: switchover done in {} ms: {} is active, this node is {}", config.nodeName(),
                handedOver.toMillis(), next.map(LeaseRecord::holder).orElse("no node"), role.get());
        return new Switchover(next.map(LeaseRecord::holder), next.map(LeaseRecord::epoch).orElse(0L), released,
                handedOver);
    }

    /** Refuses a switchover nobody would take: a standby must have reported a replaying state recently. */
    private void requireLiveStandby() {
        long now = clock.monotonicTime();
        long fresh = config.ha().heartbeatTimeout().toNanos();
        Optional<HaFrame.StandbyStatus> live = ha.standbys().values().stream()
                .filter(v -> now - v.receivedNanos() <= fresh).map(HaServer.StandbyView::status)
                .filter(s -> TAKEOVER_READY.contains(s.replayState())).findFirst();
        if (live.isEmpty()) {
            throw new SwitchoverRefusedException("node " + config.nodeName() + " has no standby to hand over to"
                    + " (none replaying and heard from in the last " + config.ha().heartbeatTimeout().toMillis()
                    + " ms; standbys: " + ha.standbys().values().stream().map(v -> v.status().node() + " "
                    + v.status().replayState()).toList() + ")");
        }
    }

    /** Replay states a standby can take over warm from. */
    private static final Set<String> TAKEOVER_READY = Set.of(ReplayState.TAILING.name(),
            ReplayState.CAUGHT_UP.name(), ReplayState.LAGGING.name());

    /** Polls the lease until another node holds it, unreleased, or the deadline passes. */
    private Optional<LeaseRecord> awaitNewHolder(long deadlineNanos) {
        while (!stopping && System.nanoTime() < deadlineNanos) {
            try {
                Optional<LeaseRecord> l = readLeaseOnce().map(LeaseStore.Stored::lease);
                if (l.isPresent() && !l.get().released() && !l.get().holder().equals(config.nodeName())) {
                    return l;
                }
            } catch (LeaseException e) {
                log.info("node {}: switchover: cannot read the lease yet: {}", config.nodeName(), e.getMessage());
            }
            lifecycle.lock();
            try {
                rejoinWait.await(config.ha().leasePollInterval().toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                lifecycle.unlock();
            }
        }
        return Optional.empty();
    }

    /** {@code POST /switchover}: 200 with what happened, 409 with why not (same JSON shape as {@code /health}). */
    private AdminHttpServer.Response switchoverAction() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("node", config.nodeName());
        try {
            Switchover s = switchover();
            fields.put("new_active", s.newActive().orElse(""));
            fields.put("new_epoch", Long.toString(s.newEpoch()));
            fields.put("released_millis", Long.toString(s.released().toMillis()));
            fields.put("handed_over_millis", Long.toString(s.handedOver().toMillis()));
            fields.put("role", role.get().name());
            return AdminHttpServer.Response.json(200, new Health(true, "SWITCHED_OVER", fields).toJson());
        } catch (SwitchoverRefusedException e) {
            fields.put("error", e.getMessage());
            return AdminHttpServer.Response.json(409, new Health(false, "REFUSED", fields).toJson());
        }
    }

    private static long elapsedMillis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    // ------------------------------------------------------------------------------------------------ observing

    public NodeConfig config() {
        return config;
    }

    public NodeRole role() {
        return role.get();
    }

    /** The epoch this node writes at (0 while it has never been active). */
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

    public int haPort() {
        return ha.port();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The database while ACTIVE. */
    public Optional<Database> database() {
        return Optional.ofNullable(database);
    }

    /** The replayer while STANDBY. */
    public Optional<StandbyReplayer> replayer() {
        return Optional.ofNullable(replayer);
    }

    /** The last takeover this node made, if any. */
    public Optional<Takeover.Result> lastTakeover() {
        return Optional.ofNullable(lastTakeover);
    }

    /** The standby's failure detector verdict (empty unless STANDBY). */
    public Optional<FailureDetector.Verdict> verdict() {
        StandbyMonitor m = monitor;
        return m == null ? Optional.empty() : Optional.of(m.verdict());
    }

    /** The active's HA port (its standbys, their floors); the standby's is idle. */
    public HaServer haServer() {
        return ha;
    }

    /** Whether sessions are let through right now (ACTIVE with a lease that has not run out). */
    public boolean serving() {
        return gate.isOpen();
    }

    /**
     * What {@code /health} reports: UP (200) while ACTIVE and serving, or STANDBY with its replayer running; the
     * role's name (503) otherwise. Fields: node, zone, role, volume, epoch, ports, and per role the lease (active) or the
     * replay position, lag and failure detector verdict (standby).
     */
    public Health health() {
        NodeRole r = role.get();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("node", config.nodeName());
        fields.put("zone", config.zone());
        fields.put("role", r.name());
        fields.put("volume", Long.toString(config.volume()));
        fields.put("epoch", Long.toString(epoch));
        HaServer h = ha;
        if (h != null) {
            fields.put("ha", config.bindHost() + ":" + h.port());
        }
        boolean up = false;
        if (r == NodeRole.ACTIVE) {
            ActiveLease l = lease;
            up = gate.isOpen();
            if (l != null) {
                fields.put("lease_sequence", Long.toString(l.sequence()));
                fields.put("lease_remaining_millis", Long.toString(l.remaining().toMillis()));
            }
            Database db = database;
            if (db != null) {
                fields.put("durable_lsn", Long.toString(db.engine().logWriter().durableLsn()));
            }
            if (h != null) {
                h.standbys().forEach((name, v) -> {
                    fields.put("standby", name);
                    fields.put("standby_replay_lsn", Long.toString(v.status().replayedLsn()));
                    fields.put("standby_lag_bytes", Long.toString(v.status().lagBytes()));
                });
            }
        } else if (r == NodeRole.STANDBY) {
            StandbyReplayer rp = replayer;
            StandbyMonitor m = monitor;
            if (rp != null) {
                ReplayLag lag = rp.lag();
                up = rp.state() != ReplayState.FAILED;
                fields.put("replay_state", rp.state().name());
                fields.put("replay_lsn", Long.toString(lag.replayedLsn()));
                fields.put("lag_bytes", Long.toString(lag.bytes()));
                fields.put("lag_millis", Long.toString(lag.millis()));
            }
            fields.put("reseeds", Long.toString(reseeds));
            Warmer w = warmer;
            if (w != null) {
                fields.put("warmed_pages", Long.toString(w.loaded()));
            }
            if (m != null) {
                fields.put("verdict", m.verdict().name());
                fields.put("heartbeat_age_millis", Long.toString(m.heartbeatAgeMillis()));
                m.lastLease().ifPresent(l -> fields.put("active", l.holder()));
            }
        }
        Takeover.Result t = lastTakeover;
        if (t != null) {
            fields.put("takeover_mode", t.mode().name());
            fields.put("takeover_millis", Long.toString(t.total().toMillis()));
            t.coldReason().ifPresent(reason -> fields.put("takeover_cold_reason", reason));
        }
        return new Health(up, up ? "UP" : r.name(), fields);
    }

    private void registerMeters() {
        Gauge.builder("cacdb.node.role", role, r -> r.get().code())
                .description("node role: 0 STARTING, 1 ACTIVE, 2 STOPPING, 3 STOPPED, 4 STANDBY, 5 PROMOTING,"
                        + " 6 FENCED").register(registry);
        Gauge.builder("cacdb.node.epoch", this, n -> n.epoch).description("the epoch this node writes at")
                .register(registry);
        Gauge.builder("cacdb.ha.lease.remaining.millis", this, n -> {
            ActiveLease l = n.lease;
            return l == null ? 0 : l.remaining().toMillis();
        }).description("time the active may still serve on its lease").register(registry);
        Gauge.builder("cacdb.ha.lease.sequence", this, n -> {
            ActiveLease l = n.lease;
            return l == null ? 0 : l.sequence();
        }).description("the last lease renewal acknowledged").register(registry);
        Gauge.builder("cacdb.ha.standby.replay.lsn", this, n -> n.ha == null ? Double.NaN
                : n.ha.standbys().values().stream().mapToLong(v -> v.status().replayedLsn()).min().orElse(-1))
                .description("the standby's replayed LSN as it last reported (active)").register(registry);
        Gauge.builder("cacdb.ha.standby.pressure", this, n -> n.ha == null ? Double.NaN
                : n.ha.standbys().values().stream().mapToDouble(v -> v.status().pressure()).max().orElse(0))
                .description("the standby's buffer-pool pressure as it last reported (active)").register(registry);
        Gauge.builder("cacdb.ha.retention_floor.lsn", this, n -> n.ha == null ? Double.NaN
                : n.ha.retentionFloorLsn()).description("log kept for the standby (active)").register(registry);
        Gauge.builder("cacdb.ha.heartbeat.age.millis", this, n -> {
            StandbyMonitor m = n.monitor;
            return m == null ? -1 : m.heartbeatAgeMillis();
        }).description("time since the last heartbeat from the active (standby)").register(registry);
        Gauge.builder("cacdb.ha.verdict", this, n -> {
            StandbyMonitor m = n.monitor;
            return m == null ? -1 : m.verdict().ordinal();
        }).description("failure detector verdict (standby): 0 HEALTHY, 1 HEARTBEATS_LOST, 2 LEASE_STALE,"
                + " 3 STORAGE_UNREACHABLE, 4 EXPIRED, 5 RELEASED").register(registry);
    }

    // ------------------------------------------------------------------------------------------------ stop

    /**
     * Graceful stop: no new sessions; a standby stops watching and replaying; an active tells its clients 57P01,
     * stops heartbeating, flushes and checkpoints, then releases its lease (so its standby takes over at once); then
     * the ports, the storage client and the admin endpoint close. Waits for a role change in progress. Idempotent.
     */
    @Override
    public void close() {
        stopping = true;
        lifecycle.lock();
        try {
            rejoinWait.signalAll();
            NodeRole r = role.get();
            if (r == NodeRole.STOPPING || r == NodeRole.STOPPED) {
                return;
            }
            move(r, NodeRole.STOPPING);
            log.info("node {} stopping (was {})", config.nodeName(), r);
            long started = System.nanoTime();
            gate.close();
            RuntimeException failure = null;
            try {
                pg.close();
                ha.deactivate();
                stopRoleParts(false);
            } catch (RuntimeException e) {
                failure = e;
            }
            RuntimeException closing = closeOpened(failure);
            move(NodeRole.STOPPING, NodeRole.STOPPED);
            log.info("node {} stopped in {} ms", config.nodeName(), (System.nanoTime() - started) / 1_000_000);
            if (failure != null) {
                throw failure;
            }
            if (closing != null) {
                throw closing;
            }
        } finally {
            lifecycle.unlock();
            roleThread.shutdownNow();
            background.shutdownNow();
        }
    }

    /**
     * Stops at once, as a crash would, but inside the JVM (tests): the lease is neither renewed nor released, the
     * database is closed without flushing or checkpointing, the ports close. A standby sees heartbeats stop and the
     * lease run out.
     */
    public void crash() {
        stopping = true;
        lifecycle.lock();
        try {
            NodeRole r = role.get();
            if (r == NodeRole.STOPPING || r == NodeRole.STOPPED) {
                return;
            }
            move(r, NodeRole.STOPPING);
            gate.close();
            ha.close();
            stopRoleParts(true); // before the sessions end: a crash rolls nothing back
            pg.close();
            closeOpened(null);
            move(NodeRole.STOPPING, NodeRole.STOPPED);
            log.warn("node {} crashed (test)", config.nodeName());
        } finally {
            lifecycle.unlock();
            roleThread.shutdownNow();
            background.shutdownNow();
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
        log.info("node {}: {} -> {}", config.nodeName(), from, to);
    }

    /** How long the HA layer lets a renewal serve, for tests and docs. */
    Duration servingPerRenewal() {
        return config.ha().servingPerRenewal();
    }

    HaConfig haConfig() {
        return config.ha();
    }
}
