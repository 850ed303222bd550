package io.qrrot.engine;

/**
 * An effect record that does not follow the format of {@link EffectCodec}: an unknown version or op code, or
 * lengths that run past the end of the record. The message names the offset and what was expected.
 */
public final class EffectFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EffectFormatException(String message) {
        super(message);
    }
}
