package io.cacdb.dax.bench;

import io.cacdb.dax.block.Block;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.DaxClientConfig;
import io.cacdb.dax.cluster.ClusterMap;
import io.cacdb.dax.cluster.ClusterMapFile;
import io.cacdb.dax.local.LocalDaxCluster;
import io.cacdb.dax.transport.NetworkConditions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * {@code ./cacdb dax-bench}: quorum writes and optimistic ({@code readAtLeast}) reads of fixed-size blocks against a
 * DAX cluster, closed loop with a number of concurrent clients, and — in the same run — single synced RocksDB puts
 * as the reference, so the effect of the servers' group commit shows as a ratio.
 *
 * <p>Phases: warm-up writes (not counted), a write phase, a read phase over the blocks the write phase wrote (each
 * read asks for at least the version last written). Each client owns a disjoint range of block numbers, so versions
 * of a block only grow. Latencies are recorded per operation in HdrHistogram; progress is printed every second.
 */
public final class DaxBench {

    /** Blocks each client cycles through: enough that reads are spread out, few enough that the cache matters. */
    static final int BLOCKS_PER_CLIENT = 512;
    /** Volume the benchmark writes; a fixed id so repeated runs against one cluster reuse it. */
    static final long BENCH_VOLUME = 4_242;
    /** Epoch of the benchmark writer: the lowest a writer uses, so a real database's later fence wins. */
    static final long BENCH_EPOCH = 1;
    /** Longest a latency is recorded as, in microseconds: an operation over a minute is an error anyway. */
    static final long MAX_RECORDED_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(1);
    /** How long the local RocksDB reference runs: long enough for a stable rate, short next to the phases. */
    static final Duration REFERENCE_DURATION = Duration.ofSeconds(3);

    /** What to run. {@code clusterFile} null means start a local 9-server, 3-zone cluster. */
    public record Options(Path clusterFile, LocalDaxCluster.Mode localMode, Duration phase, Duration warmup,
            int clients, int blockBytes, Duration zoneDelay, String clientZone) {
        public Options {
            Objects.requireNonNull(localMode, "localMode");
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(warmup, "warmup");
            Objects.requireNonNull(zoneDelay, "zoneDelay");
            Objects.requireNonNull(clientZone, "clientZone");
            if (clients < 1 || clients > 4096) {
                throw new IllegalArgumentException("clients must be in 1..4096, was " + clients);
            }
            if (blockBytes < 1 || blockBytes > io.cacdb.dax.wire.WireLimits.MAX_BLOCK_PAYLOAD_BYTES) {
                throw new IllegalArgumentException("block bytes must be in 1.."
                        + io.cacdb.dax.wire.WireLimits.MAX_BLOCK_PAYLOAD_BYTES + ", was " + blockBytes);
            }
            if (phase.isNegative() || phase.isZero()) {
                throw new IllegalArgumentException("phase duration must be positive, was " + phase);
            }
            if (zoneDelay.isNegative()) {
                throw new IllegalArgumentException("zone delay must be >= 0, was " + zoneDelay);
            }
        }
    }

    /** One phase's numbers. */
    public record PhaseResult(long operations, long errors, double opsPerSecond, double p50Millis, double p99Millis,
            double maxMillis) {
    }

    /** The whole run; {@link #toJson()} is the {@code --json} output. */
    public record Result(Options options, int servers, int replicas, int writeQuorum, int readQuorum,
            PhaseResult writes, PhaseResult reads, double localSyncedPutOpsPerSecond) {

        public double groupCommitRatio() {
            return localSyncedPutOpsPerSecond == 0 ? 0 : writes.opsPerSecond() / localSyncedPutOpsPerSecond;
        }

        public String toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("write_ops_per_s", round(writes.opsPerSecond()));
            m.put("write_p50_ms", round(writes.p50Millis()));
            m.put("write_p99_ms", round(writes.p99Millis()));
            m.put("write_max_ms", round(writes.maxMillis()));
            m.put("write_errors", writes.errors());
            m.put("read_ops_per_s", round(reads.opsPerSecond()));
            m.put("read_p50_ms", round(reads.p50Millis()));
            m.put("read_p99_ms", round(reads.p99Millis()));
            m.put("read_max_ms", round(reads.maxMillis()));
            m.put("read_errors", reads.errors());
            m.put("local_synced_put_ops_per_s", round(localSyncedPutOpsPerSecond));
            m.put("quorum_writes_per_local_synced_put", round(groupCommitRatio()));
            m.put("servers", servers);
            m.put("replicas", replicas);
            m.put("write_quorum", writeQuorum);
            m.put("read_quorum", readQuorum);
            m.put("clients", options.clients());
            m.put("block_bytes", options.blockBytes());
            m.put("zone_delay_ms", options.zoneDelay().toMillis());
            m.put("phase_seconds", options.phase().toSeconds());
            m.put("cluster", options.clusterFile() == null ? "local-" + options.localMode().name().toLowerCase()
                    : options.clusterFile().toString());
            m.put("cores", Runtime.getRuntime().availableProcessors());
            StringBuilder sb = new StringBuilder("{\n");
            int i = 0;
            for (Map.Entry<String, Object> e : m.entrySet()) {
                sb.append("  \"").append(e.getKey()).append("\": ");
                Object v = e.getValue();
                sb.append(v instanceof String s ? "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : v);
                sb.append(++i < m.size() ? ",\n" : "\n");
            }
            return sb.append("}\n").toString();
        }

        private static double round(double v) {
            return Math.round(v * 100.0) / 100.0;
        }
    }

