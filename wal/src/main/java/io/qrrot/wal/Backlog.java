package io.qrrot.wal;

/**
 * What the log holds after some LSN (a snapshot's base): what compaction's triggers read, from the segment
 * files, so that they hold across restarts.
 *
 * @param bytes        bytes of records in the segments holding records after that LSN (a segment that
 *                     straddles it counts whole)
 * @param oldestMillis when the first of those segments was made (epoch millis, from its header); 0 when none
 */
public record Backlog(long bytes, long oldestMillis) {
}
