package io.cacdb.dax.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Client side: {@link DaxRequest} → frame bytes. */
@ChannelHandler.Sharable
public final class RequestEncoder extends MessageToByteEncoder<DaxRequest> {

    public RequestEncoder() {
        super(DaxRequest.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, DaxRequest msg, ByteBuf out) {
        WireFormat.encodeRequest(msg, out);
    }
}
