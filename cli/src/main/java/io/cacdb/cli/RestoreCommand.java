package io.cacdb.cli;

import io.cacdb.archive.restore.Restore;
import io.cacdb.archive.restore.RestoreTarget;
import io.cacdb.archive.s3.S3Store;
import io.cacdb.dax.client.DaxClient;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./cacdb restore}: point-in-time restore of a backup plus the archived log into a new volume. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Creates --volume (which must not exist) on the DAX cluster from a backup and the archived log"
                + " up to --to-lsn or --to-time: a transaction committed after the target is not there, one committed"
                + " at or before it is. The volume is marked usable only by the last write; a node then opens it"
                + " (volume = NEW in its config).", "S3 credentials: the AWS SDK's default chain."})
final class RestoreCommand implements Callable<Integer> {

    @Mixin
    ArchiveOptions archive;
    @ArgGroup(exclusive = false, multiplicity = "1")
    ArchiveOptions.Dax dax;

    @Option(names = "--backup", required = true, paramLabel = "ID", description = "the backup id (backup list)")
    String backupId;

    static final class Target {
        @Option(names = "--to-lsn", required = true, paramLabel = "LSN", description = "restore up to this LSN")
        Long lsn;
        @Option(names = "--to-time", required = true, paramLabel = "T",
                description = "restore the commits at or before this instant, ISO-8601 UTC "
                        + "(e.g. 2026-05-01T12:00:00.250Z)")
        String time;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--volume", required = true, paramLabel = "NEW", description = "the new volume to create")
    long volume;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RestoreTarget t;
        if (target.lsn != null) {
            t = new RestoreTarget.ToLsn(target.lsn);
        } else {
            try {
                Instant i = Instant.parse(target.time);
                t = new RestoreTarget.ToTime(Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L),
                        i.getNano() / 1000));
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--to-time '" + target.time
                        + "' is not an ISO-8601 instant such as 2026-05-01T12:00:00Z");
            }
        }
        RestoreTarget chosen = t;
        return ArchiveOptions.reportingErrors(() -> {
            try (S3Store store = S3Store.open(archive.s3()); DaxClient client = dax.client()) {
                Restore.Result r = Restore.run(client, store, backupId, chosen, volume);
                System.out.printf("restored backup %s into volume %d: %d pages, %d log blocks, log LSN %d..%d,"
                        + " %.1f s%n",
                        r.backupId(), r.volume(), r.pages(), r.logBlocks(), r.startLsn(), r.cutLsn(),
                        r.took().toMillis() / 1e3);
                return 0;
            }
        });
    }
}
