package io.cacdb.dax.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/** Server side: frame → {@link DecodedRequest}. Never throws for bad bodies; the frame is released here. */
public final class RequestDecoder extends MessageToMessageDecoder<ByteBuf> {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(WireFormat.decodeRequest(frame));
    }
}
