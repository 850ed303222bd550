package io.qrrot.recovery.snapshot;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

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
        return new IOException(step + ": " + reason(e), e);
    }

    /** The operating system's reason, one line, without the path the step already names. */
    static String reason(IOException e) {
        String text;
        if (e instanceof FileSystemException f && f.getReason() != null) {
            text = f.getReason();
        } else if (e instanceof NoSuchFileException) {
            text = "No such file or directory";
        } else if (e instanceof FileAlreadyExistsException) {
            text = "File exists";
        } else if (e instanceof AccessDeniedException) {
            text = "Permission denied";
        } else if (e instanceof NotDirectoryException) {
            text = "Not a directory";
        } else if (e instanceof DirectoryNotEmptyException) {
            text = "Directory not empty";
        } else if (e instanceof FileSystemException) {
            text = e.getClass().getSimpleName();
        } else {
            text = e.getMessage();
        }
        if (text == null || text.isBlank()) {
            text = e.getClass().getSimpleName();
        }
        text = text.replace('\n', ' ').replace('\r', ' ');
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
