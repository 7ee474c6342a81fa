package io.cacdb.dax.server;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.store.BlockStorage;
import io.cacdb.dax.store.VolumeRecord;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import io.cacdb.dax.wire.Status;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * READ and SCAN against the published (durable) state: the volume map, the cache, the store. {@link #readCached}
 * never blocks and may run on an event loop; {@link #read} and {@link #scan} may block on disk and run on the read
 * pool. A stored copy that fails its checksum is never returned: READ answers CORRUPT_BLOCK, SCAN leaves it out (the
 * replica counts as missing that block, so anti-entropy brings a good copy, which repairs it).
 */
final class ReadService {

    private static final Logger log = LoggerFactory.getLogger(ReadService.class);

    private final BlockStorage storage;
    private final ConcurrentMap<Long, VolumeRecord> volumes;
    private final BlockCache cache;
    private final ServerMetrics metrics;

    ReadService(BlockStorage storage, ConcurrentMap<Long, VolumeRecord> volumes, BlockCache cache,
            ServerMetrics metrics) {
        this.storage = storage;
        this.volumes = volumes;
        this.cache = cache;
        this.metrics = metrics;
    }

    /** The answer to a READ if it needs no disk access (unknown volume, truncated, cache hit), else null. */
    DaxResponse readCached(DaxRequest.Read r) {
        BlockAddress a = r.address();
        VolumeRecord v = volumes.get(a.volume());
        if (v == null) {
            return DaxResponse.Error.of(r, Status.UNKNOWN_VOLUME, 0, "volume " + a.volume() + " is not known here");
        }
        if (a.blockNo() < v.truncation(a.space())) {
            return new DaxResponse.ReadResult(r.requestId(), null);
        }
        Block hit = cache.get(a);
        if (hit != null) {
            metrics.cacheHits.increment();
            return new DaxResponse.ReadResult(r.requestId(), hit);
        }
        return null;
    }

    DaxResponse read(DaxRequest.Read r) {
        DaxResponse quick = readCached(r);
        if (quick != null) {
            return quick;
        }
        metrics.cacheMisses.increment();
        BlockAddress a = r.address();
        long stamp = cache.stamp(a);
        Block b = storage.read(a);
        if (b == null) {
            return new DaxResponse.ReadResult(r.requestId(), null);
        }
        if (!b.checksumValid()) {
            metrics.corruptBlocks.increment();
            log.warn("stored copy of {} version {} fails its checksum; answering CORRUPT_BLOCK", a, b.version());
            return DaxResponse.Error.of(r, Status.CORRUPT_BLOCK, 0, "stored copy of " + a + " fails its checksum");
        }
        cache.offerLoaded(b, stamp);
        return new DaxResponse.ReadResult(r.requestId(), b);
    }

    DaxResponse scan(DaxRequest.Scan s) {
        VolumeRecord v = volumes.get(s.volume());
        if (v == null) {
            return DaxResponse.Error.of(s, Status.UNKNOWN_VOLUME, 0, "volume " + s.volume() + " is not known here");
        }
        long from = Math.max(s.fromBlockNo(), v.truncation(s.space()));
        // one more than asked: tells whether more remain and where the next page starts
        List<Block> blocks = storage.scan(s.volume(), s.space(), from, s.toBlockNo(), s.maxEntries() + 1, b -> {
            if (b.checksumValid()) {
                return true;
            }
            metrics.corruptBlocks.increment();
            log.warn("stored copy of {} version {} fails its checksum; left out of SCAN", b.address(), b.version());
            return false;
        });
        boolean more = blocks.size() > s.maxEntries();
        List<BlockSummary> entries = blocks.subList(0, Math.min(blocks.size(), s.maxEntries())).stream()
                .map(b -> new BlockSummary(b.address().blockNo(), b.version(), b.crc32c()))
                .toList();
        long next = more ? blocks.get(s.maxEntries()).address().blockNo() : Math.max(from, s.toBlockNo());
        return new DaxResponse.ScanResult(s.requestId(), entries, more, next);
    }
}
