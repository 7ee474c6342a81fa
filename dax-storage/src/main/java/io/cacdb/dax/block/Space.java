package io.cacdb.dax.block;

/**
 * The three address spaces of a volume. Each space is stored in its own RocksDB column family on a server, and
 * each has its own versioning convention (see {@link Version}).
 */
public enum Space {
    /** Data pages; version = the page's pageLSN. */
    PAGE((byte) 1),
    /** Log blocks; version = (epoch, filled bytes). */
    LOG((byte) 2),
    /** Small control records (checkpoint pointer, epoch history, lease); version = a sequence number. */
    META((byte) 3);

    private final byte code;

    Space(byte code) {
        this.code = code;
    }

    public byte code() {
        return code;
    }

    /** Decodes a wire code; returns null for an unknown code so the caller can answer with a typed error. */
    public static Space fromCode(byte code) {
        return switch (code) {
            case 1 -> PAGE;
            case 2 -> LOG;
            case 3 -> META;
            default -> null;
        };
    }
}
