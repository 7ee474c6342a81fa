package io.cacdb.archive;

import io.cacdb.archive.log.ArchiverConfig;
import io.cacdb.archive.log.LogArchiver;
import io.cacdb.archive.s3.S3Store;
import io.cacdb.dax.client.DaxClient;
import io.cacdb.engine.Database;
import io.cacdb.engine.DatabaseTransaction;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.catalog.ColumnDef;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.row.ColumnType;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.table.RowCursor;
import io.cacdb.engine.table.ScanSpec;
import io.cacdb.engine.table.TableSpec;
import io.cacdb.engine.volume.DaxVolume;
import io.cacdb.engine.volume.VolumeWriter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A database on a DAX volume with the log archiver wired as the node wires it: the archiver loads its manifest
 * before the engine opens, its archive point is the engine's log retention floor, and it starts on the open log.
 * The table {@code kv(id bigint primary key, v text)}.
 */
final class ArchiveTestDb implements AutoCloseable {

    static final String TABLE = "kv";
    static final String OTHER_TABLE = "kv_other";
    /** Every wait in these tests: generous for a loaded 2-core machine; conditions are polled, never slept on. */
    static final Duration WAIT = Duration.ofSeconds(60);
    /**
     * 10 s per DAX request, not the 2 s default: on a shared 2-core machine a write can wait seconds for a core, and
     * a log write that times out halts the engine (by design) — which would test the machine, not the archive.
     */
    static final Duration DAX_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    final MeterRegistry registry = new SimpleMeterRegistry();
    final VolumeWriter writer;
    final LogArchiver archiver;
    final Database db;

    ArchiveTestDb(DaxClient client, long volume, long epoch, S3Store store, ArchiverConfig config) {
        await(client.fence(volume, epoch));
        writer = DaxVolume.writer(client, volume, epoch);
        archiver = new LogArchiver(store, DaxVolume.reader(client, volume), config, registry);
        archiver.load();
        db = Database.open(writer, EngineConfig.defaults().withBufferPoolFrames(1024), registry,
                archiver::retentionFloorLsn);
        archiver.start(epoch, () -> db.engine().logWriter().durableLsn());
    }

    /** A database on a restored (or any existing) volume, without an archiver. */
    static Database openPlain(DaxClient client, long volume, long epoch) {
        await(client.fence(volume, epoch));
        return Database.open(DaxVolume.writer(client, volume, epoch),
                EngineConfig.defaults().withBufferPoolFrames(1024), new SimpleMeterRegistry());
    }

    void createTable() {
        createTable(TABLE);
    }

    void createTable(String name) {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            t.createTable(TableSpec.of(name, List.of(ColumnDef.notNull("id", ColumnType.bigint()),
                    ColumnDef.of("v", ColumnType.text())), "id"));
            t.commit();
        }
    }

    /** Inserts rows {@code ids} in one transaction and commits it (durable on return). */
    void insert(long... ids) {
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
            for (long id : ids) {
                t.insert(TABLE, Row.of(id, "value-" + id + "-" + "x".repeat((int) (id % 50) * 20)));
            }
            t.commit();
        }
    }

    long durableLsn() {
        return db.engine().logWriter().durableLsn();
    }

    /** Waits until everything durable now is archived. */
    void awaitArchived() {
        awaitArchivedWithin(WAIT);
    }

    void awaitArchivedWithin(Duration wait) {
        long target = durableLsn();
        archiver.nudge();
        waitFor(() -> archiver.archivedLsn() >= target, wait, "the archive to reach LSN " + target + " (at "
                + archiver.archivedLsn() + ", last error " + archiver.lastError().orElse("none") + ")");
    }

    static TreeSet<Long> ids(Database db) {
        return ids(db, TABLE);
    }

    static TreeSet<Long> ids(Database db, String table) {
        TreeSet<Long> out = new TreeSet<>();
        try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, true);
             RowCursor c = t.scan(table, ScanSpec.primary())) {
            while (c.next()) {
                out.add((Long) c.row().get(0));
            }
        }
        return out;
    }

    static void waitFor(BooleanSupplier condition, String what) {
        waitFor(condition, WAIT, what);
    }

    static void waitFor(BooleanSupplier condition, Duration wait, String what) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + wait + " waiting for " + what);
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        archiver.close();
        db.close();
    }
}
