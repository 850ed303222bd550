package io.qrrot.testkit;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies what is written to {@link System#err} into a buffer, from construction until {@link #close}, and
 * still passes it on to the stream that was there (so a test's output keeps showing it). For tests of log
 * lines: the test logger writes to whatever {@code System.err} is when it logs.
 *
 * <pre>{@code
 * CapturedStderr stderr = new CapturedStderr();
 * try (stderr) {
 *     ... // code that logs
 * }
 * assertTrue(stderr.text().contains("..."), stderr.text());
 * }</pre>
 */
public final class CapturedStderr implements AutoCloseable {
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final PrintStream original;

    /** Starts capturing. */
    public CapturedStderr() {
        original = System.err;
        PrintStream err = original;
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public synchronized void write(int b) {
                captured.write(b);
                err.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                captured.write(b, off, len);
                err.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
    }

    /** What was written so far (UTF-8); also after {@link #close}. */
    public String text() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    /** Puts back the stream that was {@code System.err} before. */
    @Override
    public void close() {
        System.setErr(original);
    }
}
