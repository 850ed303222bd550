package io.qrrot.wal;

import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The offline tools behind {@code qrrot wal check DIR [--fix]} and {@code qrrot wal dump DIR}: validate a
 * WAL directory that no server has open, cut it at the first bad record, list its records.
 */
public final class WalCheck {
    /** The verdict on a log. */
    public enum Status {
        /** Every segment is valid to its end. */
        CLEAN,
        /** The last segment ends in a torn write: opening the log repairs it. */
        TORN_TAIL,
        /** Damage before the tail: the log cannot be opened until it is cut with {@code --fix}. */
        CORRUPT
    }

    /** One segment as far as it is valid. */
    public record SegmentSummary(Path path, long firstLsn, long lastLsn, long records, long dataBytes,
                                 long fileBytes) {
    }

    /**
     * What {@link #check} found and did.
     *
     * @param status         the verdict before any fix
     * @param segments       the segments that were scanned (the damaged one last, counted up to the damage)
     * @param lastLsn        the last valid LSN (the log ends here after a fix)
     * @param records        valid records
     * @param damagedSegment where the damage is, or null
     * @param damageOffset   its offset in that file
     * @param problem        one line describing the damage, or null
     * @param fixed          whether the log was cut
     * @param droppedBytes   bytes cut off (non-zero bytes of the damaged segment after the damage, plus
     *                       whole later segments)
     * @param brokenFiles    copies kept of everything cut
     * @param superseded     damage a snapshot already covers (what was or would be set aside), or null
     */
    public record Report(Path dir, Status status, List<SegmentSummary> segments, long lastLsn, long records,
                         Path damagedSegment, long damageOffset, String problem, boolean fixed,
                         long droppedBytes, List<Path> brokenFiles, SupersededSegments superseded) {

        /** Human-readable lines for the terminal. */
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            for (SegmentSummary s : segments) {
                out.add(s.path().getFileName() + ": LSN " + s.firstLsn() + ".." + s.lastLsn() + ", " + s.records()
                        + " records, " + s.dataBytes() + " data bytes, " + s.fileBytes() + " bytes on disk");
            }
            if (superseded != null) {
                out.add((fixed ? "" : "opening the log sets this aside: ") + superseded.message());
            }
            switch (status) {
                case CLEAN -> out.add("clean: " + records + " records, last LSN " + lastLsn);
                case TORN_TAIL -> out.add("torn tail in " + damagedSegment + " at offset " + damageOffset + ": "
                        + problem + " (opening the log repairs this)");
                case CORRUPT -> out.add(WalCorruptionException.message(dir, damagedSegment, damageOffset, problem,
                        lastLsn + 1));
                default -> throw new IllegalStateException();
            }
            if (fixed) {
                out.add("fixed: the log now ends at LSN " + lastLsn + "; dropped " + droppedBytes
                        + " bytes; kept copies: " + brokenFiles);
            }
            return out;
        }
    }

    /** One record of a dump, or (with {@code problem} set) where and why the dump stopped. */
    public record DumpEntry(Path segment, long offset, long lsn, int length, ByteBuffer payload, String problem) {
    }

    private WalCheck() {
    }

    /** Checks {@code dir} on the real file system; with {@code fix}, cuts the log at the first bad record. */
    public static Report check(Path dir, boolean fix) throws IOException {
        return check(dir, fix, 0);
    }

    /** {@link #check(Storage, Path, boolean, int, long)} on the real file system with the default maximum payload. */
    public static Report check(Path dir, boolean fix, long coveredThroughLsn) throws IOException {
        return check(FileStorage.INSTANCE, dir, fix, WalOptions.defaults().maxPayloadBytes(), coveredThroughLsn);
    }

    /** {@link #check(Storage, Path, boolean, int, long)} with no snapshot: every record is needed. */
    public static Report check(Storage storage, Path dir, boolean fix, int maxPayload) throws IOException {
        return check(storage, dir, fix, maxPayload, 0);
    }

    /**
     * Checks every segment of {@code dir} by the rules the log is opened with ({@link Wal#open(Path, WalOptions,
     * long)}), including what {@code coveredThroughLsn} (the last LSN a snapshot holds, 0 for none) makes
     * harmless. With {@code fix}: damage a snapshot covers is set aside as opening the log would; a torn tail
     * is set aside and zeroed as opening would; corruption cuts the log at the first bad record: the damaged
     * bytes are copied to {@code NNN.wal.from-OFFSET.broken} and zeroed in the segment (or the segment is
     * renamed to {@code *.broken} when its header is bad), and every later segment is renamed to
     * {@code *.broken}. The log must not be open.
     */
    public static Report check(Storage storage, Path dir, boolean fix, int maxPayload, long coveredThroughLsn)
            throws IOException {
        LogScan scan = LogScan.scan(storage, dir, maxPayload, coveredThroughLsn);
        SupersededSegments wouldSupersede = scan.superseded.isEmpty() ? null
                : new SupersededSegments(coveredThroughLsn,
                        scan.superseded.stream().filter(x -> x.damage() != null).map(LogScan.Superseded::describe)
                                .toList(),
                        scan.superseded.stream().filter(x -> x.damage() == null).map(LogScan.Superseded::path)
                                .toList(),
                        scan.firstKeptLsn(coveredThroughLsn));
        List<SegmentSummary> summaries = new ArrayList<>();
        long records = 0;
        long lastLsn = 0;
        int upTo = scan.damage == null ? scan.segments.size() : scan.damage.segmentIndex + 1;
        for (int i = 0; i < upTo && i < scan.segments.size(); i++) {
            LogScan.Segment s = scan.segments.get(i);
            summaries.add(new SegmentSummary(s.path, s.firstLsn, s.lastLsn, s.records, s.dataEnd, s.fileSize));
            records += s.records;
        }
        if (!scan.segments.isEmpty()) {
            lastLsn = scan.damage == null
                    ? scan.segments.get(scan.segments.size() - 1).lastLsn
                    : scan.damage.firstLostLsn - 1;
        }
        Status status = switch (scan.status) {
            case CLEAN -> Status.CLEAN;
            case TORN_TAIL -> Status.TORN_TAIL;
            case CORRUPT -> Status.CORRUPT;
        };
        LogScan.Damage d = scan.damage;
        if (!fix) {
            return d == null
                    ? new Report(dir, status, summaries, lastLsn, records, null, 0, null, false, 0, List.of(),
                            wouldSupersede)
                    : new Report(dir, status, summaries, lastLsn, records, d.path, d.offset, d.detail, false,
                            d.droppedBytes, List.of(), wouldSupersede);
        }
        SegmentFiles files = new SegmentFiles(storage, dir);
        SupersededSegments superseded = Wal.setAsideSuperseded(files, scan, coveredThroughLsn);
        if (d == null) {
            return new Report(dir, status, summaries, lastLsn, records, null, 0, null, superseded != null, 0,
                    List.of(), superseded);
        }
        List<Path> broken = new ArrayList<>();
        long dropped = 0;
        List<Path> all = LogScan.listSegments(storage, dir, null);
        int from = all.indexOf(d.path);
        if (d.badHeader) {
            // the whole segment goes, with the later ones
        } else if (scan.status == LogScan.Status.TORN_TAIL) {
            TailRepair repair = Wal.repairTornTail(files, scan);
            if (repair.brokenCopy() != null) {
                broken.add(repair.brokenCopy());
            }
            dropped += d.droppedBytes;
            from++;
        } else {
            // Corruption: these bytes may hold acknowledged records, so no copy, no cut.
            Path copy = files.setAsideTail(d.path, d.offset, d.offset + d.droppedBytes, true).path();
            if (copy != null) {
                broken.add(copy);
            }
            dropped += d.droppedBytes;
            from++;
        }
        for (int i = from; i < all.size(); i++) {
            dropped += storage.size(all.get(i));
            broken.add(files.moveToBroken(all.get(i)));
        }
        files.syncDirectory();
        return new Report(dir, status, summaries, lastLsn, records, d.path, d.offset, d.detail, true, dropped,
                broken, superseded);
    }

    /** {@link #dump(Storage, Path, int)} on the real file system with the default maximum payload. */
    public static Iterator<DumpEntry> dump(Path dir) throws IOException {
        return dump(FileStorage.INSTANCE, dir, WalOptions.defaults().maxPayloadBytes());
    }

    /**
     * Every valid record of {@code dir} in order, with its file and offset; if damage stops the dump, a
     * last entry says where and why. Read-only. The payload buffers are copies.
     */
    public static Iterator<DumpEntry> dump(Storage storage, Path dir, int maxPayload) throws IOException {
        List<Path> paths = LogScan.listSegments(storage, dir, null);
        return new Iterator<>() {
            private int index;
            private SegmentReader reader;
            private DumpEntry next;
            private boolean done;
            private long expected = -1;

            @Override
            public boolean hasNext() {
                if (next == null && !done) {
                    try {
                        next = advance();
                    } catch (IOException e) {
                        next = new DumpEntry(reader == null ? null : reader.path(), -1, -1, 0, null,
                                "read failed: " + StepException.reason(e));
                        finish();
                    }
                }
                return next != null;
            }

            @Override
            public DumpEntry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                DumpEntry e = next;
                next = null;
                return e;
            }

            private DumpEntry advance() throws IOException {
                while (true) {
                    if (reader == null) {
                        if (index >= paths.size()) {
                            done = true;
                            return null;
                        }
                        Path p = paths.get(index++);
                        long first = WalFormat.parseSegmentName(p);
                        if (expected >= 0 && first != expected) {
                            finish();
                            return new DumpEntry(p, 0, -1, 0, null, "segment starts at LSN " + first
                                    + " but the previous segment ends at LSN " + (expected - 1));
                        }
                        reader = new SegmentReader(storage, p, maxPayload);
                        String problem = reader.readHeader(first);
                        if (problem != null) {
                            DumpEntry e = new DumpEntry(p, 0, -1, 0, null, problem);
                            finish();
                            return e;
                        }
                        expected = first;
                    }
                    SegmentReader.Step step = reader.next();
                    if (step == SegmentReader.Step.RECORD) {
                        ByteBuffer copy = ByteBuffer.allocate(reader.payloadLength());
                        ByteBuffer src = reader.buffer().duplicate();
                        src.limit(reader.payloadIndex() + reader.payloadLength()).position(reader.payloadIndex());
                        copy.put(src).flip();
                        expected = reader.lsn() + 1;
                        return new DumpEntry(reader.path(), reader.recordOffset(), reader.lsn(),
                                reader.payloadLength(), copy.asReadOnlyBuffer(), null);
                    }
                    if (step == SegmentReader.Step.PROBLEM) {
                        DumpEntry e = new DumpEntry(reader.path(), reader.recordOffset(), -1, 0, null,
                                reader.detail());
                        finish();
                        return e;
                    }
                    reader.close();
                    reader = null;
                }
            }

            private void finish() {
                done = true;
                if (reader != null) {
                    try {
                        reader.close();
                    } catch (IOException ignored) {
                        // read-only file
                    }
                    reader = null;
                }
            }
        };
    }
}
