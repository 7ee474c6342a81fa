package io.cacdb.archive;

import static io.cacdb.archive.ArchiveTestDb.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cacdb.archive.backup.Backup;
import io.cacdb.archive.backup.BackupManifest;
import io.cacdb.archive.log.ArchiverConfig;
import io.cacdb.archive.restore.Restore;
import io.cacdb.archive.restore.RestoreTarget;
import io.cacdb.archive.s3.S3Store;
import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.DaxClientConfig;
import io.cacdb.dax.local.LocalDaxCluster;
import io.cacdb.engine.Database;
import io.cacdb.engine.DatabaseTransaction;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.table.RowCursor;
import io.cacdb.engine.table.ScanSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archive throughput, backup time and restore time (docs/benchmarks.md). Not in the suite ({@code slow}); run with
 * {@code ./mvnw -B -o -pl archive -am test -Pslow -Dtest=ArchiveBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dcacdb.archive.bench.mib=256}. S3Proxy keeps its objects on disk; the 9 DAX servers run in this JVM.
 *
 * <p>Steps: load rows of {@link #ROW_BYTES} bytes until the table holds the requested size while S3 is down (the
 * retention floor holds the whole log in DAX), then bring S3 back and time the archiver's catch-up over that backlog
 * (its throughput, not the load's); checkpoint; time a backup; time a restore into a new volume up to the end of the
 * archive, and the first open of the restored volume (recovery); check the row count.
 */
@Tag("slow")
class ArchiveBenchmarkTest {

    static final int ROW_BYTES = 1000;
    static final int ROWS_PER_TXN = 100;

    @Test
    void archiveBackupRestore(@TempDir Path dir) throws Exception {
        long mib = Long.getLong("cacdb.archive.bench.mib", 64);
        long rows = (mib << 20) / ROW_BYTES;
        try (S3ProxyServer s3 = S3ProxyServer.startOnDisk(Files.createDirectories(dir.resolve("s3")));
             LocalDaxCluster dax = LocalDaxCluster.start(LocalDaxCluster.Options
                     .defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir.resolve("dax")));
             DaxClient client = DaxClient.create(dax.clusterMap(), DaxClientConfig.builder("a").requestTimeout(ArchiveTestDb.DAX_REQUEST_TIMEOUT).build(),
                     new SimpleMeterRegistry())) {
            s3.createBucket("bench");
            S3Store store = S3Store.open(s3.config("bench", "bench"));
            ArchiveTestDb a = new ArchiveTestDb(client, 91, 1, store, ArchiverConfig.defaults());
            a.createTable();
            a.awaitArchived();
            s3.stop();
            long t0 = System.nanoTime();
            String pad = "p".repeat(ROW_BYTES - 20);
            for (long id = 0; id < rows; id += ROWS_PER_TXN) {
                try (DatabaseTransaction t = a.db.begin(IsolationLevel.SERIALIZABLE, false)) {
                    for (long i = id; i < Math.min(rows, id + ROWS_PER_TXN); i++) {
                        t.insert(ArchiveTestDb.TABLE, Row.of(i, pad));
                    }
                    t.commit();
                }
            }
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            long backlogFrom = a.archiver.archivedLsn();
            long logEnd = a.durableLsn();
            s3.start();
            long t1 = System.nanoTime();
            a.awaitArchivedWithin(Duration.ofMinutes(30));
            double archiveSeconds = (System.nanoTime() - t1) / 1e9;
            double archivedMib = (a.archiver.archivedLsn() - backlogFrom) / (double) (1 << 20);

            a.db.engine().bufferPool().flushAll(WAIT);
            a.db.engine().checkpointer().checkpoint();
            long t2 = System.nanoTime();
            BackupManifest b = Backup.create(client, 91, store, Clock.systemUTC(), Duration.ofMinutes(5));
            double backupSeconds = (System.nanoTime() - t2) / 1e9;
            a.awaitArchived();
            long end = a.archiver.archivedLsn();
            a.close();

            long t3 = System.nanoTime();
            Restore.Result r = Restore.run(client, store, b.id(), new RestoreTarget.ToLsn(end), 92);
            double restoreSeconds = (System.nanoTime() - t3) / 1e9;
            long t4 = System.nanoTime();
            long count = 0;
            try (Database restored = ArchiveTestDb.openPlain(client, 92, 2)) {
                double openSeconds = (System.nanoTime() - t4) / 1e9;
                try (DatabaseTransaction t = restored.begin(IsolationLevel.SERIALIZABLE, true);
                     RowCursor c = t.scan(ArchiveTestDb.TABLE, ScanSpec.primary())) {
                    while (c.next()) {
                        count++;
                    }
                }
                double dbMib = b.pages() * 8192.0 / (1 << 20);
                System.out.printf("ARCHIVE-BENCH rows=%d rowBytes=%d load=%.1fs log=%.1fMiB%n", rows, ROW_BYTES,
                        loadSeconds, (logEnd - backlogFrom) / (double) (1 << 20));
                System.out.printf("ARCHIVE-BENCH archive catch-up: %.1f MiB in %.1f s = %.1f MiB/s%n", archivedMib,
                        archiveSeconds, archivedMib / archiveSeconds);
                System.out.printf("ARCHIVE-BENCH backup: %d pages = %.1f MiB in %.1f s = %.1f MiB/s%n", b.pages(),
                        dbMib, backupSeconds, dbMib / backupSeconds);
                System.out.printf("ARCHIVE-BENCH restore: %d pages + %d log blocks in %.1f s; first open (recovery)"
                        + " %.1f s%n", r.pages(), r.logBlocks(), restoreSeconds, openSeconds);
            }
            assertEquals(rows, count, "every row is in the restored volume");
            store.close();
        }
    }
}
