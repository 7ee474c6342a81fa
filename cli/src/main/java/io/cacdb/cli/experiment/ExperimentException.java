package io.cacdb.cli.experiment;

/** An experiment could not be carried out (a cluster did not start, the load failed, a takeover never came). */
public final class ExperimentException extends Exception {

    public ExperimentException(String message) {
        super(message);
    }

    public ExperimentException(String message, Throwable cause) {
        super(message, cause);
    }
}
