package io.qrrot.cli.ai;

/** A model call failed (network, timeout, quota, HTTP error, unreadable reply); the message says what to do. */
public class ModelException extends Exception {
    private static final long serialVersionUID = 1L;

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
