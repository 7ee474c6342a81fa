package io.cacdb.server.sql.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cacdb.server.session.SqlException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlParserTest {

    @Test
    void splitsAtSemicolonsOutsideQuotesAndComments() throws Exception {
        List<StatementText> parts = SqlParser.split("SELECT 'a;b'; /* ; */ SELECT \"x;y\" -- ;\n; ;SELECT $$;$$");
        assertEquals(4, parts.size());
        assertEquals("SELECT 'a;b'", parts.get(0).text());
        assertEquals(" /* ; */ SELECT \"x;y\" -- ;\n", parts.get(1).text());
        assertTrue(parts.get(2).isEmpty());
        assertEquals(parts.get(3).offset(), "SELECT 'a;b'; /* ; */ SELECT \"x;y\" -- ;\n; ;".length());
    }

    @Test
    void readsTransactionControlTheLibraryCannot() throws Exception {
        assertInstanceOf(UtilityStatement.Begin.class, util("BEGIN"));
        assertEquals(new UtilityStatement.Begin(IsolationMode.REPEATABLE_READ, true),
                util("START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
        assertEquals(new UtilityStatement.SetTransaction(IsolationMode.SERIALIZABLE, null, true),
                util("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE"));
        assertEquals(new UtilityStatement.SetTransaction(IsolationMode.READ_COMMITTED, null, false),
                util("set transaction isolation level read committed"));
        assertEquals(new UtilityStatement.RollbackToSavepoint("s1"), util("ROLLBACK TO SAVEPOINT s1"));
        assertEquals(new UtilityStatement.Set("extra_float_digits", List.of("-1"), false),
                util("SET extra_float_digits = -1"));
        assertEquals(new UtilityStatement.Set("timezone", List.of("UTC"), false), util("SET TIME ZONE 'UTC'"));
        assertEquals(new UtilityStatement.Show("transaction_isolation"), util("SHOW TRANSACTION ISOLATION LEVEL"));
        UtilityStatement.Explain e = (UtilityStatement.Explain) util("EXPLAIN (COSTS OFF) SELECT 1");
        assertEquals("SELECT 1", e.statement().text());
        assertEquals(20, e.statement().offset());
    }

    @Test
    void syntaxErrorsCarryPositionsInTheWholeString() {
        SqlException e = assertThrows(SqlException.class, () -> {
            for (StatementText t : SqlParser.split("SELECT 1; SELECT a FROM\n t WHERE")) {
                SqlParser.parse(t);
            }
        });
        assertEquals("42601", e.sqlState().code());
        // the parser library names the token it could not take (PostgreSQL would say "at end of input")
        assertEquals("SELECT 1; SELECT a FROM\n t ".length() + 1, e.position(), e.getMessage());
        assertEquals("syntax error at or near \"WHERE\"", e.getMessage());
        SqlException quote = assertThrows(SqlException.class, () -> SqlParser.split("SELECT 'open"));
        assertEquals(8, quote.position());
        SqlException begin = assertThrows(SqlException.class, () -> util("BEGIN NONSENSE"));
        assertEquals(7, begin.position());
    }

    @Test
    void refusesDeepNestingAndHugeStatements() {
        String deep = "SELECT " + "(".repeat(SqlParser.NESTING_DEPTH_MAX + 1) + "1" + ")".repeat(SqlParser.NESTING_DEPTH_MAX + 1);
        assertEquals("54001", assertThrows(SqlException.class, () -> SqlParser.parse(SqlParser.single(deep)))
                .sqlState().code());
        assertEquals("54000", assertThrows(SqlException.class,
                () -> SqlParser.split("x".repeat(SqlParser.STATEMENT_CHARS_MAX + 1))).sqlState().code());
        assertEquals("42601", assertThrows(SqlException.class, () -> SqlParser.single("SELECT 1; SELECT 2"))
                .sqlState().code());
    }

    private static UtilityStatement util(String sql) throws SqlException {
        return SqlParser.utility(SqlParser.single(sql)).orElseThrow();
    }
}
