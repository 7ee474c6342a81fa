package io.cacdb.dax.server;

import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.DecodedRequest;
import io.cacdb.dax.wire.Status;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last inbound handler of a server connection (one instance per connection). Valid requests go to the
 * {@link Dispatcher}, which never blocks; refusals from the decoder are answered here, closing the connection when the
 * frame stream cannot be trusted any more. A bad connection is logged once, at WARN, with its remote address.
 *
 * <p>Backpressure: when the connection's outbound buffer passes its high-water mark (a client that sends faster than
 * it reads answers), the handler stops reading from it until the buffer drains.
 */
final class DaxServerHandler extends SimpleChannelInboundHandler<DecodedRequest> {

    private static final Logger log = LoggerFactory.getLogger(DaxServerHandler.class);

    /** Where valid requests go. Must not block: it runs on the event loop. */
    interface Dispatcher {
        void dispatch(io.netty.channel.Channel channel, DaxRequest request, long startNanos);

        /** Called once per connection that sent something malformed (for a metric). */
        void badConnection();
    }

    private final Dispatcher dispatcher;
    private boolean warned;

    DaxServerHandler(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DecodedRequest msg) {
        switch (msg) {
            case DecodedRequest.Valid v -> dispatcher.dispatch(ctx.channel(), v.request(), System.nanoTime());
            case DecodedRequest.Invalid i -> {
                warnOnce(ctx, i.status() + " (request " + i.requestId() + "): " + i.message());
                // through the outbox, so the answer comes after those of earlier requests of this connection
                ResponseOutbox outbox = ResponseOutbox.of(ctx.channel());
                if (i.closeConnection()) {
                    outbox.sendAndClose(i.toResponse());
                } else {
                    outbox.send(i.toResponse());
                }
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            answerAndClose(ctx, Status.FRAME_TOO_LARGE, cause.getMessage());
        } else if (cause instanceof CorruptedFrameException) {
            answerAndClose(ctx, Status.BAD_REQUEST, cause.getMessage());
        } else if (cause instanceof DecoderException) {
            // the codec is written never to throw for bad bodies; if it does, the stream is not trustworthy
            answerAndClose(ctx, Status.BAD_REQUEST, "undecodable frame: " + cause.getMessage());
        } else if (cause instanceof IOException) {
            log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            log.warn("unexpected error on connection {}; closing it", ctx.channel().remoteAddress(), cause);
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    private void answerAndClose(ChannelHandlerContext ctx, Status status, String message) {
        warnOnce(ctx, status + ": " + message);
        if (!ctx.channel().isActive()) {
            return;
        }
        ResponseOutbox.of(ctx.channel()).sendAndClose(new DaxResponse.Error(0, null, (byte) 0, status, 0, message));
    }

    private void warnOnce(ChannelHandlerContext ctx, String what) {
        if (!warned) {
            warned = true;
            dispatcher.badConnection();
            log.warn("bad frame from {}: {}", ctx.channel().remoteAddress(), what);
        }
    }
}
