package io.qrrot.wal;

import io.qrrot.storage.IoErrors;
import java.io.IOException;

/** An I/O failure with the step that failed ("fsync of /data/wal/…wal"), for messages fit for a client. */
final class StepException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String step;

    StepException(String step, Throwable cause) {
        super(step + ": " + reason(cause), cause);
        this.step = step;
    }

    String step() {
        return step;
    }

    /** The operating system's reason, one line ({@link IoErrors#reason}), looking through a step's own wrapping. */
    static String reason(Throwable e) {
        return e instanceof StepException s ? reason(s.getCause()) : IoErrors.reason(e);
    }

    /** Runs one I/O step, naming it if it fails. */
    static <T> T run(String step, IoCall<T> call) throws StepException {
        try {
            return call.call();
        } catch (StepException e) {
            throw e;
        } catch (IOException e) {
            throw new StepException(step, e);
        }
    }

    static void exec(String step, IoAction action) throws StepException {
        try {
            action.run();
        } catch (StepException e) {
            throw e;
        } catch (IOException e) {
            throw new StepException(step, e);
        }
    }

    @FunctionalInterface
    interface IoCall<T> {
        T call() throws IOException;
    }

    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }
}
