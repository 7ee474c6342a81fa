package io.cacdb.server.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes {@link BackendMessage}s: {@code type:byte length:int32 body}, the length counting itself. Strings are
 * UTF-8 and NUL-terminated; a NUL inside one (which PostgreSQL never produces) is dropped so the frame stays valid.
 * The connection's thread uses {@link #encode(BackendMessage, ByteBuf)} directly to batch messages into one buffer;
 * the pipeline instance encodes messages written as objects. Stateless.
 */
@ChannelHandler.Sharable
public final class BackendMessageEncoder extends MessageToByteEncoder<BackendMessage> {

    /** Authentication request codes of the 'R' message. */
    static final int AUTH_OK = 0;
    static final int AUTH_SASL = 10;
    static final int AUTH_SASL_CONTINUE = 11;
    static final int AUTH_SASL_FINAL = 12;

    public BackendMessageEncoder() {
        super(BackendMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, BackendMessage msg, ByteBuf out) {
        encode(msg, out);
    }

    /** Appends one message to {@code out}. */
    public static void encode(BackendMessage msg, ByteBuf out) {
        if (msg instanceof BackendMessage.EncryptionRefused) {
            out.writeByte('N'); // a bare byte, not a message
            return;
        }
        int start = out.writerIndex();
        out.writeByte(type(msg));
        out.writeInt(0); // length, patched below
        switch (msg) {
            case BackendMessage.EncryptionRefused r -> throw new IllegalStateException("handled above");
            case BackendMessage.AuthenticationOk ok -> out.writeInt(AUTH_OK);
            case BackendMessage.AuthenticationSasl s -> {
                out.writeInt(AUTH_SASL);
                for (String m : s.mechanisms()) {
                    cstring(out, m);
                }
                out.writeByte(0);
            }
            case BackendMessage.AuthenticationSaslContinue c -> {
                out.writeInt(AUTH_SASL_CONTINUE);
                out.writeBytes(c.data());
            }
            case BackendMessage.AuthenticationSaslFinal f -> {
                out.writeInt(AUTH_SASL_FINAL);
                out.writeBytes(f.data());
            }
            case BackendMessage.NegotiateProtocolVersion n -> {
                out.writeInt(n.newestMinorVersion());
                out.writeInt(n.unrecognisedOptions().size());
                for (String o : n.unrecognisedOptions()) {
                    cstring(out, o);
                }
            }
            case BackendMessage.ParameterStatus p -> {
                cstring(out, p.name());
                cstring(out, p.value());
            }
            case BackendMessage.BackendKeyData k -> {
                out.writeInt(k.processId());
                out.writeInt(k.secretKey());
            }
            case BackendMessage.ReadyForQuery r -> out.writeByte(r.transactionStatus());
            case BackendMessage.RowDescription d -> {
                out.writeShort(d.fields().size());
                for (BackendMessage.Field f : d.fields()) {
                    cstring(out, f.name());
                    out.writeInt(f.tableOid());
                    out.writeShort(f.columnNumber());
                    out.writeInt(f.typeOid());
                    out.writeShort(f.typeSize());
                    out.writeInt(f.typeModifier());
                    out.writeShort(f.format());
                }
            }
            case BackendMessage.DataRow row -> {
                out.writeShort(row.values().length);
                for (byte[] v : row.values()) {
                    if (v == null) {
                        out.writeInt(-1);
                    } else {
                        out.writeInt(v.length);
                        out.writeBytes(v);
                    }
                }
            }
            case BackendMessage.CommandComplete c -> cstring(out, c.tag());
            case BackendMessage.EmptyQueryResponse e -> {
            }
            case BackendMessage.ErrorResponse e -> fields(out, e.error());
            case BackendMessage.NoticeResponse n -> fields(out, n.notice());
            case BackendMessage.ParseComplete p -> {
            }
            case BackendMessage.BindComplete b -> {
            }
            case BackendMessage.CloseComplete c -> {
            }
            case BackendMessage.NoData n -> {
            }
            case BackendMessage.PortalSuspended s -> {
            }
            case BackendMessage.ParameterDescription p -> {
                out.writeShort(p.typeOids().length);
                for (int oid : p.typeOids()) {
                    out.writeInt(oid);
                }
            }
        }
        out.setInt(start + 1, out.writerIndex() - start - 1);
    }

    static byte type(BackendMessage msg) {
        return switch (msg) {
            case BackendMessage.EncryptionRefused r -> 'N';
            case BackendMessage.AuthenticationOk a -> 'R';
            case BackendMessage.AuthenticationSasl a -> 'R';
            case BackendMessage.AuthenticationSaslContinue a -> 'R';
            case BackendMessage.AuthenticationSaslFinal a -> 'R';
            case BackendMessage.NegotiateProtocolVersion n -> 'v';
            case BackendMessage.ParameterStatus p -> 'S';
            case BackendMessage.BackendKeyData k -> 'K';
            case BackendMessage.ReadyForQuery r -> 'Z';
            case BackendMessage.RowDescription d -> 'T';
            case BackendMessage.DataRow d -> 'D';
            case BackendMessage.CommandComplete c -> 'C';
            case BackendMessage.EmptyQueryResponse e -> 'I';
            case BackendMessage.ErrorResponse e -> 'E';
            case BackendMessage.NoticeResponse n -> 'N';
            case BackendMessage.ParseComplete p -> '1';
            case BackendMessage.BindComplete b -> '2';
            case BackendMessage.CloseComplete c -> '3';
            case BackendMessage.NoData n -> 'n';
            case BackendMessage.PortalSuspended s -> 's';
            case BackendMessage.ParameterDescription p -> 't';
        };
    }

    private static void fields(ByteBuf out, PgError e) {
        field(out, 'S', e.severity().name());
        field(out, 'V', e.severity().name());
        field(out, 'C', e.sqlState().code());
        field(out, 'M', e.message());
        if (e.detail() != null) {
            field(out, 'D', e.detail());
        }
        if (e.hint() != null) {
            field(out, 'H', e.hint());
        }
        if (e.position() > 0) {
            field(out, 'P', Integer.toString(e.position()));
        }
        out.writeByte(0);
    }

    private static void field(ByteBuf out, char code, String value) {
        out.writeByte(code);
        String v = value.length() > PgWireLimits.MAX_ERROR_FIELD_CHARS
                ? value.substring(0, PgWireLimits.MAX_ERROR_FIELD_CHARS) : value;
        cstring(out, v);
    }

    private static void cstring(ByteBuf out, String s) {
        String clean = s.indexOf('\0') < 0 ? s : s.replace("\0", "");
        out.writeCharSequence(clean, StandardCharsets.UTF_8);
        out.writeByte(0);
    }
}
