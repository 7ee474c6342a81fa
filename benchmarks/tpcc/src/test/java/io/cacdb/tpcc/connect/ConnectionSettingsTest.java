package io.cacdb.tpcc.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConnectionSettingsTest {

    @Test
    void multiHostUrlsGetPrimaryTargetingAndShortRecheck() {
        ConnectionSettings multi = ConnectionSettings.forTerminals(
                "jdbc:postgresql://h1:5432,h2:5433/db?user=u&password=secret");
        assertTrue(multi.multiHost());
        Properties p = multi.properties();
        assertEquals("primary", p.getProperty("targetServerType"));
        assertEquals("0", p.getProperty("hostRecheckSeconds"));
        assertEquals("2", p.getProperty("connectTimeout"));
        assertEquals("5", p.getProperty("socketTimeout"));
        assertEquals("false", p.getProperty("reWriteBatchedInserts"));
        assertEquals("jdbc:postgresql://h1:5432,h2:5433/db?user=u&password=***", multi.redactedUrl());

        ConnectionSettings single = ConnectionSettings.forBulk("jdbc:postgresql://h1:5432/db");
        assertFalse(single.multiHost());
        assertNull(single.properties().getProperty("targetServerType"));
        assertEquals("true", single.properties().getProperty("reWriteBatchedInserts"));
    }

    @Test
    void timeoutsAreWholeSecondsRoundedUp() {
        assertEquals(1, ConnectionSettings.wholeSeconds(Duration.ofMillis(200)));
        assertEquals(2, ConnectionSettings.wholeSeconds(Duration.ofMillis(1_001)));
        assertEquals(3, ConnectionSettings.wholeSeconds(Duration.ofSeconds(3)));
        assertThrows(IllegalArgumentException.class, () -> new ConnectionSettings("jdbc:postgresql://h/db",
                Duration.ZERO, Duration.ofSeconds(1), false));
        assertThrows(IllegalArgumentException.class, () -> ConnectionSettings.forTerminals("jdbc:mysql://h/db"));
    }

    @Test
    void errorsAreClassifiedBySqlState() {
        assertEquals(SqlErrors.Kind.SERIALIZATION_FAILURE, SqlErrors.classify(new SQLException("x", "40001"), null));
        assertEquals(SqlErrors.Kind.DEADLOCK, SqlErrors.classify(new SQLException("x", "40P01"), null));
        assertEquals(SqlErrors.Kind.CONNECTION, SqlErrors.classify(new SQLException("io", "08006"), null));
        assertEquals(SqlErrors.Kind.CONNECTION, SqlErrors.classify(new SQLException("shutdown", "57P01"), null));
        assertEquals(SqlErrors.Kind.CONNECTION, SqlErrors.classify(new SQLException("no state"), null),
                "no connection at all: a connect failure");
    }
}
