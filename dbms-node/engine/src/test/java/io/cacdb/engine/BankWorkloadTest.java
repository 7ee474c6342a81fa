package io.cacdb.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.catalog.ColumnDef;
import io.cacdb.engine.error.CallerAction;
import io.cacdb.engine.error.EngineException;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.mtr.Seeds;
import io.cacdb.engine.row.ColumnType;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.table.IndexConsistency;
import io.cacdb.engine.table.IndexSpec;
import io.cacdb.engine.table.RowCursor;
import io.cacdb.engine.table.RowKey;
import io.cacdb.engine.table.ScanSpec;
import io.cacdb.engine.table.TableSpec;
import io.cacdb.engine.volume.MemoryVolume;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Transfers between accounts from several threads, SERIALIZABLE, through the {@link Database} API on the real
 * engine, while auditors sum the balances through the primary index and through a secondary index: every audit and
 * the end state must show the same total. Conflicts (deadlocks, lock timeouts) roll back and retry. Then an abrupt
 * close and a reopen: the committed state, total included, must be there and every index consistent.
 */
class BankWorkloadTest {

    static final int ACCOUNTS = 40;
    static final long INITIAL_BALANCE = 1_000;
    static final long TOTAL = ACCOUNTS * INITIAL_BALANCE;
    /** The whole workload must finish within this; it takes well under a second normally. */
    static final long WORKLOAD_BOUND_SECONDS = 120;

    @Test
    void transfersKeepTheTotal() throws Exception {
        long seed = Seeds.seed("BankWorkloadTest.transfersKeepTheTotal");
        SplittableRandom root = new SplittableRandom(seed);
        int transferThreads = 3 + root.nextInt(3);
        int transfersPerThread = 60 + root.nextInt(60);
        MemoryVolume storage = new MemoryVolume(21);
        EngineConfig config = EngineConfig.defaults().withLockWaitTimeout(java.time.Duration.ofSeconds(2));
        AtomicInteger retries = new AtomicInteger();
        AtomicInteger audits = new AtomicInteger();
        AtomicLong committedTransfers = new AtomicLong();
        try (Database db = Database.open(storage.withEpoch(1), config, new SimpleMeterRegistry())) {
            try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
                t.createTable(TableSpec.of("accounts", List.of(ColumnDef.notNull("id", ColumnType.integer()),
                        ColumnDef.notNull("branch", ColumnType.integer()),
                        ColumnDef.notNull("balance", ColumnType.bigint())), "id"));
                t.createIndex(IndexSpec.on("accounts_branch", "accounts", false, "branch"));
                for (int i = 0; i < ACCOUNTS; i++) {
                    t.insert("accounts", Row.of(i, i % 5, INITIAL_BALANCE));
                }
                t.commit();
            }
            ExecutorService pool = Executors.newCachedThreadPool();
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int th = 0; th < transferThreads; th++) {
                    SplittableRandom r = root.split();
                    work.add(pool.submit(() -> {
                        for (int i = 0; i < transfersPerThread; i++) {
                            int from = r.nextInt(ACCOUNTS);
                            int to = (from + 1 + r.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                            long amount = 1 + r.nextInt(50);
                            boolean moveBranch = r.nextInt(10) == 0;
                            retrying(retries, () -> {
                                try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
                                    RowKey a = t.key("accounts", from);
                                    RowKey b = t.key("accounts", to);
                                    long fromBalance = (Long) t.get("accounts", a).orElseThrow().get(2);
                                    t.update("accounts", a, Map.of("balance", fromBalance - amount));
                                    t.update("accounts", b, old -> old.with(2, (Long) old.get(2) + amount)
                                            .with(1, moveBranch ? ((Integer) old.get(1) + 1) % 5 : old.get(1)));
                                    t.commit();
                                }
                            });
                            committedTransfers.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (int au = 0; au < 2; au++) {
                    boolean viaIndex = au == 1;
                    work.add(pool.submit(() -> {
                        for (int i = 0; i < 15; i++) {
                            retrying(retries, () -> {
                                try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, true)) {
                                    assertEquals(TOTAL, sum(t, viaIndex ? ScanSpec.index("accounts_branch")
                                            : ScanSpec.primary()), "an audit sees a consistent total");
                                    t.commit();
                                }
                            });
                            audits.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : work) {
                    f.get(WORKLOAD_BOUND_SECONDS, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            System.out.println("BankWorkloadTest: " + committedTransfers + " transfers, " + audits + " audits, "
                    + retries + " retries (seed " + seed + ")");
            assertEquals((long) transferThreads * transfersPerThread, committedTransfers.get());
            try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, true)) {
                assertEquals(TOTAL, sum(t, ScanSpec.primary()));
                assertEquals(ACCOUNTS, IndexConsistency.check(t, "accounts").size());
            }
            db.engine().closeAbruptly();
        }
        try (Database db = Database.open(storage.withEpoch(2), config, new SimpleMeterRegistry())) {
            try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, true)) {
                assertEquals(TOTAL, sum(t, ScanSpec.primary()), "the total after a crash");
                assertEquals(TOTAL, sum(t, ScanSpec.index("accounts_branch").reversed()));
                assertEquals(ACCOUNTS, IndexConsistency.check(t, "accounts").size());
            }
        }
    }

    static long sum(DatabaseTransaction t, ScanSpec spec) {
        long total = 0;
        int rows = 0;
        try (RowCursor c = t.scan("accounts", spec)) {
            while (c.next()) {
                total += (Long) c.row().get(2);
                rows++;
            }
        }
        assertEquals(ACCOUNTS, rows);
        return total;
    }

    /** Runs {@code body} until it commits; retries what the engine says to retry (deadlock, lock timeout). */
    static void retrying(AtomicInteger retries, Runnable body) {
        for (int attempt = 0; ; attempt++) {
            try {
                body.run();
                return;
            } catch (EngineException e) {
                if (e.action() != CallerAction.RETRY_TRANSACTION || attempt > 1000) {
                    throw e;
                }
                retries.incrementAndGet();
            }
        }
    }

    @Test
    void retryingGivesUpOnErrorsThatAreNotTransient() {
        AtomicInteger retries = new AtomicInteger();
        EngineException e = org.junit.jupiter.api.Assertions.assertThrows(EngineException.class,
                () -> retrying(retries, () -> {
                    throw new io.cacdb.engine.error.NotFoundException("x");
                }));
        assertTrue(e instanceof io.cacdb.engine.error.NotFoundException);
        assertEquals(0, retries.get());
    }
}
