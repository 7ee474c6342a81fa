package io.cacdb.dax.block;

import java.util.zip.CRC32C;

/** CRC32C, the checksum every payload carries from its writer to every reader. */
public final class Checksums {

    private Checksums() {
    }

    public static int crc32c(byte[] bytes) {
        return crc32c(bytes, 0, bytes.length);
    }

    public static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
