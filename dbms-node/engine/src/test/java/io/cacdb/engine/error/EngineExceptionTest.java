package io.cacdb.engine.error;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Each engine error maps to the SQLSTATE the SQL layer must send and to what the caller must do. */
class EngineExceptionTest {

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of(new DeadlockException(2, List.of(1L, 2L), "cycle"), "40P01",
                        CallerAction.RETRY_TRANSACTION),
                Arguments.of(new SerializationFailureException("conflict"), "40001", CallerAction.RETRY_TRANSACTION),
                Arguments.of(new LockTimeoutException(3, "X on key", Duration.ofSeconds(5), "txns [1]"), "55P03",
                        CallerAction.RETRY_TRANSACTION),
                Arguments.of(new DuplicateKeyException("orders_pkey", new byte[] {1}), "23505",
                        CallerAction.FIX_REQUEST),
                Arguments.of(new NotFoundException("no key"), "P0002", CallerAction.FIX_REQUEST),
                Arguments.of(new ReadOnlyTransactionException("read only"), "25006", CallerAction.FIX_REQUEST),
                Arguments.of(new RowTooLargeException(9000, 8000), "54000", CallerAction.FIX_REQUEST),
                Arguments.of(new CorruptPageException(42, "bad checksum"), "XX001", CallerAction.OPERATOR_ATTENTION),
                Arguments.of(new LogFullException(LogFullException.Cause.LOG_BUDGET, "standby lags"), "53000",
                        CallerAction.RETRY_LATER),
                Arguments.of(new LogFullException(LogFullException.Cause.STORAGE_FULL, "no space"), "53100",
                        CallerAction.OPERATOR_ATTENTION),
                Arguments.of(new NotActiveException("STANDBY"), "57P03", CallerAction.RECONNECT_TO_ACTIVE),
                Arguments.of(new TransactionAbortedException(7), "25P02", CallerAction.ROLLBACK),
                Arguments.of(new QueryCancelledException("cancel request"), "57014", CallerAction.ROLLBACK),
                Arguments.of(new TooManyLocksException(7, 100), "53200", CallerAction.FIX_REQUEST));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("errors")
    void mapsToItsSqlStateAndAction(EngineException e, String sqlState, CallerAction action) {
        assertEquals(sqlState, e.sqlState());
        assertEquals(sqlState, e.condition().code());
        assertEquals(action, e.action());
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a message that says what happened");
    }

    @Test
    void sqlStatesAreDistinctFiveCharacterCodes() {
        Set<String> seen = new HashSet<>();
        for (SqlState s : SqlState.values()) {
            assertEquals(5, s.code().length(), s.name());
            assertTrue(seen.add(s.code()), "duplicate code " + s.code());
            assertTrue(Arrays.stream(s.code().split("")).allMatch(c -> c.matches("[0-9A-Z]")), s.code());
        }
    }

    @Test
    void duplicateKeyNamesTheIndexAndTheKey() {
        DuplicateKeyException e = new DuplicateKeyException("orders_pkey", new byte[] {0x0a, (byte) 0xff});
        assertTrue(e.getMessage().contains("\"orders_pkey\""), e.getMessage());
        assertTrue(e.getMessage().contains("0aff"), e.getMessage());
        assertArrayEquals(new byte[] {0x0a, (byte) 0xff}, e.key());
        assertEquals("index #12", new DuplicateKeyException(12, new byte[0]).indexName());
        String longKey = new DuplicateKeyException("i", new byte[1000]).getMessage();
        assertTrue(longKey.contains("(1000 bytes)") && longKey.length() < 300, "long keys are cut: " + longKey);
    }

    @Test
    void deadlockNamesTheVictimAndTheCycle() {
        DeadlockException e = new DeadlockException(9, List.of(4L, 9L), "txn 4 waits for X on k held by txn 9");
        assertEquals(9, e.victimTxnId());
        assertEquals(List.of(4L, 9L), e.cycleTxnIds());
        assertTrue(e.getMessage().contains("transaction 9 was chosen as the victim"), e.getMessage());
    }
}
