package io.cacdb.dax.client;

import io.cacdb.dax.block.BlockAddress;

/** A write below the space's truncation point (DELETE_BELOW): that part of the log is gone. Not retryable. */
public final class BelowTruncationException extends DaxException {

    private final BlockAddress address;
    private final long truncatedBelow;

    public BelowTruncationException(BlockAddress address, long truncatedBelow, String serverId) {
        super("write of " + address + " refused by " + serverId + ": the space is truncated below block "
                + truncatedBelow);
        this.address = address;
        this.truncatedBelow = truncatedBelow;
    }

    public BlockAddress address() {
        return address;
    }

    public long truncatedBelow() {
        return truncatedBelow;
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
