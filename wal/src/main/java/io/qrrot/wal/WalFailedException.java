package io.qrrot.wal;

/**
 * The log refuses records: a write or fsync failed (the log then stays failed until restart) or the log
 * is closed. The message is fit for a client as is, code word first, e.g. {@code IOERR write-ahead log
 * failed: fsync of /data/wal/00000000000000000001.wal: No space left on device; writes are refused until
 * restart}.
 */
public class WalFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WalFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    public WalFailedException(String message) {
        super(message);
    }
}
