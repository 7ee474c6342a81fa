package io.cacdb.server.ha;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.client.VersionConflictException;
import io.cacdb.engine.volume.VolumeWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * Makes an epoch one node's: after fencing the volume to epoch {@code e}, a node writes META block 9 at
 * {@code Version.ofMeta(e)} with its name and a random nonce. Fencing alone does not exclude a second node that fences
 * to the <em>same</em> epoch (a fence to the current epoch is accepted, so that retries are idempotent) — two nodes
 * that both saw the lease run out (a starved active that lost its lease and rejoined as standby, and its standby) both
 * fenced to one epoch and both served at it, their log blocks colliding. Replicas store one set of bytes per version
 * (a second, different write at that version is a {@code VERSION_CONFLICT}), so at most one claimant gets its claim
 * acknowledged at write quorum; a node whose claim fails does not use the epoch ({@link EpochClaimedException}).
 *
 * <p>Payload, big-endian: magic u32 "CMTA", format u16 (1), kind u16 (9 = epoch claim), epoch u64, nonce u64, node
 * (u8 length + UTF-8).
 */
public final class EpochClaim {

    /** The reserved META block (0 checkpoint pointer, 1 epoch history, 2 lease, 8 hot pages). */
    public static final long EPOCH_CLAIM_RECORD_NO = 9;

    static final int MAGIC = 0x434D5441;
    static final int FORMAT_VERSION = 1;
    static final int KIND_EPOCH_CLAIM = 9;

    private static final SecureRandom NONCES = new SecureRandom();

    private EpochClaim() {
    }

    /** Another node claimed the epoch first: this node must not write at it. */
    public static final class EpochClaimedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long epoch;

        public EpochClaimedException(long epoch, String message, Throwable cause) {
            super(message, cause);
            this.epoch = epoch;
        }

        /** The epoch another node claimed. */
        public long epoch() {
            return epoch;
        }
    }

    /**
     * Claims {@code writer.epoch()} for {@code node} (writer at that epoch, after fencing to it).
     *
     * @throws EpochClaimedException when another node's claim of that epoch is stored (this node lost the race)
     * @throws LeaseException        when storage does not answer in time
     */
    public static void claim(VolumeWriter writer, String node, Duration timeout) {
        long epoch = writer.epoch();
        byte[] name = node.getBytes(StandardCharsets.UTF_8);
        if (name.length > LeaseRecord.TEXT_BYTES_MAX) {
            throw new IllegalArgumentException("node name of " + name.length + " bytes");
        }
        byte[] payload = ByteBuffer.allocate(4 + 2 + 2 + 8 + 8 + 1 + name.length).order(ByteOrder.BIG_ENDIAN)
                .putInt(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) KIND_EPOCH_CLAIM).putLong(epoch)
                .putLong(NONCES.nextLong()).put((byte) name.length).put(name).array();
        try {
            ActiveLease.await(writer.write(Block.of(BlockAddress.meta(writer.volume(), EPOCH_CLAIM_RECORD_NO),
                    Version.ofMeta(epoch), payload)), timeout, "claiming epoch " + epoch);
        } catch (LeaseException e) {
            if (e.getCause() instanceof VersionConflictException conflict) {
                throw new EpochClaimedException(epoch, "epoch " + epoch + " of volume " + writer.volume() + " is claimed by"
                        + " another node (" + conflict.getMessage() + "); " + node + " does not use it", conflict);
            }
            throw e;
        }
    }
}
