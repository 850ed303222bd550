package io.qrrot.engine;

/**
 * The effect log refused a record. The message is meant for the client as is, code word first, e.g.
 * {@code "IOERR the write-ahead log failed: fsync of wal/00000000000000000001.wal: No space left on device;
 * writes are refused until restart"}.
 */
public class EffectLogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EffectLogException(String message, Throwable cause) {
        super(message, cause);
    }

    public EffectLogException(String message) {
        super(message);
    }
}
