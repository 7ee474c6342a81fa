package io.cacdb.dax.block;

/**
 * The version every stored block carries. Versions compare lexicographically on {@code (major, minor)}. A replica
 * stores a write only if its version is greater than the one it holds, so delayed or duplicated messages can never
 * roll a block back.
 *
 * <ul>
 *   <li>page: {@code (0, pageLSN)};</li>
 *   <li>log block: {@code (epoch, filledBytes)}, so a partially filled block can be rewritten as it fills and a new
 *       epoch's write always supersedes an old epoch's tail;</li>
 *   <li>META record: {@code (0, sequence)}.</li>
 * </ul>
 */
public record Version(long major, long minor) implements Comparable<Version> {

    /** Lower than every version a writer can produce; what a reader compares against when it expects nothing. */
    public static final Version ZERO = new Version(0, 0);

    public Version {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("version parts must be >= 0, was (" + major + ", " + minor + ")");
        }
    }

    public static Version ofPage(long pageLsn) {
        return new Version(0, pageLsn);
    }

    public static Version ofLogBlock(long epoch, long filledBytes) {
        return new Version(epoch, filledBytes);
    }

    public static Version ofMeta(long sequence) {
        return new Version(0, sequence);
    }

    @Override
    public int compareTo(Version o) {
        int c = Long.compare(major, o.major);
        return c != 0 ? c : Long.compare(minor, o.minor);
    }

    public boolean isAtLeast(Version o) {
        return compareTo(o) >= 0;
    }

    public boolean isNewerThan(Version o) {
        return compareTo(o) > 0;
    }

    public static Version max(Version a, Version b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public String toString() {
        return "(" + major + "," + minor + ")";
    }
}
