package io.cacdb.server.pgwire;

import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlState;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The codec: turns each {@link PgFrame} into a {@link FrontendMessage}, validating every field against the frame's
 * bounds and {@link PgWireLimits}, and passes {@link FrameRefusal}s on as fatal {@link FrontendMessage.Refused}s.
 * Never throws for bad input: a body that does not parse (a count running past the end, a missing terminator,
 * trailing bytes, a bad format or kind code) is refused as FATAL 08P01; a well-framed string that is not valid UTF-8
 * is refused as ERROR 22021, as PostgreSQL does. Stateless, so one instance serves every connection.
 */
@ChannelHandler.Sharable
public final class FrontendMessageDecoder extends MessageToMessageDecoder<Object> {

    /** Thrown inside decoding only, turned into a fatal refusal. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public boolean acceptInboundMessage(Object msg) {
        return msg instanceof PgFrame || msg instanceof FrameRefusal;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        out.add(decode(msg));
    }

    /** Decodes one frame or passes a refusal on; does not release the frame. */
    public static FrontendMessage decode(Object msg) {
        if (msg instanceof FrameRefusal r) {
            return new FrontendMessage.Refused(r.sqlState(), r.message(), true, PgFrame.STARTUP);
        }
        PgFrame frame = (PgFrame) msg;
        ByteBuf body = frame.content();
        try {
            FrontendMessage m = frame.isStartup() ? startup(body) : regular(frame.type(), body);
            if (body.isReadable()) {
                throw new Malformed("invalid message format: " + body.readableBytes() + " trailing bytes in "
                        + describe(frame));
            }
            return m;
        } catch (Malformed e) {
            return new FrontendMessage.Refused(SqlState.PROTOCOL_VIOLATION, e.getMessage(), true, frame.type());
        } catch (SqlException e) {
            // a string that is not UTF-8 in a well-framed message: an ERROR, except in the startup packet
            return new FrontendMessage.Refused(e.sqlState(), e.getMessage(), frame.isStartup(), frame.type());
        }
    }

    private static String describe(PgFrame frame) {
        return frame.isStartup() ? "startup packet" : "message type '" + (char) frame.type() + "'";
    }

    private static FrontendMessage startup(ByteBuf in) throws Malformed, SqlException {
        int code = in.readInt();
        switch (code) {
            case PgWireLimits.SSL_REQUEST_CODE -> {
                return new FrontendMessage.SslRequest();
            }
            case PgWireLimits.GSSENC_REQUEST_CODE -> {
                return new FrontendMessage.GssEncRequest();
            }
            case PgWireLimits.CANCEL_REQUEST_CODE -> {
                if (in.readableBytes() != PgWireLimits.CANCEL_REQUEST_BYTES - 8) {
                    throw new Malformed("invalid length of cancel request packet");
                }
                return new FrontendMessage.CancelRequest(in.readInt(), in.readInt());
            }
            default -> {
            }
        }
        if ((code >>> 16) != 3) {
            throw new Malformed("unsupported frontend protocol " + (code >>> 16) + "." + (code & 0xFFFF)
                    + ": server supports 3.0 to 3.0");
        }
        Map<String, String> params = new LinkedHashMap<>();
        while (true) {
            String name = cstring(in, "startup parameter name");
            if (name.isEmpty()) {
                break;
            }
            if (params.size() >= PgWireLimits.MAX_STARTUP_PARAMETERS) {
                throw new Malformed("more than " + PgWireLimits.MAX_STARTUP_PARAMETERS + " startup parameters");
            }
            params.put(name, cstring(in, "startup parameter value"));
        }
        return new FrontendMessage.Startup(code, Collections.unmodifiableMap(params));
    }

