package io.qrrot.recovery.snapshot;

import io.qrrot.storage.IoErrors;
import java.io.IOException;

/**
 * Names a failed I/O call by its step and file, as the WAL names its own: {@code write of
 * /data/snapshots/snapshot-00000000000000000042.qrrt.tmp: No space left on device}. The operating system's
 * own text ("No space left on device") names neither, and the message is what SAVE's log line, the
 * compactor's log line and INFO's {@code last_snapshot_status} show.
 */
final class IoStep {
    private IoStep() {
    }

    @FunctionalInterface
    interface Call<T> {
        T call() throws IOException;
    }

    @FunctionalInterface
    interface Action {
        void run() throws IOException;
    }

    /** Runs one I/O call; an IOException comes back as {@code <step>: <reason>}, the original as its cause. */
    static <T> T run(String step, Call<T> call) throws IOException {
        try {
            return call.call();
        } catch (IOException e) {
            throw failed(step, e);
        }
    }

    static void exec(String step, Action action) throws IOException {
        try {
            action.run();
        } catch (IOException e) {
            throw failed(step, e);
        }
    }

    static IOException failed(String step, IOException e) {
        return new IOException(step + ": " + IoErrors.reason(e), e);
    }
}
