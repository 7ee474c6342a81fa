package io.cacdb.server.pgwire;

import io.cacdb.server.session.SqlState;
import java.util.List;
import java.util.Map;

/**
 * A decoded frontend message: plain values (no buffers), so it can be queued and handed to the connection's own
 * thread. Produced by {@link FrontendMessageDecoder}; a message that cannot be decoded becomes a {@link Refused}.
 */
public sealed interface FrontendMessage {

    /** Approximate heap bytes the message holds, for the inbound queue's byte bound. */
    default int weightBytes() {
        return 32;
    }

    // ------------------------------------------------------------------------------------------ startup phase

    /** StartupMessage: protocol version and parameters (user, database, options...), in the order sent. */
    record Startup(int protocolVersion, Map<String, String> parameters) implements FrontendMessage {
        public int majorVersion() {
            return protocolVersion >>> 16;
        }

        public int minorVersion() {
            return protocolVersion & 0xFFFF;
        }
    }

    record SslRequest() implements FrontendMessage {
    }

    record GssEncRequest() implements FrontendMessage {
    }

    record CancelRequest(int processId, int secretKey) implements FrontendMessage {
    }

    // ------------------------------------------------------------------------------------------ regular phase

    /** 'p': PasswordMessage, SASLInitialResponse or SASLResponse; which one depends on the authentication state. */
    record AuthData(byte[] body) implements FrontendMessage {
        @Override
        public int weightBytes() {
            return 32 + body.length;
        }
    }

    /** 'Q' simple query. */
    record Query(String sql) implements FrontendMessage {
        @Override
        public int weightBytes() {
            return 48 + 2 * sql.length();
        }
    }

    /** 'P' Parse; {@code parameterOids} as sent (0 = unspecified). */
    record Parse(String statementName, String sql, int[] parameterOids) implements FrontendMessage {
        @Override
        public int weightBytes() {
            return 64 + 2 * sql.length() + 4 * parameterOids.length;
        }
    }

    /**
     * 'B' Bind. {@code parameters.get(i)} is null for NULL. Format codes are as sent (0, 1 or n of them); their
     * meaning is applied by the connection, which knows the statement.
     */
    record Bind(String portalName, String statementName, short[] parameterFormats, List<byte[]> parameters,
            short[] resultFormats) implements FrontendMessage {
        @Override
        public int weightBytes() {
            int w = 64 + 2 * (parameterFormats.length + resultFormats.length) + 16 * parameters.size();
            for (byte[] p : parameters) {
                w += p == null ? 0 : p.length;
            }
            return w;
        }
    }

    /** 'D' Describe of a statement ('S') or portal ('P'). */
    record Describe(byte kind, String name) implements FrontendMessage {
    }

    /** 'E' Execute; {@code maxRows} 0 = no limit. */
    record Execute(String portalName, int maxRows) implements FrontendMessage {
    }

    /** 'C' Close of a statement ('S') or portal ('P'). */
    record Close(byte kind, String name) implements FrontendMessage {
    }

    record Sync() implements FrontendMessage {
    }

    record Flush() implements FrontendMessage {
    }

    record Terminate() implements FrontendMessage {
    }

    /** 'F' FunctionCall: decoded only to be refused (0A000); nothing uses the fast-path interface any more. */
    record FunctionCall() implements FrontendMessage {
    }

    /** 'd', 'c', 'f' outside COPY: PostgreSQL ignores them, so do we. */
    record CopyMessage(byte type) implements FrontendMessage {
    }

    /**
     * A message that could not be decoded. {@code fatal}: the stream cannot be trusted (FATAL, close); otherwise
     * the message is refused with an ERROR and the connection goes on (invalid UTF-8 in a well-framed message).
     * {@code messageType} is the refused message's type byte ({@link PgFrame#STARTUP} for a startup packet or an
     * unsplittable stream): an ERROR for a Query ends with ReadyForQuery, one for an extended-query message starts
     * skipping until Sync.
     */
    record Refused(SqlState sqlState, String message, boolean fatal, byte messageType) implements FrontendMessage {
    }
}
