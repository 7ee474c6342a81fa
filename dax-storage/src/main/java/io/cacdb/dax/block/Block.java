package io.cacdb.dax.block;

import java.util.Arrays;
import java.util.Objects;

/**
 * A versioned block with the CRC32C its writer computed. The payload array is owned by the block and must not be
 * changed after construction; {@link #checksumValid()} tells whether the bytes still match the writer's checksum.
 */
public record Block(BlockAddress address, Version version, int crc32c, byte[] payload) {

    public Block {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(payload, "payload");
    }

    /** A block whose checksum is computed here, as a writer does. */
    public static Block of(BlockAddress address, Version version, byte[] payload) {
        return new Block(address, version, Checksums.crc32c(payload), payload);
    }

    public boolean checksumValid() {
        return Checksums.crc32c(payload) == crc32c;
    }

    /** Same version and same bytes: the idempotent case of a conditional write. */
    public boolean sameContentAs(Block other) {
        return version.equals(other.version) && crc32c == other.crc32c && Arrays.equals(payload, other.payload);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Block b && address.equals(b.address) && sameContentAs(b);
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, version, crc32c);
    }

    @Override
    public String toString() {
        return "Block[" + address + " " + version + " crc=" + Integer.toHexString(crc32c) + " " + payload.length + "B]";
    }
}
