package io.cacdb.engine.page;

/** What a page holds; stored in the header byte at {@link PageFormat#TYPE_OFFSET}. */
public enum PageType {
    /** Allocated but not in use (on the free list) or never initialised (all zeroes). */
    FREE((byte) 0),
    /** Page 0 of a volume: allocation state and the roots of the catalog. */
    SPACE_HEADER((byte) 1),
    /** A B+tree leaf: sorted cells of (key, row or value). */
    BTREE_LEAF((byte) 2),
    /** A B+tree internal node: sorted cells of (separator key, child page number). */
    BTREE_INTERNAL((byte) 3);

    private final byte code;

    PageType(byte code) {
        this.code = code;
    }

    public byte code() {
        return code;
    }

    /** Decodes a header byte; null for an unknown code (the page is then treated as corrupt). */
    public static PageType fromCode(byte code) {
        for (PageType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
