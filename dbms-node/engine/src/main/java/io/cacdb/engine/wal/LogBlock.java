package io.cacdb.engine.wal;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * One DAX log block as the log writer writes it and readers validate it ({@code docs/wal-format.md}): a 32-byte
 * header followed by the {@code usedBytes} of stream payload written so far. Block {@code b} holds stream bytes
 * {@code [b * LOG_BLOCK_PAYLOAD_BYTES, b * LOG_BLOCK_PAYLOAD_BYTES + usedBytes)}. The payload array is not copied and
 * must not be changed.
 */
public record LogBlock(long blockNo, long epoch, int usedBytes, int firstRecordOffset, byte[] payload) {

    /**
     * 8 KiB, the size of a full log block write. Small enough that rewriting the tail block as it fills is cheap —
     * a tail rewrite sends only the header and the bytes used so far, so a lone commit costs a few hundred bytes,
     * not the whole block — and large enough that a busy log moves in few, full DAX writes.
     */
    public static final int LOG_BLOCK_BYTES = 8192;
    /** Header: magic, format version, blockNo, epoch, used bytes, first-record offset, reserved. */
    public static final int LOG_BLOCK_HEADER_BYTES = 32;
    /** Stream bytes one block carries. */
    public static final int LOG_BLOCK_PAYLOAD_BYTES = LOG_BLOCK_BYTES - LOG_BLOCK_HEADER_BYTES;

    /** "CLOG". */
    public static final int MAGIC = 0x434C4F47;
    public static final int FORMAT_VERSION = 1;
    /** First-record offset of a block in which no record starts (a record spans the whole block). */
    public static final int NO_RECORD_START = 0xFFFF;

    public LogBlock {
        Objects.requireNonNull(payload, "payload");
        if (blockNo < 0 || epoch < 0) {
            throw new IllegalArgumentException("blockNo " + blockNo + " and epoch " + epoch + " must be >= 0");
        }
        if (usedBytes < 0 || usedBytes > LOG_BLOCK_PAYLOAD_BYTES || payload.length < usedBytes) {
            throw new IllegalArgumentException("usedBytes " + usedBytes + " must be in [0, "
                    + LOG_BLOCK_PAYLOAD_BYTES + "] and <= payload length " + payload.length);
        }
        if (firstRecordOffset != NO_RECORD_START && (firstRecordOffset < 0 || firstRecordOffset >= usedBytes)) {
            throw new IllegalArgumentException("firstRecordOffset " + firstRecordOffset + " outside [0, "
                    + usedBytes + ")");
        }
    }

    /** Stream offset of the block's first payload byte. */
    public static long startLsn(long blockNo) {
        return blockNo * LOG_BLOCK_PAYLOAD_BYTES;
    }

    /** The block that holds stream byte {@code lsn}. */
    public static long blockOf(long lsn) {
        return lsn / LOG_BLOCK_PAYLOAD_BYTES;
    }

    /** Offset of stream byte {@code lsn} inside its block's payload. */
    public static int offsetOf(long lsn) {
        return (int) (lsn % LOG_BLOCK_PAYLOAD_BYTES);
    }

    /** The DAX version of a log block: a fuller block supersedes a less full one, a newer epoch any older one. */
    public static Version version(long epoch, int usedBytes) {
        return Version.ofLogBlock(epoch, usedBytes);
    }

    public long startLsn() {
        return startLsn(blockNo);
    }

    public long endLsn() {
        return startLsn() + usedBytes;
    }

    public boolean isFull() {
        return usedBytes == LOG_BLOCK_PAYLOAD_BYTES;
    }

    /** The DAX block: header + used payload bytes, version {@code (epoch, usedBytes)}, CRC32C computed here. */
    public Block toBlock(long volume) {
        byte[] bytes = new byte[LOG_BLOCK_HEADER_BYTES + usedBytes];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        b.putInt(MAGIC);
        b.putInt(FORMAT_VERSION);
        b.putLong(blockNo);
        b.putLong(epoch);
        b.putShort((short) usedBytes);
        b.putShort((short) firstRecordOffset);
        b.putInt(0);
        b.put(payload, 0, usedBytes);
        return Block.of(BlockAddress.log(volume, blockNo), version(epoch, usedBytes), bytes);
    }

    /**
     * Validates a block read from {@code LOG} space at block number {@code expectedBlockNo} and returns its view.
     * Everything that came from storage is checked and reported as {@link CorruptLogException} at the block's start
     * LSN: the DAX checksum, magic, format version, a block number that matches the address, used bytes within the
     * payload and equal to what the block carries, a first-record offset inside the used bytes, reserved zeroes, and
     * a DAX version equal to {@code (epoch, usedBytes)}.
     */
    public static LogBlock decode(Block block, long expectedBlockNo) {
        long at = startLsn(expectedBlockNo);
        if (block.address().space() != Space.LOG || block.address().blockNo() != expectedBlockNo) {
            throw new CorruptLogException(at, "asked for log block " + expectedBlockNo + ", storage returned "
                    + block.address());
        }
        if (!block.checksumValid()) {
            throw new CorruptLogException(at, "log block " + expectedBlockNo + " fails its CRC32C");
        }
        byte[] bytes = block.payload();
        if (bytes.length < LOG_BLOCK_HEADER_BYTES) {
            throw new CorruptLogException(at, "log block " + expectedBlockNo + " has " + bytes.length
                    + " bytes, shorter than its header");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        int magic = b.getInt();
        int format = b.getInt();
        long blockNo = b.getLong();
        long epoch = b.getLong();
        int used = Short.toUnsignedInt(b.getShort());
        int first = Short.toUnsignedInt(b.getShort());
        int reserved = b.getInt();
        if (magic != MAGIC) {
            throw new CorruptLogException(at, "log block " + expectedBlockNo + " magic 0x" + Integer.toHexString(magic)
                    + ", expected 0x" + Integer.toHexString(MAGIC));
        }
        if (format != FORMAT_VERSION) {
            throw new CorruptLogException(at, "log block " + expectedBlockNo + " format version " + format
                    + ", this reader knows " + FORMAT_VERSION);
        }
        if (blockNo != expectedBlockNo) {
            throw new CorruptLogException(at, "log block at address " + expectedBlockNo + " says it is block "
                    + blockNo);
        }
        if (used > LOG_BLOCK_PAYLOAD_BYTES || bytes.length != LOG_BLOCK_HEADER_BYTES + used) {
            throw new CorruptLogException(at, "log block " + blockNo + " claims " + used + " used bytes (max "
                    + LOG_BLOCK_PAYLOAD_BYTES + ") but carries " + (bytes.length - LOG_BLOCK_HEADER_BYTES));
        }
        if (first != NO_RECORD_START && first >= used) {
            throw new CorruptLogException(at, "log block " + blockNo + " first-record offset " + first
                    + " is not inside its " + used + " used bytes");
        }
        if (reserved != 0) {
            throw new CorruptLogException(at, "log block " + blockNo + " reserved field is " + reserved);
        }
        if (!block.version().equals(version(epoch, used))) {
            throw new CorruptLogException(at, "log block " + blockNo + " stored at version " + block.version()
                    + " but its header says epoch " + epoch + " and " + used + " used bytes");
        }
        byte[] payload = new byte[used];
        System.arraycopy(bytes, LOG_BLOCK_HEADER_BYTES, payload, 0, used);
        return new LogBlock(blockNo, epoch, used, first, payload);
    }
}
