package io.cacdb.dax.client;

import java.util.Set;

/**
 * What one anti-entropy pass over a volume found and did.
 *
 * @param blocksCompared      distinct blocks whose replica summaries were compared
 * @param blocksDivergent     blocks where at least one reachable replica lacked the newest version
 * @param copiesWritten       repair copies acknowledged by a lagging replica
 * @param copiesFailed        repair copies that failed (replica unreachable, refused, or no good source copy)
 * @param unreachableServers  servers whose SCAN failed; they were neither compared nor repaired
 * @param repairSkipped       true when this client has no epoch for the volume and therefore only compared
 */
public record AntiEntropyReport(long volume, long blocksCompared, long blocksDivergent, long copiesWritten,
        long copiesFailed, Set<String> unreachableServers, boolean repairSkipped) {

    public AntiEntropyReport {
        unreachableServers = Set.copyOf(unreachableServers);
    }
}
