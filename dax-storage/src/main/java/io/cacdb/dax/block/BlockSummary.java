package io.cacdb.dax.block;

/** What anti-entropy compares between replicas: which version of a block a replica holds, without its bytes. */
public record BlockSummary(long blockNo, Version version, int crc32c) {
}
