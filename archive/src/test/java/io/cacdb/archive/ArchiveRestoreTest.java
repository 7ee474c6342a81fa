package io.cacdb.archive;

import static io.cacdb.archive.ArchiveTestDb.WAIT;
import static io.cacdb.archive.ArchiveTestDb.await;
import static io.cacdb.archive.ArchiveTestDb.ids;
import static io.cacdb.archive.ArchiveTestDb.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.archive.backup.Backup;
import io.cacdb.archive.backup.BackupManifest;
import io.cacdb.archive.backup.Backups;
import io.cacdb.archive.log.ArchivedLog;
import io.cacdb.archive.log.ArchiverConfig;
import io.cacdb.archive.log.LogArchiveManifest;
import io.cacdb.archive.restore.Restore;
import io.cacdb.archive.restore.RestoreTarget;
import io.cacdb.archive.s3.ArchiveException;
import io.cacdb.archive.s3.ObjectCorruptException;
import io.cacdb.archive.s3.ObjectMissingException;
import io.cacdb.archive.s3.S3Store;
import io.cacdb.dax.block.BlockAddress;
import io.cacdb.dax.block.Version;
import io.cacdb.dax.client.DaxClient;
import io.cacdb.dax.client.DaxClientConfig;
import io.cacdb.dax.local.LocalDaxCluster;
import io.cacdb.engine.Database;
import io.cacdb.engine.DatabaseTransaction;
import io.cacdb.engine.checkpoint.Checkpointer;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.volume.DaxVolume;
import io.cacdb.engine.volume.ReadConsistency;
import io.cacdb.engine.wal.LogBlock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive against real parts: S3Proxy (checks signatures) started here, a 9-server DAX cluster in this JVM, the
 * engine on DAX volumes with the archiver wired as the node wires it.
 */
class ArchiveRestoreTest {

    static final String BUCKET = "cacdb-archive-test";
    /** Fast pacing so a test does not wait for the 1 s default interval or a 10 s backoff. */
    static final ArchiverConfig FAST = ArchiverConfig.defaults().withUploadInterval(Duration.ofMillis(100))
            .withBackoff(Duration.ofMillis(50), Duration.ofMillis(400));

    static S3ProxyServer s3;
    static LocalDaxCluster dax;
    static DaxClient client;

    @BeforeAll
    static void start() {
        s3 = S3ProxyServer.startNew();
        s3.createBucket(BUCKET);
        dax = LocalDaxCluster.startInProcess();
        client = DaxClient.create(dax.clusterMap(), DaxClientConfig.builder("a").requestTimeout(ArchiveTestDb.DAX_REQUEST_TIMEOUT).build(), new SimpleMeterRegistry());
    }

    @AfterAll
    static void stop() {
        client.close();
        dax.close();
        s3.close();
    }

    static S3Store store(String prefix) {
        return S3Store.open(s3.config(BUCKET, prefix));
    }

    /** Waits until the wall clock's microseconds have passed {@code micros}: the next commit is strictly later. */
    static long pointInTime() {
        long t = System.currentTimeMillis() * 1000;
        while (System.currentTimeMillis() * 1000 <= t) {
            Thread.onSpinWait();
        }
        return t;
    }

