package io.cacdb.dax.client;

import io.cacdb.dax.block.Block;

/** What one replica answered to a READ, after the client checked the copy's CRC32C. */
public sealed interface ReplicaCopy {

    String serverId();

    /** A copy whose bytes match its checksum. */
    record Good(String serverId, Block block) implements ReplicaCopy {
    }

    /** The replica holds no copy. */
    record Missing(String serverId) implements ReplicaCopy {
    }

    /** The replica's copy fails its checksum (checked here) or the server reported CORRUPT_BLOCK. */
    record Corrupt(String serverId, String reason) implements ReplicaCopy {
    }

    /** No usable answer: unreachable, timed out, or an error status. */
    record Failed(String serverId, String reason) implements ReplicaCopy {
    }
}
