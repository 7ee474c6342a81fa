package io.cacdb.server.session;

import java.net.SocketAddress;
import java.util.Map;

/**
 * Who is connecting, once authenticated.
 *
 * @param user the authenticated user
 * @param database the database asked for (defaults to the user name, as in PostgreSQL)
 * @param parameters every startup parameter the client sent (user, database, application_name, options, TimeZone,
 *     DateStyle, client_encoding, extra_float_digits, ...), in the order sent
 * @param remoteAddress the client's address
 * @param processId the id BackendKeyData announces for this connection (what a CancelRequest names)
 */
public record SessionStartup(String user, String database, Map<String, String> parameters,
        SocketAddress remoteAddress, int processId) {

    public SessionStartup {
        parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    }
}
