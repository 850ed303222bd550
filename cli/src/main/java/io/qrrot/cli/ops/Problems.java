package io.qrrot.cli.ops;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** One line for an I/O failure, for the ops verbs' error messages. */
public final class Problems {
    private Problems() {
    }

    /**
     * The exception's own message where it is written for people (the snapshot, WAL and lock errors name
     * the file, the offset and what to do), else a sentence built from the file system's terse one.
     */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() == null) {
            if (e instanceof NoSuchFileException) {
                return "no such file or directory: " + f.getFile();
            }
            if (e instanceof AccessDeniedException) {
                return "permission denied: " + f.getFile();
            }
            return f.getClass().getSimpleName() + ": " + f.getFile();
        }
        return e.getMessage();
    }
}
