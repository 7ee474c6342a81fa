package io.cacdb.dax.server;

import java.util.Set;

/**
 * Lifecycle of a {@link DaxServer}. Legal transitions:
 *
 * <pre>
 * STARTING → SERVING → STOPPING → STOPPED
 * STARTING → STOPPED                       (start failed)
 * SERVING | STOPPING → CRASHED             (crash(): abrupt, for tests)
 * </pre>
 */
public enum ServerState {
    STARTING, SERVING, STOPPING, STOPPED, CRASHED;

    boolean canMoveTo(ServerState next) {
        return switch (this) {
            case STARTING -> Set.of(SERVING, STOPPED).contains(next);
            case SERVING -> Set.of(STOPPING, CRASHED).contains(next);
            case STOPPING -> Set.of(STOPPED, CRASHED).contains(next);
            case STOPPED, CRASHED -> false;
        };
    }
}
