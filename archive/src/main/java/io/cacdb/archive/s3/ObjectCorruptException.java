package io.cacdb.archive.s3;

/** An object's bytes do not match the checksum recorded for it (or fail to parse). */
public final class ObjectCorruptException extends ArchiveException {
    private final String url;

    public ObjectCorruptException(String url, String what, String detail) {
        super(what + " is corrupt: " + url + ": " + detail);
        this.url = url;
    }

    public String url() {
        return url;
    }
}
