package io.cacdb.engine.table;

/**
 * What a range scan reads: the primary index ({@code index == null}) or a secondary index by name; a lower and an
 * upper bound in the index's order (null: unbounded), which for a descending index column means that "lower" holds
 * the larger values; and the direction: index order, or reverse ({@code descending}).
 */
public record ScanSpec(String index, KeyBound lower, KeyBound upper, boolean descending) {

    /** The whole primary index in key order. */
    public static ScanSpec primary() {
        return new ScanSpec(null, null, null, false);
    }

    /** The whole secondary index {@code name} in index order. */
    public static ScanSpec index(String name) {
        return new ScanSpec(name, null, null, false);
    }

    public ScanSpec from(KeyBound lowerBound) {
        return new ScanSpec(index, lowerBound, upper, descending);
    }

    public ScanSpec to(KeyBound upperBound) {
        return new ScanSpec(index, lower, upperBound, descending);
    }

    /** The same range in reverse index order. */
    public ScanSpec reversed() {
        return new ScanSpec(index, lower, upper, !descending);
    }
}
