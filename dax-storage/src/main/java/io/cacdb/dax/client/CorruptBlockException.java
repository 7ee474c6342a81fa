package io.cacdb.dax.client;

import io.cacdb.dax.block.BlockAddress;
import java.util.List;

/**
 * Every copy of a block that the read reached fails its CRC32C (or its server reports it corrupt), and no good copy
 * exists among the replies. The data must be recovered another way (for a page: from the log).
 */
public final class CorruptBlockException extends DaxException {

    private final BlockAddress address;
    private final List<String> corruptReplicas;

    public CorruptBlockException(BlockAddress address, List<String> corruptReplicas, List<String> unreachable) {
        super("no good copy of " + address + ": corrupt on " + corruptReplicas
                + (unreachable.isEmpty() ? "" : ", no answer from " + unreachable));
        this.address = address;
        this.corruptReplicas = List.copyOf(corruptReplicas);
    }

    public BlockAddress address() {
        return address;
    }

    public List<String> corruptReplicas() {
        return corruptReplicas;
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
