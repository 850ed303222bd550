package io.qrrot.cli.ops;

import io.qrrot.recovery.DataDirectory;
import io.qrrot.recovery.snapshot.SnapshotCorruptException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** One line for an I/O failure, for the ops verbs' error messages. */
public final class Problems {
    private Problems() {
    }

    /**
     * The exception's own message where it is written for people (the WAL and lock errors name the file, the
     * offset and what to do; a corrupt snapshot file, see {@link #corruptSnapshot}), else a sentence built
     * from the file system's terse one.
     */
    public static String describe(IOException e) {
        if (e instanceof SnapshotCorruptException s) {
            return corruptSnapshot(s);
        }
        if (e instanceof DataDirectory.NotADataDirectoryException n) {
            return notADataDirectory(n);
        }
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

    /**
     * Why a data directory (or a file in it) could not be opened or made, in words: the file system's own
     * exceptions name only the path ({@code /etc/passwd}), which says nothing of the reason.
     */
    public static String describeDirectory(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() == null) {
            String file = f.getFile();
            if (e instanceof NoSuchFileException) {
                return file + " does not exist";
            }
            if (e instanceof AccessDeniedException) {
                return "permission denied: " + file;
            }
            if (e instanceof NotDirectoryException
                    || e instanceof FileAlreadyExistsException && file != null && !Files.isDirectory(Path.of(file))) {
                return file + " is not a directory";
            }
            return describe(e);
        }
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + ": " + lowerFirst(f.getReason());
        }
        if (e instanceof DataDirectory.NotADataDirectoryException n) {
            return notADataDirectory(n);
        }
        return e.getMessage(); // the database's own words, e.g. a corrupt snapshot and how opening falls back
    }

    /**
     * The refusal's own words, and for a missing path why it is missing when that is not a typo: a part of
     * the path that is a file ({@code no such data directory: /etc/passwd/x (/etc/passwd is not a directory)})
     * or a directory that may not be read.
     */
    public static String notADataDirectory(DataDirectory.NotADataDirectoryException e) {
        if (e.kind() != DataDirectory.Kind.MISSING || e.path() == null) {
            return e.getMessage();
        }
        for (Path p = e.path().toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p)) {
                    return e.getMessage() + " (" + p + " is not a directory)";
                }
                if (!Files.isExecutable(p)) {
                    return e.getMessage() + " (permission denied: " + p + ")";
                }
                break;
            }
        }
        return e.getMessage();
    }

    /**
     * A corrupt snapshot file given on the command line (verify, status, dump, restore, save): what is wrong
     * and where, without the advice for a database's own snapshots (opening falls back to the previous one;
     * run snapshot verify), which does not fit a file checked on its own.
     */
    public static String corruptSnapshot(SnapshotCorruptException e) {
        return "corrupt snapshot " + e.file() + " at byte offset " + e.offset() + ": " + e.problem() + " (expected "
                + e.expected() + ", actual " + e.actual() + ")";
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
