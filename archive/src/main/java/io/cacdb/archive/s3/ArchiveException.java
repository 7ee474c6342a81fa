package io.cacdb.archive.s3;

/**
 * An operating error of the archive: an object missing or corrupt, a gap in the archived log, a target outside what
 * is archived, S3 refusing the credentials or unreachable. The message names the object, LSN range or setting and
 * says what to do.
 */
public class ArchiveException extends RuntimeException {
    public ArchiveException(String message) {
        super(message);
    }

    public ArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
