package io.cacdb.dax.wire;

import java.util.Objects;

/**
 * What the server's decoder makes of one well-framed request: a valid request, or a typed reason to refuse it. A
 * refusal never changes stored state; the handler answers it and, if {@code closeConnection}, closes only that
 * connection.
 */
public sealed interface DecodedRequest permits DecodedRequest.Valid, DecodedRequest.Invalid {

    record Valid(DaxRequest request) implements DecodedRequest {
        public Valid {
            Objects.requireNonNull(request, "request");
        }
    }

    record Invalid(long requestId, byte rawOpcode, Status status, String message, boolean closeConnection)
            implements DecodedRequest {
        public Invalid {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(message, "message");
        }

        public DaxResponse.Error toResponse() {
            return new DaxResponse.Error(requestId, Opcode.fromCode(rawOpcode), rawOpcode, status, 0, message);
        }
    }
}
