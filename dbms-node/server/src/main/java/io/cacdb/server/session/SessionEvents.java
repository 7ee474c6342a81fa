package io.cacdb.server.session;

/**
 * What a session tells its client outside the results of a statement. Called only from the session's own thread,
 * while it runs a statement; the messages go out in order with the statement's results.
 */
public interface SessionEvents {

    /** A reported run-time parameter changed (after {@code SET TimeZone}, {@code SET application_name}, ...). */
    void parameterStatus(String name, String value);

    /** A notice for the client (NoticeResponse). */
    void notice(SqlNotice notice);
}
