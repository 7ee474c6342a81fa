package io.cacdb.engine.wal;

import io.cacdb.engine.volume.VolumeWriter;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A log stream built by hand, for tests that lay out blocks themselves (stale epochs, corrupt headers): records are
 * encoded back to back from a start LSN, and any range of it can be written as log blocks at any epoch.
 */
final class TestStream {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<LoggedRecord> records = new ArrayList<>();

    /** A stream whose first {@code prefix.length} bytes are taken as they are (an older epoch's log). */
    TestStream(byte[] prefix, List<LoggedRecord> prefixRecords) {
        bytes.writeBytes(prefix);
        records.addAll(prefixRecords);
    }

    TestStream() {
        this(new byte[0], List.of());
    }

    /** Appends one MTR; returns its end LSN. */
    long append(List<LogRecord> mtr) {
        for (int i = 0; i < mtr.size(); i++) {
            long lsn = bytes.size();
            byte[] encoded = LogRecordCodec.encode(mtr.get(i), i == mtr.size() - 1);
            bytes.writeBytes(encoded);
            records.add(new LoggedRecord(lsn, lsn + encoded.length, mtr.get(i), i == mtr.size() - 1));
        }
        return bytes.size();
    }

    long end() {
        return bytes.size();
    }

    byte[] bytes() {
        return bytes.toByteArray();
    }

    List<LoggedRecord> records() {
        return List.copyOf(records);
    }

    /** Records that end at or below {@code lsn}. */
    List<LoggedRecord> recordsBelow(long lsn) {
        return records.stream().filter(r -> r.endLsn() <= lsn).toList();
    }

    /** A copy of the stream up to {@code lsn}, to continue under a new epoch. */
    TestStream prefix(long lsn) {
        return new TestStream(java.util.Arrays.copyOf(bytes(), (int) lsn), recordsBelow(lsn));
    }

    /** The log block image of block {@code blockNo} filled up to stream byte {@code upTo}, at {@code epoch}. */
    LogBlock block(long blockNo, long epoch, long upTo) {
        byte[] all = bytes();
        long start = LogBlock.startLsn(blockNo);
        int used = (int) Math.min(LogBlock.LOG_BLOCK_PAYLOAD_BYTES, Math.min(upTo, all.length) - start);
        byte[] payload = java.util.Arrays.copyOfRange(all, (int) start, (int) start + used);
        int first = LogBlock.NO_RECORD_START;
        for (LoggedRecord r : records) {
            if (r.lsn() >= start && r.lsn() < start + used) {
                first = (int) (r.lsn() - start);
                break;
            }
        }
        return new LogBlock(blockNo, epoch, used, first, payload);
    }

    /** Writes the blocks covering stream bytes {@code [from, to)} at {@code epoch}, each filled up to {@code to}. */
    void write(VolumeWriter volume, long epoch, long from, long to) {
        for (long b = LogBlock.blockOf(from); LogBlock.startLsn(b) < to; b++) {
            volume.write(block(b, epoch, to).toBlock(volume.volume())).join();
        }
    }
}
