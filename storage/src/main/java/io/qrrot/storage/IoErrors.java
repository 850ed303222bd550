package io.qrrot.storage;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The one wording of a failed I/O call's cause, for messages that already name the step and the file
 * ({@code write of /data/wal/…wal: No space left on device}): the WAL's and the snapshots' alike.
 */
public final class IoErrors {
    private static final int MAX_LENGTH = 200;

    private IoErrors() {
    }

    /**
     * The operating system's reason, one line, without the path the step already names. For an Error or an
     * unexpected exception its type leads, since the type is half of what happened.
     */
    public static String reason(Throwable e) {
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
        } else if (!(e instanceof IOException)) {
            text = e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
        } else {
            text = e.getMessage();
        }
        if (text == null || text.isBlank()) {
            text = e.getClass().getSimpleName();
        }
        text = text.replace('\n', ' ').replace('\r', ' ');
        return text.length() > MAX_LENGTH ? text.substring(0, MAX_LENGTH) + "…" : text;
    }
}
