package io.cacdb.server.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One message of the frontend byte stream, split off by {@link PgFrameDecoder}: its type byte (0 for a startup-phase
 * packet, which has none) and its body without the length word. Holds a retained buffer the codec releases.
 */
public final class PgFrame extends DefaultByteBufHolder {

    /** Type of a startup-phase packet (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest). */
    public static final byte STARTUP = 0;

    private final byte type;

    public PgFrame(byte type, ByteBuf body) {
        super(body);
        this.type = type;
    }

    public byte type() {
        return type;
    }

    public boolean isStartup() {
        return type == STARTUP;
    }

    @Override
    public String toString() {
        return "PgFrame(" + (type == STARTUP ? "startup" : "'" + (char) type + "'") + ", " + content().readableBytes()
                + " bytes)";
    }
}
