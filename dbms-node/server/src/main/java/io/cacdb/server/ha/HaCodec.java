package io.cacdb.server.ha;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The HA port's wire format. A frame is {@code length u32} (bytes after this field) {@code version u8 (1)}
 * {@code type u8} and a body; integers big-endian; strings {@code u8 length + UTF-8}. Types: 1 Hello (node),
 * 2 Heartbeat (node, epoch u64, lease sequence u64, durable LSN u64, sequence u64), 3 StandbyStatus (node, replay
 * state, replayed LSN u64, retention floor u64, lag bytes u64, lag ms u64, unsafe u32, pinned u32, frames u32).
 *
 * <p>{@link #read} is a bounded reader: a length outside {@code [2, FRAME_BYTES_MAX]}, another version, an unknown
 * type, or a body that does not decode to exactly its length is a {@link HaProtocolException} (the caller closes that
 * connection); nothing larger than {@link #FRAME_BYTES_MAX} is ever allocated. Stateless and thread-safe.
 */
public final class HaCodec {

    /** Every frame is well below 1 KiB (two names and a few numbers); anything longer is garbage or an attack. */
    public static final int FRAME_BYTES_MAX = 1024;
    public static final int VERSION = 1;
    static final int TYPE_HELLO = 1;
    static final int TYPE_HEARTBEAT = 2;
    static final int TYPE_STATUS = 3;
    static final int TEXT_BYTES_MAX = 255;

    private HaCodec() {
    }

    public static byte[] encode(HaFrame frame) {
        ByteBuffer body = ByteBuffer.allocate(FRAME_BYTES_MAX).order(ByteOrder.BIG_ENDIAN);
        body.putInt(0).put((byte) VERSION);
        switch (frame) {
            case HaFrame.Hello h -> {
                body.put((byte) TYPE_HELLO);
                text(body, h.node());
            }
            case HaFrame.Heartbeat h -> {
                body.put((byte) TYPE_HEARTBEAT);
                text(body, h.node());
                body.putLong(h.epoch()).putLong(h.leaseSequence()).putLong(h.durableLsn()).putLong(h.sequence());
            }
            case HaFrame.StandbyStatus s -> {
                body.put((byte) TYPE_STATUS);
                text(body, s.node());
                text(body, s.replayState());
                body.putLong(s.replayedLsn()).putLong(s.retentionFloorLsn()).putLong(s.lagBytes())
                        .putLong(s.lagMillis()).putInt(s.unsafePages()).putInt(s.pinnedFrames()).putInt(s.frames());
            }
        }
        int length = body.position() - 4;
        body.putInt(0, length);
        byte[] out = new byte[body.position()];
        body.flip().get(out);
        return out;
    }

    /**
     * Reads one frame (blocking).
     *
     * @throws EOFException        the peer closed the connection at a frame boundary or inside a frame
     * @throws HaProtocolException the bytes are not a valid frame
     */
    public static HaFrame read(InputStream in) throws IOException {
        DataInputStream data = in instanceof DataInputStream d ? d : new DataInputStream(in);
        int length = data.readInt();
        if (length < 2 || length > FRAME_BYTES_MAX) {
            throw new HaProtocolException("frame length " + length + " outside [2, " + FRAME_BYTES_MAX + "]");
        }
        byte[] frame = new byte[length];
        data.readFully(frame);
        return decode(frame);
    }

    /** Decodes the bytes after the length field. */
    static HaFrame decode(byte[] frame) throws HaProtocolException {
        ByteBuffer in = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        try {
            int version = in.get() & 0xFF;
            if (version != VERSION) {
                throw new HaProtocolException("protocol version " + version + ", this node speaks " + VERSION);
            }
            int type = in.get() & 0xFF;
            HaFrame f = switch (type) {
                case TYPE_HELLO -> new HaFrame.Hello(text(in));
                case TYPE_HEARTBEAT -> new HaFrame.Heartbeat(text(in), in.getLong(), in.getLong(), in.getLong(),
                        in.getLong());
                case TYPE_STATUS -> new HaFrame.StandbyStatus(text(in), text(in), in.getLong(), in.getLong(),
                        in.getLong(), in.getLong(), in.getInt(), in.getInt(), in.getInt());
                default -> throw new HaProtocolException("unknown frame type " + type);
            };
            if (in.hasRemaining()) {
                throw new HaProtocolException(in.remaining() + " trailing bytes after a frame of type " + type);
            }
            return f;
        } catch (BufferUnderflowException e) {
            throw new HaProtocolException("frame of " + frame.length + " bytes ends inside its body");
        }
    }

    private static void text(ByteBuffer out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > TEXT_BYTES_MAX) {
            throw new IllegalArgumentException("text of " + b.length + " bytes, max " + TEXT_BYTES_MAX);
        }
        out.put((byte) b.length).put(b);
    }

    private static String text(ByteBuffer in) {
        byte[] b = new byte[in.get() & 0xFF];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The peer sent bytes that are not an HA frame: close that connection (the port keeps serving others). */
    public static final class HaProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        public HaProtocolException(String message) {
            super(message);
        }
    }
}
