package io.qrrot.wal;

import java.nio.file.Path;

/**
 * What opening the log did about a torn tail: the damaged bytes of the last segment, from {@code offset} on,
 * were copied to {@code brokenCopy} and zeroed in the segment, so the log now ends at {@code lastLsn}.
 *
 * @param segment      the last segment
 * @param offset       where the log now ends (the first byte that was not a valid record)
 * @param droppedBytes non-zero bytes set aside from {@code offset} on
 * @param lastLsn      the last LSN kept (the log now ends there)
 * @param brokenCopy   the copy of the bytes set aside, or null when none could be made
 * @param copyFailure  why no copy could be made (a full disk, say), or null
 * @param detail       what was found at {@code offset}
 */
public record TailRepair(Path segment, long offset, long droppedBytes, long lastLsn, Path brokenCopy,
                         String copyFailure, String detail) {

    /** One line for the log and the operator. */
    public String message() {
        String kept = brokenCopy != null ? "kept as " + brokenCopy
                : copyFailure != null ? "no copy could be kept (" + copyFailure + ")" : "nothing to keep";
        return "WAL torn tail repaired: " + segment + " ends at offset " + offset + " (" + detail + "); "
                + droppedBytes + " bytes from LSN " + (lastLsn + 1) + " on, written after the last fsync the log"
                + " can prove and damaged as an interrupted write leaves them, were set aside (" + kept
                + "); the log ends at LSN " + lastLsn;
    }
}
