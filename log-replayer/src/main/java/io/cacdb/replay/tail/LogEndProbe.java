package io.cacdb.replay.tail;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.wal.LogBlock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How far the log reaches beyond a known block, for the lag of a tailer that is not reading (its window is full):
 * exponential then binary search for the last block that exists and validates, whose start plus used bytes is the
 * estimate. An estimate, not the durable end ({@code LogEnd} decides that at takeover): it ignores epochs and
 * holes near the tail, which can only make it a little high or low for a moment. At most
 * {@code 2 * log2(distance) + 2} block reads. Not thread-safe (the tailer's).
 */
final class LogEndProbe {

    /** Never probe further than 2^30 blocks (8 TiB of log) ahead: a garbage answer cannot loop for long. */
    static final long PROBE_BLOCKS_MAX = 1L << 30;

    private final VolumeReader volume;
    private final ReadConsistency consistency;
    private final Duration wait;
    private long probes;

    LogEndProbe(VolumeReader volume, ReadConsistency consistency, Duration wait) {
        this.volume = volume;
        this.consistency = consistency;
        this.wait = wait;
    }

    /** The end of the last readable block at or after {@code knownBlockNo}, if that block itself is readable. */
    OptionalLong probe(long knownBlockNo) throws InterruptedException {
        probes++;
        Optional<LogBlock> known = read(knownBlockNo);
        if (known.isEmpty()) {
            return OptionalLong.empty();
        }
        long lo = knownBlockNo;
        LogBlock last = known.get();
        long step = 1;
        long hi = -1;
        while (step <= PROBE_BLOCKS_MAX) {
            Optional<LogBlock> b = read(lo + step);
            if (b.isEmpty()) {
                hi = lo + step;
                break;
            }
            lo += step;
            last = b.get();
            step *= 2;
        }
        if (hi < 0) {
            return OptionalLong.of(last.endLsn());
        }
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            Optional<LogBlock> b = read(mid);
            if (b.isPresent()) {
                lo = mid;
                last = b.get();
            } else {
                hi = mid;
            }
        }
        return OptionalLong.of(last.endLsn());
    }

    long probes() {
        return probes;
    }

    private Optional<LogBlock> read(long blockNo) throws InterruptedException {
        try {
            Optional<Block> b = volume.read(BlockAddress.log(volume.volume(), blockNo), consistency, Version.ZERO)
                    .get(wait.toNanos(), TimeUnit.NANOSECONDS);
            return b.map(block -> LogBlock.decode(block, blockNo));
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // An estimate: a block that cannot be read or validated now counts as not there.
            return Optional.empty();
        }
    }
}
