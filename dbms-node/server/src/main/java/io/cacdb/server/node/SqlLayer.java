package io.cacdb.server.node;

import io.cacdb.engine.Database;
import io.cacdb.server.session.SqlBackend;
import io.micrometer.core.instrument.MeterRegistry;

/** What a node serves clients with: the SQL layer over an open {@link Database}. */
@FunctionalInterface
public interface SqlLayer {

    /** The backend the protocol server calls for every session; the database stays owned by the node. */
    SqlBackend backend(Database database, MeterRegistry registry);
}
