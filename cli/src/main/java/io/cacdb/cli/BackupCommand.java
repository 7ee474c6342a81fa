package io.cacdb.cli;

import io.cacdb.archive.backup.Backup;
import io.cacdb.archive.backup.BackupManifest;
import io.cacdb.archive.backup.Backups;
import io.cacdb.archive.s3.S3Store;
import io.cacdb.dax.client.DaxClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./cacdb backup create|list|verify|expire}: online backups of a volume to S3 (docs/archive.md). */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Online backups of a volume to S3; restorable with the archived log (docs/archive.md).",
        subcommands = {BackupCommand.Create.class, BackupCommand.ListBackups.class, BackupCommand.Verify.class,
                BackupCommand.Expire.class})
final class BackupCommand implements Runnable {

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "name a subcommand: create, list, verify or expire");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Copies every page of --volume from DAX to S3 while the database runs (a fuzzy copy), "
                    + "records its start and end LSN, and waits until the active's log archive reaches the end LSN.",
                    "Prints the backup id."})
    static final class Create implements Callable<Integer> {
        @Mixin
        ArchiveOptions archive;
        @picocli.CommandLine.ArgGroup(exclusive = false, multiplicity = "1")
        ArchiveOptions.Dax dax;
        @Option(names = "--volume", required = true, paramLabel = "V", description = "the volume to back up")
        long volume;
        @Option(names = "--archive-wait-seconds", defaultValue = "120", paramLabel = "S",
                description = "how long to wait for the log archive to reach the backup's end (default: "
                        + "${DEFAULT-VALUE})")
        long archiveWaitSeconds;

        @Override
        public Integer call() throws Exception {
            return ArchiveOptions.reportingErrors(() -> {
                try (S3Store store = S3Store.open(archive.s3()); DaxClient client = dax.client()) {
                    long started = System.nanoTime();
                    BackupManifest m = Backup.create(client, volume, store, Clock.systemUTC(),
                            Duration.ofSeconds(archiveWaitSeconds));
                    System.out.printf("backup %s: volume %d, %d pages, LSN %d..%d, %.1f s%n", m.id(), m.volume(),
                            m.pages(), m.startLsn(), m.endLsn(), (System.nanoTime() - started) / 1e9);
                    return 0;
                }
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the finished backups of a volume.")
    static final class ListBackups implements Callable<Integer> {
        @Mixin
        ArchiveOptions archive;
        @Option(names = "--volume", required = true, paramLabel = "V", description = "whose backups")
        long volume;

        @Override
        public Integer call() throws Exception {
            return ArchiveOptions.reportingErrors(() -> {
                try (S3Store store = S3Store.open(archive.s3())) {
                    System.out.printf("%-24s %-24s %10s %14s %14s%n", "id", "created", "pages", "start-lsn", "end-lsn");
                    for (BackupManifest m : Backups.list(store, volume)) {
                        System.out.printf("%-24s %-24s %10d %14d %14d%n", m.id(),
                                Instant.ofEpochMilli(m.createdMillis()),
                                m.pages(), m.startLsn(), m.endLsn());
                    }
                    return 0;
                }
            });
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Checks every chunk of a backup against its SHA-256, and that the archived log covers its"
                    + " start..end without a gap (every segment checked). Exit 1 naming the first bad object.")
    static final class Verify implements Callable<Integer> {
        @Mixin
        ArchiveOptions archive;
        @Option(names = "--backup", required = true, paramLabel = "ID", description = "the backup id")
        String id;

        @Override
        public Integer call() throws Exception {
            return ArchiveOptions.reportingErrors(() -> {
                try (S3Store store = S3Store.open(archive.s3())) {
                    Backups.Verified v = Backups.verify(store, id);
                    System.out.printf("backup %s OK: %d chunks, %d pages; log LSN %d..%d in %d segments (archived up to"
                            + " %d)%n", id, v.chunks(), v.pages(), v.backup().startLsn(), v.backup().endLsn(),
                            v.segments(), v.archivedLsn());
                    return 0;
                }
            });
        }
    }

    @Command(name = "expire", mixinStandardHelpOptions = true,
            description = "Deletes backups that are neither among the newest --keep-newest nor younger than "
                    + "--keep-days, and the archived log no kept backup needs.")
    static final class Expire implements Callable<Integer> {
        @Mixin
        ArchiveOptions archive;
        @Option(names = "--volume", required = true, paramLabel = "V", description = "whose backups")
        long volume;
        @Option(names = "--keep-newest", defaultValue = "2", paramLabel = "N",
                description = "always keep the newest N backups, N >= 1 (default: ${DEFAULT-VALUE})")
        int keepNewest;
        @Option(names = "--keep-days", defaultValue = "7", paramLabel = "D",
                description = "keep every backup younger than D days (default: ${DEFAULT-VALUE})")
        long keepDays;

        @Override
        public Integer call() throws Exception {
            return ArchiveOptions.reportingErrors(() -> {
                try (S3Store store = S3Store.open(archive.s3())) {
                    Backups.Expired e = Backups.expire(store, volume, keepNewest, Duration.ofDays(keepDays),
                            System.currentTimeMillis());
                    System.out.printf("expired %d backups %s and %d archived log segments%n", e.deletedBackups().size(),
                            e.deletedBackups(), e.deletedSegments());
                    return 0;
                }
            });
        }
    }
}
