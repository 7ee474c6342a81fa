package io.cacdb.engine.volume;

/** The three DAX read kinds (DESIGN §3), chosen per read by the caller. */
public enum ReadConsistency {
    /** Highest version among a read quorum. */
    QUORUM,
    /** Optimistic I/O: nearest replica whose version is at least the one asked for, else a quorum read. */
    AT_LEAST,
    /** Nearest replica, no guarantee; only for data validated some other way. */
    ANY
}
