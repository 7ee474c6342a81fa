package io.cacdb.server.session;

import java.util.List;
import java.util.Optional;

/**
 * A parsed (prepared) statement, made by {@link SqlSession#prepare}. The protocol server keeps it under the client's
 * statement name and closes it when the client closes or replaces it, or when the session ends.
 */
public interface SqlStatement {

    /**
     * The type of every parameter {@code $1..$n}, in order, after inference: the client's declared types where it
     * gave them, the SQL layer's choice where it sent OID 0. Parameters are decoded with these types before {@link
     * SqlSession#bind}; one left {@link PgType#UNKNOWN} is passed as its text.
     */
    List<PgType> parameterTypes();

    /** The rows the statement returns when executed, or empty if it returns none (NoData). */
    Optional<RowDescription> rowDescription();

    /** Releases what the statement holds. Called once, by the session's thread. */
    void close();
}
