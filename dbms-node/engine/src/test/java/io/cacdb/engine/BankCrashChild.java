package io.cacdb.engine;

import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.DaxClientConfig;
import io.cacdb.dax.cluster.ClusterMapFile;
import io.cacdb.engine.volume.DaxVolume;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The child process of {@link RealCrashRecoveryTest}: fences the volume to its epoch, opens the engine on the DAX
 * cluster named by a cluster map file, creates the bank if needed, prints {@code READY}, then runs transfers from
 * several threads forever, printing {@code ACK <id>} to stdout after each commit returned (so: durable). The test
 * kills it with SIGKILL at a moment of its choosing.
 *
 * <p>Arguments: clusterMapFile volume epoch seed accounts initialBalance.
 */
public final class BankCrashChild {

    static final int THREADS = 3;

    private BankCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path mapFile = Path.of(args[0]);
        long volume = Long.parseLong(args[1]);
        long epoch = Long.parseLong(args[2]);
        long seed = Long.parseLong(args[3]);
        int accounts = Integer.parseInt(args[4]);
        long initial = Long.parseLong(args[5]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        DaxClient client = DaxClient.create(ClusterMapFile.read(mapFile), DaxClientConfig.defaults("a"),
                new SimpleMeterRegistry());
        client.openVolume(volume);
        client.fence(volume, epoch).get(30, TimeUnit.SECONDS);
        EngineConfig config = EngineConfig.defaults().withBufferPoolFrames(256)
                .withCheckpointInterval(java.time.Duration.ofMillis(200));
        Engine engine = Engine.open(DaxVolume.writer(client, volume, epoch), config, new SimpleMeterRegistry());
        Bank bank = new Bank(engine, 100);
        bank.createIfAbsent(accounts, initial);
        out.println("READY");
        Thread[] threads = new Thread[THREADS];
        for (int w = 0; w < THREADS; w++) {
            long workerSeed = new SplittableRandom(seed).split().nextLong() + w;
            long base = (epoch << 40) | ((long) w << 32);
            threads[w] = Thread.ofPlatform().name("bank-" + w).start(() -> {
                SplittableRandom r = new SplittableRandom(workerSeed);
                for (long i = 0; ; i++) {
                    int from = r.nextInt(accounts);
                    int to = (from + 1 + r.nextInt(accounts - 1)) % accounts;
                    long id = base + i;
                    if (bank.transfer(id, from, to, 1 + r.nextInt(100), Bank.Kind.COMMIT)) {
                        out.println("ACK " + id);
                    }
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}
