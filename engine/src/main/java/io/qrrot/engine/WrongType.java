package io.qrrot.engine;

/**
 * Thrown by a lookup that found a key of another type than the command works on; the engine replies Redis's
 * WRONGTYPE error for the command. Shared and without a stack trace: it is control flow, not a failure.
 */
final class WrongType extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final WrongType INSTANCE = new WrongType();

    private WrongType() {
        super(Errors.WRONGTYPE, null, false, false);
    }
}
