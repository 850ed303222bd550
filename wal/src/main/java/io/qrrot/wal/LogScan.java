package io.qrrot.wal;

import io.qrrot.storage.Storage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Validates a whole WAL directory, segment by segment, and judges what it finds: a clean end, a torn tail
 * (repairable) or corruption (fatal). Read-only.
 *
 * <p>The rules, which rely on how the writer works (segments are zero-filled before use and their header
 * records that length, records are 8-byte aligned, every written batch starts with a durability mark
 * stating the last fsynced LSN, a sealed segment is fsynced before the next one is created, a new segment's
 * header is fsynced before it gets its name):
 * <ul>
 *   <li>A torn write only ever damages what was written after the last fsync, so only the end of the last
 *   segment. There, an incomplete record (it runs past the end of the file) or a zero-filled one (length 0
 *   followed by non-zero bytes, or a CRC mismatch where a 512-byte sector of the record is all zero) is a
 *   <b>torn tail</b> — unless something proves the damaged records had been fsynced: a valid durability
 *   mark later in the segment whose durable LSN reaches them, or a file shorter than it was preallocated (its
 *   end was cut off). Then it is corruption. (Version 1 files have neither, and are judged as that version
 *   did.)</li>
 *   <li>Any other damage is <b>corruption</b>: a CRC mismatch without a zeroed sector, an impossible
 *   length, an LSN out of sequence, a bad header, a gap between segments, or damage in a sealed
 *   segment.</li>
 *   <li>Damage confined to records that a snapshot already holds ({@code coveredThroughLsn}: a sealed
 *   segment whose every LSN is at most that, or a gap below it) costs nothing: the segment is
 *   <b>superseded</b>, and so is every older one (they only led up to it, for falling back to an older
 *   snapshot, which the damage already rules out); the log starts after it.</li>
 * </ul>
 */
final class LogScan {
    enum Status { CLEAN, TORN_TAIL, CORRUPT }

    /** A segment as far as it is valid. */
    static final class Segment {
        final Path path;
        final long firstLsn;
        long lastLsn;
        long records;
        /** Offset just after the last valid record. */
        long dataEnd;
        long fileSize;
        /** Durability marks found damaged and read past (they hold no record; the disk damaged them). */
        int damagedMarks;
        /** The segment's format version (0 if its header could not be read). */
        int version;
        /** The file's length when it became a segment (0: it grows as written, or version 1). */
        long preallocatedSize;
        /** The salt of its durability marks. */
        long markSalt;
        /** When it was made, epoch millis (its header's word). */
        long createdAtMillis;

        Segment(Path path, long firstLsn) {
            this.path = path;
            this.firstLsn = firstLsn;
            this.lastLsn = firstLsn - 1;
            this.dataEnd = WalFormat.HEADER_LENGTH;
        }
    }

    /** Where the valid log ends and why. */
    static final class Damage {
        /** Index into {@link #segments} of the damaged segment. */
        final int segmentIndex;
        final Path path;
        final long offset;
        final String detail;
        /** The first LSN that is lost when the log is cut here. */
        final long firstLostLsn;
        /** Non-zero bytes from {@link #offset} to the end of the segment (what a repair drops there). */
        final long droppedBytes;
        /** The header itself is bad: the whole segment goes. */
        final boolean badHeader;
        /** It looks like a torn write and nothing proves the damaged records were fsynced. */
        final boolean tornLooking;

        Damage(int segmentIndex, Path path, long offset, String detail, long firstLostLsn, long droppedBytes,
               boolean badHeader) {
            this(segmentIndex, path, offset, detail, firstLostLsn, droppedBytes, badHeader, false);
        }

        Damage(int segmentIndex, Path path, long offset, String detail, long firstLostLsn, long droppedBytes,
               boolean badHeader, boolean tornLooking) {
            this.segmentIndex = segmentIndex;
            this.path = path;
            this.offset = offset;
            this.detail = detail;
            this.firstLostLsn = firstLostLsn;
            this.droppedBytes = droppedBytes;
            this.badHeader = badHeader;
            this.tornLooking = tornLooking;
        }
    }

    /**
     * A segment left out of the log because a snapshot holds all its records: {@code damage} says what is
     * wrong with it, or is null for an intact older segment that only led up to a damaged one.
     */
    record Superseded(Path path, long firstLsn, long lastLsn, String damage) {
        /** One line for a damaged one: file, LSNs, what is wrong. */
        String describe() {
            return path + " (LSN " + firstLsn + ".." + lastLsn + "): " + damage;
        }
    }

