package io.qrrot.wal;

import java.io.IOException;
import java.nio.file.FileSystemException;

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

    /** The operating system's reason, one line, without the path the step already names. */
    static String reason(Throwable e) {
        String text;
        if (e instanceof StepException s) {
            return reason(s.getCause());
        } else if (e instanceof FileSystemException fse && fse.getReason() != null) {
            text = fse.getReason();
        } else if (!(e instanceof IOException)) {
            // An Error or an unexpected exception: its type is half of what happened.
            text = e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
        } else {
            text = e.getMessage();
        }
        if (text == null || text.isBlank()) {
            text = e.getClass().getSimpleName();
        }
        text = text.replace('\n', ' ').replace('\r', ' ');
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
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
