package io.cacdb.server.session;

/** The transaction status ReadyForQuery reports, with its wire indicator. */
public enum TransactionStatus {
    /** Not in a transaction block. */
    IDLE('I'),
    /** In a transaction block. */
    IN_TRANSACTION('T'),
    /** In a failed transaction block: statements are refused until it ends. */
    FAILED('E');

    private final byte indicator;

    TransactionStatus(char indicator) {
        this.indicator = (byte) indicator;
    }

    public byte indicator() {
        return indicator;
    }
}
