package io.cacdb.archive.s3;

/** An object the archive needs is not in the bucket. */
public final class ObjectMissingException extends ArchiveException {
    private final String url;

    public ObjectMissingException(String url, String what) {
        super(what + " is missing: " + url + " does not exist");
        this.url = url;
    }

    public String url() {
        return url;
    }
}
