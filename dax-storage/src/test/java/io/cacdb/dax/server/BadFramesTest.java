package io.cacdb.dax.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.Opcode;
import io.cacdb.dax.wire.Status;
import io.cacdb.dax.wire.WireLimits;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed input on one connection: the right error, the right close behaviour, and nothing else disturbed (another
 * connection keeps being served, stored data unchanged).
 */
class BadFramesTest {

    static final long VOL = 3;
    static final Block STORED = Block.of(BlockAddress.page(VOL, 1), Version.ofPage(5), new byte[] {1, 2, 3});

    @TempDir
    Path dir;

    DaxServer server;
    RawDaxClient bystander;

    @BeforeEach
    void start() {
        server = DaxServer.start(DaxServerOperationsTest.testConfig("b1", dir));
        bystander = RawDaxClient.to(server);
        bystander.call(new DaxRequest.CreateVolume(bystander.nextId(), VOL));
        assertInstanceOf(DaxResponse.WriteAck.class, bystander.call(new DaxRequest.Write(bystander.nextId(), 0, STORED)));
    }

    @AfterEach
    void stop() {
        bystander.close();
        server.close();
    }

    @Test
    void oversizedLengthIsAnsweredFrameTooLargeAndClosed() {
        try (RawDaxClient bad = RawDaxClient.to(server)) {
            bad.sendRaw(ByteBuffer.allocate(4).putInt(WireLimits.MAX_FRAME_BYTES + 1).array());
            DaxResponse.Error e = assertInstanceOf(DaxResponse.Error.class, bad.receive());
            assertEquals(Status.FRAME_TOO_LARGE, e.status());
            assertEquals(0, e.requestId());
            assertTrue(bad.closedByPeer());
        }
        assertUndisturbed();
    }

    @Test
    void lengthShorterThanTheHeaderIsAnsweredBadRequestAndClosed() {
        try (RawDaxClient bad = RawDaxClient.to(server)) {
            bad.sendRaw(ByteBuffer.allocate(8).putInt(3).putInt(0x01020304).array());
            DaxResponse.Error e = assertInstanceOf(DaxResponse.Error.class, bad.receive());
            assertEquals(Status.BAD_REQUEST, e.status());
            assertEquals(0, e.requestId());
            assertTrue(bad.closedByPeer());
        }
        assertUndisturbed();
    }

    @Test
    void unknownProtocolVersionIsAnsweredAndClosed() {
        try (RawDaxClient bad = RawDaxClient.to(server)) {
            bad.sendRaw(frame((byte) 9, Opcode.PING.code(), 42, new byte[0]));
            DaxResponse.Error e = assertInstanceOf(DaxResponse.Error.class, bad.receive());
            assertEquals(Status.UNSUPPORTED_VERSION, e.status());
            assertEquals(42, e.requestId());
            assertTrue(bad.closedByPeer());
        }
        assertUndisturbed();
    }

    @Test
    void unknownOpcodeIsAnsweredAndTheConnectionStaysOpen() {
        try (RawDaxClient bad = RawDaxClient.to(server)) {
            bad.sendRaw(frame(WireLimits.PROTOCOL_VERSION, (byte) 0x55, 43, new byte[] {1, 2}));
            DaxResponse.Error e = assertInstanceOf(DaxResponse.Error.class, bad.receive());
            assertEquals(Status.UNKNOWN_OPCODE, e.status());
            assertEquals(43, e.requestId());
            assertEquals((byte) 0x55, e.rawOpcode());
            assertInstanceOf(DaxResponse.Pong.class, bad.call(new DaxRequest.Ping(44)), "same connection still works");
        }
        assertUndisturbed();
    }

    @Test
    void truncatedBodyIsAnsweredBadRequestAndTheConnectionStaysOpen() {
        try (RawDaxClient bad = RawDaxClient.to(server)) {
            // a WRITE of STORED's address with another payload, cut after the address: nothing may be stored
            byte[] body = ByteBuffer.allocate(8 + 17 + 8).putLong(0).putLong(VOL).put(Space.PAGE.code()).putLong(1)
                    .putLong(99).array();
            bad.sendRaw(frame(WireLimits.PROTOCOL_VERSION, Opcode.WRITE.code(), 45, body));
            DaxResponse.Error e = assertInstanceOf(DaxResponse.Error.class, bad.receive());
            assertEquals(Status.BAD_REQUEST, e.status());
            assertEquals(45, e.requestId());
            assertEquals(Opcode.WRITE, e.opcode());
            assertInstanceOf(DaxResponse.Pong.class, bad.call(new DaxRequest.Ping(46)), "same connection still works");
        }
        assertUndisturbed();
    }

    @Test
    void garbageAfterAGoodRequestIsAnsweredInOrder() {
        try (RawDaxClient bad = RawDaxClient.to(server)) {
            byte[] ping = frame(WireLimits.PROTOCOL_VERSION, Opcode.PING.code(), 47, new byte[0]);
            // a length below the header: cannot be resynchronised (a length of 2^31 or more is FRAME_TOO_LARGE)
            byte[] garbage = ByteBuffer.allocate(4).putInt(3).array();
            byte[] both = new byte[ping.length + garbage.length];
            System.arraycopy(ping, 0, both, 0, ping.length);
            System.arraycopy(garbage, 0, both, ping.length, garbage.length);
            bad.sendRaw(both);
            assertEquals(47, assertInstanceOf(DaxResponse.Pong.class, bad.receive()).requestId());
            assertEquals(Status.BAD_REQUEST, assertInstanceOf(DaxResponse.Error.class, bad.receive()).status());
            assertTrue(bad.closedByPeer());
        }
        assertUndisturbed();
    }

    /** The bystander connection is still served and the stored block is exactly what it was. */
    private void assertUndisturbed() {
        DaxResponse.ReadResult r = assertInstanceOf(DaxResponse.ReadResult.class,
                bystander.call(new DaxRequest.Read(bystander.nextId(), STORED.address())));
        assertEquals(STORED, r.block());
        List<BlockSummary> all = assertInstanceOf(DaxResponse.ScanResult.class,
                bystander.call(new DaxRequest.Scan(bystander.nextId(), VOL, Space.PAGE, 0, Long.MAX_VALUE, 100)))
                .entries();
        assertEquals(List.of(new BlockSummary(1, STORED.version(), STORED.crc32c())), all);
    }

    private static byte[] frame(byte version, byte opcode, long requestId, byte[] body) {
        return ByteBuffer.allocate(4 + WireLimits.HEADER_BYTES + body.length)
                .putInt(WireLimits.HEADER_BYTES + body.length)
                .put(version).put(opcode).putLong(requestId).put(body).array();
    }
}
