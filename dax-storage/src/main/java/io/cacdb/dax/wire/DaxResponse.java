package io.cacdb.dax.wire;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.block.Version;
import java.util.List;
import java.util.Objects;

/** A response frame of the DAX protocol; {@link #requestId()} echoes the request's. */
public sealed interface DaxResponse permits DaxResponse.Pong, DaxResponse.VolumeCreated, DaxResponse.WriteAck,
        DaxResponse.ReadResult, DaxResponse.Fenced, DaxResponse.Deleted, DaxResponse.ScanResult, DaxResponse.Error {

    long requestId();

    Opcode opcode();

    record Pong(long requestId, String serverId, String zone) implements DaxResponse {
        public Pong {
            Objects.requireNonNull(serverId, "serverId");
            Objects.requireNonNull(zone, "zone");
        }

        public Opcode opcode() {
            return Opcode.PING;
        }
    }

    record VolumeCreated(long requestId) implements DaxResponse {
        public Opcode opcode() {
            return Opcode.CREATE_VOLUME;
        }
    }

    /** What a successful WRITE did. Every outcome means "a version at least the one sent is durable here". */
    enum WriteOutcome {
        /** The block was stored. */
        APPLIED,
        /** The same version with the same bytes was already stored. */
        ALREADY_PRESENT,
        /** A higher version was already stored; {@link WriteAck#storedVersion()} says which. */
        SUPERSEDED;

        static WriteOutcome fromCode(int code) {
            WriteOutcome[] all = values();
            return code >= 0 && code < all.length ? all[code] : null;
        }
    }

    record WriteAck(long requestId, WriteOutcome outcome, Version storedVersion) implements DaxResponse {
        public WriteAck {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(storedVersion, "storedVersion");
        }

        public Opcode opcode() {
            return Opcode.WRITE;
        }
    }

    /** {@code block} is null when this replica holds no copy. */
    record ReadResult(long requestId, Block block) implements DaxResponse {
        public Opcode opcode() {
            return Opcode.READ;
        }

        public boolean found() {
            return block != null;
        }
    }

    /** {@code currentEpoch} is the volume's fenced epoch after the request (at least the one asked for). */
    record Fenced(long requestId, long currentEpoch) implements DaxResponse {
        public Opcode opcode() {
            return Opcode.FENCE;
        }
    }

    /** {@code truncatedBelow} is the space's truncation point after the request. */
    record Deleted(long requestId, long truncatedBelow) implements DaxResponse {
        public Opcode opcode() {
            return Opcode.DELETE_BELOW;
        }
    }

    /** {@code more} tells that entries remain from {@code nextFromBlockNo} on. */
    record ScanResult(long requestId, List<BlockSummary> entries, boolean more, long nextFromBlockNo)
            implements DaxResponse {
        public ScanResult {
            entries = List.copyOf(entries);
        }

        public Opcode opcode() {
            return Opcode.SCAN;
        }
    }

    /**
     * A typed failure. {@code detail} carries the status's number (current epoch for STALE_EPOCH, truncation point
     * for BELOW_TRUNCATION, 0 otherwise). {@code opcode} is the request's, or null when the request's opcode was
     * unknown.
     */
    record Error(long requestId, Opcode opcode, byte rawOpcode, Status status, long detail, String message)
            implements DaxResponse {
        public Error {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(message, "message");
            if (status == Status.OK) {
                throw new IllegalArgumentException("an Error response cannot carry status OK");
            }
        }

        public static Error of(DaxRequest request, Status status, long detail, String message) {
            return new Error(request.requestId(), request.opcode(), request.opcode().code(), status, detail, message);
        }
    }
}