    private DaxBench() {
    }

    public static Result run(Options options, PrintStream out) throws IOException, InterruptedException {
        LocalDaxCluster local = null;
        try {
            ClusterMap map;
            if (options.clusterFile() == null) {
                out.printf("dax-bench: starting a local 9-server, 3-zone DAX cluster (%s)%n",
                        options.localMode().name().toLowerCase());
                local = LocalDaxCluster.start(LocalDaxCluster.Options.defaults(options.localMode()));
                map = local.clusterMap();
                out.printf("dax-bench: cluster up in %s%n", local.baseDir());
            } else {
                map = ClusterMapFile.read(options.clusterFile());
            }
            NetworkConditions network = new NetworkConditions(options.zoneDelay());
            try (DaxClient client = DaxClient.create(map, DaxClientConfig.defaults(options.clientZone()),
                    new SimpleMeterRegistry(), network)) {
                createVolumeWhenServersAnswer(client, out);
                out.printf("dax-bench: %d servers, N=%d W=%d R=%d, %d clients, %d-byte blocks, zone delay %d ms%n",
                        map.servers().size(), map.quorum().replicas(), map.quorum().writeQuorum(),
                        map.quorum().readQuorum(), options.clients(), options.blockBytes(),
                        options.zoneDelay().toMillis());
                Workload workload = new Workload(client, options);
                if (!options.warmup().isZero()) {
                    runPhase("warm-up", workload, Phase.WRITE, options.warmup(), out);
                }
                PhaseResult writes = runPhase("writes", workload, Phase.WRITE, options.phase(), out);
                PhaseResult reads = runPhase("reads", workload, Phase.READ, options.phase(), out);
                if (local != null) {
                    local.close();
                    local = null;
                }
                out.printf("dax-bench: reference: one synced RocksDB put per operation, %d s%n",
                        REFERENCE_DURATION.toSeconds());
                double reference = localSyncedPuts(options.blockBytes(), REFERENCE_DURATION);
                Result result = new Result(options, map.servers().size(), map.quorum().replicas(),
                        map.quorum().writeQuorum(), map.quorum().readQuorum(), writes, reads, reference);
                printSummary(result, out);
                return result;
            }
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }

    /** How long freshly started servers may take to answer (child JVMs with a cold JIT on a loaded machine). */
    static final Duration SERVERS_READY_TIMEOUT = Duration.ofSeconds(60);

    /** Creates the benchmark volume, retrying while servers are still too cold to answer within a request timeout. */
    private static void createVolumeWhenServersAnswer(DaxClient client, PrintStream out) throws InterruptedException {
        long deadline = System.nanoTime() + SERVERS_READY_TIMEOUT.toNanos();
        while (true) {
            try {
                client.createVolume(BENCH_VOLUME).join();
                return;
            } catch (java.util.concurrent.CompletionException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("DAX servers did not answer within " + SERVERS_READY_TIMEOUT, e);
                }
                out.println("dax-bench: servers not answering yet (" + e.getCause().getMessage() + "); retrying");
            }
        }
    }

    enum Phase { WRITE, READ }

    /** Per-client state: its block range, the version last written to each block, a payload buffer. */
    private static final class Workload {
        final DaxClient client;
        final Options options;
        final long[][] lastVersion;
        final AtomicLong[] sequences;

        Workload(DaxClient client, Options options) {
            this.client = client;
            this.options = options;
            this.lastVersion = new long[options.clients()][BLOCKS_PER_CLIENT];
            this.sequences = new AtomicLong[options.clients()];
            for (int i = 0; i < sequences.length; i++) {
                sequences[i] = new AtomicLong();
            }
        }

        BlockAddress address(int clientNo, int slot) {
            return BlockAddress.page(BENCH_VOLUME, (long) clientNo * BLOCKS_PER_CLIENT + slot);
        }

        /** One operation of client {@code clientNo}; true on success. */
        void operate(Phase phase, int clientNo, SplittableRandom random, byte[] payload) {
            if (phase == Phase.WRITE) {
                long seq = sequences[clientNo].incrementAndGet();
                int slot = (int) (seq % BLOCKS_PER_CLIENT);
                for (int i = 0; i < 8 && i < payload.length; i++) {
                    payload[i] = (byte) (seq >>> (8 * i));
                }
                client.write(BENCH_EPOCH, Block.of(address(clientNo, slot), Version.ofPage(seq), payload.clone()))
                        .join();
                lastVersion[clientNo][slot] = seq;
            } else {
                int slot = random.nextInt(BLOCKS_PER_CLIENT);
                long v = lastVersion[clientNo][slot];
                if (v == 0) {
                    // never written in the write phase (a very short run): read something that was
                    slot = (int) (sequences[clientNo].get() % BLOCKS_PER_CLIENT);
                    v = lastVersion[clientNo][slot];
                }
                var block = client.readAtLeast(address(clientNo, slot), Version.ofPage(v)).join();
                if (block.isEmpty() || block.get().version().minor() < v) {
                    throw new IllegalStateException("readAtLeast returned " + block + " for version " + v);
                }
            }
        }
    }

