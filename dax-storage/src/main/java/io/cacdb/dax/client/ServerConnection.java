package io.cacdb.dax.client;

import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.transport.NetworkConditions;
import io.cacdb.dax.wire.DaxFrameDecoder;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.RequestEncoder;
import io.cacdb.dax.wire.ResponseDecoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's one connection to one DAX server: one Netty channel, many requests in flight told apart by request id.
 *
 * <p><b>Threads.</b> All state lives on this connection's own event loop; public methods hop onto it. Returned
 * futures complete on that event loop, so dependants must not block.
 *
 * <p><b>Bounds.</b> At most {@link DaxClientConfig#maxInFlightPerServer()} pending requests; beyond that a request
 * fails fast with {@link ClientOverloadedException}. Every request has a timeout scheduled on the event loop.
 *
 * <p><b>Failures.</b> The connection is opened on demand. A failed connect starts a capped exponential backoff
 * during which requests fail fast as unreachable; the first request after it tries again. A malformed response (or
 * any pipeline error) closes the channel, which fails that channel's pending requests with
 * {@link ServerUnreachableException}; the next request reconnects.
 *
 * <p><b>Injected conditions.</b> {@link NetworkConditions}: a request to a server in another zone is sent after the
 * one-way delay, and its response completed after the delay again; a cut-off server's requests fail fast and its
 * responses are dropped.
 */
final class ServerConnection {

    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

    /** Placeholder used to decode a READ response whose request already timed out; the response is then dropped. */
    private static final BlockAddress LATE_READ_PLACEHOLDER = new BlockAddress(0, Space.PAGE, 0);

    private final ServerInfo server;
    private final String clientZone;
    private final DaxClientConfig config;
    private final NetworkConditions network;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final ClientMetrics metrics;

    // ---- state below is touched only on `loop`
    private final Map<Long, Pending> pending = new HashMap<>();
    private long nextRequestId = 1;
    private Channel channel;
    private ChannelFuture connecting;
    private final List<Pending> waitingForConnect = new ArrayList<>();
    private long reconnectBackoffNanos;
    private long nextConnectAllowedNanos;
    private boolean closed;

    private static final class Pending {
        final DaxRequest request;
        final CompletableFuture<DaxResponse> future;
        final long startNanos;
        Channel channel;
        ScheduledFuture<?> timeout;

        Pending(DaxRequest request, CompletableFuture<DaxResponse> future, long startNanos) {
            this.request = request;
            this.future = future;
            this.startNanos = startNanos;
        }
    }

    ServerConnection(ServerInfo server, String clientZone, DaxClientConfig config, NetworkConditions network,
            EventLoop loop, ClientMetrics metrics) {
        this.server = server;
        this.clientZone = clientZone;
        this.config = config;
        this.network = network;
        this.loop = loop;
        this.metrics = metrics;
        this.reconnectBackoffNanos = config.reconnectBackoffMin().toNanos();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("frames", new DaxFrameDecoder())
                                .addLast("responses", new ResponseDecoder(ServerConnection.this::readAddressOf))
                                .addLast("requests", new RequestEncoder())
                                .addLast("handler", new ResponseHandler());
                    }
                });
    }

    ServerInfo server() {
        return server;
    }

    EventLoop loop() {
        return loop;
    }

    /**
     * Sends a request built with this connection's next request id. The future completes with the server's response
     * (including {@link DaxResponse.Error}s), or exceptionally with {@link DaxTimeoutException},
     * {@link ServerUnreachableException}, {@link ClientOverloadedException} or {@link ClientClosedException}.
     */
    CompletableFuture<DaxResponse> send(LongFunction<DaxRequest> request, Duration timeout) {
        CompletableFuture<DaxResponse> future = new CompletableFuture<>();
        if (loop.inEventLoop()) {
            doSend(request, timeout, future);
        } else {
            loop.execute(() -> doSend(request, timeout, future));
        }
        return future;
    }

    private void doSend(LongFunction<DaxRequest> make, Duration timeout, CompletableFuture<DaxResponse> future) {
        if (closed) {
            future.completeExceptionally(new ClientClosedException());
            return;
        }
        if (network.isCutOff(server)) {
            future.completeExceptionally(new ServerUnreachableException(server.id(), "cut off by network conditions"));
            return;
        }
        if (pending.size() >= config.maxInFlightPerServer()) {
            future.completeExceptionally(new ClientOverloadedException(server.id(), config.maxInFlightPerServer()));
            return;
        }
        long id = nextRequestId++;
        DaxRequest request = make.apply(id);
        Pending p = new Pending(request, future, System.nanoTime());
        pending.put(id, p);
        p.timeout = loop.schedule(() -> {
            if (pending.remove(id, p)) {
                waitingForConnect.remove(p);
                p.future.completeExceptionally(new DaxTimeoutException(server.id(), request.opcode().name(), timeout));
            }
        }, Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
        long delay = network.oneWayDelayNanos(clientZone, server.zone());
        if (delay > 0) {
            loop.schedule(() -> transmit(p), delay, TimeUnit.NANOSECONDS);
        } else {
            transmit(p);
        }
    }

    private void transmit(Pending p) {
        if (p.future.isDone()) {
            return;
        }
        if (network.isCutOff(server)) {
            fail(p, new ServerUnreachableException(server.id(), "cut off by network conditions"));
            return;
        }
        if (channel != null && channel.isActive()) {
            Channel ch = channel;
            p.channel = ch;
            ch.writeAndFlush(p.request).addListener(f -> {
                if (!f.isSuccess()) {
                    fail(p, new ServerUnreachableException(server.id(), "write failed: " + f.cause(), f.cause()));
                }
            });
            return;
        }
        waitingForConnect.add(p);
        if (connecting != null) {
            return;
        }
        long now = System.nanoTime();
        if (now - nextConnectAllowedNanos < 0) {
            failWaiting(new ServerUnreachableException(server.id(), "reconnect backoff, next attempt in "
                    + TimeUnit.NANOSECONDS.toMillis(nextConnectAllowedNanos - now) + " ms"));
            return;
        }
        connect();
    }

    private void connect() {
        ChannelFuture f = bootstrap.connect(server.host(), server.port());
        connecting = f;
        f.addListener(done -> {
            connecting = null;
            if (done.isSuccess()) {
                channel = f.channel();
                reconnectBackoffNanos = config.reconnectBackoffMin().toNanos();
                List<Pending> ready = new ArrayList<>(waitingForConnect);
                waitingForConnect.clear();
                if (closed) {
                    channel.close();
                    ready.forEach(p -> fail(p, new ClientClosedException()));
                    return;
                }
                ready.forEach(this::transmit);
            } else {
                nextConnectAllowedNanos = System.nanoTime() + reconnectBackoffNanos;
                reconnectBackoffNanos = Math.min(reconnectBackoffNanos * 2, config.reconnectBackoffMax().toNanos());
                failWaiting(new ServerUnreachableException(server.id(), "connect to " + server.hostPort()
                        + " failed: " + done.cause(), done.cause()));
            }
        });
    }

    private void failWaiting(DaxException e) {
        List<Pending> waiting = new ArrayList<>(waitingForConnect);
        waitingForConnect.clear();
        waiting.forEach(p -> fail(p, e));
    }

    private void fail(Pending p, Throwable e) {
        if (pending.remove(p.request.requestId(), p)) {
            p.timeout.cancel(false);
            p.future.completeExceptionally(e);
        }
    }

    /** Decoder callback (on the loop): the address a pending READ asked for. */
    private BlockAddress readAddressOf(long requestId) {
        Pending p = pending.get(requestId);
        if (p != null && p.request instanceof DaxRequest.Read r) {
            return r.address();
        }
        // A READ that already timed out or failed: decode it anyway and drop it in channelRead0.
        return LATE_READ_PLACEHOLDER;
    }

    private void onResponse(DaxResponse response) {
        Pending p = pending.get(response.requestId());
        if (p == null) {
            log.debug("{}: dropping response to request {} that already completed", server.id(),
                    response.requestId());
            return;
        }
        if (network.isCutOff(server)) {
            fail(p, new ServerUnreachableException(server.id(), "cut off by network conditions (response dropped)"));
            return;
        }
        if (!(response instanceof DaxResponse.Error) && response.opcode() != p.request.opcode()) {
            log.warn("{}: {} response to {} request {}; closing the connection", server.id(), response.opcode(),
                    p.request.opcode(), response.requestId());
            if (p.channel != null) {
                p.channel.close();
            }
            fail(p, new ServerUnreachableException(server.id(), "protocol error: " + response.opcode()
                    + " response to a " + p.request.opcode() + " request"));
            return;
        }
        long delay = network.oneWayDelayNanos(server.zone(), clientZone);
        if (delay > 0) {
            loop.schedule(() -> complete(p, response), delay, TimeUnit.NANOSECONDS);
        } else {
            complete(p, response);
        }
    }

    private void complete(Pending p, DaxResponse response) {
        if (pending.remove(p.request.requestId(), p)) {
            p.timeout.cancel(false);
            metrics.requestLatency(p.request.opcode(), server.zone(), System.nanoTime() - p.startNanos);
            p.future.complete(response);
        }
    }

    private void onChannelClosed(Channel ch, Throwable cause) {
        if (channel == ch) {
            channel = null;
        }
        List<Pending> lost = new ArrayList<>();
        for (Pending p : pending.values()) {
            if (p.channel == ch) {
                lost.add(p);
            }
        }
        String reason = cause == null ? "connection closed" : "connection closed after " + cause;
        lost.forEach(p -> fail(p, new ServerUnreachableException(server.id(), reason, cause)));
    }

    /** Closes the channel and fails everything pending with {@link ClientClosedException}. */
    CompletableFuture<Void> close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable r = () -> {
            closed = true;
            List<Pending> all = new ArrayList<>(pending.values());
            waitingForConnect.clear();
            all.forEach(p -> fail(p, new ClientClosedException()));
            if (channel != null) {
                channel.close().addListener(f -> done.complete(null));
            } else {
                done.complete(null);
            }
        };
        if (loop.isShuttingDown()) {
            done.complete(null);
        } else {
            loop.execute(r);
        }
        return done;
    }

    /** Test hook: closes the current channel as a network failure would. */
    void dropConnectionForTest() {
        loop.execute(() -> {
            if (channel != null) {
                channel.close();
            }
        });
    }

    private final class ResponseHandler extends SimpleChannelInboundHandler<DaxResponse> {
        private Throwable failure;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DaxResponse msg) {
            onResponse(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("{}: closing the connection after a protocol or I/O error: {}", server.id(), cause.toString());
            failure = cause;
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            onChannelClosed(ctx.channel(), failure);
            ctx.fireChannelInactive();
        }
    }
}
