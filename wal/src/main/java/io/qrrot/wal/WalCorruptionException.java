package io.qrrot.wal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The log is damaged before its tail: it cannot be opened or read past this point without losing records
 * that may have been acknowledged. The message names the segment file, the offset, what is wrong (for a
 * CRC mismatch the expected and actual CRC) and the repair command.
 */
public class WalCorruptionException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path segment;
    private final long offset;
    private final long firstLostLsn;

    public WalCorruptionException(Path dir, Path segment, long offset, String detail, long firstLostLsn) {
        super(message(dir, segment, offset, detail, firstLostLsn));
        this.segment = segment;
        this.offset = offset;
        this.firstLostLsn = firstLostLsn;
    }

    static String message(Path dir, Path segment, long offset, String detail, long firstLostLsn) {
        return "WAL corrupt in " + segment + " at offset " + offset + ": " + detail + "; records from LSN "
                + firstLostLsn + " on cannot be read. Repair with: qrrot wal check " + dir
                + " --fix (cuts the log there; damaged segments are kept as *.broken)";
    }

    /** The damaged segment file. */
    public Path segment() {
        return segment;
    }

    /** Offset in {@link #segment()} of the first bad byte range (0 for a bad header or a gap). */
    public long offset() {
        return offset;
    }

    /** The first LSN that a repair would drop. */
    public long firstLostLsn() {
        return firstLostLsn;
    }
}
