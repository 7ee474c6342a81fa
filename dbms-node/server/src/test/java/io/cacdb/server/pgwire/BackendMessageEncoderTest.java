package io.cacdb.server.pgwire;

import io.cacdb.leakcheck.NoLeaks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.cacdb.server.session.Severity;
import io.cacdb.server.session.SqlState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Exact bytes of backend messages, through the pipeline encoder. */
@ExtendWith(NoLeaks.class)
class BackendMessageEncoderTest {

    private static byte[] encode(BackendMessage m) {
        EmbeddedChannel ch = new EmbeddedChannel(new BackendMessageEncoder());
        ch.writeOutbound(m);
        ByteBuf buf = ch.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(buf);
        buf.release();
        assertFalse(ch.finish());
        return bytes;
    }

    private static byte[] hex(String h) {
        return ByteBufUtil.decodeHexDump(h.replace(" ", ""));
    }

    @Test
    void fixedMessages() {
        assertArrayEquals(new byte[] {'N'}, encode(BackendMessage.ENCRYPTION_REFUSED));
        assertArrayEquals(hex("52 00000008 00000000"), encode(BackendMessage.AUTHENTICATION_OK));
        assertArrayEquals(hex("5a 00000005 49"), encode(new BackendMessage.ReadyForQuery((byte) 'I')));
        assertArrayEquals(hex("31 00000004"), encode(BackendMessage.PARSE_COMPLETE));
        assertArrayEquals(hex("32 00000004"), encode(BackendMessage.BIND_COMPLETE));
        assertArrayEquals(hex("33 00000004"), encode(BackendMessage.CLOSE_COMPLETE));
        assertArrayEquals(hex("6e 00000004"), encode(BackendMessage.NO_DATA));
        assertArrayEquals(hex("73 00000004"), encode(BackendMessage.PORTAL_SUSPENDED));
        assertArrayEquals(hex("49 00000004"), encode(BackendMessage.EMPTY_QUERY_RESPONSE));
        assertArrayEquals(hex("4b 0000000c 0000002a 00000007"), encode(new BackendMessage.BackendKeyData(42, 7)));
    }

    @Test
    void stringsAndLists() {
        // 'S' len "a\0" "b\0"
        assertArrayEquals(hex("53 00000008 6100 6200"), encode(new BackendMessage.ParameterStatus("a", "b")));
        // AuthenticationSASL: code 10, "SCRAM-SHA-256\0", terminating \0
        assertArrayEquals(Wire.concat(hex("52 00000017 0000000a"), Wire.utf8("SCRAM-SHA-256"), new byte[] {0, 0}),
                encode(new BackendMessage.AuthenticationSasl(List.of("SCRAM-SHA-256"))));
        assertArrayEquals(Wire.concat(hex("43 0000000d"), Wire.utf8("SELECT 3"), new byte[] {0}),
                encode(new BackendMessage.CommandComplete("SELECT 3")));
        assertArrayEquals(hex("74 0000000e 0002 00000017 00000000"),
                encode(new BackendMessage.ParameterDescription(new int[] {23, 0})));
        assertArrayEquals(hex("76 0000000c 00000000 00000000"),
                encode(new BackendMessage.NegotiateProtocolVersion(0, List.of())));
    }

    @Test
    void rowDescriptionAndDataRow() {
        BackendMessage.Field f = new BackendMessage.Field("a", 16384, (short) 1, 23, (short) 4, -1, (short) 1);
        assertArrayEquals(hex("54 0000001a 0001 6100 00004000 0001 00000017 0004 ffffffff 0001"),
                encode(new BackendMessage.RowDescription(List.of(f))));
        assertArrayEquals(hex("44 00000015 0003 00000001 37 ffffffff 00000002 6869"),
                encode(new BackendMessage.DataRow(new byte[][] {{'7'}, null, {'h', 'i'}})));
    }

    @Test
    void errorFieldsInOrderWithOptionalOnesOnlyWhenPresent() {
        PgError full = new PgError(Severity.ERROR, SqlState.SYNTAX_ERROR, "bad", "det", "hin", 12);
        byte[] expected = Wire.concat(hex("45 0000002d"), Wire.utf8("SERROR\0VERROR\0C42601\0Mbad\0Ddet\0Hhin\0P12\0"),
                new byte[] {0});
        assertArrayEquals(expected, encode(new BackendMessage.ErrorResponse(full)));
        PgError bare = PgError.fatal(SqlState.TOO_MANY_CONNECTIONS, "x");
        assertArrayEquals(Wire.concat(hex("45 0000001d"), Wire.utf8("SFATAL\0VFATAL\0C53300\0Mx\0"), new byte[] {0}),
                encode(new BackendMessage.ErrorResponse(bare)));
        PgError notice = new PgError(Severity.NOTICE, SqlState.SUCCESSFUL_COMPLETION, "hi", null, null, 0);
        assertArrayEquals(Wire.concat(hex("4e 00000020"), Wire.utf8("SNOTICE\0VNOTICE\0C00000\0Mhi\0"),
                new byte[] {0}), encode(new BackendMessage.NoticeResponse(notice)));
    }
}
