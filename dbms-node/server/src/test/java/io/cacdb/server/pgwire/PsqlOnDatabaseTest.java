package io.cacdb.server.pgwire;

/** {@link PsqlTest}'s scripts through psql 15 against the real SQL layer over a real Database. */
class PsqlOnDatabaseTest extends PsqlTest {

    @Override
    TestServer server(PgServerConfig config) {
        return TestServer.database(config);
    }

    @Override
    boolean standIn() {
        return false;
    }
}
