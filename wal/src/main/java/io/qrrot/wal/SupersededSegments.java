package io.qrrot.wal;

import java.nio.file.Path;
import java.util.List;

/**
 * What opening the log did about damage that a snapshot already covers: the damaged segments were renamed
 * to {@code *.broken} and the older, intact segments before them deleted (they only led up to the damage,
 * for falling back to an older snapshot, which the damage already rules out). The log now starts at
 * {@code firstLsn}; no record it needs was lost.
 *
 * @param coveredThroughLsn the last LSN the snapshot holds
 * @param damaged           one line per damaged segment: file, LSNs, what is wrong, where it was moved
 * @param deleted           the intact older segments deleted
 * @param firstLsn          the first LSN the log now holds
 */
public record SupersededSegments(long coveredThroughLsn, List<String> damaged, List<Path> deleted, long firstLsn) {

    /** One line for the log and the operator. */
    public String message() {
        return "WAL damage that the snapshot through LSN " + coveredThroughLsn + " already covers: "
                + String.join("; ", damaged)
                + (deleted.isEmpty() ? "" : "; deleted the " + deleted.size() + " older segment(s) that only led"
                  + " up to it: " + deleted.stream().map(p -> p.getFileName().toString()).toList())
                + "; no record the database needs was lost; the WAL now starts at LSN " + firstLsn
                + " (falling back to an older snapshot is no longer possible)";
    }
}
