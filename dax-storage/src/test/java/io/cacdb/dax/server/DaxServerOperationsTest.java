package io.cacdb.dax.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.store.RocksBlockStorage;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.DaxResponse.WriteOutcome;
import io.cacdb.dax.wire.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per row of the operations' decision tables, against a real server on loopback. */
class DaxServerOperationsTest {

    static final long VOL = 7;

    @TempDir
    Path dir;

    DaxServer server;
    RawDaxClient client;

    @BeforeEach
    void start() {
        server = DaxServer.start(testConfig("s1", dir));
        client = RawDaxClient.to(server);
        assertInstanceOf(DaxResponse.VolumeCreated.class, call(new DaxRequest.CreateVolume(id(), VOL)));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    static ServerConfig testConfig(String id, Path dir) {
        return ServerConfig.defaults(id, "a", dir.resolve(id)).withPorts(0, 0).withThreads(1, 2)
                .withCacheBytes(8 << 20);
    }

    long id() {
        return client.nextId();
    }

    DaxResponse call(DaxRequest r) {
        DaxResponse resp = client.call(r);
        assertEquals(r.requestId(), resp.requestId(), "response echoes the request id");
        return resp;
    }

    static Block page(long blockNo, long lsn, String text) {
        return Block.of(BlockAddress.page(VOL, blockNo), Version.ofPage(lsn), text.getBytes(StandardCharsets.UTF_8));
    }

    DaxResponse.WriteAck ack(DaxResponse r) {
        return assertInstanceOf(DaxResponse.WriteAck.class, r, () -> "expected an ack, got " + r);
    }

    DaxResponse.Error error(DaxResponse r, Status expected) {
        DaxResponse.Error e = assertInstanceOf(DaxResponse.Error.class, r, () -> "expected " + expected + ", got " + r);
        assertEquals(expected, e.status(), e::message);
        return e;
    }

    DaxResponse write(long epoch, Block b) {
        return call(new DaxRequest.Write(id(), epoch, b));
    }

    Block read(BlockAddress a) {
        return assertInstanceOf(DaxResponse.ReadResult.class, call(new DaxRequest.Read(id(), a))).block();
    }

    void restart() {
        client.close();
        ServerConfig config = server.config();
        server.close();
        server = DaxServer.start(config);
        client = RawDaxClient.to(server);
    }

    // ------------------------------------------------------------------------------------------------ WRITE rows

    @Test
    void writeOfNewBlockIsApplied() {
        Block b = page(1, 10, "hello");
        DaxResponse.WriteAck a = ack(write(0, b));
        assertEquals(WriteOutcome.APPLIED, a.outcome());
        assertEquals(b.version(), a.storedVersion());
        assertEquals(b, read(b.address()));
    }

    @Test
    void higherVersionIsApplied() {
        write(0, page(1, 10, "old"));
        DaxResponse.WriteAck a = ack(write(0, page(1, 11, "new")));
        assertEquals(WriteOutcome.APPLIED, a.outcome());
        assertEquals(page(1, 11, "new"), read(BlockAddress.page(VOL, 1)));
        restart();
        assertEquals(page(1, 11, "new"), read(BlockAddress.page(VOL, 1)), "durable across a restart");
    }

    @Test
    void sameVersionSameBytesIsAlreadyPresent() {
        write(0, page(1, 10, "same"));
        DaxResponse.WriteAck a = ack(write(0, page(1, 10, "same")));
        assertEquals(WriteOutcome.ALREADY_PRESENT, a.outcome());
        assertEquals(Version.ofPage(10), a.storedVersion());
    }

    @Test
    void lowerVersionIsSupersededWithTheStoredVersion() {
        write(0, page(1, 20, "newer"));
        DaxResponse.WriteAck a = ack(write(0, page(1, 15, "older")));
        assertEquals(WriteOutcome.SUPERSEDED, a.outcome());
        assertEquals(Version.ofPage(20), a.storedVersion());
        assertEquals(page(1, 20, "newer"), read(BlockAddress.page(VOL, 1)), "never rolled back");
    }

    @Test
    void sameVersionDifferentBytesIsAVersionConflict() {
        write(0, page(1, 10, "first"));
        error(write(0, page(1, 10, "second")), Status.VERSION_CONFLICT);
        assertEquals(page(1, 10, "first"), read(BlockAddress.page(VOL, 1)), "nothing stored");
    }

    @Test
    void sameVersionRepairsACorruptStoredCopy() {
        Block good = page(1, 10, "payload");
        write(0, good);
        corruptStoredPayload(good.address());
        error(call(new DaxRequest.Read(id(), good.address())), Status.CORRUPT_BLOCK);
        DaxResponse.WriteAck a = ack(write(0, good));
        assertEquals(WriteOutcome.APPLIED, a.outcome(), "the damaged copy is replaced");
        assertEquals(good, read(good.address()));
    }

    @Test
    void writeBelowTheFencedEpochIsStale() {
        assertEquals(5, assertInstanceOf(DaxResponse.Fenced.class, call(new DaxRequest.Fence(id(), VOL, 5)))
                .currentEpoch());
        DaxResponse.Error e = error(write(4, page(1, 10, "late")), Status.STALE_EPOCH);
        assertEquals(5, e.detail(), "detail carries the current epoch");
        assertEquals(null, read(BlockAddress.page(VOL, 1)), "nothing stored");
        assertEquals(WriteOutcome.APPLIED, ack(write(5, page(1, 10, "current"))).outcome());
        assertEquals(WriteOutcome.APPLIED, ack(write(6, page(1, 11, "newer epoch"))).outcome(),
                "a higher writer epoch is accepted");
    }

    @Test
    void payloadNotMatchingItsCrcIsRefused() {
        Block good = page(1, 10, "payload");
        Block bad = new Block(good.address(), good.version(), good.crc32c() ^ 1, good.payload());
        error(write(0, bad), Status.CHECKSUM_MISMATCH);
        assertEquals(null, read(good.address()), "nothing stored");
    }

    @Test
    void unknownVolumeIsRefusedForEveryOperationButCreate() {
        long other = 99;
        Block b = Block.of(BlockAddress.page(other, 1), Version.ofPage(1), new byte[] {1});
        error(write(0, b), Status.UNKNOWN_VOLUME);
        error(call(new DaxRequest.Read(id(), b.address())), Status.UNKNOWN_VOLUME);
        error(call(new DaxRequest.Fence(id(), other, 1)), Status.UNKNOWN_VOLUME);
        error(call(new DaxRequest.DeleteBelow(id(), 0, other, Space.LOG, 5)), Status.UNKNOWN_VOLUME);
        error(call(new DaxRequest.Scan(id(), other, Space.PAGE, 0, 10, 10)), Status.UNKNOWN_VOLUME);
        assertInstanceOf(DaxResponse.VolumeCreated.class, call(new DaxRequest.CreateVolume(id(), other)));
        assertInstanceOf(DaxResponse.VolumeCreated.class, call(new DaxRequest.CreateVolume(id(), other)),
                "CREATE_VOLUME is idempotent");
        assertEquals(WriteOutcome.APPLIED, ack(write(0, b)).outcome());
    }

    @Test
    void writeBelowTheTruncationPointIsRefused() {
        call(new DaxRequest.DeleteBelow(id(), 0, VOL, Space.LOG, 100));
        Block old = Block.of(BlockAddress.log(VOL, 99), Version.ofLogBlock(1, 10), new byte[] {1, 2});
        DaxResponse.Error e = error(write(0, old), Status.BELOW_TRUNCATION);
        assertEquals(100, e.detail(), "detail carries the truncation point");
        Block fine = Block.of(BlockAddress.log(VOL, 100), Version.ofLogBlock(1, 10), new byte[] {1, 2});
        assertEquals(WriteOutcome.APPLIED, ack(write(0, fine)).outcome());
        Block otherSpace = Block.of(BlockAddress.page(VOL, 5), Version.ofPage(1), new byte[] {3});
        assertEquals(WriteOutcome.APPLIED, ack(write(0, otherSpace)).outcome(), "truncation is per space");
    }

    // ------------------------------------------------------------------------------------------------ READ rows

    @Test
    void readOfACopyDamagedAtRestIsCorruptBlock() {
        Block b = page(3, 10, "will rot on disk");
        write(0, b);
        assertEquals(b, read(b.address()), "cached and readable before the damage");
        corruptStoredPayload(b.address());
        DaxResponse.Error e = error(call(new DaxRequest.Read(id(), b.address())), Status.CORRUPT_BLOCK);
        assertTrue(e.message().contains(b.address().toString()), e.message());
    }

    @Test
    void readOfAMissingBlockIsNotFound() {
        DaxResponse.ReadResult r = assertInstanceOf(DaxResponse.ReadResult.class,
                call(new DaxRequest.Read(id(), BlockAddress.meta(VOL, 1))));
        assertFalse(r.found());
    }

    // ------------------------------------------------------------------------------------------------ FENCE

    @Test
    void fenceNeverGoesBack() {
        assertEquals(3, assertInstanceOf(DaxResponse.Fenced.class, call(new DaxRequest.Fence(id(), VOL, 3)))
                .currentEpoch());
        assertEquals(3, assertInstanceOf(DaxResponse.Fenced.class, call(new DaxRequest.Fence(id(), VOL, 2)))
                .currentEpoch(), "a lower fence answers the current epoch");
        assertEquals(3, assertInstanceOf(DaxResponse.Fenced.class, call(new DaxRequest.Fence(id(), VOL, 3)))
                .currentEpoch(), "fencing is idempotent");
        restart();
        assertEquals(3, assertInstanceOf(DaxResponse.Fenced.class, call(new DaxRequest.Fence(id(), VOL, 1)))
                .currentEpoch(), "durable across a restart");
        error(write(2, page(1, 1, "x")), Status.STALE_EPOCH);
    }

    // ------------------------------------------------------------------------------------------------ DELETE_BELOW

    @Test
    void deleteBelowRemovesOlderBlocksAndNeverGoesBack() {
        for (long n = 0; n < 10; n++) {
            write(0, Block.of(BlockAddress.log(VOL, n), Version.ofLogBlock(1, n + 1), new byte[] {(byte) n}));
        }
        assertEquals(5, assertInstanceOf(DaxResponse.Deleted.class,
                call(new DaxRequest.DeleteBelow(id(), 0, VOL, Space.LOG, 5))).truncatedBelow());
        assertEquals(null, read(BlockAddress.log(VOL, 4)), "deleted (and not served from the cache)");
        assertEquals(Version.ofLogBlock(1, 6), read(BlockAddress.log(VOL, 5)).version(), "kept");
        assertEquals(5, assertInstanceOf(DaxResponse.Deleted.class,
                call(new DaxRequest.DeleteBelow(id(), 0, VOL, Space.LOG, 2))).truncatedBelow(), "never goes back");
        restart();
        assertEquals(5, assertInstanceOf(DaxResponse.Deleted.class,
                call(new DaxRequest.DeleteBelow(id(), 0, VOL, Space.LOG, 0))).truncatedBelow(), "durable");
        assertEquals(null, read(BlockAddress.log(VOL, 0)));
        List<BlockSummary> left = assertInstanceOf(DaxResponse.ScanResult.class,
                call(new DaxRequest.Scan(id(), VOL, Space.LOG, 0, 100, 100))).entries();
        assertEquals(List.of(5L, 6L, 7L, 8L, 9L), left.stream().map(BlockSummary::blockNo).toList());
    }

    @Test
    void deleteBelowWithAStaleEpochIsRefused() {
        call(new DaxRequest.Fence(id(), VOL, 4));
        DaxResponse.Error e = error(call(new DaxRequest.DeleteBelow(id(), 3, VOL, Space.LOG, 5)), Status.STALE_EPOCH);
        assertEquals(4, e.detail());
    }

    // ------------------------------------------------------------------------------------------------ SCAN, PING

    @Test
    void scanPagesThroughARangeInOrder() {
        List<Long> written = new ArrayList<>();
        for (long n = 0; n < 25; n++) {
            if (n % 3 != 0) {
                write(0, page(n, 100 + n, "p" + n));
                written.add(n);
            }
        }
        write(0, page(40, 1, "outside the range"));
        List<BlockSummary> all = new ArrayList<>();
        long from = 0;
        int pages = 0;
        while (true) {
            DaxResponse.ScanResult r = assertInstanceOf(DaxResponse.ScanResult.class,
                    call(new DaxRequest.Scan(id(), VOL, Space.PAGE, from, 30, 4)));
            assertTrue(r.entries().size() <= 4);
            all.addAll(r.entries());
            pages++;
            if (!r.more()) {
                break;
            }
            assertTrue(r.nextFromBlockNo() > from, "progress");
            from = r.nextFromBlockNo();
        }
        assertEquals(written, all.stream().map(BlockSummary::blockNo).toList());
        assertEquals((written.size() + 3) / 4, pages);
        BlockSummary first = all.getFirst();
        assertEquals(page(1, 101, "p1").crc32c(), first.crc32c());
        assertEquals(Version.ofPage(101), first.version());
    }

    @Test
    void pingAnswersIdentity() {
        DaxResponse.Pong p = assertInstanceOf(DaxResponse.Pong.class, call(new DaxRequest.Ping(id())));
        assertEquals("s1", p.serverId());
        assertEquals("a", p.zone());
    }

    /** Stops the server, flips a payload byte in RocksDB directly, starts it again on the same directory. */
    void corruptStoredPayload(BlockAddress a) {
        client.close();
        ServerConfig config = server.config();
        server.close();
        assertTrue(RocksBlockStorage.rewriteRawValue(config.dataDir(), a, raw -> {
            raw[raw.length - 1] ^= 0x40;
            return raw;
        }));
        server = DaxServer.start(config);
        client = RawDaxClient.to(server);
    }

    @Test
    void rawValueHelperRefusesMissingBlocks() {
        client.close();
        ServerConfig config = server.config();
        server.close();
        assertFalse(RocksBlockStorage.rewriteRawValue(config.dataDir(), BlockAddress.page(VOL, 12345), raw -> raw));
        server = DaxServer.start(config);
        client = RawDaxClient.to(server);
    }
}
