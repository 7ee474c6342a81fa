package io.cacdb.dax.client;

import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;

/**
 * A replica holds the same version of the block with different bytes: a second writer of the block, or a writer bug
 * (a version must name exactly one content). Not retryable; the writer must not reuse a version for new bytes.
 */
public final class VersionConflictException extends DaxException {

    private final BlockAddress address;
    private final Version version;

    public VersionConflictException(BlockAddress address, Version version, String serverId, String detail) {
        super("version conflict on " + address + " at " + version + " reported by " + serverId + ": " + detail);
        this.address = address;
        this.version = version;
    }

    public BlockAddress address() {
        return address;
    }

    public Version version() {
        return version;
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
