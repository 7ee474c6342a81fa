package io.cacdb.dax.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * Client side: frame → {@link DaxResponse}. A malformed response raises {@link DaxProtocolException} (wrapped by
 * Netty in a DecoderException); the client fails that connection's pending requests and reconnects.
 */
public final class ResponseDecoder extends MessageToMessageDecoder<ByteBuf> {

    private final WireFormat.ReadAddressLookup readAddresses;

    public ResponseDecoder(WireFormat.ReadAddressLookup readAddresses) {
        this.readAddresses = readAddresses;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(WireFormat.decodeResponse(frame, readAddresses));
    }
}
