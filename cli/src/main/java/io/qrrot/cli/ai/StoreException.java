package io.qrrot.cli.ai;

/** The database refused a read: the message is its error text, e.g. {@code WRONGTYPE Operation against …}. */
public class StoreException extends Exception {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }
}
