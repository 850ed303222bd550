package io.qrrot.wal;

import io.qrrot.storage.Storage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Validates a whole WAL directory, segment by segment, and judges what it finds: a clean end, a torn tail
 * (repairable) or corruption before the tail (fatal). Read-only.
 *
 * <p>The rules, which rely on how the writer works (segments are zero-filled before use, records are
 * 8-byte aligned, a sealed segment is fsynced before the next one is created, a new segment's header is
 * fsynced before it gets its name):
 * <ul>
 *   <li>In the last segment, an incomplete record (it runs past the end of the file) or a zero-filled one
 *   (length 0 followed by non-zero bytes, or a CRC mismatch where a 512-byte sector of the record is all
 *   zero) is a <b>torn tail</b>: what a power cut leaves of writes that were never fsynced.</li>
 *   <li>Any other damage is <b>corruption</b>: a CRC mismatch without a zeroed sector, an impossible
 *   length, an LSN out of sequence, a bad header, a gap between segments, or damage in a sealed
 *   segment.</li>
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

        Damage(int segmentIndex, Path path, long offset, String detail, long firstLostLsn, long droppedBytes,
               boolean badHeader) {
            this.segmentIndex = segmentIndex;
            this.path = path;
            this.offset = offset;
            this.detail = detail;
            this.firstLostLsn = firstLostLsn;
            this.droppedBytes = droppedBytes;
            this.badHeader = badHeader;
        }
    }

    final Path dir;
    final List<Segment> segments;
    final List<Path> tempFiles;
    final Status status;
    final Damage damage;

    private LogScan(Path dir, List<Segment> segments, List<Path> tempFiles, Status status, Damage damage) {
        this.dir = dir;
        this.segments = Collections.unmodifiableList(segments);
        this.tempFiles = tempFiles;
        this.status = status;
        this.damage = damage;
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

    static LogScan scan(Storage storage, Path dir, int maxPayload) throws IOException {
        List<Path> temps = new ArrayList<>();
        List<Path> paths = listSegments(storage, dir, temps);
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            Path path = paths.get(i);
            boolean last = i == paths.size() - 1;
            Segment seg = new Segment(path, WalFormat.parseSegmentName(path));
            segments.add(seg);
            if (i > 0) {
                Segment prev = segments.get(i - 1);
                if (seg.firstLsn != prev.lastLsn + 1) {
                    String detail = seg.firstLsn > prev.lastLsn + 1
                            ? "segment starts at LSN " + seg.firstLsn + " but the previous segment ends at LSN "
                              + prev.lastLsn + " (LSNs " + (prev.lastLsn + 1) + " to " + (seg.firstLsn - 1)
                              + " are missing)"
                            : "segment starts at LSN " + seg.firstLsn + " but the previous segment already"
                              + " reaches LSN " + prev.lastLsn;
                    return corrupt(dir, segments, temps, new Damage(i, path, 0, detail, prev.lastLsn + 1,
                            storage.size(path), true));
                }
            }
            try (SegmentReader r = new SegmentReader(storage, path, maxPayload)) {
                seg.fileSize = r.fileSize();
                String headerProblem = r.readHeader(seg.firstLsn);
                if (headerProblem != null) {
                    return corrupt(dir, segments, temps, new Damage(i, path, 0, headerProblem, seg.firstLsn,
                            r.fileSize(), true));
                }
                while (true) {
                    SegmentReader.Step step = r.next();
                    if (step == SegmentReader.Step.RECORD) {
                        seg.records++;
                        seg.lastLsn = r.lsn();
                        seg.dataEnd = r.offset();
                        continue;
                    }
                    long at = r.recordOffset();
                    long nonZeroEnd = r.lastNonZeroEnd(at);
                    if (step == SegmentReader.Step.END) {
                        if (nonZeroEnd == at) {
                            break; // clean end: only zeros (or nothing) follow
                        }
                        String detail = "record length 0 (end of data) followed by " + (nonZeroEnd - at)
                                + " bytes that are not zero";
                        if (last) {
                            return new LogScan(dir, segments, temps, Status.TORN_TAIL,
                                    new Damage(i, path, at, detail, seg.lastLsn + 1, nonZeroEnd - at, false));
                        }
                        return corrupt(dir, segments, temps,
                                new Damage(i, path, at, detail, seg.lastLsn + 1, nonZeroEnd - at, false));
                    }
                    Damage d = new Damage(i, path, at, r.detail(), seg.lastLsn + 1, nonZeroEnd - at, false);
                    boolean torn = r.problem() == SegmentReader.Problem.INCOMPLETE
                            || (r.problem() == SegmentReader.Problem.CRC_MISMATCH && r.zeroSector());
                    if (last && torn) {
                        return new LogScan(dir, segments, temps, Status.TORN_TAIL, d);
                    }
                    return corrupt(dir, segments, temps, d);
                }
            }
        }
        return new LogScan(dir, segments, temps, Status.CLEAN, null);
    }

    private static LogScan corrupt(Path dir, List<Segment> segments, List<Path> temps, Damage d) {
        return new LogScan(dir, segments, temps, Status.CORRUPT, d);
    }

    /** The exception that stops an open at corruption: file, offset, what is wrong, and the repair. */
    WalCorruptionException corruption() {
        return new WalCorruptionException(dir, damage.path, damage.offset, damage.detail, damage.firstLostLsn);
    }
}
