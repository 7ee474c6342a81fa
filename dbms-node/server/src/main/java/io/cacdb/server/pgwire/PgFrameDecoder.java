package io.cacdb.server.pgwire;

import io.cacdb.server.session.SqlState;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Framing of the frontend byte stream: a bounded state machine. It starts in the startup phase, where a packet is
 * {@code length:int32} (counting itself) then a body whose first word is a protocol version or a request code, and
 * switches to the regular phase, {@code type:byte length:int32 body}, after a protocol 3 StartupMessage. SSLRequest
 * and GSSENCRequest keep it in the startup phase (at most {@link PgWireLimits#MAX_ENCRYPTION_REQUESTS}); a
 * CancelRequest or an unsupported protocol version is the last packet of the connection.
 *
 * <p>Validation before buffering: the type byte must be one a frontend sends, the length must be within the type's
 * limit ({@link PgWireLimits}); otherwise a {@link FrameRefusal} is emitted in place, in order after the frames before
 * it, and every later byte is discarded. Frames ({@link PgFrame}) hold a retained slice the next handler releases.
 */
public final class PgFrameDecoder extends ByteToMessageDecoder {

    private enum State { STARTUP_LENGTH, STARTUP_BODY, TYPE, LENGTH, BODY, DISCARD }

    private State state = State.STARTUP_LENGTH;
    private byte type;
    private int bodyLength;
    private int encryptionRequests;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            switch (state) {
                case STARTUP_LENGTH -> {
                    if (in.readableBytes() < 4) {
                        return;
                    }
                    long length = in.readUnsignedInt();
                    if (length < PgWireLimits.MIN_STARTUP_PACKET_BYTES
                            || length > PgWireLimits.MAX_STARTUP_PACKET_BYTES) {
                        refuse(out, "invalid length of startup packet: " + length);
                        continue;
                    }
                    bodyLength = (int) length - 4;
                    state = State.STARTUP_BODY;
                }
                case STARTUP_BODY -> {
                    if (in.readableBytes() < bodyLength) {
                        return;
                    }
                    int code = in.getInt(in.readerIndex());
                    out.add(new PgFrame(PgFrame.STARTUP, in.readRetainedSlice(bodyLength)));
                    if (code == PgWireLimits.SSL_REQUEST_CODE || code == PgWireLimits.GSSENC_REQUEST_CODE) {
                        if (++encryptionRequests > PgWireLimits.MAX_ENCRYPTION_REQUESTS) {
                            refuse(out, "too many encryption requests (" + encryptionRequests + ")");
                            continue;
                        }
                        state = State.STARTUP_LENGTH;
                    } else if ((code >>> 16) == 3) {
                        state = State.TYPE;
                    } else {
                        // a CancelRequest ends the connection; an unsupported version is refused by the codec
                        state = State.DISCARD;
                    }
                }
                case TYPE -> {
                    if (!in.isReadable()) {
                        return;
                    }
                    type = in.readByte();
                    if (maxMessageBytes(type) < 0) {
                        refuse(out, "invalid frontend message type " + (type & 0xff));
                        continue;
                    }
                    state = State.LENGTH;
                }
                case LENGTH -> {
                    if (in.readableBytes() < 4) {
                        return;
                    }
                    long length = in.readUnsignedInt();
                    if (length < PgWireLimits.LENGTH_FIELD_BYTES || length > maxMessageBytes(type)) {
                        refuse(out, "invalid message length " + length + " for message type '" + (char) type + "'"
                                + " (limit " + maxMessageBytes(type) + " bytes)");
                        continue;
                    }
                    bodyLength = (int) length - PgWireLimits.LENGTH_FIELD_BYTES;
                    state = State.BODY;
                }
                case BODY -> {
                    if (in.readableBytes() < bodyLength) {
                        return;
                    }
                    out.add(new PgFrame(type, in.readRetainedSlice(bodyLength)));
                    state = State.TYPE;
                }
                case DISCARD -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    private void refuse(List<Object> out, String message) {
        out.add(new FrameRefusal(SqlState.PROTOCOL_VIOLATION, message));
        state = State.DISCARD;
    }

    /** The largest message of this type, length word included, or -1 if a frontend never sends the type. */
    static int maxMessageBytes(byte type) {
        return switch (type) {
            case 'B', 'P', 'Q', 'F', 'd' -> PgWireLimits.MAX_DATA_MESSAGE_BYTES;
            case 'C', 'D', 'E', 'H', 'S', 'X', 'c', 'f' -> PgWireLimits.MAX_CONTROL_MESSAGE_BYTES;
            case 'p' -> PgWireLimits.MAX_AUTH_MESSAGE_BYTES;
            default -> -1;
        };
    }
}
