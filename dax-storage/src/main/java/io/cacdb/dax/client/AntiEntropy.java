package io.cacdb.dax.client;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.cluster.ServerInfo;
import io.cacdb.dax.placement.Placement;
import io.cacdb.dax.wire.DaxResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One anti-entropy pass over a volume, written in blocking style because it runs on a virtual thread (every wait is
 * bounded by the request deadline of {@link DaxClient#call}).
 *
 * <p>For each space, the pass walks the block numbers in windows. In each window every server is SCANned from the
 * window start (one page of {@link DaxClient#ANTI_ENTROPY_SCAN_ENTRIES}); the window ends where the first server's
 * page ends, so every reachable server's summaries are complete inside it. Blocks are grouped by segment; for each
 * block the newest version held by any of the segment's replicas is copied (read from a holder, checksum verified,
 * written with the client's repair epoch) to every reachable replica that lacks it or holds an older version.
 * Summaries on servers that are not replicas of a segment are ignored. A server whose SCAN fails is left out of the
 * window (reported as unreachable), never treated as empty.
 */
final class AntiEntropy {

    private final DaxClient client;
    private final Placement placement;
    private final ClientMetrics metrics;
    private long compared;
    private long divergent;
    private long written;
    private long failed;
    private final Set<String> unreachable = new HashSet<>();

    AntiEntropy(DaxClient client, Placement placement, ClientMetrics metrics) {
        this.client = client;
        this.placement = placement;
        this.metrics = metrics;
    }

    AntiEntropyReport run(long volume) {
        boolean canRepair = client.repairEpoch(volume).isPresent();
        for (Space space : Space.values()) {
            passOverSpace(volume, space, canRepair);
        }
        return new AntiEntropyReport(volume, compared, divergent, written, failed, unreachable, !canRepair);
    }

    private void passOverSpace(long volume, Space space, boolean canRepair) {
        List<ServerInfo> servers = placement.clusterMap().servers();
        long cursor = 0;
        while (true) {
            Map<ServerInfo, CompletableFuture<DaxResponse.ScanResult>> scans = new LinkedHashMap<>();
            for (ServerInfo s : servers) {
                scans.put(s, client.scanPage(s, volume, space, cursor));
            }
            Map<String, Map<Long, BlockSummary>> byServer = new HashMap<>();
            long windowEnd = Long.MAX_VALUE;
            boolean anyEntries = false;
            for (Map.Entry<ServerInfo, CompletableFuture<DaxResponse.ScanResult>> e : scans.entrySet()) {
                DaxResponse.ScanResult page;
                try {
                    page = e.getValue().join();
                } catch (CompletionException ex) {
                    unreachable.add(e.getKey().id());
                    continue;
                }
                Map<Long, BlockSummary> summaries = new HashMap<>();
                page.entries().forEach(b -> summaries.put(b.blockNo(), b));
                byServer.put(e.getKey().id(), summaries);
                anyEntries |= !page.entries().isEmpty();
                if (page.more()) {
                    windowEnd = Math.min(windowEnd, page.nextFromBlockNo());
                }
            }
            if (!anyEntries) {
                return;
            }
            compareWindow(volume, space, cursor, windowEnd, byServer, canRepair);
            if (windowEnd == Long.MAX_VALUE) {
                return;
            }
            cursor = windowEnd;
        }
    }

    private void compareWindow(long volume, Space space, long from, long to,
            Map<String, Map<Long, BlockSummary>> byServer, boolean canRepair) {
        // segment → block numbers seen on any server in [from, to)
        TreeMap<Long, Set<Long>> blocksBySegment = new TreeMap<>();
        for (Map<Long, BlockSummary> summaries : byServer.values()) {
            for (long blockNo : summaries.keySet()) {
                if (blockNo >= from && blockNo < to) {
                    blocksBySegment.computeIfAbsent(Placement.segmentOf(space, blockNo), s -> new HashSet<>())
                            .add(blockNo);
                }
            }
        }
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        for (Map.Entry<Long, Set<Long>> segment : blocksBySegment.entrySet()) {
            List<ServerInfo> replicas = placement.replicasOf(volume, space, segment.getKey());
            for (long blockNo : segment.getValue().stream().sorted().toList()) {
                Optional<CompletableFuture<Void>> repair = compareBlock(new BlockAddress(volume, space, blockNo),
                        replicas, byServer, canRepair);
                repair.ifPresent(inFlight::add);
                if (inFlight.size() >= DaxClient.ANTI_ENTROPY_PARALLEL_BLOCKS) {
                    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
                    inFlight.clear();
                }
            }
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
    }

    private Optional<CompletableFuture<Void>> compareBlock(BlockAddress address, List<ServerInfo> replicas,
            Map<String, Map<Long, BlockSummary>> byServer, boolean canRepair) {
        Version newest = null;
        List<ServerInfo> holders = new ArrayList<>();
        for (ServerInfo r : replicas) {
            Map<Long, BlockSummary> summaries = byServer.get(r.id());
            BlockSummary s = summaries == null ? null : summaries.get(address.blockNo());
            if (s == null) {
                continue;
            }
            if (newest == null || s.version().isNewerThan(newest)) {
                newest = s.version();
                holders.clear();
            }
            if (s.version().equals(newest)) {
                holders.add(r);
            }
        }
        if (newest == null) {
            return Optional.empty(); // only non-replicas hold it (placement changed); not this pass's business
        }
        synchronized (this) {
            compared++;
        }
        List<ServerInfo> lacking = new ArrayList<>();
        for (ServerInfo r : replicas) {
            Map<Long, BlockSummary> summaries = byServer.get(r.id());
            if (summaries == null) {
                continue; // unreachable in this window
            }
            BlockSummary s = summaries.get(address.blockNo());
            if (s == null || newest.isNewerThan(s.version())) {
                lacking.add(r);
            }
        }
        if (lacking.isEmpty()) {
            return Optional.empty();
        }
        synchronized (this) {
            divergent++;
        }
        if (!canRepair) {
            metrics.repairsSkipped.increment();
            return Optional.empty();
        }
        Version target = newest;
        return Optional.of(fetchGoodCopy(address, target, holders, 0).thenCompose(copy -> {
            if (copy.isEmpty()) {
                synchronized (this) {
                    failed += lacking.size();
                }
                return CompletableFuture.completedFuture(null);
            }
            List<CompletableFuture<Boolean>> writes = new ArrayList<>();
            for (ServerInfo r : lacking) {
                CompletableFuture<Boolean> w = client.repairWrite(r, copy.get());
                writes.add(w != null ? w : CompletableFuture.completedFuture(false));
            }
            return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenRun(() -> {
                for (CompletableFuture<Boolean> w : writes) {
                    boolean ok = w.join();
                    synchronized (this) {
                        if (ok) {
                            written++;
                        } else {
                            failed++;
                        }
                    }
                    if (ok) {
                        metrics.antiEntropyRepairs.increment();
                    }
                }
            });
        }));
    }

    /** Reads the block from the holders in turn until one returns a good copy of at least {@code version}. */
    private CompletableFuture<Optional<Block>> fetchGoodCopy(BlockAddress address, Version version,
            List<ServerInfo> holders, int index) {
        if (index == holders.size()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return client.readReplica(holders.get(index), address).thenCompose(copy -> {
            if (copy instanceof ReplicaCopy.Good g && g.block().version().isAtLeast(version)) {
                return CompletableFuture.completedFuture(Optional.of(g.block()));
            }
            return fetchGoodCopy(address, version, holders, index + 1);
        });
    }
}
