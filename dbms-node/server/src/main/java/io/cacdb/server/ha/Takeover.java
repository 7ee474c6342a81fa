package io.cacdb.server.ha;

import io.cacdb.engine.Database;
import io.cacdb.engine.Engine;
import io.cacdb.engine.EngineConfig;
import io.cacdb.engine.page.PageOps;
import io.cacdb.engine.volume.VolumeReader;
import io.cacdb.engine.volume.VolumeWriter;
import io.cacdb.engine.wal.EpochHistory;
import io.cacdb.engine.wal.LogEnd;
import io.cacdb.engine.wal.LogRecordCodec;
import io.cacdb.engine.wal.LogTail;
import io.cacdb.engine.wal.MetaRecords;
import io.cacdb.ioscheduler.IoScheduler;
import io.cacdb.replay.CatchUp;
import io.cacdb.replay.CatchUpTimeoutException;
import io.cacdb.replay.Handover;
import io.cacdb.replay.ReplayFailedException;
import io.cacdb.replay.ReplayedBeyondEndException;
import io.cacdb.replay.StandbyReplayer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The takeover (DESIGN §6), each step logged with its duration and recorded in the timer
 * {@code cacdb.takeover.step{step}} (cold steps are named {@code cold_...}):
 * <ol>
 *   <li>{@code fence}: the volume to a new epoch (one above the epoch history and the standby's epoch); from here the
 *       old active cannot complete a write, its lease renewals included;</li>
 *   <li>{@code lease_check}: the lease re-read after fencing (a renewal the standby had not seen makes it wait the
 *       lease out, see {@link StandbyMonitor#confirmAfterFence});</li>
 *   <li>{@code log_end}: the durable end of the log with quorum reads ({@link LogEnd#find}), searched from the
 *       latest MTR boundary the standby knows to be durable (its replayed LSN when the active's heartbeat reported a
 *       durable LSN at or above it), else from the latest checkpoint's redo start;</li>
 *   <li>{@code catch_up}: the standby replays exactly up to that end ({@link StandbyReplayer#catchUpTo}) and hands
 *       over its warm pool and the losers;</li>
 *   <li>{@link Engine#takeOver}: {@code new_epoch} (META record at the end, log writer, {@code EpochStart}),
 *       {@code write_path}, {@code undo} (CLRs under the new epoch), {@code serve} (the first checkpoint follows
 *       off the clients' path).</li>
 * </ol>
 *
 * <h2>When the warm path cannot be taken: cold recovery</h2>
 * <table>
 *   <caption>fallbacks</caption>
 *   <tr><th>what happened</th><th>why</th><th>what the takeover does</th></tr>
 *   <tr><td>no replayer, or it failed</td><td>re-seeding, a log it could not read</td>
 *       <td>cold: {@link Engine#open} at the fenced epoch (redo from the checkpoint, undo)</td></tr>
 *   <tr><td>{@link ReplayedBeyondEndException}</td><td>the standby applied bytes the old active wrote to fewer
 *       than W replicas, which the end found by another read quorum does not include: its pool holds changes the log
 *       will not have</td><td>cold at the fenced epoch; the new epoch starts at the end found, so those bytes are
 *       void for every reader</td></tr>
 *   <tr><td>{@link CatchUpTimeoutException}</td><td>the standby is far behind</td><td>cold at the fenced epoch</td></tr>
 *   <tr><td>{@link Engine#takeOver} fails</td><td>after it stored the new epoch</td><td>fence once more (epoch + 1)
 *       and recover cold there</td></tr>
 * </table>
 * A cold takeover loses no acknowledged commit either: it is crash recovery at a new epoch; it only starts with a
 * cold pool.
 */
public final class Takeover {

    private static final Logger log = LoggerFactory.getLogger(Takeover.class);

    /** Confirms, after fencing, that the old active's lease is over (waiting if need be); returns how long it waited. */
    @FunctionalInterface
    public interface AfterFence {
        Duration confirm(VolumeReader reader);

        AfterFence NONE = reader -> Duration.ZERO;
    }

    /**
     * What a takeover works with.
     *
     * @param node            this node's name (logs)
     * @param storage         the volume: reader, fencing, writer
     * @param replayer        the standby's replayer, or null (cold)
     * @param replayScheduler the IO scheduler the replayer's pool reads through (the engine owns it after a warm
     *                        takeover; closed on a cold one), or null
     * @param engine          the engine's configuration
     * @param ha              timeouts of the takeover's steps
     * @param registry        meters
     * @param retentionFloor  the new active's log retention floor (its own standby, later)
     * @param afterFence      the lease check after fencing
     * @param durableBoundary an MTR boundary known to be durable (at write quorum) in the current log, from which the
     *                        end of the log may be searched; -1 when none is known
     */
    public record Inputs(String node, TakeoverStorage storage, StandbyReplayer replayer, IoScheduler replayScheduler,
                         EngineConfig engine, HaConfig ha, MeterRegistry registry, LongSupplier retentionFloor,
                         AfterFence afterFence, long durableBoundary) {
        public Inputs {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(storage, "storage");
            Objects.requireNonNull(engine, "engine");
            Objects.requireNonNull(ha, "ha");
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(retentionFloor, "retentionFloor");
            Objects.requireNonNull(afterFence, "afterFence");
        }
    }

    /** With the standby's warm pool, or by crash recovery. */
    public enum Mode { WARM, COLD }

    /**
     * A finished takeover.
     *
     * @param database   the open database, serving (the caller owns it)
     * @param epoch      the epoch this node now writes at
     * @param mode       warm or cold
     * @param endLsn     the end of the old epoch's log: where the new epoch starts
     * @param losers     transactions rolled back
     * @param steps      each step's duration, in order
     * @param total      from the start of fencing to serving
     * @param coldReason why the warm path was not taken (empty when warm)
     */
    public record Result(Database database, long epoch, Mode mode, long endLsn, int losers,
                         Map<String, Duration> steps, Duration total, Optional<String> coldReason) {
    }

    private final Inputs in;
    private final Map<String, Duration> steps = new LinkedHashMap<>();
    private final LogRecordCodec codec = new LogRecordCodec(PageOps::decode);

    private Takeover(Inputs in) {
        this.in = in;
    }

    /** Runs the takeover; throws if even the cold path failed (the node cannot serve; it is fenced off). */
    public static Result run(Inputs in) {
        return new Takeover(in).run();
    }

    private Result run() {
        long started = System.nanoTime();
        long volume = in.storage().volume();
        Duration wait = in.ha().storageStepTimeout();
        VolumeReader reader = in.storage().reader();
        log.info("takeover of volume {} by {}: starting", volume, in.node());

        long t = System.nanoTime();
        EpochHistory before = ActiveLease.await(MetaRecords.epochHistory(reader), wait, "reading the epoch history");
        long seen = in.replayer() == null ? 0 : in.replayer().epoch();
        long epoch = in.storage().fence(Math.max(before.latestEpoch(), seen) + 1, wait);
        t = step("fence", t, "volume fenced to epoch " + epoch);

        Duration waited = in.afterFence().confirm(reader);
        t = step("lease_check", t, waited.isZero() ? "the old lease is over" : "waited " + waited.toMillis()
                + " ms for a renewal seen only after fencing to run out");

        VolumeWriter writer = in.storage().writer(epoch);
        EpochHistory history = ActiveLease.await(MetaRecords.epochHistory(writer), wait, "reading the epoch history");
        long redoStart = ActiveLease.await(MetaRecords.readCheckpoint(writer), wait, "reading the checkpoint pointer")
                .map(s -> s.value().redoStartLsn()).orElse(0L);
        long searchFrom = Math.max(redoStart, in.durableBoundary());
        LogTail tail = LogEnd.find(writer, codec, history, searchFrom);
        t = step("log_end", t, "durable end of the log at LSN " + tail.endLsn() + " (searched from LSN " + searchFrom
                + "; redo start " + redoStart + ")");

        String coldReason = null;
        Handover handover = null;
        StandbyReplayer replayer = in.replayer();
        if (replayer == null) {
            coldReason = "no standby replayer";
        } else {
            try {
                CatchUp cu = replayer.catchUpTo(tail.endLsn(), in.ha().catchUpTimeout());
                handover = replayer.handOver();
                t = step("catch_up", t, "replayed up to LSN " + cu.endLsn() + " (" + cu.losers().size() + " losers)");
            } catch (ReplayedBeyondEndException e) {
                coldReason = "the standby replayed to LSN " + e.replayedLsn() + ", beyond the durable end "
                        + e.endLsn() + " (bytes written to fewer than W replicas by the old active)";
            } catch (CatchUpTimeoutException e) {
                coldReason = "the standby did not catch up within " + in.ha().catchUpTimeout() + ": " + e.getMessage();
            } catch (ReplayFailedException | IllegalStateException e) {
                coldReason = "the standby's replay failed: " + e.getMessage()
                        + (e.getCause() != null ? " (" + e.getCause() + ")" : "");
            }
        }

        Database database;
        Mode mode;
        if (handover != null) {
            try {
                database = Database.takeOver(writer, in.engine(), in.registry(), in.retentionFloor(),
                        new Engine.WarmStart(handover.pool(), in.replayScheduler(), tail, redoStart, history,
                                handover.losers()));
                mode = Mode.WARM;
            } catch (RuntimeException e) {
                // The new epoch may already be in META: recover cold one epoch higher.
                log.error("takeover of volume {}: the warm takeover failed at epoch {}; recovering cold at a new epoch",
                        volume, epoch, e);
                coldReason = "the warm takeover failed: " + e;
                epoch = in.storage().fence(epoch + 1, wait);
                writer = in.storage().writer(epoch);
                t = System.nanoTime();
                database = Database.open(writer, in.engine(), in.registry(), in.retentionFloor());
                mode = Mode.COLD;
            }
        } else {
            log.warn("takeover of volume {}: recovering cold: {}", volume, coldReason);
            if (replayer != null) {
                replayer.close();
            }
            if (in.replayScheduler() != null) {
                in.replayScheduler().close();
            }
            database = Database.open(writer, in.engine(), in.registry(), in.retentionFloor());
            mode = Mode.COLD;
        }
        Engine engine = database.engine();
        for (Map.Entry<String, Duration> e : engine.openSteps().entrySet()) {
            String name = (mode == Mode.COLD ? "cold_" : "") + e.getKey();
            steps.put(name, e.getValue());
            record(name, e.getValue());
            log.info("takeover step {}: {} ms", name, millis(e.getValue()));
        }
        Duration total = Duration.ofNanos(System.nanoTime() - started);
        Timer.builder("cacdb.takeover.total").tag("mode", mode.name().toLowerCase(java.util.Locale.ROOT))
                .description("from fencing to serving").register(in.registry()).record(total);
        int losers = engine.recoveryReport().undo().losersRolledBack();
        log.info("takeover of volume {} by {} done: {} at epoch {}, the epoch starts at LSN {}, {} losers rolled back,"
                        + " serving after {} ms; steps {}", volume, in.node(), mode, epoch, tail.endLsn(), losers,
                millis(total), describe(steps));
        return new Result(database, epoch, mode, tail.endLsn(), losers,
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(steps)), total,
                Optional.ofNullable(coldReason));
    }

    private long step(String name, long startedNanos, String what) {
        long now = System.nanoTime();
        Duration d = Duration.ofNanos(now - startedNanos);
        steps.put(name, d);
        record(name, d);
        log.info("takeover step {}: {} ({} ms)", name, what, millis(d));
        return now;
    }

    private void record(String name, Duration d) {
        Timer.builder("cacdb.takeover.step").tag("step", name)
                .description("duration of each takeover step").register(in.registry()).record(d);
    }

    private static String millis(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f", d.toNanos() / 1e6);
    }

    private static String describe(Map<String, Duration> steps) {
        StringBuilder sb = new StringBuilder();
        steps.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append('=').append(millis(v))
                .append(" ms"));
        return sb.toString();
    }
}
