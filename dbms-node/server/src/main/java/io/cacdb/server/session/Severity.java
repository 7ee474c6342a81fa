package io.cacdb.server.session;

/**
 * Severity of an ErrorResponse or NoticeResponse, as PostgreSQL names it (the non-localized {@code V} field). ERROR
 * ends the statement, FATAL the connection; the others are notices. PANIC is never produced here.
 */
public enum Severity {
    ERROR(true), FATAL(true), PANIC(true), WARNING(false), NOTICE(false), DEBUG(false), INFO(false), LOG(false);

    private final boolean error;

    Severity(boolean error) {
        this.error = error;
    }

    /** True for severities sent in an ErrorResponse, false for NoticeResponse ones. */
    public boolean isError() {
        return error;
    }
}
