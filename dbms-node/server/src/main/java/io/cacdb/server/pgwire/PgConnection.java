package io.cacdb.server.pgwire;

import io.cacdb.server.auth.AuthMethod;
import io.cacdb.server.auth.AuthenticationException;
import io.cacdb.server.auth.ScramExchange;
import io.cacdb.server.session.Column;
import io.cacdb.server.session.ExecuteOutcome;
import io.cacdb.server.session.PgType;
import io.cacdb.server.session.RowDescription;
import io.cacdb.server.session.SessionEvents;
import io.cacdb.server.session.SessionStartup;
import io.cacdb.server.session.Severity;
import io.cacdb.server.session.SimpleQuerySink;
import io.cacdb.server.session.SqlException;
import io.cacdb.server.session.SqlNotice;
import io.cacdb.server.session.SqlPortal;
import io.cacdb.server.session.SqlSession;
import io.cacdb.server.session.SqlState;
import io.cacdb.server.session.SqlStatement;
import io.cacdb.server.session.TransactionStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's protocol state machine, run on its own virtual thread ({@link #run()}): it takes the
 * decoded messages from the {@link InboundQueue} in order and answers through {@link Outbound}. Blocking here (in
 * the SQL layer, or waiting for a slow client) is fine; the event loop never waits for it.
 *
 * <p>Phases: {@code STARTUP} (encryption requests are refused with 'N', a CancelRequest is served and the connection
 * closed, a StartupMessage takes a session slot and starts authentication) → {@code AUTHENTICATING} (SCRAM-SHA-256
 * exchange) → {@code READY} (simple and extended query protocols) → {@code CLOSED}. Extended-query messages that
 * fail start PostgreSQL's "skip until Sync" mode. Prepared statements and portals are kept here by name; portals are
 * closed whenever the session reports it is outside a transaction block at a ReadyForQuery, as PostgreSQL drops them
 * at transaction end.
 */
