package io.cacdb.server.pgwire;

import io.cacdb.server.session.SqlBackend;
import io.cacdb.server.session.SqlState;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL v3 wire protocol server of a node: Netty NIO, one pipeline per connection ({@link PgFrameDecoder}
 * framing → {@link FrontendMessageDecoder} codec → {@link PgConnectionHandler}; {@link BackendMessageEncoder} out),
 * and one virtual thread per connection ({@link PgConnection}) that runs the protocol and calls the {@link
 * SqlBackend}.
 *
 * <p>Promises: no event-loop thread ever waits on the SQL layer or on a slow client; each connection's messages are
 * handled in order; a connection's inbound queue and outbound buffer are bounded (reading stops, the session waits);
 * at most {@link PgServerConfig#maxConnections()} sessions run (the next one gets 53300), and a CancelRequest reaches
 * the named session even then; a malformed stream closes only its own connection.
 *
 * <p>Lifecycle: {@link #start} returns a serving server; {@link #close()} stops accepting, tells every session
 * FATAL 57P01, closes the connections (which cancels and closes the sessions) and stops the event loops.
 */
public final class PgServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PgServer.class);

    /** How long close() waits for each step (channels, event loops). */
    static final long CLOSE_WAIT_MILLIS = 5_000;

    enum State {
        STARTING, SERVING, STOPPING, STOPPED;

        boolean canMoveTo(State next) {
            return next.ordinal() == ordinal() + 1 || (this == STARTING && next == STOPPED);
        }
    }

    /** What a connection needs from its server. */
    record Context(PgServerConfig config, SqlBackend backend, PgMetrics metrics, CancelRegistry cancels,
            AtomicInteger sessionSlots) {

        boolean tryTakeSessionSlot() {
            while (true) {
                int taken = sessionSlots.get();
                if (taken >= config.maxConnections()) {
                    return false;
                }
                if (sessionSlots.compareAndSet(taken, taken + 1)) {
                    return true;
                }
            }
        }

        void releaseSessionSlot() {
            int left = sessionSlots.decrementAndGet();
            if (left < 0) {
                throw new IllegalStateException("session slots went negative: " + left);
            }
        }
    }

    private final PgServerConfig config;
    private final Context context;
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private final ChannelGroup channels = new DefaultChannelGroup("pgwire-connections", GlobalEventExecutor.INSTANCE);
    private final FrontendMessageDecoder messageDecoder = new FrontendMessageDecoder();
    private final BackendMessageEncoder messageEncoder = new BackendMessageEncoder();
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;

    private PgServer(PgServerConfig config, SqlBackend backend, MeterRegistry registry) {
        this.config = config;
        this.context = new Context(config, backend, new PgMetrics(registry), new CancelRegistry(),
                new AtomicInteger());
    }

    /**
     * Starts serving; returns once the port is bound.
     *
     * @throws IllegalStateException if the port cannot be bound
     */
    public static PgServer start(PgServerConfig config, SqlBackend backend, MeterRegistry registry) {
        PgServer server = new PgServer(config, backend, registry);
        try {
            server.bind();
        } catch (RuntimeException | Error e) {
            server.stopParts();
            server.state.set(State.STOPPED);
            throw e;
        }
        server.transition(State.STARTING, State.SERVING);
        log.info("PostgreSQL protocol server listening on {}:{} (max {} sessions)", config.bindHost(), server.port(),
                config.maxConnections());
        return server;
    }

    private void bind() {
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("pg-accept", true),
                NioIoHandler.newFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(config.eventLoopThreads(),
                new DefaultThreadFactory("pg-io", true), NioIoHandler.newFactory());
        int connectionCap = config.maxConnections() + config.startupHeadroomConnections();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR,
                        new AdaptiveRecvByteBufAllocator(64, 2048, InboundQueue.MAX_SOCKET_READ_BYTES))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                        config.outboundLowWaterBytes(), config.outboundHighWaterBytes()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (state.get() != State.SERVING || channels.size() >= connectionCap) {
                            context.metrics().refused(state.get() != State.SERVING ? "stopping"
                                    : "connection_cap");
                            ch.close();
                            return;
                        }
                        channels.add(ch);
                        context.metrics().connections.incrementAndGet();
                        ch.closeFuture().addListener(f -> context.metrics().connections.decrementAndGet());
                        ch.pipeline().addLast("frames", new PgFrameDecoder())
                                .addLast("messages", messageDecoder)
                                .addLast("encoder", messageEncoder)
                                .addLast("connection", new PgConnectionHandler(context));
                    }
                });
        try {
            serverChannel = bootstrap.bind(config.bindHost(), config.port()).syncUninterruptibly().channel();
        } catch (Exception e) {
            // Netty rethrows the bind failure (a checked BindException) without declaring it
            throw new IllegalStateException("cannot bind the PostgreSQL port on " + config.bindHost() + ":"
                    + config.port() + ": " + e, e);
        }
    }

    /** The bound port (the configured one, or the one chosen for port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public PgServerConfig config() {
        return config;
    }

    /** Open client TCP connections (sessions, handshakes, cancel requests). */
    public int openConnections() {
        return context.metrics().connections.get();
    }

    /** Session slots taken (connections past their StartupMessage). */
    public int sessionSlotsTaken() {
        return context.sessionSlots().get();
    }

    State state() {
        return state.get();
    }

    /**
     * Ends every client connection with a FATAL error (their sessions are cancelled and closed by their threads) but
     * keeps the port open: a node that stops serving without stopping (its lease ran out) cuts its clients off this
     * way, and new ones are refused by its backend. Returns how many connections were told.
     */
    public int terminateConnections(SqlState sqlState, String message) {
        BackendMessage fatal = new BackendMessage.ErrorResponse(PgError.fatal(sqlState, message));
        int n = 0;
        for (Channel ch : channels) {
            ch.writeAndFlush(fatal).addListener(ChannelFutureListener.CLOSE);
            n++;
        }
        return n;
    }

    /**
     * Stops: no new connections, FATAL 57P01 to every connected client, connections closed (their sessions are
     * cancelled and closed by their threads), event loops stopped. Idempotent.
     */
    @Override
    public void close() {
        if (!state.compareAndSet(State.SERVING, State.STOPPING)) {
            return;
        }
        log.info("PostgreSQL protocol server on port {} stopping", port());
        stopParts();
        transition(State.STOPPING, State.STOPPED);
    }

    private void stopParts() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
        }
        BackendMessage shutdown = new BackendMessage.ErrorResponse(PgError.fatal(SqlState.ADMIN_SHUTDOWN,
                "terminating connection due to administrator command"));
        for (Channel ch : channels) {
            ch.writeAndFlush(shutdown).addListener(ChannelFutureListener.CLOSE);
        }
        channels.newCloseFuture().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
        channels.close().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
        for (EventLoopGroup g : new EventLoopGroup[] {workerGroup, bossGroup}) {
            if (g != null) {
                g.shutdownGracefully(0, CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS).awaitUninterruptibly(CLOSE_WAIT_MILLIS);
            }
        }
    }

    private void transition(State from, State to) {
        if (!from.canMoveTo(to) || !state.compareAndSet(from, to)) {
            throw new IllegalStateException("PostgreSQL server: illegal transition " + state.get() + " -> " + to
                    + " (expected from " + from + ")");
        }
    }
}
