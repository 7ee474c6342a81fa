package io.cacdb.server.pgwire;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last inbound handler of a client connection, on its event loop: it starts the connection's session thread, hands
 * it every decoded message in order (never waiting: the {@link InboundQueue} turns reading off when full), tells it
 * about writability and about the socket closing, and closes connections that do not authenticate in time.
 */
final class PgConnectionHandler extends SimpleChannelInboundHandler<FrontendMessage> {

    private static final Logger log = LoggerFactory.getLogger(PgConnectionHandler.class);

    private final PgServer.Context server;
    private PgConnection connection;
    private ScheduledFuture<?> authenticationTimeout;

    PgConnectionHandler(PgServer.Context server) {
        this.server = server;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connection = new PgConnection(ctx.channel(), server);
        long timeoutNanos = server.config().authenticationTimeout().toNanos();
        authenticationTimeout = ctx.executor().schedule(() -> {
            if (!connection.authenticated() && ctx.channel().isActive()) {
                log.info("connection {} did not authenticate within {}; closing it", ctx.channel().remoteAddress(),
                        server.config().authenticationTimeout());
                server.metrics().refused("authentication_timeout");
                ctx.close();
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
        Thread.ofVirtual().name("pg-session-" + ctx.channel().id().asShortText()).start(connection);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FrontendMessage msg) {
        server.metrics().message(msg);
        connection.inbound().offer(msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.outbound().writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (authenticationTimeout != null) {
            authenticationTimeout.cancel(false);
        }
        if (connection != null) {
            connection.channelClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.error("unexpected error on connection {}; closing it", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
