package io.qrrot.recovery.fold;

import io.qrrot.engine.EffectVisitor;
import io.qrrot.recovery.snapshot.SnapshotOrder;
import io.qrrot.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The WAL delta of one compaction, sorted by key in {@link SnapshotOrder} (and a collection's element changes by
 * element, see {@link Change#compare}) with an external merge sort whose memory is bounded by a budget,
 * whatever the size of the delta, however many of its changes go to one collection:
 * <ol>
 *   <li>Changes ({@link EffectVisitor} calls, in log order) go into a {@link SortBuffer} of the budget's size,
 *       each numbered by its place in the delta (its sequence, from 1).
 *   <li>When it is full, it is sorted, each key's own changes folded into one and each element's into its
 *       newest, and written out as a run file ({@link RunFile}) next to the snapshots; the buffer starts over.
 *       A change too large for the buffer is a run of its own.
 *   <li>{@link #finish} returns the changes in that order, one per key and one per element: straight from the
 *       buffer when nothing was spilled; otherwise the buffer is spilled too and the runs are merged
 *       ({@link RunMerge}), oldest first so that later changes win. Runs beyond what the budget can read at
 *       once (one read buffer each) are first merged in passes, each merging every group of neighbouring runs into
 *       one run in their place: a pass writes the delta once.
 * </ol>
 * The sequences let the merge with the snapshot drop the element changes that a later PUT or DELETE of their
 * key superseded, wherever the two ended up.
 * A {@code clear} (FLUSHALL) forgets everything before it, spilled runs included. {@link #close} frees the
 * buffer and deletes every run file.
 *
 * <p>Single-threaded: the compactor's thread.
 */
public final class DeltaSort implements EffectVisitor, AutoCloseable {
    /** Per open run: its read buffer. The budget divided by it is how many runs are merged at once. */
    static final int MAX_IO_BUFFER = 64 << 10;
    static final int MIN_IO_BUFFER = 4 << 10;
    private static final int MIN_FAN_IN = 2;
    private static final int MAX_FAN_IN = 1024;

    /** Says whether to give up; checked between runs and in long merges. */
    public interface Abort {
        void check() throws FoldAbortedException;
    }

    private final Storage storage;
    private final Path dir;
    private final String runPrefix;
    private final SortBuffer buffer;
    private final int ioBuffer;
    private final int fanIn;
    private final Abort abort;
    private final List<Path> runs = new ArrayList<>();
    private final List<Path> created = new ArrayList<>();
    private final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
    private ChangeCursor open;
    private boolean cleared;
    private long spilledBytes;
    private int runsWritten;
    /** The sequence of the last change added: changes are numbered from 1 in log order. */
    private long sequence;

    /**
     * @param dir         where run files go (the snapshots directory: its temp-file sweep removes them after a crash)
     * @param runPrefix   run files are named {@code <runPrefix>-<n>.tmp}
     * @param budgetBytes memory for the sort buffer, and later for the read buffers of the runs being merged
     * @param expectedBytes about how many bytes of changes are coming (the WAL delta's size; 0 if unknown): the
     *                    sort buffer is allocated at that size (within the budget) at once instead of growing
     */
    public DeltaSort(Storage storage, Path dir, String runPrefix, long budgetBytes, long expectedBytes,
                     Abort abort) {
        this.storage = storage;
        this.dir = dir;
        this.runPrefix = runPrefix;
        int budget = (int) Math.min(Integer.MAX_VALUE - 64, Math.max(budgetBytes, 1024));
        // A change takes about what its WAL record does, plus its index entry and sort space.
        long expected = expectedBytes / 4 * 5 + (64 << 10);
        this.buffer = new SortBuffer(budget, (int) Math.min(budget, expected));
        this.ioBuffer = Math.max(MIN_IO_BUFFER, Math.min(MAX_IO_BUFFER, budget / 64));
        this.fanIn = Math.max(MIN_FAN_IN, Math.min(MAX_FAN_IN, budget / ioBuffer));
        this.abort = abort;
    }

    /** True when a {@code clear} (FLUSHALL) came: what was there before the delta does not count. */
    public boolean cleared() {
        return cleared;
    }

    /** Bytes written to run files so far. */
    public long spilledBytes() {
        return spilledBytes;
    }

    /** Run files written so far (intermediate merges included). */
    public int runsWritten() {
        return runsWritten;
    }

    @Override
    public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen,
                    long expiry) {
        add(Change.PUT, type, key, koff, klen, 0, empty, 0, 0, value, voff, vlen, expiry);
    }

    @Override
    public void delete(DirectBuffer key, int koff, int klen) {
        add(Change.DELETE, (byte) 0, key, koff, klen, 0, empty, 0, 0, empty, 0, 0, 0);
    }

    @Override
    public void expire(DirectBuffer key, int koff, int klen, long expiry) {
        add(Change.EXPIRE, (byte) 0, key, koff, klen, 0, empty, 0, 0, empty, 0, 0, expiry);
    }

    @Override
    public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff, int elen,
                           DirectBuffer payload, int poff, int plen) {
        add(Change.ELEMENT_PUT, type, key, koff, klen, SnapshotOrder.elementHash(type, element, eoff, elen), element, eoff, elen,
                payload, poff, plen, 0);
    }

    @Override
    public void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                              int elen) {
        add(Change.ELEMENT_DELETE, type, key, koff, klen, SnapshotOrder.elementHash(type, element, eoff, elen), element, eoff,
                elen, empty, 0, 0, 0);
    }

    @Override
    public void clear() {
        buffer.clear();
        try {
            deleteRuns();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        runs.clear();
        cleared = true;
    }

    private void add(byte kind, byte type, DirectBuffer key, int koff, int klen, long elementHash,
                     DirectBuffer element, int eoff, int elen, DirectBuffer value, int voff, int vlen, long expiry) {
        long hash = SnapshotOrder.hash(key, koff, klen);
        long seq = ++sequence;
        try {
            if (buffer.add(hash, kind, type, key, koff, klen, elementHash, element, eoff, elen, value, voff, vlen,
                    expiry, seq)) {
                return;
            }
            spillBuffer();
            if (buffer.fitsEmpty(kind, klen, elen, vlen)) {
                buffer.add(hash, kind, type, key, koff, klen, elementHash, element, eoff, elen, value, voff, vlen,
                        expiry, seq);
                return;
            }
            // Larger than the whole buffer: a run of one, streamed to its file.
            try (RunFile.Writer w = newRun()) {
                w.add(hash, kind, type, key, koff, klen, elementHash, element, eoff, elen, value, voff, vlen, expiry,
                        seq);
                finishRun(w);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void spillBuffer() throws IOException {
        if (buffer.isEmpty()) {
            return;
        }
        abort.check();
        ChangeCursor sorted = buffer.sorted();
        try (RunFile.Writer w = newRun()) {
            while (sorted.next()) {
                w.add(sorted);
            }
            finishRun(w);
        }
        buffer.clear();
    }

    private RunFile.Writer newRun() throws IOException {
        Path p = dir.resolve(runPrefix + "-" + runsWritten++ + ".tmp");
        storage.delete(p); // left by a fold of the same LSN that failed before it could delete it
        created.add(p);
        return new RunFile.Writer(storage, p, ioBuffer);
    }

    private void finishRun(RunFile.Writer w) throws IOException {
        w.finish();
        spilledBytes += w.bytes();
        runs.add(w.path());
    }

    /**
     * Every change in {@link Change#compare} order, one per key (its own changes folded) and one per element.
     * Call once, after the last change; the cursor belongs to this sort and is closed by {@link #close}.
     */
    public ChangeCursor finish() throws IOException {
        if (runs.isEmpty()) {
            open = buffer.sorted();
            return open;
        }
        spillBuffer();
        buffer.close(); // its memory now goes to the runs' read buffers
        // Passes over the runs, each merging every group of fanIn neighbours into one run that takes their place
        // (and age): a pass writes the delta once, and each divides the number of runs by fanIn.
        while (runs.size() > fanIn) {
            List<Path> merged = new ArrayList<>();
            for (int from = 0; from < runs.size(); from += fanIn) {
                List<Path> group = new ArrayList<>(runs.subList(from, Math.min(runs.size(), from + fanIn)));
                if (group.size() == 1) {
                    merged.add(group.get(0));
                    continue;
                }
                abort.check();
                try (RunMerge m = openMerge(group); RunFile.Writer w = newRun()) {
                    while (m.next()) {
                        w.add(m);
                    }
                    w.finish();
                    spilledBytes += w.bytes();
                    merged.add(w.path());
                }
                for (Path p : group) {
                    storage.delete(p);
                }
            }
            runs.clear();
            runs.addAll(merged);
        }
        open = openMerge(runs);
        return open;
    }

    private RunMerge openMerge(List<Path> paths) throws IOException {
        ChangeCursor[] readers = new ChangeCursor[paths.size()];
        try {
            for (int i = 0; i < readers.length; i++) {
                readers[i] = new RunFile.Reader(storage, paths.get(i), ioBuffer);
            }
            return new RunMerge(readers);
        } catch (IOException | RuntimeException e) {
            for (ChangeCursor r : readers) {
                if (r != null) {
                    try {
                        r.close();
                    } catch (IOException ce) {
                        e.addSuppressed(ce);
                    }
                }
            }
            throw e;
        }
    }

    private void deleteRuns() throws IOException {
        for (Path p : created) {
            storage.delete(p);
        }
        created.clear();
    }

    /** Frees the buffer, closes the runs and deletes every run file this sort wrote. */
    @Override
    public void close() throws IOException {
        try {
            if (open != null) {
                open.close();
            }
        } finally {
            buffer.close();
            deleteRuns();
        }
    }
}
