package io.cacdb.dax.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the byte stream into frames: a bounded state machine over {@code length:u32} then {@code length} bytes.
 * Emits each frame (without its length field) as a retained {@link ByteBuf} the next handler must release.
 *
 * <p>A length below {@link WireLimits#HEADER_BYTES} or above {@link WireLimits#MAX_FRAME_BYTES} cannot be resynced:
 * the decoder raises {@link TooLongFrameException} or {@link CorruptedFrameException} once, then discards every
 * further byte; the handler answers and closes the connection. Nothing is allocated for a frame before its length is
 * validated, so a peer can make this connection buffer at most one frame.
 */
public final class DaxFrameDecoder extends ByteToMessageDecoder {

    private enum State { READ_LENGTH, READ_FRAME, DISCARD }

    private State state = State.READ_LENGTH;
    private int frameLength;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            switch (state) {
                case READ_LENGTH -> {
                    if (in.readableBytes() < 4) {
                        return;
                    }
                    long length = in.readUnsignedInt(); // u32: 2^31 and above is too long, not negative
                    if (length < WireLimits.HEADER_BYTES) {
                        state = State.DISCARD;
                        throw new CorruptedFrameException("frame length " + length + " is below the "
                                + WireLimits.HEADER_BYTES + "-byte header");
                    }
                    if (length > WireLimits.MAX_FRAME_BYTES) {
                        state = State.DISCARD;
                        throw new TooLongFrameException("frame length " + length + " exceeds MAX_FRAME_BYTES "
                                + WireLimits.MAX_FRAME_BYTES);
                    }
                    frameLength = (int) length;
                    state = State.READ_FRAME;
                }
                case READ_FRAME -> {
                    if (in.readableBytes() < frameLength) {
                        return;
                    }
                    out.add(in.readRetainedSlice(frameLength));
                    state = State.READ_LENGTH;
                }
                case DISCARD -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }
}