    @Test
    void pointInTimeRestoreGivesExactlyTheTransactionsCommittedBeforeThePoint() throws Exception {
        try (S3Store store = store("pitr")) {
            long[] lsnAfter = new long[121];
            long[] timeAfter = new long[121];
            long archivedAtEnd;
            String backupId;
            try (ArchiveTestDb a = new ArchiveTestDb(client, 51, 1, store, FAST)) {
                a.createTable();
                a.createTable(ArchiveTestDb.OTHER_TABLE);
                // begun before the backup's checkpoint and never committed: a loser at every point, whose first
                // records lie below the checkpoint's redo start (its own table: it takes no lock the rest needs)
                DatabaseTransaction early = a.db.begin(IsolationLevel.SERIALIZABLE, false);
                early.insert(ArchiveTestDb.OTHER_TABLE, Row.of(1L, "never committed"));
                for (long id = 1; id <= 30; id++) {
                    a.insert(id);
                }
                // pages in DAX and a checkpoint past the start: the restore redoes from the middle of the log
                a.db.engine().bufferPool().flushAll(WAIT);
                a.db.engine().checkpointer().checkpoint();
                // the backup copies pages while transactions keep committing: a fuzzy copy
                CompletableFuture<BackupManifest> backup = CompletableFuture.supplyAsync(() ->
                        Backup.create(client, 51, store, Clock.systemUTC(), WAIT));
                for (long id = 31; id <= 60; id++) {
                    a.insert(id);
                }
                BackupManifest b = backup.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                backupId = b.id();
                assertTrue(b.pages() > 0 && b.startLsn() > 0 && b.endLsn() >= b.startLsn(), "backup " + b);
                // an open transaction spans point 80 and commits before point 100
                DatabaseTransaction open = a.db.begin(IsolationLevel.SERIALIZABLE, false);
                open.insert(ArchiveTestDb.TABLE, Row.of(0L, "spans the points")); // below every key: no lock waits
                for (long id = 61; id <= 120; id++) {
                    a.insert(id);
                    lsnAfter[(int) id] = a.durableLsn();
                    timeAfter[(int) id] = pointInTime();
                    if (id == 90) {
                        open.commit();
                        open.close();
                    }
                }
                a.awaitArchived();
                archivedAtEnd = a.archiver.archivedLsn();
                early.close(); // rolled back after every point
            }

            TreeSet<Long> upTo80 = range(1, 80);
            Restore.Result byTime = Restore.run(client, store, backupId, new RestoreTarget.ToTime(timeAfter[80]), 52);
            try (Database r = ArchiveTestDb.openPlain(client, 52, 2)) {
                assertEquals(new TreeSet<Long>(), ids(r, ArchiveTestDb.OTHER_TABLE), "the early loser is rolled back");
                assertEquals(upTo80, ids(r), "restored to the time after commit 80 (cut at LSN " + byTime.cutLsn()
                        + "): the transaction open across it is not there");
            }
            TreeSet<Long> upTo100 = range(1, 100);
            upTo100.add(0L);
            Restore.run(client, store, backupId, new RestoreTarget.ToLsn(lsnAfter[100]), 53);
            try (Database r = ArchiveTestDb.openPlain(client, 53, 2)) {
                assertEquals(new TreeSet<Long>(), ids(r, ArchiveTestDb.OTHER_TABLE), "the early loser is rolled back");
                assertEquals(upTo100, ids(r), "restored to the LSN after commit 100");
            }
            TreeSet<Long> all = range(1, 120);
            all.add(0L);
            Restore.run(client, store, backupId, new RestoreTarget.ToLsn(archivedAtEnd), 54);
            try (Database r = ArchiveTestDb.openPlain(client, 54, 2)) {
                assertEquals(new TreeSet<Long>(), ids(r, ArchiveTestDb.OTHER_TABLE), "the early loser is rolled back");
                assertEquals(all, ids(r), "restored to the end of the archive");
            }
        }
    }

    @Test
    void retentionFloorHoldsTheLogInDaxWhileS3IsDown() {
        try (S3Store store = store("floor"); ArchiveTestDb a = new ArchiveTestDb(client, 61, 1, store, FAST)) {
            a.createTable();
            for (long id = 1; id <= 50; id++) {
                a.insert(id);
            }
            a.awaitArchived();
            long held;
            s3.stop();
            try {
                held = a.archiver.archivedLsn();
                for (long id = 51; id <= 400; id++) {
                    a.insert(id, id + 10_000);
                }
                waitFor(() -> a.registry.counter("cacdb.archive.upload.failures").count() > 0,
                        "an upload failure to be counted");
                assertEquals(held, a.archiver.archivedLsn(), "nothing is archived while S3 is down");
                assertTrue(a.registry.get("cacdb.archive.lag.bytes").gauge().value() > 0, "the lag is reported");
                a.db.engine().bufferPool().flushAll(WAIT);
                Checkpointer.Result c = a.db.engine().checkpointer().checkpoint();
                assertTrue(c.redoStartLsn() > held, "the checkpoint alone would allow truncating past the archive"
                        + " point " + held + ": " + c);
                a.db.engine().checkpointer().checkpoint(); // a second round: the first one's deletion has completed
                assertTrue(truncatedBelow(a) <= held, "the log is kept from the archive point " + held + ", truncated"
                        + " below " + truncatedBelow(a));
                assertTrue(await(DaxVolume.reader(client, 61).read(BlockAddress.log(61, LogBlock.blockOf(held)),
                        ReadConsistency.QUORUM, Version.ZERO)).isPresent(), "the block of the archive point is in"
                        + " DAX");
            } finally {
                s3.start();
            }
            a.awaitArchived();
            a.db.engine().bufferPool().flushAll(WAIT);
            waitFor(() -> {
                a.db.engine().checkpointer().checkpoint();
                return truncatedBelow(a) > held;
            }, "the log to be truncated past " + held + " once archived");
        }
    }

