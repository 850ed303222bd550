package io.qrrot.wal;

import java.nio.file.Path;

/**
 * What opening the log did about a torn tail: the last segment was copied to {@code brokenCopy}, then cut
 * at {@code offset}, dropping {@code droppedBytes} non-zero bytes that held no complete record.
 *
 * @param segment      the last segment
 * @param offset       where it was cut (the first byte that was not a valid record)
 * @param droppedBytes non-zero bytes dropped from {@code offset} on
 * @param lastLsn      the last LSN kept (the log now ends there)
 * @param brokenCopy   the copy of the segment as it was before the repair
 * @param detail       what was found at {@code offset}
 */
public record TailRepair(Path segment, long offset, long droppedBytes, long lastLsn, Path brokenCopy,
                         String detail) {

    /** One line for the log and the operator. */
    public String message() {
        return "WAL torn tail repaired: " + segment + " cut at offset " + offset + " (" + detail + "); dropped "
                + droppedBytes + " bytes of records that were never completely written (LSN " + (lastLsn + 1)
                + " on); the log ends at LSN " + lastLsn + "; the segment as it was is kept as " + brokenCopy;
    }
}