    private static PhaseResult runPhase(String name, Workload workload, Phase phase, Duration duration,
            PrintStream out) throws InterruptedException {
        int clients = workload.options.clients();
        Recorder recorder = new Recorder(MAX_RECORDED_LATENCY_MICROS, 3);
        AtomicLong errors = new AtomicLong();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(clients);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int clientNo = c;
            threads.add(Thread.ofPlatform().name("dax-bench-" + name + "-" + c).daemon(true).start(() -> {
                SplittableRandom random = new SplittableRandom(clientNo * 7919L + phase.ordinal());
                byte[] payload = new byte[workload.options.blockBytes()];
                random.nextBytes(payload);
                try {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        try {
                            workload.operate(phase, clientNo, random, payload);
                            recorder.recordValue(Math.min(MAX_RECORDED_LATENCY_MICROS,
                                    (System.nanoTime() - start) / 1_000));
                        } catch (RuntimeException e) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, e);
                        }
                    }
                } finally {
                    done.countDown();
                }
            }));
        }
        Histogram total = new Histogram(MAX_RECORDED_LATENCY_MICROS, 3);
        Histogram interval = null;
        long startNanos = System.nanoTime();
        long endNanos = startNanos + duration.toNanos();
        int second = 0;
        while (System.nanoTime() < endNanos) {
            long nextTick = Math.min(endNanos, startNanos + TimeUnit.SECONDS.toNanos(++second));
            long waitNanos = nextTick - System.nanoTime();
            if (waitNanos > 0 && done.await(waitNanos, TimeUnit.NANOSECONDS)) {
                break; // every client stopped on its own: nothing more to measure
            }
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
            out.printf("dax-bench: %-7s t=%3ds %8d ops/s  p50 %6.2f ms  p99 %6.2f ms  errors %d%n", name, second,
                    interval.getTotalCount(), interval.getValueAtPercentile(50) / 1000.0,
                    interval.getValueAtPercentile(99) / 1000.0, errors.get());
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        stop.set(true);
        if (!done.await(1, TimeUnit.MINUTES)) {
            throw new IllegalStateException("benchmark clients did not stop within a minute");
        }
        total.add(recorder.getIntervalHistogram(interval));
        if (firstError.get() != null) {
            out.printf("dax-bench: %s: %d errors, first: %s%n", name, errors.get(), firstError.get());
        }
        return new PhaseResult(total.getTotalCount(), errors.get(), total.getTotalCount() / seconds,
                total.getValueAtPercentile(50) / 1000.0, total.getValueAtPercentile(99) / 1000.0,
                total.getMaxValue() / 1000.0);
    }

    /** Single-threaded synced puts of {@code blockBytes} into a fresh local RocksDB: the no-group-commit baseline. */
    static double localSyncedPuts(int blockBytes, Duration duration) throws IOException {
        Path dir = Files.createTempDirectory("cacdb-dax-bench-ref-");
        RocksDB.loadLibrary();
        byte[] value = new byte[blockBytes];
        new SplittableRandom(1).nextBytes(value);
        long ops = 0;
        long start = System.nanoTime();
        try (org.rocksdb.Options o = new org.rocksdb.Options().setCreateIfMissing(true);
             WriteOptions sync = new WriteOptions().setSync(true);
             RocksDB db = RocksDB.open(o, dir.toString())) {
            long end = start + duration.toNanos();
            byte[] key = new byte[8];
            while (System.nanoTime() < end) {
                for (int i = 0; i < 8; i++) {
                    key[i] = (byte) (ops >>> (56 - 8 * i));
                }
                db.put(sync, key, value);
                ops++;
            }
        } catch (RocksDBException e) {
            throw new IOException("reference RocksDB in " + dir + " failed: " + e.getMessage(), e);
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return ops / ((System.nanoTime() - start) / 1e9);
    }

    private static void printSummary(Result r, PrintStream out) {
        out.println("dax-bench: summary");
        out.printf("  quorum writes  %9.0f ops/s   p50 %6.2f ms   p99 %6.2f ms   max %7.2f ms   errors %d%n",
                r.writes().opsPerSecond(), r.writes().p50Millis(), r.writes().p99Millis(), r.writes().maxMillis(),
                r.writes().errors());
        out.printf("  readAtLeast    %9.0f ops/s   p50 %6.2f ms   p99 %6.2f ms   max %7.2f ms   errors %d%n",
                r.reads().opsPerSecond(), r.reads().p50Millis(), r.reads().p99Millis(), r.reads().maxMillis(),
                r.reads().errors());
        out.printf("  local synced RocksDB put (1 thread, reference): %.0f ops/s; quorum writes / reference = %.2f%n",
                r.localSyncedPutOpsPerSecond(), r.groupCommitRatio());
    }
}
