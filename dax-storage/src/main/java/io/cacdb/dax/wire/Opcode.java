package io.cacdb.dax.wire;

/**
 * Operation codes of the DAX protocol. A response carries its request's opcode with {@link #RESPONSE_BIT} set. See
 * {@code docs/dax-protocol.md}.
 */
public enum Opcode {
    PING((byte) 0x01),
    CREATE_VOLUME((byte) 0x02),
    WRITE((byte) 0x03),
    READ((byte) 0x04),
    FENCE((byte) 0x05),
    DELETE_BELOW((byte) 0x06),
    SCAN((byte) 0x07);

    /** Set on the opcode byte of every response frame. */
    public static final byte RESPONSE_BIT = (byte) 0x80;

    private final byte code;

    Opcode(byte code) {
        this.code = code;
    }

    public byte code() {
        return code;
    }

    public byte responseCode() {
        return (byte) (code | RESPONSE_BIT);
    }

    /** Decodes a request opcode, or null when the code is unknown (answered with {@link Status#UNKNOWN_OPCODE}). */
    public static Opcode fromCode(byte code) {
        for (Opcode op : values()) {
            if (op.code == code) {
                return op;
            }
        }
        return null;
    }
}