final class PgConnection implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(PgConnection.class);

    /** Parameters whose values the codecs depend on: the SQL layer may not change them. */
    static final Set<String> FIXED_PARAMETERS = Set.of("server_encoding", "client_encoding", "DateStyle",
            "integer_datetimes", "standard_conforming_strings");
    /** client_encoding values a client may ask for: UTF-8 under its names, and SQL_ASCII, a subset. */
    private static final Set<String> ACCEPTED_CLIENT_ENCODINGS = Set.of("UTF8", "UNICODE", "SQLASCII");

    enum Phase { STARTUP, AUTHENTICATING, READY, CLOSED }

    /** A prepared statement kept under its name. */
    private record StatementEntry(SqlStatement statement) {
    }

    /** A portal kept under its name, with the result format of each column resolved at Bind. */
    private record PortalEntry(SqlPortal portal, Optional<RowDescription> rows, short[] formats) {
    }

    private final Channel channel;
    private final PgServer.Context server;
    private final InboundQueue inbound;
    private final Outbound out;
    private volatile Phase phase = Phase.STARTUP;
    private volatile SqlSession session;
    private volatile Thread thread;
    private boolean slotTaken;
    private CancelRegistry.Key key;
    private ScramExchange scram;
    private boolean saslStarted;
    private Map<String, String> startupParameters = Map.of();
    private String user;
    private boolean skipUntilSync;
    private final Map<String, StatementEntry> statements = new HashMap<>();
    private final Map<String, PortalEntry> portals = new HashMap<>();

    PgConnection(Channel channel, PgServer.Context server) {
        this.channel = channel;
        this.server = server;
        this.inbound = new InboundQueue(server.config().inboundHighWaterMessages(),
                server.config().inboundHighWaterBytes(), reading -> {
                    if (!reading) {
                        server.metrics().readPauses.increment();
                    }
                    channel.config().setAutoRead(reading);
                });
        this.out = new Outbound(channel, server.metrics().writeWaits::increment);
    }

    InboundQueue inbound() {
        return inbound;
    }

    Outbound outbound() {
        return out;
    }

    boolean authenticated() {
        Phase p = phase;
        return p == Phase.READY || p == Phase.CLOSED;
    }

    /** Another thread (a CancelRequest, a closed socket, shutdown): cancel what the session runs now. */
    void cancelRunningStatement() {
        SqlSession s = session;
        if (s != null) {
            s.cancel();
        }
    }

    /** Event loop: the socket closed. Wakes the session thread and cancels its statement. */
    void channelClosed() {
        inbound.close();
        out.writabilityChanged();
        cancelRunningStatement();
    }

    // --------------------------------------------------------------------------------------------- the loop

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (phase != Phase.CLOSED) {
                FrontendMessage m = inbound.take();
                if (m == null) {
                    break;
                }
                handle(m);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.debug("connection {} interrupted; closing", channel.remoteAddress());
        } catch (RuntimeException | Error e) {
            log.error("connection {} failed; closing it", channel.remoteAddress(), e);
            if (channel.isActive()) {
                sendError(PgError.fatal(SqlState.INTERNAL_ERROR, "internal error: " + e));
            }
        } finally {
            finish();
        }
    }

    private void finish() {
        phase = Phase.CLOSED;
        if (channel.isActive()) {
            out.flushAndClose();
        } else {
            out.discard();
        }
        inbound.close();
        closeAllPortals();
        for (StatementEntry e : statements.values()) {
            closeQuietly(e.statement()::close, "statement");
        }
        statements.clear();
        SqlSession s = session;
        if (s != null) {
            closeQuietly(s::close, "session");
            server.metrics().sessions.decrementAndGet();
        }
        if (key != null) {
            server.cancels().unregister(key.processId(), this);
        }
        if (slotTaken) {
            server.releaseSessionSlot();
        }
    }

    private void closeQuietly(Runnable close, String what) {
        try {
            close.run();
        } catch (RuntimeException e) {
            log.error("closing a {} of connection {} failed", what, channel.remoteAddress(), e);
        }
    }

    private void handle(FrontendMessage m) {
        if (m instanceof FrontendMessage.Refused r && (r.fatal() || phase != Phase.READY)) {
            sendFatal(PgError.fatal(r.sqlState(), r.message()));
            return;
        }
        switch (phase) {
            case STARTUP -> startupPhase(m);
            case AUTHENTICATING -> authenticating(m);
            case READY -> ready(m);
            case CLOSED -> {
            }
        }
    }

    // --------------------------------------------------------------------------------------------- start-up

    private void startupPhase(FrontendMessage m) {
        switch (m) {
            case FrontendMessage.SslRequest r -> {
                out.send(BackendMessage.ENCRYPTION_REFUSED);
                out.flush();
            }
            case FrontendMessage.GssEncRequest r -> {
                out.send(BackendMessage.ENCRYPTION_REFUSED);
                out.flush();
            }
            case FrontendMessage.CancelRequest c -> {
                server.metrics().cancelRequests.increment();
                PgConnection target = server.cancels().find(c.processId(), c.secretKey());
                if (target != null) {
                    target.cancelRunningStatement();
                } else {
                    log.debug("cancel request for unknown process {} or wrong key", c.processId());
                }
                phase = Phase.CLOSED; // no answer: the client just closes, as with PostgreSQL
            }
            case FrontendMessage.Startup s -> startup(s);
            default -> sendFatal(PgError.fatal(SqlState.PROTOCOL_VIOLATION,
                    "expected a startup packet, got " + m.getClass().getSimpleName()));
        }
    }

    private void startup(FrontendMessage.Startup s) {
        startupParameters = s.parameters();
        user = s.parameters().get("user");
        if (user == null || user.isEmpty()) {
            sendFatal(PgError.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
                    "no PostgreSQL user name specified in startup packet"));
            return;
        }
        String encoding = s.parameters().get("client_encoding");
        if (encoding != null && !ACCEPTED_CLIENT_ENCODINGS.contains(
                encoding.toUpperCase(Locale.ROOT).replace("-", "").replace("_", ""))) {
            sendFatal(new PgError(Severity.FATAL, SqlState.INVALID_PARAMETER_VALUE,
                    "invalid value for parameter \"client_encoding\": \"" + encoding + "\"", null,
                    "this server speaks UTF8 only", 0));
            return;
        }
        List<String> unrecognised = new ArrayList<>();
        for (String name : s.parameters().keySet()) {
            if (name.startsWith("_pq_.")) {
                unrecognised.add(name);
            }
        }
        if (s.minorVersion() > 0 || !unrecognised.isEmpty()) {
            out.send(new BackendMessage.NegotiateProtocolVersion(0, unrecognised));
        }
        if (!server.tryTakeSessionSlot()) {
            server.metrics().refused("too_many_connections");
            sendFatal(PgError.fatal(SqlState.TOO_MANY_CONNECTIONS, "sorry, too many clients already"));
            return;
        }
        slotTaken = true;
        if (server.config().authentication().methodFor(user) == AuthMethod.TRUST) {
            startSession();
            return;
        }
        scram = server.config().authentication().newScramExchange(user);
        phase = Phase.AUTHENTICATING;
        out.send(new BackendMessage.AuthenticationSasl(List.of(ScramExchange.MECHANISM)));
        out.flush();
    }

    private void authenticating(FrontendMessage m) {
        switch (m) {
            case FrontendMessage.AuthData a -> {
                try {
                    if (!saslStarted) {
                        saslStarted = true;
                        ByteBuf body = Unpooled.wrappedBuffer(a.body());
                        String mechanism = FrontendMessageDecoder.cstring(body, "SASL mechanism");
                        if (body.readableBytes() < 4) {
                            throw AuthFailure.malformed("no SASL data length");
                        }
                        int length = body.readInt();
                        if (length < 0 || length != body.readableBytes()) {
                            throw AuthFailure.malformed("SASL data length " + length + " does not match the message");
                        }
                        byte[] data = new byte[length];
                        body.readBytes(data);
                        out.send(new BackendMessage.AuthenticationSaslContinue(scram.serverFirst(mechanism, data)));
                        out.flush();
                    } else {
                        out.send(new BackendMessage.AuthenticationSaslFinal(scram.serverFinal(a.body())));
                        startSession();
                    }
                } catch (AuthenticationException e) {
                    server.metrics().refused("authentication_failed");
                    log.info("authentication of user \"{}\" from {} failed: {}", user, channel.remoteAddress(),
                            e.getMessage());
                    sendFatal(PgError.fatal(e.sqlState(), e.getMessage()));
                } catch (FrontendMessageDecoder.Malformed | SqlException e) {
                    sendFatal(PgError.fatal(SqlState.PROTOCOL_VIOLATION, "malformed SASL message: "
                            + e.getMessage()));
                } catch (AuthFailure e) {
                    sendFatal(PgError.fatal(SqlState.PROTOCOL_VIOLATION, e.getMessage()));
                }
            }
            case FrontendMessage.Terminate t -> phase = Phase.CLOSED;
            default -> sendFatal(PgError.fatal(SqlState.PROTOCOL_VIOLATION,
                    "expected SASL response, got " + m.getClass().getSimpleName()));
        }
    }

    /** A malformed SASLInitialResponse frame. */
    private static final class AuthFailure extends Exception {
        private static final long serialVersionUID = 1L;

        AuthFailure(String message) {
            super(message, null, false, false);
        }

        static AuthFailure malformed(String what) {
            return new AuthFailure("malformed SASL message: " + what);
        }
    }

    private void startSession() {
        out.send(BackendMessage.AUTHENTICATION_OK);
        key = server.cancels().register(this);
        String database = startupParameters.getOrDefault("database", user);
        SessionStartup startup = new SessionStartup(user, database, startupParameters, channel.remoteAddress(),
                key.processId());
        SqlSession s;
        try {
            s = server.backend().openSession(startup, new Events());
        } catch (SqlException e) {
            PgError err = PgError.of(e);
            sendFatal(new PgError(Severity.FATAL, err.sqlState(), err.message(), err.detail(), err.hint(), 0));
            return;
        }
        session = s;
        server.metrics().sessions.incrementAndGet();
        Map<String, String> reported = new LinkedHashMap<>();
        reported.put("server_version", server.config().serverVersion());
        reported.put("server_encoding", "UTF8");
        reported.put("client_encoding", "UTF8");
        reported.put("DateStyle", "ISO, MDY");
        reported.put("IntervalStyle", "postgres");
        reported.put("integer_datetimes", "on");
        reported.put("standard_conforming_strings", "on");
        reported.put("TimeZone", "UTC");
        reported.put("application_name", startupParameters.getOrDefault("application_name", ""));
        reported.put("is_superuser", "off");
        reported.put("session_authorization", user);
        reported.put("in_hot_standby", "off");
        reported.put("default_transaction_read_only", "off");
        s.parameterStatus().forEach((name, value) -> {
            checkNotFixed(name, value, reported.get(name));
            reported.put(name, value);
        });
        reported.forEach((name, value) -> out.send(new BackendMessage.ParameterStatus(name, value)));
        out.send(new BackendMessage.BackendKeyData(key.processId(), key.secretKey()));
        phase = Phase.READY;
        readyForQuery();
    }

    private static void checkNotFixed(String name, String value, String fixedValue) {
        if (FIXED_PARAMETERS.contains(name) && !value.equals(fixedValue)) {
            throw new IllegalArgumentException("the SQL layer may not change " + name + " (the value codecs assume "
                    + fixedValue + "), got " + value);
        }
    }

    /** What the session reports outside its results; only its own thread may call. */
    private final class Events implements SessionEvents {
        @Override
        public void parameterStatus(String name, String value) {
            checkThread();
            checkNotFixed(name, value, FIXED_PARAMETERS.contains(name) ? fixedValue(name) : null);
            out.send(new BackendMessage.ParameterStatus(name, value));
        }

        @Override
        public void notice(SqlNotice notice) {
            checkThread();
            out.send(new BackendMessage.NoticeResponse(PgError.of(notice)));
        }

        private void checkThread() {
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException("session events must come from the session's thread " + thread
                        + ", not " + Thread.currentThread());
            }
        }
    }

    private static String fixedValue(String name) {
        return switch (name) {
            case "server_encoding", "client_encoding" -> "UTF8";
            case "DateStyle" -> "ISO, MDY";
            default -> "on";
        };
    }

    // --------------------------------------------------------------------------------------------- queries

    private void ready(FrontendMessage m) {
        if (skipUntilSync && !(m instanceof FrontendMessage.Sync) && !(m instanceof FrontendMessage.Terminate)) {
            server.metrics().discardedUntilSync.increment();
            return;
        }
        switch (m) {
            case FrontendMessage.Query q -> simpleQuery(q.sql());
            case FrontendMessage.Parse p -> extended(() -> parse(p));
            case FrontendMessage.Bind b -> extended(() -> bind(b));
            case FrontendMessage.Describe d -> extended(() -> describe(d));
            case FrontendMessage.Execute e -> extended(() -> execute(e));
            case FrontendMessage.Close c -> extended(() -> close(c));
            case FrontendMessage.Sync s -> sync();
            case FrontendMessage.Flush f -> out.flush();
            case FrontendMessage.Terminate t -> phase = Phase.CLOSED;
            case FrontendMessage.FunctionCall f -> {
                sendError(PgError.error(SqlState.FEATURE_NOT_SUPPORTED, "fast-path function calls are not supported"));
                readyForQuery();
            }
            case FrontendMessage.CopyMessage c -> {
                // PostgreSQL ignores CopyData/CopyDone/CopyFail outside COPY
            }
            case FrontendMessage.Refused r -> {
                // a well-framed message with bad content (invalid UTF-8): an ERROR, as PostgreSQL does
                sendError(PgError.error(r.sqlState(), r.message()));
                if (r.messageType() == 'Q' || r.messageType() == 'F') {
                    readyForQuery();
                } else {
                    skipUntilSync = true;
                }
            }
            case FrontendMessage.AuthData a -> sendFatal(PgError.fatal(SqlState.PROTOCOL_VIOLATION,
                    "unexpected password message: already authenticated"));
            default -> sendFatal(PgError.fatal(SqlState.PROTOCOL_VIOLATION,
                    "unexpected " + m.getClass().getSimpleName() + " after start-up"));
        }
    }

    @FunctionalInterface
    private interface ExtendedStep {
        void run() throws SqlException;
    }

    /** Runs one extended-query message; an error is sent and starts skipping until Sync. */
    private void extended(ExtendedStep step) {
        try {
            step.run();
        } catch (SqlException e) {
            sendError(PgError.of(e));
            skipUntilSync = true;
        } catch (RuntimeException e) {
            sendError(internalError(e));
            skipUntilSync = true;
        }
    }

    private PgError internalError(RuntimeException e) {
        log.error("internal error on connection {} (user {})", channel.remoteAddress(), user, e);
        return PgError.error(SqlState.INTERNAL_ERROR, "internal error: " + e);
    }

    private void simpleQuery(String sql) {
        long start = System.nanoTime();
        // PostgreSQL: a simple Query destroys the unnamed statement and portal
        closeStatement("");
        closePortal("");
        try {
            session.simpleQuery(sql, new SimpleSink());
        } catch (SqlException e) {
            sendError(PgError.of(e));
        } catch (RuntimeException e) {
            sendError(internalError(e));
        } finally {
            server.metrics().simpleQuery(start);
        }
        readyForQuery();
    }

    private void parse(FrontendMessage.Parse p) throws SqlException {
        String name = p.statementName();
        if (!name.isEmpty() && statements.containsKey(name)) {
            throw new SqlException(SqlState.DUPLICATE_PREPARED_STATEMENT,
                    "prepared statement \"" + name + "\" already exists");
        }
        if (!name.isEmpty() && statements.size() >= PgWireLimits.MAX_PREPARED_STATEMENTS) {
            throw new SqlException(SqlState.PROGRAM_LIMIT_EXCEEDED, "too many prepared statements (limit "
                    + PgWireLimits.MAX_PREPARED_STATEMENTS + " per connection)");
        }
        List<PgType> declared = new ArrayList<>(p.parameterOids().length);
        for (int i = 0; i < p.parameterOids().length; i++) {
            int oid = p.parameterOids()[i];
            if (oid == PgType.UNSPECIFIED_OID) {
                declared.add(PgType.UNKNOWN);
                continue;
            }
            int position = i + 1;
            declared.add(PgType.byOid(oid).orElseThrow(() -> new SqlException(SqlState.UNDEFINED_OBJECT,
                    "parameter $" + position + " has type OID " + oid + ", which this server does not support")));
        }
        SqlStatement statement = session.prepare(p.sql(), declared);
        if (statement.parameterTypes().size() < declared.size()) {
            closeQuietly(statement::close, "statement");
            throw new IllegalStateException("the SQL layer reported " + statement.parameterTypes().size()
                    + " parameter types for a statement declared with " + declared.size());
        }
        closeStatement(name); // the unnamed statement is replaced
        statements.put(name, new StatementEntry(statement));
        out.send(BackendMessage.PARSE_COMPLETE);
    }

    private StatementEntry statement(String name) throws SqlException {
        StatementEntry e = statements.get(name);
        if (e == null) {
            throw new SqlException(SqlState.INVALID_SQL_STATEMENT_NAME, name.isEmpty()
                    ? "unnamed prepared statement does not exist"
                    : "prepared statement \"" + name + "\" does not exist");
        }
        return e;
    }

    private PortalEntry portal(String name) throws SqlException {
        PortalEntry e = portals.get(name);
        if (e == null) {
            throw new SqlException(SqlState.INVALID_CURSOR_NAME, "portal \"" + name + "\" does not exist");
        }
        return e;
    }

    private void bind(FrontendMessage.Bind b) throws SqlException {
        StatementEntry st = statement(b.statementName());
        String portalName = b.portalName();
        if (!portalName.isEmpty() && portals.containsKey(portalName)) {
            throw new SqlException(SqlState.DUPLICATE_CURSOR, "portal \"" + portalName + "\" already exists");
        }
        if (!portalName.isEmpty() && portals.size() >= PgWireLimits.MAX_PORTALS) {
            throw new SqlException(SqlState.PROGRAM_LIMIT_EXCEEDED, "too many open portals (limit "
                    + PgWireLimits.MAX_PORTALS + " per connection)");
        }
        List<PgType> types = st.statement().parameterTypes();
        int n = b.parameters().size();
        if (n != types.size()) {
            throw new SqlException(SqlState.PROTOCOL_VIOLATION, "bind message supplies " + n
                    + " parameters, but prepared statement \"" + b.statementName() + "\" requires " + types.size());
        }
        short[] paramFormats = b.parameterFormats();
        if (paramFormats.length > 1 && paramFormats.length != n) {
            throw new SqlException(SqlState.PROTOCOL_VIOLATION, "bind message has " + paramFormats.length
                    + " parameter formats but " + n + " parameters");
        }
        List<Object> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] raw = b.parameters().get(i);
            short format = paramFormats.length == 0 ? PgValueCodec.TEXT_FORMAT
                    : paramFormats[paramFormats.length == 1 ? 0 : i];
            if (raw == null) {
                values.add(null);
                continue;
            }
            (format == PgValueCodec.BINARY_FORMAT ? server.metrics().binaryParameters
                    : server.metrics().textParameters).increment();
            try {
                values.add(PgValueCodec.decode(types.get(i), raw, format));
            } catch (SqlException e) {
                throw new SqlException(e.sqlState(), Severity.ERROR, e.getMessage(),
                        "in bind parameter $" + (i + 1), null, 0, e);
            }
        }
        Optional<RowDescription> rows = st.statement().rowDescription();
        short[] formats = resultFormats(b.resultFormats(), rows);
        closePortal(portalName); // the unnamed portal is replaced
        SqlPortal portal = session.bind(st.statement(), values);
        portals.put(portalName, new PortalEntry(portal, portal.rowDescription(), formats));
        out.send(BackendMessage.BIND_COMPLETE);
    }

    private static short[] resultFormats(short[] requested, Optional<RowDescription> rows) throws SqlException {
        int columns = rows.map(RowDescription::size).orElse(0);
        if (requested.length > 1 && requested.length != columns) {
            throw new SqlException(SqlState.PROTOCOL_VIOLATION, "bind message has " + requested.length
                    + " result formats but query has " + columns + " columns");
        }
        short[] formats = new short[columns];
        for (int i = 0; i < columns; i++) {
            formats[i] = requested.length == 0 ? PgValueCodec.TEXT_FORMAT : requested[requested.length == 1 ? 0 : i];
        }
        return formats;
    }

    private void describe(FrontendMessage.Describe d) throws SqlException {
        if (d.kind() == 'S') {
            SqlStatement st = statement(d.name()).statement();
            int[] oids = st.parameterTypes().stream().mapToInt(PgType::oid).toArray();
            out.send(new BackendMessage.ParameterDescription(oids));
            sendRowDescription(st.rowDescription(), new short[st.rowDescription().map(RowDescription::size)
                    .orElse(0)]);
        } else {
            PortalEntry p = portal(d.name());
            sendRowDescription(p.rows(), p.formats());
        }
    }

    private void sendRowDescription(Optional<RowDescription> rows, short[] formats) {
        if (rows.isEmpty()) {
            out.send(BackendMessage.NO_DATA);
            return;
        }
        out.send(rowDescription(rows.get(), formats));
    }

    private static BackendMessage.RowDescription rowDescription(RowDescription rows, short[] formats) {
        List<BackendMessage.Field> fields = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Column c = rows.column(i);
            fields.add(new BackendMessage.Field(c.name(), c.tableOid(), c.columnNumber(), c.type().oid(),
                    c.type().typeSize(), c.typeModifier(), formats[i]));
        }
        return new BackendMessage.RowDescription(fields);
    }

    private void execute(FrontendMessage.Execute e) throws SqlException {
        PortalEntry p = portal(e.portalName());
        long start = System.nanoTime();
        try {
            RowDescription rows = p.rows().orElse(null);
            ExecuteOutcome outcome = p.portal().execute(Math.max(e.maxRows(), 0),
                    values -> sendRow(rows, p.formats(), values));
            switch (outcome) {
                case ExecuteOutcome.Completed c -> out.send(new BackendMessage.CommandComplete(c.commandTag()));
                case ExecuteOutcome.Suspended s -> out.send(BackendMessage.PORTAL_SUSPENDED);
                case ExecuteOutcome.EmptyQuery q -> out.send(BackendMessage.EMPTY_QUERY_RESPONSE);
            }
        } finally {
            server.metrics().execute(start);
        }
    }

    private void close(FrontendMessage.Close c) {
        if (c.kind() == 'S') {
            closeStatement(c.name());
        } else {
            closePortal(c.name());
        }
        out.send(BackendMessage.CLOSE_COMPLETE);
    }

    private void closeStatement(String name) {
        StatementEntry e = statements.remove(name);
        if (e != null) {
            closeQuietly(e.statement()::close, "statement");
        }
    }

    private void closePortal(String name) {
        PortalEntry e = portals.remove(name);
        if (e != null) {
            closeQuietly(e.portal()::close, "portal");
        }
    }

    private void closeAllPortals() {
        for (PortalEntry e : portals.values()) {
            closeQuietly(e.portal()::close, "portal");
        }
        portals.clear();
    }

    private void sync() {
        skipUntilSync = false;
        try {
            session.sync();
        } catch (SqlException e) {
            sendError(PgError.of(e));
        } catch (RuntimeException e) {
            sendError(internalError(e));
        }
        readyForQuery();
    }

    private void readyForQuery() {
        if (phase == Phase.CLOSED) {
            return;
        }
        TransactionStatus status = session.transactionStatus();
        if (status == TransactionStatus.IDLE) {
            closeAllPortals(); // the transaction that owned them has ended
        }
        out.send(new BackendMessage.ReadyForQuery(status.indicator()));
        out.flush();
    }

    private void sendRow(RowDescription rows, short[] formats, List<?> values) {
        if (rows == null) {
            throw new IllegalStateException("the SQL layer sent a row for a statement without a row description");
        }
        if (values.size() != rows.size()) {
            throw new IllegalStateException("the SQL layer sent a row of " + values.size() + " values for "
                    + rows.size() + " columns");
        }
        byte[][] encoded = new byte[values.size()][];
        for (int i = 0; i < encoded.length; i++) {
            Object v = values.get(i);
            encoded[i] = v == null ? null : PgValueCodec.encode(rows.column(i).type(), v, formats[i]);
        }
        out.send(new BackendMessage.DataRow(encoded));
    }

    /** The simple-query protocol's view of results: text format, row descriptions sent as they come. */
    private final class SimpleSink implements SimpleQuerySink {
        private RowDescription current;
        private short[] formats;

        @Override
        public void rowDescription(RowDescription description) {
            current = description;
            formats = new short[description.size()];
            out.send(PgConnection.rowDescription(description, formats));
        }

        @Override
        public void row(List<?> values) {
            sendRow(current, formats, values);
        }

        @Override
        public void commandComplete(String commandTag) {
            current = null;
            out.send(new BackendMessage.CommandComplete(commandTag));
        }

        @Override
        public void emptyQuery() {
            current = null;
            out.send(BackendMessage.EMPTY_QUERY_RESPONSE);
        }
    }

    // --------------------------------------------------------------------------------------------- errors

    private void sendError(PgError e) {
        server.metrics().error(e.sqlState());
        out.send(new BackendMessage.ErrorResponse(e));
        if (e.endsConnection()) {
            phase = Phase.CLOSED;
        }
    }

    private void sendFatal(PgError e) {
        sendError(e);
        phase = Phase.CLOSED;
    }
}
