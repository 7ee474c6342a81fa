package io.cacdb.server.pgwire;

import java.util.List;

/** A message the server sends, encoded by {@link BackendMessageEncoder}. */
public sealed interface BackendMessage {

    /** The single byte 'N' answering SSLRequest or GSSENCRequest: this server does not encrypt. */
    record EncryptionRefused() implements BackendMessage {
    }

    record AuthenticationOk() implements BackendMessage {
    }

    /** AuthenticationSASL: the mechanisms offered. */
    record AuthenticationSasl(List<String> mechanisms) implements BackendMessage {
    }

    record AuthenticationSaslContinue(byte[] data) implements BackendMessage {
    }

    record AuthenticationSaslFinal(byte[] data) implements BackendMessage {
    }

    /** NegotiateProtocolVersion: the newest minor version supported and the startup options not recognised. */
    record NegotiateProtocolVersion(int newestMinorVersion, List<String> unrecognisedOptions)
            implements BackendMessage {
    }

    record ParameterStatus(String name, String value) implements BackendMessage {
    }

    record BackendKeyData(int processId, int secretKey) implements BackendMessage {
    }

    record ReadyForQuery(byte transactionStatus) implements BackendMessage {
    }

    /** One RowDescription field. {@code format} 0 text, 1 binary. */
    record Field(String name, int tableOid, short columnNumber, int typeOid, short typeSize, int typeModifier,
            short format) {
    }

    record RowDescription(List<Field> fields) implements BackendMessage {
    }

    /** DataRow: each value's bytes, null for NULL. */
    record DataRow(byte[][] values) implements BackendMessage {
    }

    record CommandComplete(String tag) implements BackendMessage {
    }

    record EmptyQueryResponse() implements BackendMessage {
    }

    record ErrorResponse(PgError error) implements BackendMessage {
    }

    record NoticeResponse(PgError notice) implements BackendMessage {
    }

    record ParseComplete() implements BackendMessage {
    }

    record BindComplete() implements BackendMessage {
    }

    record CloseComplete() implements BackendMessage {
    }

    record NoData() implements BackendMessage {
    }

    record PortalSuspended() implements BackendMessage {
    }

    record ParameterDescription(int[] typeOids) implements BackendMessage {
    }

    BackendMessage ENCRYPTION_REFUSED = new EncryptionRefused();
    BackendMessage AUTHENTICATION_OK = new AuthenticationOk();
    BackendMessage EMPTY_QUERY_RESPONSE = new EmptyQueryResponse();
    BackendMessage PARSE_COMPLETE = new ParseComplete();
    BackendMessage BIND_COMPLETE = new BindComplete();
    BackendMessage CLOSE_COMPLETE = new CloseComplete();
    BackendMessage NO_DATA = new NoData();
    BackendMessage PORTAL_SUSPENDED = new PortalSuspended();
}
