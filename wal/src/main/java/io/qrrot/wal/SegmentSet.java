package io.qrrot.wal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The segments of an open log, by first LSN (the last one is being written), and the readers that still
 * need some of them. Retention deletes from the oldest end only, never past an open reader. Thread-safe.
 */
final class SegmentSet implements WalReader.SegmentIndex {
    /** One segment file; {@code size} is kept up to date for INFO without touching the disk. */
    static final class Info {
        final Path path;
        final long firstLsn;
        final long createdAtMillis;
        volatile long size;
        /** Where its records end: the file size once sealed; the write position while it is written. */
        volatile long end;

        Info(Path path, long firstLsn, long createdAtMillis, long size) {
            this.path = path;
            this.firstLsn = firstLsn;
            this.createdAtMillis = createdAtMillis;
            this.size = size;
            this.end = size;
        }
    }

    private final SegmentFiles files;
    private final TreeMap<Long, Info> segments = new TreeMap<>();
    private final List<WalReader> readers = new ArrayList<>();

    SegmentSet(SegmentFiles files) {
        this.files = files;
    }

    synchronized void add(Info info) {
        segments.put(info.firstLsn, info);
    }

    synchronized Info get(long firstLsn) {
        return segments.get(firstLsn);
    }

    synchronized long firstLsn() {
        return segments.firstKey();
    }

    synchronized int count() {
        return segments.size();
    }

    synchronized long bytes() {
        long bytes = 0;
        for (Info s : segments.values()) {
            bytes += s.size;
        }
        return bytes;
    }

    /**
     * Bytes of records in the segments that hold records after {@code lsn} (a segment holding {@code lsn}
     * as well counts whole), and when the first of them was made; {@code lastLsn} is the last record written.
     */
    synchronized Backlog backlogAfter(long lsn, long lastLsn) {
        long bytes = 0;
        long oldest = 0;
        Map.Entry<Long, Info> e = segments.firstEntry();
        while (e != null) {
            Map.Entry<Long, Info> next = segments.higherEntry(e.getKey());
            long segmentLast = next == null ? lastLsn : next.getKey() - 1;
            if (segmentLast > lsn) {
                bytes += Math.max(0, e.getValue().end - WalFormat.HEADER_LENGTH);
                if (oldest == 0) {
                    oldest = e.getValue().createdAtMillis;
                }
            }
            e = next;
        }
        return new Backlog(bytes, oldest);
    }

    @Override
    public synchronized Map.Entry<Long, Path> floor(long lsn) {
        Map.Entry<Long, Info> e = segments.floorEntry(lsn);
        return e == null ? null : Map.entry(e.getKey(), e.getValue().path);
    }

    @Override
    public synchronized Map.Entry<Long, Path> higher(long firstLsn) {
        Map.Entry<Long, Info> e = segments.higherEntry(firstLsn);
        return e == null ? null : Map.entry(e.getKey(), e.getValue().path);
    }

    /**
     * Registers a reader that starts at {@code fromLsn}, so retention keeps what it needs.
     *
     * @throws IllegalArgumentException when {@code fromLsn} was already dropped
     */
    synchronized void register(WalReader reader, long fromLsn, long toLsn) {
        long oldest = segments.firstKey();
        if (fromLsn < oldest && fromLsn <= toLsn) {
            throw new IllegalArgumentException("LSN " + fromLsn + " is no longer in the log: its oldest record is LSN "
                    + oldest);
        }
        readers.add(reader);
    }

    synchronized void unregister(WalReader reader) {
        readers.remove(reader);
    }

    /**
     * Deletes whole segments whose records are all below {@code lsn}, oldest first, fsyncing the directory
     * after each so the surviving segments are always a contiguous range; never the last segment and
     * never one an open reader still needs.
     *
     * @return the number of segments deleted
     */
    int dropBelow(long lsn) throws IOException {
        int dropped = 0;
        while (true) {
            Info victim;
            synchronized (this) {
                long bound = lsn;
                for (WalReader r : readers) {
                    bound = Math.min(bound, r.position());
                }
                Map.Entry<Long, Info> first = segments.firstEntry();
                Map.Entry<Long, Info> second = first == null ? null : segments.higherEntry(first.getKey());
                if (second == null || second.getKey() > bound) {
                    return dropped;
                }
                victim = first.getValue();
                segments.remove(first.getKey());
            }
            try {
                files.delete(victim.path);
                files.syncDirectory();
            } catch (IOException e) {
                add(victim);
                throw e;
            }
            dropped++;
        }
    }
}
