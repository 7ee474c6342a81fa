package io.cacdb.archive.s3;

/** A bad S3 setting: the message names the setting and the value. */
public final class S3ConfigException extends IllegalArgumentException {
    public S3ConfigException(String message) {
        super(message);
    }
}
