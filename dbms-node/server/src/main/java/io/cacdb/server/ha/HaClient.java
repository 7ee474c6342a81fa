package io.cacdb.server.ha;

import io.cacdb.dax.cluster.NodeInfo;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standby's end of the HA link: it dials the lease holder's HA port (the endpoint comes from the lease in META,
 * so the standby always dials whoever is active), says Hello, and answers every heartbeat with its status. A read that
 * waits longer than the heartbeat timeout, a closed connection or a malformed frame drops the connection; it dials
 * again after a heartbeat interval. Heartbeats go to the {@link Listener}.
 *
 * <p>Threads: one platform thread ({@code ha-client}); {@link #target} and {@link #close} may be called from any
 * thread (they close the socket to end a blocked read).
 */
public final class HaClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HaClient.class);

    public interface Listener {
        void heartbeat(HaFrame.Heartbeat heartbeat);

        /**
         * The active's end closed a link that had carried heartbeats (end of stream or reset; not a read timeout, not
         * an injected cut, not our own close): heartbeats have stopped now.
         */
        void linkEnded();
    }

    private final String node;
    private final HaConfig config;
    private final Supplier<HaFrame.StandbyStatus> status;
    private final Listener listener;
    private final HaLinkFaults faults;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread thread;
    // Guarded by lock (closed is also read without it, for logging).
    private NodeInfo.Endpoint target;
    private Socket socket;
    private volatile boolean closed;
    private volatile long heartbeats;

    public HaClient(String node, HaConfig config, Supplier<HaFrame.StandbyStatus> status, Listener listener,
                    HaLinkFaults faults) {
        this.node = Objects.requireNonNull(node, "node");
        this.config = Objects.requireNonNull(config, "config");
        this.status = Objects.requireNonNull(status, "status");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.faults = Objects.requireNonNull(faults, "faults");
        this.thread = Thread.ofPlatform().name("ha-client").daemon().unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** Where the active's HA port is (from the lease); a change drops the current connection. Empty: nowhere. */
    public void target(Optional<NodeInfo.Endpoint> endpoint) {
        lock.lock();
        try {
            NodeInfo.Endpoint next = endpoint.orElse(null);
            if (Objects.equals(next, target)) {
                return;
            }
            log.info("HA link of {}: the active's HA port is now {}", node, next == null ? "unknown" : next);
            target = next;
            closeSocketLocked();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Heartbeats received so far. */
    public long heartbeats() {
        return heartbeats;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            closeSocketLocked();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(config.connectTimeout().multipliedBy(2).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeSocketLocked() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                log.debug("closing the HA link: {}", e.toString());
            }
            socket = null;
        }
    }

    private void run() {
        boolean failedBefore = true; // the first heartbeat is logged
        while (true) {
            NodeInfo.Endpoint at;
            Socket s;
            lock.lock();
            try {
                while (!closed && (target == null || faults.isCut())) {
                    changed.awaitNanos(config.heartbeatInterval().toNanos());
                }
                if (closed) {
                    return;
                }
                at = target;
                s = new Socket();
                socket = s;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            try {
                s.connect(new InetSocketAddress(at.host(), at.port()), Math.toIntExact(config.connectTimeout()
                        .toMillis()));
                s.setTcpNoDelay(true);
                s.setSoTimeout(Math.toIntExact(config.heartbeatTimeout().toMillis()));
                OutputStream out = s.getOutputStream();
                out.write(HaCodec.encode(new HaFrame.Hello(node)));
                out.flush();
                InputStream in = new BufferedInputStream(s.getInputStream());
                while (true) {
                    HaFrame f = HaCodec.read(in);
                    if (!(f instanceof HaFrame.Heartbeat hb)) {
                        throw new HaCodec.HaProtocolException("expected Heartbeat, got " + f);
                    }
                    if (faults.isCut()) {
                        break;
                    }
                    if (failedBefore) {
                        log.info("HA link of {}: heartbeats from {} at {}", node, hb.node(), at);
                        failedBefore = false;
                    }
                    heartbeats++;
                    listener.heartbeat(hb);
                    out.write(HaCodec.encode(status.get()));
                    out.flush();
                }
            } catch (SocketTimeoutException e) {
                failedBefore = logOnce(failedBefore, at, "no heartbeat for " + config.heartbeatTimeout().toMillis()
                        + " ms");
            } catch (EOFException | SocketException e) {
                boolean hadHeartbeats = !failedBefore;
                failedBefore = logOnce(failedBefore, at, e.toString());
                if (hadHeartbeats && !closed && !faults.isCut() && stillCurrent(s)) {
                    listener.linkEnded(); // the other end closed it: we did not (close, or a new target)
                }
            } catch (IOException e) {
                failedBefore = logOnce(failedBefore, at, e.toString());
            } finally {
                lock.lock();
                try {
                    if (socket == s) {
                        closeSocketLocked();
                    }
                    if (!closed) {
                        changed.awaitNanos(config.heartbeatInterval().toNanos());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** Whether {@code s} is still this client's socket: {@link #target} and {@link #close} drop it when they close it. */
    private boolean stillCurrent(Socket s) {
        lock.lock();
        try {
            return socket == s;
        } finally {
            lock.unlock();
        }
    }

    private boolean logOnce(boolean failedBefore, NodeInfo.Endpoint at, String why) {
        if (!failedBefore && !closed) {
            log.info("HA link of {} to {} dropped: {} (dialling again every {} ms)", node, at, why,
                    config.heartbeatInterval().toMillis());
        }
        return true;
    }
}
