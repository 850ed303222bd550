package io.qrrot.crash;

import java.io.IOException;

/** A server the harness can start on its data directory, kill with SIGKILL, and start again. */
public interface ServerUnderTest extends AutoCloseable {
    /** Starts the server on its (kept) data directory and waits until it answers PING; returns its port. */
    int start() throws IOException, InterruptedException;

    /** Milliseconds the last {@link #start} took until the first PING answer (recovery time). */
    long lastStartMillis();

    /** SIGKILL, then waits for the process to be gone. */
    void kill() throws InterruptedException;

    /**
     * SIGTERM, then waits up to {@code timeoutMillis} for the process to exit and returns its exit status;
     * throws, naming the hang, if it had to be killed. It can be started again.
     */
    int terminate(long timeoutMillis) throws InterruptedException;

    /** Graceful stop (SIGTERM), then waits. */
    @Override
    void close() throws InterruptedException;

    String describe();
}
