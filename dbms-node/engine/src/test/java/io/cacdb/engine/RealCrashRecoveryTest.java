package io.cacdb.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.DaxClientConfig;
import io.cacdb.dax.cluster.ClusterMapFile;
import io.cacdb.dax.local.LocalDaxCluster;
import io.cacdb.engine.mtr.Seeds;
import io.cacdb.engine.volume.DaxVolume;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery for real: a child JVM ({@link BankCrashChild}) runs the bank workload against a local DAX cluster
 * (servers in this JVM) and prints each acknowledged transfer; the test SIGKILLs it at a seeded moment, fences a
 * higher epoch, opens the volume here, recovers, and checks the bank invariant and that every acknowledged transfer is
 * present. Several rounds on one volume, each a new child at a new epoch.
 */
class RealCrashRecoveryTest {

    static final long VOLUME = 31;
    static final int ACCOUNTS = 10;
    static final long INITIAL = 100_000;
    static final int ROUNDS = 5;
    static final long CHILD_WAIT_SECONDS = 60;

    @Test
    void sigkilledEngineLosesNoAcknowledgedTransfer(@TempDir Path dir) throws Exception {
        long seed = Seeds.seed("RealCrashRecoveryTest");
        SplittableRandom r = new SplittableRandom(seed);
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        try (LocalDaxCluster servers = LocalDaxCluster.start(
                LocalDaxCluster.Options.defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir.resolve("dax")));
             DaxClient client = DaxClient.create(servers.clusterMap(), DaxClientConfig.defaults("a"),
                     new SimpleMeterRegistry())) {
            client.createVolume(VOLUME).get(30, TimeUnit.SECONDS);
            Path mapFile = dir.resolve("cluster.map");
            ClusterMapFile.write(mapFile, servers.clusterMap());
            long epoch = 1;
            for (int round = 0; round < ROUNDS; round++) {
                int killAfter = 1 + r.nextInt(200);
                int acks = runChildAndKill(mapFile, epoch, r.nextLong(), killAfter, acknowledged, dir);
                epoch++;
                client.fence(VOLUME, epoch).get(30, TimeUnit.SECONDS);
                try (Engine engine = Engine.open(DaxVolume.writer(client, VOLUME, epoch), EngineConfig.defaults(),
                        new SimpleMeterRegistry())) {
                    new Bank(engine).verify(ACCOUNTS, INITIAL, acknowledged, List.of());
                    System.out.println("RealCrashRecoveryTest: round " + round + ": killed after " + acks
                            + " acknowledgements (target " + killAfter + "); recovery redid "
                            + engine.recoveryReport().redo().pageChangesApplied() + " page changes and rolled back "
                            + engine.recoveryReport().undo().losersRolledBack() + " losers; "
                            + acknowledged.size() + " acknowledged transfers all present");
                }
                epoch++;
            }
            assertTrue(acknowledged.size() >= ROUNDS, "every round acknowledged transfers");
        }
    }

    /** Starts the child at {@code epoch}, waits for {@code killAfter} acknowledgements, SIGKILLs it. */
    private int runChildAndKill(Path mapFile, long epoch, long seed, int killAfter, Set<Long> acknowledged, Path dir)
            throws Exception {
        Path logConfig = Path.of(RealCrashRecoveryTest.class.getResource("/logback-child.xml").toURI());
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-Dlogback.configurationFile=" + logConfig,
                "-cp", System.getProperty("java.class.path"),
                BankCrashChild.class.getName(), mapFile.toString(), Long.toString(VOLUME), Long.toString(epoch),
                Long.toString(seed), Integer.toString(ACCOUNTS), Long.toString(INITIAL)));
        Path stderr = dir.resolve("child-" + epoch + ".err");
        Process child = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        ReentrantLock lock = new ReentrantLock();
        Condition progress = lock.newCondition();
        AtomicInteger acks = new AtomicInteger();
        CountDownLatch eof = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().name("child-stdout").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("ACK ")) {
                        acknowledged.add(Long.parseLong(line.substring(4).trim()));
                        acks.incrementAndGet();
                        lock.lock();
                        try {
                            progress.signalAll();
                        } finally {
                            lock.unlock();
                        }
                    }
                }
            } catch (IOException e) {
                // The stream ends abruptly when the child is killed; what was read is what counts.
            } finally {
                eof.countDown();
                lock.lock();
                try {
                    progress.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        });
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_WAIT_SECONDS);
            lock.lock();
            try {
                while (acks.get() < killAfter && eof.getCount() > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    progress.awaitNanos(left);
                }
            } finally {
                lock.unlock();
            }
            assertTrue(acks.get() >= killAfter, "child acknowledged only " + acks.get() + " of " + killAfter
                    + " transfers before " + (eof.getCount() == 0 ? "it exited" : "the deadline") + "; stderr: "
                    + tail(stderr));
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(CHILD_WAIT_SECONDS, TimeUnit.SECONDS), "child did not die");
            assertTrue(eof.await(CHILD_WAIT_SECONDS, TimeUnit.SECONDS), "child stdout not drained");
            reader.join(TimeUnit.SECONDS.toMillis(CHILD_WAIT_SECONDS));
        }
        return acks.get();
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
