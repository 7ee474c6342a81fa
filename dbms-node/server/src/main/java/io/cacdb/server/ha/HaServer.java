package io.cacdb.server.ha;

import io.micrometer.core.instrument.Clock;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HA port of a node: standbys connect, say {@link HaFrame.Hello}, and — while this node is active — receive a
 * {@link HaFrame.Heartbeat} every heartbeat interval, each answered with a {@link HaFrame.StandbyStatus} (replayed
 * LSN, retention floor, lag, pool pressure). The active's log retention floor is the lowest floor reported by a standby
 * heard from within {@code standbyFloorHold}.
 *
 * <p>Bound for the node's whole life; {@link #activate} / {@link #deactivate} switch heartbeating on and off with the
 * role. A node that is not active closes every standby connection after its Hello (so a standby dialling the wrong node
 * sees no heartbeats). Bounded: at most {@link #CONNECTIONS_MAX} connections; frames are bounded by {@link HaCodec}; a
 * malformed frame closes only its connection.
 *
 * <p>Threads: one platform thread accepts ({@code ha-accept}); each connection has a virtual thread reading statuses
 * and one writing heartbeats (a peer that stops reading blocks only its own writer).
 */
public final class HaServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HaServer.class);

    /** One standby per volume, plus room for a returning old active and a stray connection. */
    public static final int CONNECTIONS_MAX = 4;

    /** Builds the next heartbeat; empty when this node should not heartbeat (no longer active). */
    @FunctionalInterface
    public interface HeartbeatSource {
        Optional<HaFrame.Heartbeat> next(long sequence);
    }

    /** The last status a standby reported, and when (this node's clock). */
    public record StandbyView(HaFrame.StandbyStatus status, long receivedNanos) {
    }

    private final String node;
    private final HaConfig config;
    private final Clock clock;
    private final HaLinkFaults faults;
    private final ServerSocket socket;
    private final Thread acceptThread;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Map<String, StandbyView> standbys = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile HeartbeatSource source;
    private volatile boolean closed;

    private HaServer(String node, HaConfig config, Clock clock, HaLinkFaults faults, ServerSocket socket) {
        this.node = node;
        this.config = config;
        this.clock = clock;
        this.faults = faults;
        this.socket = socket;
        this.acceptThread = Thread.ofPlatform().name("ha-accept").daemon().unstarted(this::acceptLoop);
    }

    /**
     * Binds the HA port (0 = any free port) and starts accepting; not heartbeating until {@link #activate}.
     *
     * @throws IllegalStateException if the port cannot be bound
     */
    public static HaServer start(String bindHost, int port, String node, HaConfig config, Clock clock,
                                 HaLinkFaults faults) {
        ServerSocket s;
        try {
            s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(bindHost), port), CONNECTIONS_MAX);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind the HA port on " + bindHost + ":" + port + ": " + e, e);
        }
        HaServer server = new HaServer(node, config, clock, faults, s);
        server.acceptThread.start();
        log.info("HA port of {} listening on {}:{}", node, bindHost, server.port());
        return server;
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Starts heartbeating every connected and future standby with what {@code heartbeats} builds. */
    public void activate(HeartbeatSource heartbeats) {
        source = Objects.requireNonNull(heartbeats, "heartbeats");
        signal();
    }

    /** Stops heartbeating: every standby connection is closed (a standby sees its heartbeats stop). */
    public void deactivate() {
        source = null;
        for (Connection c : connections) {
            c.close();
        }
        signal();
    }

    /**
     * The lowest retention floor reported by a standby heard from within {@code standbyFloorHold}
     * ({@link Long#MAX_VALUE}: no such standby, keep nothing for one).
     */
    public long retentionFloorLsn() {
        long now = clock.monotonicTime();
        long hold = config.standbyFloorHold().toNanos();
        long floor = Long.MAX_VALUE;
        for (StandbyView v : standbys.values()) {
            if (now - v.receivedNanos() <= hold) {
                floor = Math.min(floor, v.status().retentionFloorLsn());
            }
        }
        return floor;
    }

    /** The standbys heard from, by name, with their last status. */
    public Map<String, StandbyView> standbys() {
        return Map.copyOf(standbys);
    }

    /** Connections open now. */
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        source = null;
        try {
            socket.close();
        } catch (IOException e) {
            log.warn("closing the HA port failed", e);
        }
        for (Connection c : connections) {
            c.close();
        }
        signal();
        try {
            acceptThread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("HA port: accept failed: {}", e.toString());
                }
                continue;
            }
            if (connections.size() >= CONNECTIONS_MAX) {
                log.warn("HA port: refusing {}: {} connections already", s.getRemoteSocketAddress(), CONNECTIONS_MAX);
                closeQuietly(s);
                continue;
            }
            Connection c = new Connection(s);
            connections.add(c);
            Thread.ofVirtual().name("ha-read-" + s.getRemoteSocketAddress()).start(c::readLoop);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            log.debug("closing an HA connection: {}", e.toString());
        }
    }

    /** One standby's connection. */
    private final class Connection {
        private final Socket socket;
        private volatile boolean open = true;
        private volatile String peer = "?";

        Connection(Socket socket) {
            this.socket = socket;
        }

        void readLoop() {
            try (socket) {
                socket.setTcpNoDelay(true);
                // a standby answers every heartbeat; four heartbeat timeouts of silence means it is gone
                socket.setSoTimeout(Math.toIntExact(config.heartbeatTimeout().multipliedBy(4).toMillis()));
                BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
                HaFrame first = HaCodec.read(in);
                if (!(first instanceof HaFrame.Hello hello)) {
                    throw new HaCodec.HaProtocolException("expected Hello first, got " + first);
                }
                peer = hello.node();
                if (source == null) {
                    log.debug("HA port: {} connected, but {} is not active: closing", peer, node);
                    return;
                }
                log.info("HA port: standby {} connected from {}", peer, socket.getRemoteSocketAddress());
                Thread.ofVirtual().name("ha-heartbeat-" + peer).start(this::writeLoop);
                while (open) {
                    HaFrame f = HaCodec.read(in);
                    if (faults.isCut()) {
                        continue;
                    }
                    if (f instanceof HaFrame.StandbyStatus status) {
                        standbys.put(status.node(), new StandbyView(status, clock.monotonicTime()));
                    } else {
                        throw new HaCodec.HaProtocolException("expected StandbyStatus, got " + f);
                    }
                }
            } catch (SocketTimeoutException e) {
                log.info("HA port: standby {} silent for {} ms: closing", peer,
                        config.heartbeatTimeout().multipliedBy(4).toMillis());
            } catch (EOFException | SocketException e) {
                log.debug("HA port: connection of {} ended: {}", peer, e.toString());
            } catch (HaCodec.HaProtocolException e) {
                log.warn("HA port: closing the connection of {}: {}", peer, e.getMessage());
            } catch (IOException e) {
                log.info("HA port: connection of {} failed: {}", peer, e.toString());
            } finally {
                open = false;
                connections.remove(this);
                signal();
            }
        }

        void writeLoop() {
            long sequence = 0;
            try {
                OutputStream out = socket.getOutputStream();
                while (open && !closed) {
                    HeartbeatSource s = source;
                    Optional<HaFrame.Heartbeat> hb = s == null ? Optional.empty() : s.next(++sequence);
                    if (hb.isEmpty()) {
                        break;
                    }
                    if (!faults.isCut()) {
                        out.write(HaCodec.encode(hb.get()));
                        out.flush();
                    }
                    awaitNext();
                }
            } catch (IOException e) {
                log.debug("HA port: heartbeats to {} stopped: {}", peer, e.toString());
            } finally {
                close();
            }
        }

        private void awaitNext() {
            lock.lock();
            try {
                changed.awaitNanos(config.heartbeatInterval().toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                open = false;
            } finally {
                lock.unlock();
            }
        }

        void close() {
            open = false;
            closeQuietly(socket);
        }
    }

    /** Names of the standbys connected now (for logs and tests). */
    public List<String> connectedPeers() {
        List<String> out = new ArrayList<>();
        for (Connection c : connections) {
            out.add(c.peer);
        }
        return out;
    }

    public Duration heartbeatInterval() {
        return config.heartbeatInterval();
    }
}
