package io.cacdb.server.proxy;

import io.cacdb.dax.admin.AdminHttpServer;
import io.cacdb.dax.admin.ConfigFileException;
import io.cacdb.dax.admin.Health;
import io.cacdb.dax.admin.StopSignals;
import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.DaxClientConfig;
import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.ClusterMapFile;
import io.cacdb.engine.volume.DaxVolume;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy process: {@code ./cacdb proxy --config FILE}. Reads the cluster map, opens a DAX client (reads only: the
 * proxy has no write path), tracks the lease ({@link ActiveTracker}) and forwards clients ({@link PgProxy}); admin
 * HTTP answers {@code /metrics} and {@code /health} (200 while it knows an active node, 503 otherwise).
 *
 * <p>Prints {@code PROXY_READY port=<host:port> admin=<host:port> active=<node or none> pid=<pid>} once listening;
 * SIGTERM/SIGINT stop it (connections ended) with exit 0; 2 for a bad configuration, 1 if it could not start.
 */
public final class Proxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Proxy.class);

    public static final String READY_PREFIX = "PROXY_READY";
    public static final int EXIT_OK = 0;
    public static final int EXIT_START_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    private final ProxyConfig config;
    private final PrometheusMeterRegistry registry;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private ActiveTracker tracker;
    /** Set before the tracker starts, so its listener (on the tracker's thread) always finds it. */
    private volatile PgProxy forwarder;
    private AdminHttpServer admin;

    private Proxy(ProxyConfig config) {
        this.config = config;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /** Starts every part; on failure closes what was opened and rethrows. */
    public static Proxy start(ProxyConfig config) {
        Proxy p = new Proxy(config);
        try {
            p.startParts();
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    private void startParts() {
        ClusterMap map = ClusterMapFile.read(config.clusterMapFile());
        if (map.nodes().isEmpty()) {
            throw new ConfigFileException(config.clusterMapFile() + ": no 'node' lines: the proxy routes to the node"
                    + " the lease names, and finds its PostgreSQL endpoint there");
        }
        DaxClient client = DaxClient.create(map, DaxClientConfig.builder(config.zone())
                .requestTimeout(config.daxRequestTimeout()).build(), registry);
        opened.push(client);
        tracker = new ActiveTracker(DaxVolume.reader(client, config.volume()), map, config.leasePollInterval(),
                config.daxRequestTimeout(), System::nanoTime, target -> forwarder.targetChanged(target));
        opened.push(tracker);
        forwarder = PgProxy.start(config, tracker, registry);
        opened.push(forwarder);
        tracker.start();
        Gauge.builder("cacdb.proxy.active.epoch", tracker, t -> t.target().map(ActiveTracker.Target::epoch)
                .orElse(0L)).description("epoch of the node the proxy routes to (0: none)").register(registry);
        admin = AdminHttpServer.start(config.bindHost(), config.adminPort(), registry, this::health);
        opened.push(admin);
    }

    public int port() {
        return forwarder.port();
    }

    public int adminPort() {
        return admin.port();
    }

    public Optional<ActiveTracker.Target> target() {
        return tracker.target();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** UP while an active node is known. Fields: {@code active}, {@code active_pg}, {@code epoch}, {@code connections}. */
    public Health health() {
        Map<String, String> fields = new LinkedHashMap<>();
        Optional<ActiveTracker.Target> t = tracker.target();
        fields.put("volume", Long.toString(config.volume()));
        fields.put("active", t.map(ActiveTracker.Target::node).orElse(""));
        fields.put("active_pg", t.map(x -> x.pg().toString()).orElse(""));
        fields.put("epoch", t.map(x -> Long.toString(x.epoch())).orElse("0"));
        fields.put("connections", Integer.toString(forwarder.connections()));
        return new Health(t.isPresent(), t.isPresent() ? "UP" : "NO_ACTIVE", fields);
    }

    @Override
    public void close() {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                log.warn("proxy: closing a part failed", e);
            }
        }
    }

    /** Process entry: loads the configuration, serves until SIGTERM/SIGINT; returns the exit code. */
    public static int run(Path configFile, PrintStream out) {
        ProxyConfig config;
        try {
            config = ProxyConfig.load(configFile);
        } catch (ConfigFileException e) {
            System.err.println("proxy: " + e.getMessage());
            return EXIT_USAGE;
        }
        Proxy proxy;
        try {
            proxy = start(config);
        } catch (RuntimeException e) {
            log.error("proxy failed to start", e);
            System.err.println("proxy: cannot start: " + e.getMessage());
            return EXIT_START_FAILED;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(proxy::close, "proxy-shutdown-hook"));
        CountDownLatch stop = StopSignals.install();
        out.println(READY_PREFIX + " port=" + config.bindHost() + ":" + proxy.port() + " admin=" + config.bindHost()
                + ":" + proxy.adminPort() + " pid=" + ProcessHandle.current().pid());
        out.flush();
        StopSignals.await(stop);
        log.info("proxy received a stop signal");
        proxy.close();
        return EXIT_OK;
    }
}
