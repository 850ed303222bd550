package io.qrrot.engine.json;

/** A value is not valid JSON, or a JSON path is not in the supported subset. The message is fit for a client. */
public final class JsonInvalidException extends Exception {
    private static final long serialVersionUID = 1L;

    public JsonInvalidException(String message) {
        super(message, null, false, false);
    }
}