    @Test
    void restoreFromBackupAndLogAfterLosingEveryDaxServerGivesBackEveryAcknowledgedCommit(@TempDir Path dir)
            throws Exception {
        long volume = 71;
        TreeSet<Long> acknowledged = new TreeSet<>();
        String backupId;
        long archived;
        try (S3Store store = store("lost-tier")) {
            Path daxDir = dir.resolve("dax");
            try (LocalDaxCluster tier = LocalDaxCluster.start(LocalDaxCluster.Options
                    .defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(daxDir));
                 DaxClient c = DaxClient.create(tier.clusterMap(), DaxClientConfig.builder("a").requestTimeout(ArchiveTestDb.DAX_REQUEST_TIMEOUT).build(),
                         new SimpleMeterRegistry())) {
                await(c.createVolume(volume));
                ArchiveTestDb a = new ArchiveTestDb(c, volume, 1, store, FAST);
                try {
                    a.createTable();
                    for (long id = 1; id <= 100; id++) {
                        a.insert(id);
                        acknowledged.add(id);
                    }
                    backupId = Backup.create(c, volume, store, Clock.systemUTC(), WAIT).id();
                    for (long id = 101; id <= 250; id++) {
                        a.insert(id);
                        acknowledged.add(id);
                    }
                    a.awaitArchived();
                    archived = a.archiver.archivedLsn();
                } finally {
                    a.archiver.close();
                    a.db.engine().closeAbruptly();
                }
            }
            try (Stream<Path> files = Files.walk(daxDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            assertTrue(!Files.exists(daxDir), "every DAX server's data is gone");
            try (LocalDaxCluster fresh = LocalDaxCluster.start(LocalDaxCluster.Options
                    .defaults(LocalDaxCluster.Mode.IN_PROCESS).withBaseDir(dir.resolve("dax-new")));
                 DaxClient c = DaxClient.create(fresh.clusterMap(), DaxClientConfig.builder("a").requestTimeout(ArchiveTestDb.DAX_REQUEST_TIMEOUT).build(),
                         new SimpleMeterRegistry())) {
                Restore.Result r = Restore.run(c, store, backupId, new RestoreTarget.ToLsn(archived), volume);
                try (Database db = ArchiveTestDb.openPlain(c, volume, 2)) {
                    assertEquals(acknowledged, ids(db), "every acknowledged commit is back (restored " + r + ")");
                }
            }
        }
    }

    @Test
    void missingAndCorruptObjectsGapsBadTargetsAndWrongCredentialsAreReported() {
        long volume = 81;
        try (S3Store store = store("bad-input")) {
            BackupManifest b;
            long archived;
            try (ArchiveTestDb a = new ArchiveTestDb(client, volume, 1, store, FAST)) {
                a.createTable();
                for (long id = 1; id <= 40; id++) {
                    a.insert(id);
                }
                a.db.engine().bufferPool().flushAll(WAIT); // pages in DAX: the backup has a chunk to corrupt
                a.db.engine().checkpointer().checkpoint();
                b = Backup.create(client, volume, store, Clock.systemUTC(), WAIT);
                assertTrue(b.pages() > 0, "backup " + b);
                for (long id = 41; id <= 80; id++) {
                    a.insert(id);
                }
                a.awaitArchived();
                archived = a.archiver.archivedLsn();
            }
            assertEquals(b.chunks().size(), Backups.verify(store, b.id()).chunks(), "a good backup verifies");
            assertEquals(1, Backups.list(store, volume).size(), "backup list shows it");

            ArchiveException early = assertThrows(ArchiveException.class, () -> Restore.run(client, store, b.id(),
                    new RestoreTarget.ToLsn(b.endLsn() - 1), 82));
            assertTrue(early.getMessage().contains("before the end LSN " + b.endLsn()), early.getMessage());
            ArchiveException late = assertThrows(ArchiveException.class, () -> Restore.run(client, store, b.id(),
                    new RestoreTarget.ToLsn(archived + 1), 82));
            assertTrue(late.getMessage().contains("past the archived log"), late.getMessage());
            ArchiveException future = assertThrows(ArchiveException.class, () -> Restore.run(client, store, b.id(),
                    new RestoreTarget.ToTime((System.currentTimeMillis() + 3_600_000) * 1000), 82));
            assertTrue(future.getMessage().contains("after the archive"), future.getMessage());
            ObjectMissingException noBackup = assertThrows(ObjectMissingException.class,
                    () -> Restore.run(client, store, "v81-12345", new RestoreTarget.ToLsn(archived), 82));
            assertTrue(noBackup.getMessage().contains("v81-12345/manifest"), noBackup.getMessage());

            // a corrupt chunk: verify names it, and a restore that meets it leaves a volume no one can open
            String chunk = ArchiveKeys.backupChunk(b.id(), 0);
            byte[] good = store.get(chunk, "chunk");
            byte[] bad = good.clone();
            bad[bad.length / 2] ^= 0x5A;
            store.put(chunk, bad);
            ObjectCorruptException corrupt = assertThrows(ObjectCorruptException.class,
                    () -> Backups.verify(store, b.id()));
            assertTrue(corrupt.getMessage().contains("chunk-000000") && corrupt.getMessage().contains("SHA-256"),
                    corrupt.getMessage());
            assertThrows(ObjectCorruptException.class, () -> Restore.run(client, store, b.id(),
                    new RestoreTarget.ToLsn(archived), 82));
            IllegalStateException unusable = assertThrows(IllegalStateException.class,
                    () -> ArchiveTestDb.openPlain(client, 82, 2));
            assertTrue(unusable.getMessage().contains("being restored"), unusable.getMessage());
            ArchiveException exists = assertThrows(ArchiveException.class, () -> Restore.run(client, store, b.id(),
                    new RestoreTarget.ToLsn(archived), 82));
            assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
            store.put(chunk, good);

            // a corrupt segment, then a missing one (a gap)
            var segments = ArchivedLog.open(store, volume, volume, b.logStartLsn(), b.endLsn()).chain();
            var first = segments.getFirst();
            byte[] seg = store.get(first.key(), "segment");
            byte[] badSeg = seg.clone();
            badSeg[badSeg.length - 1] ^= 0x01;
            store.put(first.key(), badSeg);
            ObjectCorruptException corruptSeg = assertThrows(ObjectCorruptException.class,
                    () -> Backups.verify(store, b.id()));
            assertTrue(corruptSeg.getMessage().contains(first.key()), corruptSeg.getMessage());
            store.delete(first.key());
            ArchiveException gap = assertThrows(ArchiveException.class, () -> Backups.verify(store, b.id()));
            assertTrue(gap.getMessage().contains("gap") && gap.getMessage().contains("LSN [" + b.logStartLsn() + ", "),
                    gap.getMessage());
            store.put(first.key(), seg);
            assertEquals(b.chunks().size(), Backups.verify(store, b.id()).chunks(), "verifies again once repaired");

            // wrong credentials: S3Proxy checks the signature
            try (S3Store wrong = S3Store.open(s3.config(BUCKET, "bad-input").withStaticCredentials(
                    S3ProxyServer.ACCESS_KEY, "not-the-secret"))) {
                ArchiveException refused = assertThrows(ArchiveException.class,
                        () -> LogArchiveManifest.read(wrong, volume));
                assertTrue(refused.getMessage().contains("403") && refused.getMessage().contains("credentials"),
                        refused.getMessage());
            }
            // expire: keep the newest one, nothing else to delete
            assertEquals(0, Backups.expire(store, volume, 1, Duration.ZERO, System.currentTimeMillis())
                    .deletedBackups().size());
            assertTrue(Optional.of(Backups.list(store, volume)).get().size() == 1);
        }
    }

    static double truncatedBelow(ArchiveTestDb a) {
        return a.registry.get("cacdb.wal.truncated_below.lsn").gauge().value();
    }

    static TreeSet<Long> range(long from, long to) {
        TreeSet<Long> s = new TreeSet<>();
        LongStream.rangeClosed(from, to).forEach(s::add);
        return s;
    }
}
