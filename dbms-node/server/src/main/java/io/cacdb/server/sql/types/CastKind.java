package io.cacdb.server.sql.types;

/** PostgreSQL's cast contexts: which conversions happen without being written. */
public enum CastKind {
    /** In an expression (operands of an operator): only widening within a family. */
    IMPLICIT,
    /** Storing into a column (INSERT, UPDATE SET): any conversion within a family, and anything into a string. */
    ASSIGNMENT,
    /** Written by the user ({@code CAST(x AS t)}, {@code x::t}). */
    EXPLICIT
}
