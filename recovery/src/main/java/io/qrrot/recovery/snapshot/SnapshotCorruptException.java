package io.qrrot.recovery.snapshot;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A snapshot file failed a check: a magic, a version, a CRC, a length or a count. Nothing read from it may be
 * trusted. The message names the file, the byte offset, what was expected and what was found, and what to do.
 */
public final class SnapshotCorruptException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;
    private final String problem;
    private final String expected;
    private final String actual;

    public SnapshotCorruptException(Path file, long offset, String problem, String expected, String actual) {
        super("corrupt snapshot " + file + " at byte offset " + offset + ": " + problem
                + " (expected " + expected + ", actual " + actual + "); qrrot falls back to the previous snapshot"
                + " when it opens the database; run `qrrot snapshot verify " + file + "` to check the file");
        this.file = file;
        this.offset = offset;
        this.problem = problem;
        this.expected = expected;
        this.actual = actual;
    }

    /** The snapshot file. */
    public Path file() {
        return file;
    }

    /** Byte offset in the file of the field that failed its check. */
    public long offset() {
        return offset;
    }

    /** What failed, e.g. {@code block 3 CRC32C mismatch}. */
    public String problem() {
        return problem;
    }

    public String expected() {
        return expected;
    }

    public String actual() {
        return actual;
    }
}
