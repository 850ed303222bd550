package io.qrrot.recovery.snapshot;

/**
 * What a snapshot file holds, from its header and footer: for {@code qrrot snapshot status/verify} (see
 * {@link #toJson()}) and for recovery's choice of snapshot.
 *
 * @param file          the file's path as given
 * @param formatVersion the format version in the header
 * @param baseLsn       every WAL record with an LSN up to and including this one is inside the snapshot
 * @param createdMillis when the snapshot was written, epoch millis
 * @param recordCount   records in the snapshot's blocks, of every kind: a key with its value, and for a
 *                      collection its header, its elements and the continuations that repeat its key
 * @param keyCount      keys in the snapshot (in format version 1, where every record is a key, the record count)
 * @param blockCount    CRC-checked blocks the records are grouped in
 * @param fileSize      the file's size in bytes
 * @param verified      true when every block CRC, every record's framing, the counts and the digest were
 *                      read and matched; false when only the header and footer were checked
 */
public record SnapshotInfo(String file, int formatVersion, long baseLsn, long createdMillis, long recordCount,
                           long keyCount, long blockCount, long fileSize, boolean verified) {

    /** One JSON object with the fields above, in declaration order. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(256).append("{\"file\":\"");
        for (int i = 0; i < file.length(); i++) {
            char c = file.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append("\",\"formatVersion\":").append(formatVersion)
                .append(",\"baseLsn\":").append(baseLsn)
                .append(",\"createdMillis\":").append(createdMillis)
                .append(",\"recordCount\":").append(recordCount)
                .append(",\"keyCount\":").append(keyCount)
                .append(",\"blockCount\":").append(blockCount)
                .append(",\"fileSize\":").append(fileSize)
                .append(",\"verified\":").append(verified)
                .append('}').toString();
    }

    /** The same snapshot at another path (a copy installed elsewhere), verified. */
    public SnapshotInfo at(String path) {
        return new SnapshotInfo(path, formatVersion, baseLsn, createdMillis, recordCount, keyCount, blockCount,
                fileSize, true);
    }

    SnapshotInfo asVerified() {
        return new SnapshotInfo(file, formatVersion, baseLsn, createdMillis, recordCount, keyCount, blockCount,
                fileSize, true);
    }
}
