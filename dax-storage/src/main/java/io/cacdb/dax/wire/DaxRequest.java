package io.cacdb.dax.wire;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Space;
import java.util.Objects;

/** A request frame of the DAX protocol. Every request carries the id its response will echo. */
public sealed interface DaxRequest permits DaxRequest.Ping, DaxRequest.CreateVolume, DaxRequest.Write,
        DaxRequest.Read, DaxRequest.Fence, DaxRequest.DeleteBelow, DaxRequest.Scan {

    long requestId();

    Opcode opcode();

    /** Liveness and identity check. */
    record Ping(long requestId) implements DaxRequest {
        public Opcode opcode() {
            return Opcode.PING;
        }
    }

    /** Creates a volume on this server (idempotent). Writes, reads and fences of unknown volumes are refused. */
    record CreateVolume(long requestId, long volume) implements DaxRequest {
        public Opcode opcode() {
            return Opcode.CREATE_VOLUME;
        }
    }

    /**
     * Versioned conditional write: stored only if {@code block.version()} is above the stored version (equal
     * version with equal bytes succeeds without change), the writer's epoch is not below the volume's fenced epoch,
     * and the payload matches its CRC32C. Acknowledged only once durable (synced).
     */
    record Write(long requestId, long writerEpoch, Block block) implements DaxRequest {
        public Write {
            Objects.requireNonNull(block, "block");
        }

        public Opcode opcode() {
            return Opcode.WRITE;
        }
    }

    /** Reads this replica's copy of one block. */
    record Read(long requestId, BlockAddress address) implements DaxRequest {
        public Read {
            Objects.requireNonNull(address, "address");
        }

        public Opcode opcode() {
            return Opcode.READ;
        }
    }

    /** Raises the volume's fenced epoch to at least {@code epoch} (durably; never lowers it). */
    record Fence(long requestId, long volume, long epoch) implements DaxRequest {
        public Opcode opcode() {
            return Opcode.FENCE;
        }
    }

    /** Deletes every block of {@code (volume, space)} below {@code blockNo}; the truncation point never goes back. */
    record DeleteBelow(long requestId, long writerEpoch, long volume, Space space, long blockNo) implements DaxRequest {
        public DeleteBelow {
            Objects.requireNonNull(space, "space");
        }

        public Opcode opcode() {
            return Opcode.DELETE_BELOW;
        }
    }

    /** Version summaries of this replica's blocks with {@code fromBlockNo <= blockNo < toBlockNo}, in order. */
    record Scan(long requestId, long volume, Space space, long fromBlockNo, long toBlockNo, int maxEntries)
            implements DaxRequest {
        public Scan {
            Objects.requireNonNull(space, "space");
        }

        public Opcode opcode() {
            return Opcode.SCAN;
        }
    }
}
