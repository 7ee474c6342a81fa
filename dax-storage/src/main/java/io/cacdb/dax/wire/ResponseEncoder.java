package io.cacdb.dax.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Server side: {@link DaxResponse} → frame bytes. */
@ChannelHandler.Sharable
public final class ResponseEncoder extends MessageToByteEncoder<DaxResponse> {

    public ResponseEncoder() {
        super(DaxResponse.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, DaxResponse msg, ByteBuf out) {
        WireFormat.encodeResponse(msg, out);
    }
}