    /** The first LSN the log holds once the superseded segments are gone. */
    long firstKeptLsn(long coveredThroughLsn) {
        return segments.isEmpty() ? coveredThroughLsn + 1 : segments.get(0).firstLsn;
    }

    final Path dir;
    final List<Segment> segments;
    final List<Path> tempFiles;
    final Status status;
    final Damage damage;
    final List<Superseded> superseded;

    private LogScan(Path dir, List<Segment> segments, List<Path> tempFiles, Status status, Damage damage,
                    List<Superseded> superseded) {
        this.dir = dir;
        this.segments = Collections.unmodifiableList(segments);
        this.tempFiles = tempFiles;
        this.status = status;
        this.damage = damage;
        this.superseded = Collections.unmodifiableList(superseded);
    }

    /** LSN after the last valid record, or 0 when there is no segment. */
    long nextLsn() {
        if (segments.isEmpty()) {
            return 0;
        }
        Segment last = segments.get(segments.size() - 1);
        return last.lastLsn + 1;
    }

    /** The segment files of {@code dir}, sorted by first LSN, with the temp files beside them. */
    static List<Path> listSegments(Storage storage, Path dir, List<Path> tempFilesOut) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : storage.list(dir)) {
            String name = p.getFileName().toString();
            if (WalFormat.parseSegmentName(name) >= 0) {
                out.add(p);
            } else if (name.endsWith(".tmp") && tempFilesOut != null) {
                tempFilesOut.add(p);
            }
        }
        out.sort((a, b) -> Long.compare(WalFormat.parseSegmentName(a), WalFormat.parseSegmentName(b)));
        return out;
    }

    /** {@link #scan(Storage, Path, int, long)} with no snapshot: every record is needed. */
    static LogScan scan(Storage storage, Path dir, int maxPayload) throws IOException {
        return scan(storage, dir, maxPayload, 0);
    }

    /**
     * Scans {@code dir}; records up to {@code coveredThroughLsn} are held by a snapshot (0: none), so damage
     * confined to them supersedes segments instead of stopping the log.
     */
    static LogScan scan(Storage storage, Path dir, int maxPayload, long coveredThroughLsn) throws IOException {
        List<Path> temps = new ArrayList<>();
        List<Path> paths = listSegments(storage, dir, temps);
        List<Segment> segments = new ArrayList<>();
        List<Superseded> superseded = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            Path path = paths.get(i);
            boolean last = i == paths.size() - 1;
            // Every record of a sealed segment is below the next segment's first LSN.
            long coveredEnd = last ? -1 : WalFormat.parseSegmentName(paths.get(i + 1)) - 1;
            boolean covered = !last && coveredEnd <= coveredThroughLsn;
            Segment seg = new Segment(path, WalFormat.parseSegmentName(path));
            if (!segments.isEmpty()) {
                Segment prev = segments.get(segments.size() - 1);
                if (seg.firstLsn != prev.lastLsn + 1) {
                    if (seg.firstLsn > prev.lastLsn + 1 && seg.firstLsn - 1 <= coveredThroughLsn) {
                        // The missing records are all in the snapshot: the log starts here.
                        supersede(segments, superseded, null, 0, null);
                    } else {
                        String detail = seg.firstLsn > prev.lastLsn + 1
                                ? "segment starts at LSN " + seg.firstLsn + " but the previous segment ends at LSN "
                                  + prev.lastLsn + " (LSNs " + (prev.lastLsn + 1) + " to " + (seg.firstLsn - 1)
                                  + " are missing)"
                                : "segment starts at LSN " + seg.firstLsn + " but the previous segment already"
                                  + " reaches LSN " + prev.lastLsn;
                        segments.add(seg);
                        return corrupt(dir, segments, temps, superseded, new Damage(segments.size() - 1, path, 0,
                                detail, prev.lastLsn + 1, storage.size(path), true));
                    }
                }
            }
            segments.add(seg);
            int index = segments.size() - 1;
            Damage d = readSegment(storage, seg, index, last, maxPayload);
            if (d == null) {
                continue;
            }
            if (covered) {
                supersede(segments, superseded, seg, coveredEnd, d.detail + " at offset " + d.offset);
                continue;
            }
            if (last && d.tornLooking) {
                return new LogScan(dir, segments, temps, Status.TORN_TAIL, d, superseded);
            }
            return corrupt(dir, segments, temps, superseded, d);
        }
        return new LogScan(dir, segments, temps, Status.CLEAN, null, superseded);
    }

    /**
     * Reads one segment to its end or its first damage; null when it is valid to its end. In the last segment,
     * damage that looks like a torn write is checked for proof that its records were fsynced.
     */
    private static Damage readSegment(Storage storage, Segment seg, int index, boolean last, int maxPayload)
            throws IOException {
        Path path = seg.path;
        try (SegmentReader r = new SegmentReader(storage, path, maxPayload)) {
            seg.fileSize = r.fileSize();
            String headerProblem = r.readHeader(seg.firstLsn);
            if (headerProblem != null) {
                return new Damage(index, path, 0, headerProblem, seg.firstLsn, r.fileSize(), true);
            }
            seg.version = r.version();
            seg.preallocatedSize = r.preallocatedSize();
            seg.markSalt = r.markSalt();
            seg.createdAtMillis = r.createdAtMillis();
            while (true) {
                SegmentReader.Step step = r.next();
                seg.damagedMarks = r.damagedMarks();
                if (step == SegmentReader.Step.RECORD) {
                    seg.records++;
                    seg.lastLsn = r.lsn();
                    seg.dataEnd = r.offset();
                    continue;
                }
                long at = r.recordOffset();
                long nonZeroEnd = r.lastNonZeroEnd(at);
                String detail;
                boolean tornLooking;
                if (step == SegmentReader.Step.END) {
                    if (nonZeroEnd == at) {
                        return null; // clean end: only zeros (or nothing) follow
                    }
                    detail = "record length 0 (end of data) followed by " + (nonZeroEnd - at)
                            + " bytes that are not zero";
                    tornLooking = true;
                } else {
                    detail = r.detail();
                    tornLooking = r.problem() == SegmentReader.Problem.INCOMPLETE
                            || (r.problem() == SegmentReader.Problem.CRC_MISMATCH && r.zeroSector());
                }
                long firstLost = seg.lastLsn + 1;
                if (last && tornLooking) {
                    String proof = durabilityProof(r, at, nonZeroEnd, firstLost);
                    if (proof != null) {
                        detail = detail + "; " + proof;
                        tornLooking = false;
                    }
                }
                return new Damage(index, path, at, detail, firstLost, nonZeroEnd - at, false, last && tornLooking);
            }
        }
    }

    /**
     * Why damage at {@code at} cannot be a torn write although it looks like one, or null: the file lost
     * its end, or a later mark shows the records were fsynced.
     */
    private static String durabilityProof(SegmentReader r, long at, long nonZeroEnd, long firstLost)
            throws IOException {
        if (r.preallocatedSize() > r.fileSize()) {
            return "the file is " + r.fileSize() + " bytes but was zero-filled to " + r.preallocatedSize()
                    + " bytes when it became a segment, so its end was cut off (not a torn write)";
        }
        SegmentReader.Evidence e = r.evidenceBeyond(at, nonZeroEnd, firstLost);
        if (e == null) {
            return null;
        }
        return "a durability mark at offset " + e.offset() + " says records up to LSN " + e.durableLsn()
                + " were fsynced, so this is damage to written records, not a torn write (LSNs " + firstLost
                + " to at least " + e.durableLsn() + " are at stake)";
    }

    /**
     * Leaves every segment scanned so far out of the log ({@code damaged}, if given, with what is wrong with
     * it; the others intact), because a snapshot holds all their records.
     */
    private static void supersede(List<Segment> segments, List<Superseded> out, Segment damaged, long damagedEnd,
                                  String damage) {
        for (Segment s : segments) {
            if (s != damaged) {
                out.add(new Superseded(s.path, s.firstLsn, s.lastLsn, null));
            }
        }
        if (damaged != null) {
            out.add(new Superseded(damaged.path, damaged.firstLsn, damagedEnd, damage));
        }
        segments.clear();
    }

    private static LogScan corrupt(Path dir, List<Segment> segments, List<Path> temps, List<Superseded> superseded,
                                   Damage d) {
        return new LogScan(dir, segments, temps, Status.CORRUPT, d, superseded);
    }

    /** The exception that stops an open at corruption: file, offset, what is wrong, and the repair. */
    WalCorruptionException corruption() {
        return new WalCorruptionException(dir, damage.path, damage.offset, damage.detail, damage.firstLostLsn);
    }
}
