package io.cacdb.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.engine.catalog.ColumnDef;
import io.cacdb.engine.lock.IsolationLevel;
import io.cacdb.engine.row.ColumnType;
import io.cacdb.engine.row.Row;
import io.cacdb.engine.table.IndexConsistency;
import io.cacdb.engine.table.IndexSpec;
import io.cacdb.engine.table.RowKey;
import io.cacdb.engine.table.TableSpec;
import io.cacdb.engine.volume.MemoryVolume;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseTest {

    static Database open(MemoryVolume storage, int epoch) {
        return Database.open(storage.withEpoch(epoch), EngineConfig.defaults(), new SimpleMeterRegistry());
    }

    @Test
    void catalogAndRowsSurviveCleanAndAbruptReopen() {
        MemoryVolume storage = new MemoryVolume(7);
        try (Database db = open(storage, 1)) {
            try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
                t.createTable(TableSpec.of("kv", List.of(ColumnDef.notNull("k", ColumnType.integer()),
                        ColumnDef.of("v", ColumnType.text())), "k"));
                t.createIndex(IndexSpec.on("kv_v", "kv", false, "v"));
                for (int i = 0; i < 100; i++) {
                    t.insert("kv", Row.of(i, "v" + (i % 10)));
                }
                t.commit();
            }
            DatabaseTransaction loser = db.begin(IsolationLevel.SERIALIZABLE, false);
            loser.insert("kv", Row.of(1000, "loser"));
            loser.createTable(TableSpec.of("gone", List.of(ColumnDef.of("a", ColumnType.integer()))));
        }
        try (Database db = open(storage, 2)) {
            assertTrue(db.catalog().table("gone").isEmpty());
            try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
                Map<RowKey, Row> rows = IndexConsistency.check(t, "kv");
                assertEquals(100, rows.size());
                t.delete("kv", t.key("kv", 5));
                t.update("kv", t.key("kv", 6), Map.of("v", "six"));
                t.commit();
            }
            db.engine().closeAbruptly();
        }
        try (Database db = open(storage, 3)) {
            try (DatabaseTransaction t = db.begin(IsolationLevel.SERIALIZABLE, false)) {
                Map<RowKey, Row> rows = IndexConsistency.check(t, "kv");
                assertEquals(99, rows.size());
                assertEquals(Row.of(6, "six"), rows.get(t.key("kv", 6)));
            }
            assertEquals(List.of("kv", "kv_pkey", "kv_v"),
                    db.catalog().relations().stream().map(r -> r.name()).toList());
        }
    }
}
