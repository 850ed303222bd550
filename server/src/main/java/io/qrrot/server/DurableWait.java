package io.qrrot.server;

import io.qrrot.recovery.Qrrot;
import java.util.concurrent.RejectedExecutionException;

/**
 * A connection's pending {@code whenDurable} registration. The facade may complete it on its WAL thread;
 * it then only queues itself to the connection's event loop (the one thread hand-off of the request path).
 * Pooled per connection, so waiting allocates nothing.
 */
final class DurableWait implements Qrrot.DurabilityListener, Runnable {
    private final ClientConnection connection;
    long lsn;
    private volatile String failure;

    DurableWait(ClientConnection connection) {
        this.connection = connection;
    }

    @Override
    public void onDurable() {
        failure = null;
        dispatch();
    }

    @Override
    public void onFailure(String message) {
        failure = message == null || message.isBlank() ? "IOERR the write-ahead log failed" : message;
        dispatch();
    }

    private void dispatch() {
        if (connection.loop.inEventLoop()) {
            run();
            return;
        }
        try {
            connection.loop.execute(this);
        } catch (RejectedExecutionException e) {
            // The loop is gone: the server is stopped and the connection closed; nothing to send.
        }
    }

    @Override
    public void run() {
        long l = lsn;
        String f = failure;
        connection.recycle(this);
        connection.durabilityReached(l, f);
    }
}
