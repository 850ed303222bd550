package io.qrrot.engine.store;

/**
 * A write was refused because it would take the store past its configured maximum memory, or the
 * operating system refused off-heap memory. The store is unchanged when this is thrown.
 *
 * <p>The message of a max-memory refusal is exactly Redis' error text {@link #MAXMEMORY_MESSAGE}, so the
 * command layer can reply with it as it is.
 */
public final class StoreMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Redis' reply text when {@code maxmemory} is reached (without the leading {@code -}). */
    public static final String MAXMEMORY_MESSAGE = "OOM command not allowed when used memory > 'maxmemory'.";

    public StoreMemoryException(String message) {
        // No stack trace: this is an expected outcome on a full store, not a bug.
        super(message, null, false, false);
    }

    static StoreMemoryException maxMemory() {
        return new StoreMemoryException(MAXMEMORY_MESSAGE);
    }

    static StoreMemoryException nativeAllocationFailed(long bytes, Throwable cause) {
        StoreMemoryException e = new StoreMemoryException("OOM the operating system refused " + bytes
                + " bytes of off-heap memory (" + cause.getMessage() + "); lower maxmemory or free memory on the host.");
        return e;
    }
}
