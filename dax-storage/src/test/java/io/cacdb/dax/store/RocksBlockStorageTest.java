package io.cacdb.dax.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksBlockStorageTest {

    @TempDir
    Path dir;

    @Test
    void blocksAndVolumeRecordsSurviveReopen() {
        Block a = Block.of(BlockAddress.log(2, 7), Version.ofLogBlock(3, 100), new byte[] {1, 2, 3});
        VolumeRecord v = VolumeRecord.created(2).withFencedEpoch(3).withTruncation(Space.LOG, 5);
        try (RocksBlockStorage s = RocksBlockStorage.open(dir)) {
            s.commit(List.of(new StorageMutation.PutVolume(v), new StorageMutation.PutBlock(a)));
        }
        try (RocksBlockStorage s = RocksBlockStorage.open(dir)) {
            assertEquals(a, s.read(a.address()));
            assertTrue(s.read(a.address()).checksumValid());
            assertEquals(List.of(v), s.volumes());
            assertNull(s.read(BlockAddress.page(2, 7)), "spaces are separate");
        }
    }

    @Test
    void keysOrderByVolumeSpaceBlockAndScanStaysInItsRange() {
        try (RocksBlockStorage s = RocksBlockStorage.open(dir)) {
            for (long vol : new long[] {1, 2, 256}) {
                for (long n : new long[] {0, 1, 255, 256, 65536, Long.MAX_VALUE}) {
                    s.commit(List.of(new StorageMutation.PutBlock(Block.of(BlockAddress.page(vol, n),
                            Version.ofPage(n % 100), new byte[] {(byte) n}))));
                }
            }
            List<Long> got = s.scan(2, Space.PAGE, 1, Long.MAX_VALUE, 100, b -> true).stream()
                    .map(b -> b.address().blockNo()).toList();
            assertEquals(List.of(1L, 255L, 256L, 65536L), got, "ordered numerically, other volumes excluded");
            assertEquals(List.of(0L, 1L), s.scan(256, Space.PAGE, 0, 1000, 2, b -> true).stream()
                    .map(b -> b.address().blockNo()).toList(), "limit");
            assertEquals(List.of(1L, 256L), s.scan(1, Space.PAGE, 0, 1000, 10,
                    b -> b.address().blockNo() % 2 == 1 || b.address().blockNo() == 256).stream()
                    .map(b -> b.address().blockNo()).filter(n -> n != 255).toList());
        }
    }

    @Test
    void deleteBelowRemovesOnlyItsVolumeAndSpace() {
        try (RocksBlockStorage s = RocksBlockStorage.open(dir)) {
            for (long n = 0; n < 10; n++) {
                s.commit(List.of(
                        new StorageMutation.PutBlock(Block.of(BlockAddress.log(1, n), Version.ofPage(1), new byte[0])),
                        new StorageMutation.PutBlock(Block.of(BlockAddress.page(1, n), Version.ofPage(1), new byte[0])),
                        new StorageMutation.PutBlock(Block.of(BlockAddress.log(2, n), Version.ofPage(1), new byte[0]))));
            }
            s.commit(List.of(new StorageMutation.DeleteBelow(1, Space.LOG, 6)));
            assertEquals(4, s.scan(1, Space.LOG, 0, 100, 100, b -> true).size());
            assertEquals(10, s.scan(1, Space.PAGE, 0, 100, 100, b -> true).size());
            assertEquals(10, s.scan(2, Space.LOG, 0, 100, 100, b -> true).size());
        }
    }

    @Test
    void damagedValuesReadAsCorruptAndClosedStoreRefusesCalls() {
        Block a = Block.of(BlockAddress.meta(1, 1), Version.ofMeta(4), new byte[] {7, 7, 7});
        try (RocksBlockStorage s = RocksBlockStorage.open(dir)) {
            s.commit(List.of(new StorageMutation.PutBlock(a)));
        }
        assertTrue(RocksBlockStorage.rewriteRawValue(dir, a.address(), raw -> new byte[] {1, 2}));
        RocksBlockStorage s = RocksBlockStorage.open(dir);
        Block damaged = s.read(a.address());
        assertFalse(damaged.checksumValid(), "a value too short for its header reads as corrupt");
        assertEquals(Version.ZERO, damaged.version());
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, () -> s.read(a.address()));
    }
}
