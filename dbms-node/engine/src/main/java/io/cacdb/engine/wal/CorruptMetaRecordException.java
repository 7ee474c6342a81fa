package io.cacdb.engine.wal;

/**
 * A META record read from storage does not decode (bad magic, kind, length, or an epoch history out of order).
 * An operating error: the volume's control records are damaged; do not start recovery from it — report it and
 * repair from another replica.
 */
public final class CorruptMetaRecordException extends RuntimeException {

    public CorruptMetaRecordException(long recordNo, String detail) {
        super("corrupt META record " + recordNo + ": " + detail);
    }
}
