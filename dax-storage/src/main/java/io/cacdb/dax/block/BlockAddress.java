package io.cacdb.dax.block;

import java.util.Objects;

/**
 * Where a block lives: {@code (volume, space, blockNo)}. A volume is one database. Addresses order by volume, then
 * space, then block number, which is also the key order on a server.
 */
public record BlockAddress(long volume, Space space, long blockNo) implements Comparable<BlockAddress> {

    public BlockAddress {
        Objects.requireNonNull(space, "space");
        if (volume < 0) {
            throw new IllegalArgumentException("volume must be >= 0, was " + volume);
        }
        if (blockNo < 0) {
            throw new IllegalArgumentException("blockNo must be >= 0, was " + blockNo);
        }
    }

    public static BlockAddress page(long volume, long pageNo) {
        return new BlockAddress(volume, Space.PAGE, pageNo);
    }

    public static BlockAddress log(long volume, long blockNo) {
        return new BlockAddress(volume, Space.LOG, blockNo);
    }

    public static BlockAddress meta(long volume, long recordNo) {
        return new BlockAddress(volume, Space.META, recordNo);
    }

    @Override
    public int compareTo(BlockAddress o) {
        int c = Long.compare(volume, o.volume);
        if (c != 0) {
            return c;
        }
        c = Byte.compare(space.code(), o.space.code());
        return c != 0 ? c : Long.compare(blockNo, o.blockNo);
    }

    @Override
    public String toString() {
        return "v" + volume + "/" + space + "/" + blockNo;
    }
}
