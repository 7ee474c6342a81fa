package io.cacdb.dax.cluster;

/**
 * A cluster map file that cannot be used: a syntax error, an unknown line kind, a duplicate, or settings that
 * {@link ClusterMap} rejects. The message names the file and, where there is one, the line; fix the file and restart.
 */
public final class ClusterMapFileException extends RuntimeException {

    private final String source;
    private final int line;

    public ClusterMapFileException(String source, int line, String message) {
        super(source + (line > 0 ? ":" + line : "") + ": " + message);
        this.source = source;
        this.line = line;
    }

    public ClusterMapFileException(String source, String message, Throwable cause) {
        super(source + ": " + message, cause);
        this.source = source;
        this.line = 0;
    }

    /** The file (or other source name) the map was read from. */
    public String source() {
        return source;
    }

    /** 1-based line number, or 0 when the problem concerns the whole file. */
    public int line() {
        return line;
    }
}
