package io.qrrot.cli.resp;

import java.io.IOException;

/**
 * A connection-level failure (could not connect, timed out, connection closed, malformed reply), with a
 * message fit to show to the user as is. Error replies from the server are not exceptions: they are
 * {@link Reply.ErrorReply} values.
 */
public class RespException extends IOException {
    private static final long serialVersionUID = 1L;

    public RespException(String message) {
        super(message);
    }

    public RespException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The server closed the connection where a reply was expected (after SHUTDOWN, CLIENT KILL, a stop). */
    public static final class Closed extends RespException {
        private static final long serialVersionUID = 1L;

        public Closed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
