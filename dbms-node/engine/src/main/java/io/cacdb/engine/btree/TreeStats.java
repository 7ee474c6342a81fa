package io.cacdb.engine.btree;

import java.util.Set;

/**
 * What {@link BTree#validate()} found: height (levels, 1 = a root leaf), page and key counts, the pages of the tree
 * (for space accounting) and how many non-root pages are below the merge threshold (allowed, see {@code
 * docs/btree.md}: rebalancing is best-effort).
 */
public record TreeStats(int height, int internalPages, int leafPages, long keyCount, Set<Long> pages,
                        int underfullPages) {

    public TreeStats {
        pages = Set.copyOf(pages);
    }
}