    private static FrontendMessage regular(byte type, ByteBuf in) throws Malformed, SqlException {
        return switch (type) {
            case 'Q' -> new FrontendMessage.Query(cstring(in, "query string"));
            case 'P' -> parse(in);
            case 'B' -> bind(in);
            case 'D' -> new FrontendMessage.Describe(kind(in, "Describe"), name(in, "Describe"));
            case 'E' -> {
                String portal = name(in, "Execute");
                need(in, 4, "Execute row limit");
                yield new FrontendMessage.Execute(portal, in.readInt());
            }
            case 'C' -> new FrontendMessage.Close(kind(in, "Close"), name(in, "Close"));
            case 'S' -> new FrontendMessage.Sync();
            case 'H' -> new FrontendMessage.Flush();
            case 'X' -> new FrontendMessage.Terminate();
            case 'p' -> {
                byte[] data = new byte[in.readableBytes()];
                in.readBytes(data);
                yield new FrontendMessage.AuthData(data);
            }
            case 'F' -> {
                in.skipBytes(in.readableBytes());
                yield new FrontendMessage.FunctionCall();
            }
            case 'd', 'c', 'f' -> {
                in.skipBytes(in.readableBytes());
                yield new FrontendMessage.CopyMessage(type);
            }
            default -> throw new Malformed("invalid frontend message type " + (type & 0xff));
        };
    }

    private static FrontendMessage parse(ByteBuf in) throws Malformed, SqlException {
        String name = name(in, "Parse");
        String sql = cstring(in, "Parse query string");
        need(in, 2, "Parse parameter count");
        int count = in.readUnsignedShort();
        need(in, 4L * count, "Parse parameter types");
        int[] oids = new int[count];
        for (int i = 0; i < count; i++) {
            oids[i] = in.readInt();
        }
        return new FrontendMessage.Parse(name, sql, oids);
    }

    private static FrontendMessage bind(ByteBuf in) throws Malformed, SqlException {
        String portal = name(in, "Bind portal");
        String statement = name(in, "Bind statement");
        short[] paramFormats = formats(in, "Bind parameter");
        need(in, 2, "Bind parameter count");
        int count = in.readUnsignedShort();
        List<byte[]> params = new ArrayList<>(Math.min(count, in.readableBytes() / 4 + 1));
        for (int i = 0; i < count; i++) {
            need(in, 4, "Bind parameter length");
            int length = in.readInt();
            if (length == -1) {
                params.add(null);
                continue;
            }
            if (length < 0) {
                throw new Malformed("invalid length " + length + " of Bind parameter " + (i + 1));
            }
            need(in, length, "Bind parameter " + (i + 1));
            byte[] value = new byte[length];
            in.readBytes(value);
            params.add(value);
        }
        short[] resultFormats = formats(in, "Bind result");
        return new FrontendMessage.Bind(portal, statement, paramFormats, Collections.unmodifiableList(params),
                resultFormats);
    }

    private static short[] formats(ByteBuf in, String what) throws Malformed {
        need(in, 2, what + " format count");
        int count = in.readUnsignedShort();
        need(in, 2L * count, what + " formats");
        short[] formats = new short[count];
        for (int i = 0; i < count; i++) {
            formats[i] = in.readShort();
            if (formats[i] != PgValueCodec.TEXT_FORMAT && formats[i] != PgValueCodec.BINARY_FORMAT) {
                throw new Malformed("unsupported format code: " + formats[i]);
            }
        }
        return formats;
    }

    private static byte kind(ByteBuf in, String what) throws Malformed {
        need(in, 1, what + " kind");
        byte kind = in.readByte();
        if (kind != 'S' && kind != 'P') {
            throw new Malformed("invalid " + what + " message subtype " + (kind & 0xff));
        }
        return kind;
    }

    private static String name(ByteBuf in, String what) throws Malformed, SqlException {
        int before = in.readableBytes();
        String name = cstring(in, what + " name");
        if (before - in.readableBytes() - 1 > PgWireLimits.MAX_NAME_BYTES) {
            throw new Malformed(what + " name longer than " + PgWireLimits.MAX_NAME_BYTES + " bytes");
        }
        return name;
    }

    private static void need(ByteBuf in, long bytes, String what) throws Malformed {
        if (in.readableBytes() < bytes) {
            throw new Malformed("insufficient data left in message: " + what + " needs " + bytes + " bytes, "
                    + in.readableBytes() + " left");
        }
    }

    /** A NUL-terminated string within the body, strictly UTF-8. */
    static String cstring(ByteBuf in, String what) throws Malformed, SqlException {
        int nul = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) 0);
        if (nul < 0) {
            throw new Malformed("invalid string in message: " + what + " has no terminator");
        }
        byte[] bytes = new byte[nul - in.readerIndex()];
        in.readBytes(bytes);
        in.skipBytes(1);
        if (isAscii(bytes)) {
            return new String(bytes, java.nio.charset.StandardCharsets.US_ASCII);
        }
        return PgValueCodec.utf8(bytes);
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }
}
