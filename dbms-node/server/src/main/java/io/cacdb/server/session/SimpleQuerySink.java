package io.cacdb.server.session;

/**
 * What one simple-query string produces, statement after statement: for each statement either {@link
 * #rowDescription} then rows then {@link #commandComplete}, or only {@link #commandComplete}, or {@link
 * #emptyQuery()} for an empty statement. An exception thrown by {@link SqlSession#simpleQuery} ends the string: the
 * statements after the failing one are not run.
 */
public interface SimpleQuerySink extends RowSink {

    /** A row-returning statement starts; its rows follow. */
    void rowDescription(RowDescription description);

    /** The current statement is done; {@code commandTag} as PostgreSQL writes it ({@code SELECT 3}, {@code INSERT 0 1}). */
    void commandComplete(String commandTag);

    /** The query string (or one of its statements) was empty. */
    void emptyQuery();
}
