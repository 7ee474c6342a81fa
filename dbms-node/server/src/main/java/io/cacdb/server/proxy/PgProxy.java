package io.cacdb.server.proxy;

import io.cacdb.server.pgwire.BackendMessage;
import io.cacdb.server.pgwire.BackendMessageEncoder;
import io.cacdb.server.pgwire.PgError;
import io.cacdb.server.session.SqlState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarding half of the proxy: accepts clients on one port and joins each to a new connection to the active node
 * ({@link ActiveTracker}), copying bytes both ways until either side closes. It does not parse the protocol: TLS
 * negotiation, authentication and cancel requests pass through to the node. What it says itself, as a PostgreSQL
 * ErrorResponse before closing: 53300 when {@code max-connections} clients are forwarded already, 57P03 when no node
 * is active within {@code connect-wait-millis} or the active cannot be reached. When the active changes, connections
 * to the old one are ended (the old active ends them too, unless it is unreachable — then only this does).
 *
 * <p>Threads: one platform thread accepts; each connection runs on two virtual threads (one per direction).
 */
public final class PgProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PgProxy.class);

    /** Bytes copied per read; PostgreSQL messages are mostly far smaller, a large result streams through. */
    static final int COPY_BUFFER_BYTES = 16 * 1024;
    /** Pending connections the kernel may hold while the accept thread hands the previous one off. */
    static final int ACCEPT_BACKLOG = 128;

    private final ProxyConfig config;
    private final ActiveTracker tracker;
    private final ServerSocket server;
    private final Semaphore slots;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Counter toNode;
    private final Counter toClient;
    private volatile boolean closed;

    private PgProxy(ProxyConfig config, ActiveTracker tracker, ServerSocket server, MeterRegistry registry) {
        this.config = config;
        this.tracker = tracker;
        this.server = server;
        this.registry = registry;
        this.slots = new Semaphore(config.maxConnections());
        Gauge.builder("cacdb.proxy.connections", links, Set::size).description("client connections forwarded now")
                .register(registry);
        this.toNode = Counter.builder("cacdb.proxy.bytes").tag("direction", "to_node")
                .description("bytes forwarded").register(registry);
        this.toClient = Counter.builder("cacdb.proxy.bytes").tag("direction", "to_client")
                .description("bytes forwarded").register(registry);
        this.acceptor = Thread.ofPlatform().name("proxy-accept").daemon().unstarted(this::acceptLoop);
    }

    /** Binds the client port and starts accepting. */
    public static PgProxy start(ProxyConfig config, ActiveTracker tracker, MeterRegistry registry) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(tracker, "tracker");
        Objects.requireNonNull(registry, "registry");
        ServerSocket s;
        try {
            s = new ServerSocket(config.port(), ACCEPT_BACKLOG, InetAddress.getByName(config.bindHost()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind the proxy port " + config.bindHost() + ":" + config.port()
                    + ": " + e.getMessage(), e);
        }
        PgProxy p = new PgProxy(config, tracker, s, registry);
        p.acceptor.start();
        return p;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Client connections forwarded now. */
    public int connections() {
        return links.size();
    }

    /** The active changed: end every connection to another node. */
    public void targetChanged(Optional<ActiveTracker.Target> now) {
        for (Link l : links) {
            if (now.isEmpty() || !now.get().pg().equals(l.target.pg())) {
                l.close();
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("proxy: accept failed: {}", e.toString());
                }
                continue;
            }
            if (!slots.tryAcquire()) {
                count("refused_limit");
                Thread.ofVirtual().name("proxy-refuse").start(() -> refuse(client, SqlState.TOO_MANY_CONNECTIONS,
                        "sorry, too many clients already (proxy max-connections " + config.maxConnections() + ")"));
                continue;
            }
            Thread.ofVirtual().name("proxy-conn").start(() -> {
                try {
                    serve(client);
                } finally {
                    slots.release();
                }
            });
        }
    }

    private void serve(Socket client) {
        Optional<ActiveTracker.Target> target;
        try {
            target = tracker.awaitTarget(config.connectWait());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(client);
            return;
        }
        if (target.isEmpty()) {
            count("refused_no_active");
            refuse(client, SqlState.CANNOT_CONNECT_NOW, "no active node for volume " + config.volume() + " within "
                    + config.connectWaitMillis() + " ms (proxy); try again");
            return;
        }
        ActiveTracker.Target t = target.get();
        Socket node = new Socket();
        try {
            node.connect(new InetSocketAddress(t.pg().host(), t.pg().port()),
                    Math.toIntExact(config.backendConnectTimeoutMillis()));
            node.setTcpNoDelay(true);
            client.setTcpNoDelay(true);
        } catch (IOException e) {
            count("node_unreachable");
            closeQuietly(node);
            refuse(client, SqlState.CANNOT_CONNECT_NOW, "the active node " + t.node() + " at " + t.pg()
                    + " cannot be reached (proxy): " + e.getMessage());
            return;
        }
        Link link = new Link(client, node, t);
        links.add(link);
        count("forwarded");
        if (closed || !tracker.target().equals(target)) {
            link.close(); // closed, or the active changed while connecting
        }
        Thread up = Thread.ofVirtual().name("proxy-up").start(() -> link.copy(client, node, toNode));
        link.copy(node, client, toClient);
        try {
            up.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        links.remove(link);
    }

    /** Writes a FATAL ErrorResponse and closes: the client's driver shows the message and SQLSTATE. */
    private static void refuse(Socket client, SqlState state, String message) {
        ByteBuf buf = Unpooled.buffer();
        try {
            BackendMessageEncoder.encode(new BackendMessage.ErrorResponse(PgError.fatal(state, message)), buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            client.setSoTimeout(1_000);
            OutputStream out = client.getOutputStream();
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            log.debug("proxy: refusing a client: {}", e.toString());
        } finally {
            buf.release();
            closeQuietly(client);
        }
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> Counter.builder("cacdb.proxy.connections.opened").tag("outcome", o)
                .description("client connections by what the proxy did with them").register(registry)).increment();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (Link l : links) {
            l.close();
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            log.debug("proxy: close: {}", e.toString());
        }
    }

    /** One client joined to one node connection. */
    private static final class Link {
        final Socket client;
        final Socket node;
        final ActiveTracker.Target target;
        final AtomicBoolean closed = new AtomicBoolean();

        Link(Socket client, Socket node, ActiveTracker.Target target) {
            this.client = client;
            this.node = node;
            this.target = target;
        }

        /** Copies until end of stream or an error on either side, then closes both. */
        void copy(Socket from, Socket to, Counter bytes) {
            byte[] buf = new byte[COPY_BUFFER_BYTES];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                    bytes.increment(n);
                }
            } catch (SocketException e) {
                // the other direction closed the link, or a reset: the link is over either way
                log.trace("proxy: link ended: {}", e.toString());
            } catch (IOException e) {
                log.debug("proxy: link failed: {}", e.toString());
            } finally {
                close();
            }
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                closeQuietly(client);
                closeQuietly(node);
            }
        }
    }
}
