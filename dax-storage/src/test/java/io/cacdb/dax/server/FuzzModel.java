package io.cacdb.dax.server;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.BlockSummary;
import io.cacdb.dax.block.Space;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.wire.DaxRequest;
import io.cacdb.dax.wire.DaxResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What a fuzzed DAX server may hold. Connections run in parallel and many of them are cut, so the order in which the
 * server applied the fuzzer's requests (and whether it saw them at all) is unknown; the model is therefore not one
 * expected state but bounds on it:
 *
 * <ul>
 *   <li>upper bound, "nothing appears that no valid request could have written": every stored block is a known block
 *       or the block of a well-formed WRITE the fuzzer sent (decoded with the server's own codec) with a matching
 *       checksum, an epoch not below the volume's initial fence and a block number not below its initial truncation
 *       point, and never a second content for a version the server already held (known or acknowledged). Every
 *       fenced epoch and truncation point is the initial one or one a well-formed FENCE / DELETE_BELOW asked for.
 *       Every volume is a known one or one a well-formed CREATE_VOLUME named.</li>
 *   <li>lower bound, "nothing goes back": a block is at least at the highest version the server ever held
 *       for it (known, acknowledged as APPLIED / ALREADY_PRESENT, returned by a READ or SCAN, or reported as the
 *       stored version of a SUPERSEDED write), unless a truncation point now covers it; fenced epochs and truncation
 *       points are at least the initial ones and every one the server reported.</li>
 * </ul>
 *
 * <p>Recording methods are called from the fuzzing threads; {@link #check} and {@link #checkDeferred} run once the
 * fuzzing is over.
 */
final class FuzzModel {

    record VolumeSpace(long volume, Space space) {
    }

    /** A state read back from the server: fenced epoch per volume, truncation points, blocks found, SCAN pages. */
    record Snapshot(Map<Long, Long> fences, Map<VolumeSpace, Long> truncations, Map<BlockAddress, Block> blocks,
            Map<VolumeSpace, List<BlockSummary>> scans) {
    }

    /** A check of one answer that needs the whole model (what else was sent); null when the answer is right. */
    @FunctionalInterface
    interface Expect {
        String problem(DaxResponse response, FuzzModel model);
    }

    private record Deferred(String where, DaxResponse response, Expect expect) {
    }

    private record SeenVersion(BlockAddress address, Version version) {
    }

    private record SeenSummary(BlockAddress address, Version version, int crc32c) {
    }

    private record SeenPoint(long volume, Space space, long value) {
    }

    // The known set, written and verified before fuzzing. Only changed before the fuzzing starts.
    final Map<Long, Long> initialFences = new TreeMap<>();
    final Map<VolumeSpace, Long> initialTruncations = new HashMap<>();
    final Map<BlockAddress, Block> initialBlocks = new TreeMap<>();

    private final Queue<DaxRequest> sent = new ConcurrentLinkedQueue<>();
    private final Queue<Block> stored = new ConcurrentLinkedQueue<>();
    private final Queue<Block> seenBlocks = new ConcurrentLinkedQueue<>();
    private final Queue<SeenVersion> seenVersions = new ConcurrentLinkedQueue<>();
    private final Queue<SeenSummary> seenSummaries = new ConcurrentLinkedQueue<>();
    private final Queue<SeenPoint> seenFences = new ConcurrentLinkedQueue<>();
    private final Queue<SeenPoint> seenTruncations = new ConcurrentLinkedQueue<>();
    private final Queue<Deferred> deferred = new ConcurrentLinkedQueue<>();

    // ------------------------------------------------------------------------------------------------ recording

    /** A well-formed request reached the wire (the server may or may not have acted on it). */
    void sent(DaxRequest request) {
        sent.add(request);
    }

    /** The server acknowledged holding exactly this block (APPLIED or ALREADY_PRESENT). */
    void stored(Block block) {
        stored.add(block);
    }

    /** A READ returned this block. */
    void seenBlock(Block block) {
        seenBlocks.add(block);
    }

    /** The server reported holding at least this version (SUPERSEDED). */
    void seenVersion(BlockAddress address, Version version) {
        seenVersions.add(new SeenVersion(address, version));
    }

    /** A SCAN listed this summary. */
    void seenSummary(BlockAddress address, Version version, int crc32c) {
        seenSummaries.add(new SeenSummary(address, version, crc32c));
    }

    void seenFence(long volume, long epoch) {
        seenFences.add(new SeenPoint(volume, null, epoch));
    }

    void seenTruncation(long volume, Space space, long point) {
        seenTruncations.add(new SeenPoint(volume, space, point));
    }

    /** Checks {@code response} with {@code expect} once the fuzzing is over. */
    void defer(String where, DaxResponse response, Expect expect) {
        deferred.add(new Deferred(where, response, expect));
    }

    // ------------------------------------------------------------------------------------------------ queries

    long initialFence(long volume) {
        return initialFences.getOrDefault(volume, 0L);
    }

    long initialTruncation(long volume, Space space) {
        return initialTruncations.getOrDefault(new VolumeSpace(volume, space), 0L);
    }

    /** Whether {@code volume} may exist: known, or named by a well-formed CREATE_VOLUME. */
    boolean volumeMayExist(long volume) {
        return initialFences.containsKey(volume)
                || sent.stream().anyMatch(r -> r instanceof DaxRequest.CreateVolume c && c.volume() == volume);
    }

    /** Whether a well-formed DELETE_BELOW (with an epoch that could pass the fence) may have truncated {@code a}. */
    boolean truncationMayCover(BlockAddress a) {
        return a.blockNo() < initialTruncation(a.volume(), a.space())
                || sent.stream().anyMatch(r -> r instanceof DaxRequest.DeleteBelow d && d.volume() == a.volume()
                        && d.space() == a.space() && d.blockNo() > a.blockNo()
                        && d.writerEpoch() >= initialFence(a.volume()));
    }

    /** Every address the model knows of: known blocks, well-formed writes, anything the server showed. */
    Set<BlockAddress> addresses() {
        Set<BlockAddress> all = new TreeSet<>(initialBlocks.keySet());
        for (DaxRequest r : sent) {
            if (r instanceof DaxRequest.Write w) {
                all.add(w.block().address());
            }
        }
        seenBlocks.forEach(b -> all.add(b.address()));
        seenVersions.forEach(v -> all.add(v.address()));
        seenSummaries.forEach(s -> all.add(s.address()));
        return all;
    }

    /** Counts of what was recorded, for the test's report line. */
    String summary() {
        long writes = sent.stream().filter(r -> r instanceof DaxRequest.Write).count();
        return sent.size() + " well-formed requests sent (" + writes + " writes), " + stored.size()
                + " stored acks, " + seenBlocks.size() + " blocks read, " + deferred.size() + " answers to check";
    }

    // ------------------------------------------------------------------------------------------------ checking

    /** Every deferred answer check that fails, with where it came from. */
    List<String> checkDeferred() {
        List<String> problems = new ArrayList<>();
        for (Deferred d : deferred) {
            String p = d.expect().problem(d.response(), this);
            if (p != null) {
                problems.add(d.where() + ": " + p + " (answer " + d.response() + ")");
            }
        }
        return problems;
    }

    /** Everything in {@code s} that breaks the model's bounds; empty when the state is one the model allows. */
    List<String> check(Snapshot s) {
        List<String> problems = new ArrayList<>();
        checkVolumes(s, problems);
        checkPoints(s, problems);
        checkBlocks(s, problems);
        checkScans(s, problems);
        return problems;
    }

    private void checkVolumes(Snapshot s, List<String> problems) {
        for (long volume : initialFences.keySet()) {
            if (!s.fences().containsKey(volume)) {
                problems.add("known volume " + volume + " is gone");
            }
        }
        for (long volume : s.fences().keySet()) {
            if (!volumeMayExist(volume)) {
                problems.add("volume " + volume + " exists, but no well-formed CREATE_VOLUME named it");
            }
        }
    }

    private void checkPoints(Snapshot s, List<String> problems) {
        for (var e : s.fences().entrySet()) {
            long volume = e.getKey();
            long epoch = e.getValue();
            Set<Long> allowed = new HashSet<>(Set.of(initialFence(volume)));
            sent.stream().filter(r -> r instanceof DaxRequest.Fence f && f.volume() == volume)
                    .forEach(r -> allowed.add(((DaxRequest.Fence) r).epoch()));
            if (epoch < initialFence(volume)) {
                problems.add("fenced epoch of volume " + volume + " went back: " + epoch + " < initial "
                        + initialFence(volume));
            }
            if (!allowed.contains(epoch)) {
                problems.add("fenced epoch of volume " + volume + " is " + epoch + ", which no FENCE asked for");
            }
            for (SeenPoint p : seenFences) {
                if (p.volume() == volume && p.value() > epoch) {
                    problems.add("fenced epoch of volume " + volume + " went back: " + epoch + " < " + p.value()
                            + " reported earlier");
                }
                if (p.volume() == volume && !allowed.contains(p.value())) {
                    problems.add("server reported fenced epoch " + p.value() + " of volume " + volume
                            + ", which no FENCE asked for");
                }
            }
        }
        for (var e : s.truncations().entrySet()) {
            VolumeSpace vs = e.getKey();
            long point = e.getValue();
            long initial = initialTruncation(vs.volume(), vs.space());
            Set<Long> allowed = new HashSet<>(Set.of(initial));
            for (DaxRequest r : sent) {
                if (r instanceof DaxRequest.DeleteBelow d && d.volume() == vs.volume() && d.space() == vs.space()
                        && d.writerEpoch() >= initialFence(vs.volume())) {
                    allowed.add(d.blockNo());
                }
            }
            if (point < initial) {
                problems.add("truncation point of " + vs + " went back: " + point + " < initial " + initial);
            }
            if (!allowed.contains(point)) {
                problems.add("truncation point of " + vs + " is " + point + ", which no DELETE_BELOW asked for");
            }
            for (SeenPoint p : seenTruncations) {
                if (p.volume() == vs.volume() && p.space() == vs.space()) {
                    if (p.value() > point) {
                        problems.add("truncation point of " + vs + " went back: " + point + " < " + p.value()
                                + " reported earlier");
                    }
                    if (!allowed.contains(p.value())) {
                        problems.add("server reported truncation point " + p.value() + " of " + vs
                                + ", which no DELETE_BELOW asked for");
                    }
                }
            }
        }
    }

    /** The blocks a server may hold at each address (see the class comment). */
    private Map<BlockAddress, List<Block>> allowedBlocks(List<String> problems) {
        Map<BlockAddress, List<Block>> anchors = new HashMap<>();
        initialBlocks.values().forEach(b -> anchors.computeIfAbsent(b.address(), a -> new ArrayList<>()).add(b));
        stored.forEach(b -> anchors.computeIfAbsent(b.address(), a -> new ArrayList<>()).add(b));
        for (var e : anchors.entrySet()) {
            List<Block> held = e.getValue();
            for (Block a : held) {
                for (Block b : held) {
                    if (a.version().equals(b.version()) && !a.sameContentAs(b)) {
                        problems.add("server held two contents of " + e.getKey() + " version " + a.version()
                                + ": " + a + " and " + b);
                    }
                }
            }
        }
        Map<BlockAddress, List<Block>> allowed = new HashMap<>();
        anchors.forEach((a, held) -> allowed.computeIfAbsent(a, x -> new ArrayList<>()).addAll(held));
        for (DaxRequest r : sent) {
            if (!(r instanceof DaxRequest.Write w)) {
                continue;
            }
            Block b = w.block();
            BlockAddress a = b.address();
            if (!b.checksumValid() || w.writerEpoch() < initialFence(a.volume())
                    || a.blockNo() < initialTruncation(a.volume(), a.space())) {
                continue;
            }
            boolean conflicts = anchors.getOrDefault(a, List.of()).stream()
                    .anyMatch(h -> h.version().equals(b.version()) && !h.sameContentAs(b));
            if (!conflicts) {
                allowed.computeIfAbsent(a, x -> new ArrayList<>()).add(b);
            }
        }
        return allowed;
    }

    private void checkBlocks(Snapshot s, List<String> problems) {
        Map<BlockAddress, List<Block>> allowed = allowedBlocks(problems);
        Map<BlockAddress, Version> lowest = new HashMap<>();
        initialBlocks.values().forEach(b -> lowest.merge(b.address(), b.version(), Version::max));
        stored.forEach(b -> lowest.merge(b.address(), b.version(), Version::max));
        seenBlocks.forEach(b -> lowest.merge(b.address(), b.version(), Version::max));
        seenVersions.forEach(v -> lowest.merge(v.address(), v.version(), Version::max));
        seenSummaries.forEach(v -> lowest.merge(v.address(), v.version(), Version::max));

        for (Block b : seenBlocks) {
            if (!allowed.getOrDefault(b.address(), List.of()).contains(b)) {
                problems.add("a READ returned " + b + ", which is neither known nor written by a valid request");
            }
        }
        for (SeenSummary sum : seenSummaries) {
            boolean match = allowed.getOrDefault(sum.address(), List.of()).stream()
                    .anyMatch(b -> b.version().equals(sum.version()) && b.crc32c() == sum.crc32c());
            if (!match) {
                problems.add("a SCAN listed " + sum + ", which matches no known block or valid write");
            }
        }
        Set<BlockAddress> all = new TreeSet<>(addresses());
        all.addAll(s.blocks().keySet());
        for (BlockAddress a : all) {
            Block got = s.blocks().get(a);
            if (!s.fences().containsKey(a.volume())) {
                if (got != null) {
                    problems.add(a + " is readable in a volume that does not exist");
                }
                continue;
            }
            long truncation = s.truncations().get(new VolumeSpace(a.volume(), a.space()));
            if (a.blockNo() < truncation) {
                if (got != null) {
                    problems.add(a + " is readable below the truncation point " + truncation);
                }
                continue;
            }
            Version least = lowest.get(a);
            if (least != null && got == null) {
                problems.add(a + " was lost: the server held version " + least + " and it is not truncated ("
                        + truncation + ")");
            } else if (least != null && got.version().compareTo(least) < 0) {
                problems.add(a + " went back to version " + got.version() + " after the server held " + least);
            }
            if (got != null && !allowed.getOrDefault(a, List.of()).contains(got)) {
                problems.add(a + " holds " + got + ", which is neither known nor written by a valid request"
                        + " (allowed: " + allowed.getOrDefault(a, List.of()) + ")");
            }
        }
    }

    /** Every SCAN page lists exactly the blocks READ found in its space (SCAN's range ends below Long.MAX_VALUE). */
    private static void checkScans(Snapshot s, List<String> problems) {
        Map<VolumeSpace, List<BlockSummary>> fromReads = new HashMap<>();
        s.blocks().values().stream().sorted(Comparator.comparing(Block::address))
                .filter(b -> b.address().blockNo() < Long.MAX_VALUE)
                .forEach(b -> fromReads.computeIfAbsent(new VolumeSpace(b.address().volume(), b.address().space()),
                        vs -> new ArrayList<>()).add(new BlockSummary(b.address().blockNo(), b.version(), b.crc32c())));
        for (var e : s.scans().entrySet()) {
            List<BlockSummary> expected = fromReads.getOrDefault(e.getKey(), List.of());
            if (!expected.equals(e.getValue())) {
                problems.add("SCAN of " + e.getKey() + " lists " + e.getValue() + " but READs found " + expected);
            }
        }
    }
}
