package io.cacdb.server.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.MemoryVolume;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaseStoreTest {

    @Test
    void writesAndReadsBackEveryField() throws Exception {
        MemoryVolume v = new MemoryVolume(7);
        assertEquals(Optional.empty(), LeaseStore.read(v).get());
        LeaseRecord lease = new LeaseRecord("n1", 1, "127.0.0.1:7001", 500, false);
        LeaseStore.write(v, lease, 1).get();
        assertEquals(Optional.of(new LeaseStore.Stored(lease, 1)), LeaseStore.read(v).get());
        LeaseStore.write(v, lease.releasedCopy(), 2).get();
        LeaseStore.Stored s = LeaseStore.read(v).get().orElseThrow();
        assertEquals(2, s.sequence());
        assertTrue(s.lease().released());
        LeaseStore.write(v, lease, 1).get(); // an older renewal arriving late never replaces a newer one
        assertEquals(2, LeaseStore.read(v).get().orElseThrow().sequence());
    }

    @Test
    void damagedRecordsAreRefusedNotDecided() {
        byte[] good = LeaseStore.encode(new LeaseRecord("n1", 3, "", 500, false), 4);
        BlockAddress at = BlockAddress.meta(7, LeaseStore.LEASE_RECORD_NO);
        assertEquals(3, LeaseStore.decode(Block.of(at, Version.ofMeta(4), good)).lease().epoch());
        assertThrows(LeaseStore.CorruptLeaseException.class,
                () -> LeaseStore.decode(Block.of(at, Version.ofMeta(5), good)), "version and sequence disagree");
        byte[] badKind = good.clone();
        badKind[7] = 1;
        assertThrows(LeaseStore.CorruptLeaseException.class,
                () -> LeaseStore.decode(Block.of(at, Version.ofMeta(4), badKind)), "an epoch-history kind");
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
        assertThrows(LeaseStore.CorruptLeaseException.class,
                () -> LeaseStore.decode(Block.of(at, Version.ofMeta(4), truncated)));
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        assertThrows(LeaseStore.CorruptLeaseException.class,
                () -> LeaseStore.decode(Block.of(at, Version.ofMeta(4), trailing)));
    }
}
