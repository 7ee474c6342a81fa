package io.cacdb.server.pgwire;

import io.cacdb.leakcheck.NoLeaks;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link PgJdbcTest} against the real SQL layer over a real Database: every test that does not need the stand-in's
 * test functions (cacdb_fail, cacdb_sleep, cacdb_generate) or a timestamptz column runs here too.
 */
@ExtendWith(NoLeaks.class)
class PgJdbcOnDatabaseTest extends PgJdbcTest {

    @Override
    TestServer server() {
        return TestServer.database(PgServerConfig.defaults());
    }

    @Override
    TestServer server(PgServerConfig config) {
        return TestServer.database(config);
    }

    @Override
    boolean standIn() {
        return false;
    }
}
