package io.qrrot.testkit;

import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * An in-memory {@link Storage} that injects faults and simulates power cuts, for crash tests of anything
 * that writes files (WAL, snapshots, manifests).
 *
 * <h2>Model</h2>
 * Each file (inode) has a <em>durable image</em> and a list of <em>pending</em> writes and truncates made
 * since its last {@link StorageFile#force()}; reads see everything (like the page cache). Directory
 * entries (create, rename, delete) are pending until {@link #syncDirectory} of their directory (of the
 * target's directory for a rename). Directories themselves are durable at once. Open handles keep
 * working after their file is renamed or deleted, as on POSIX.
 *
 * <h2>Power cut</h2>
 * {@link #crash(CrashMode, Random)} returns the storage a machine would find after a power cut now: per
 * file, the durable image plus none / all / a prefix / a random subset / a prefix and a torn next write /
 * everything with zeroed 512-byte sectors of the pending writes; per directory, the synced entries plus
 * none, all or a prefix (in order) of the pending entry changes. Writes tear only at 512-byte sector
 * boundaries of the file, as disks write sectors atomically. {@link #powerCutAt(long)} makes the Nth
 * counted operation and every later one fail, so the state freezes exactly there.
 *
 * <h2>Faults and counting</h2>
 * Counted operations: open, write, force, truncate, rename, delete, syncDirectory, createDirectories (not
 * read, size, list, exists, close). {@link #ioCount()} tells how many ran, so a test can run a workload
 * once, then again crashing at each of them. {@link #failAt}/{@link #failOn} make one operation (or every
 * later one) throw an {@link IOException} with a given message ("No space left on device") and have no
 * effect.
 *
 * <p>Thread-safe (one lock).
 */
public final class FaultyStorage implements Storage {
    /** A counted operation. */
    public enum Op { OPEN, WRITE, FORCE, TRUNCATE, RENAME, DELETE, SYNC_DIR, CREATE_DIRS }

    /** What survives of unsynced data at a power cut. */
    public enum CrashMode {
        /** Only what was fsynced. */
        NONE,
        /** Everything written (a process kill: the page cache survives). */
        ALL,
        /** A random prefix of each file's unsynced writes. */
        PREFIX,
        /** A random subset of each file's unsynced writes, in order. */
        SUBSET,
        /** A random prefix, then the next write up to a random 512-byte sector boundary. */
        TORN,
        /** All unsynced writes, then, in each 512-byte sector they touched (with probability 1/2), their bytes zeroed. */
        ZEROED_SECTORS,
        /** One of the above, chosen per file. */
        RANDOM
    }

    /** Message of the exception thrown for every operation after {@link #powerCutAt}. */
    public static final String POWER_CUT = "simulated power cut";
    public static final int SECTOR = 512;

    private static final class Pending {
        final long pos;
        final byte[] bytes;
        final long truncateTo;

        Pending(long pos, byte[] bytes, long truncateTo) {
            this.pos = pos;
            this.bytes = bytes;
            this.truncateTo = truncateTo;
        }
    }

    private static final class Inode {
        byte[] data = new byte[0];
        long size;
        byte[] durable = new byte[0];
        long durableSize;
        final List<Pending> pending = new ArrayList<>();
    }

    private record DirOp(Path dir, Path removed, Path added, Inode inode) {
    }

    private record Fault(Op kind, long nth, boolean persistent, String message) {
    }

    private final Map<Path, Inode> entries = new HashMap<>();
    private final Map<Path, Inode> durableEntries = new HashMap<>();
    private final List<DirOp> pendingDirOps = new ArrayList<>();
    private final Set<Path> dirs = new HashSet<>();
    private final List<Fault> faults = new ArrayList<>();
    private final Map<Op, Long> countsByKind = new HashMap<>();
    private final List<String> history = new ArrayList<>();
    private long ioCount;
    private long powerCutAt = Long.MAX_VALUE;
    private boolean recordHistory = true;
    private long usableSpace = Long.MAX_VALUE;

    public FaultyStorage() {
    }

    // ------------------------------------------------------------------------------------------ control

    /** Counted operations so far. */
    public synchronized long ioCount() {
        return ioCount;
    }

    /** Counted operations of one kind so far. */
    public synchronized long count(Op kind) {
        return countsByKind.getOrDefault(kind, 0L);
    }

    /** The counted operations so far, one line each ("12 FORCE /wal/…wal"), for failure messages. */
    public synchronized List<String> history() {
        return new ArrayList<>(history);
    }

    public synchronized FaultyStorage recordHistory(boolean on) {
        recordHistory = on;
        return this;
    }

    /** The {@code n}th counted operation (1-based) fails; with {@code persistent}, every later one too. */
    public synchronized FaultyStorage failAt(long n, boolean persistent, String message) {
        faults.add(new Fault(null, n, persistent, message));
        return this;
    }

    /** The {@code nth} operation of {@code kind} (1-based, counted from now on too) fails; optionally later ones. */
    public synchronized FaultyStorage failOn(Op kind, long nth, boolean persistent, String message) {
        faults.add(new Fault(kind, countsByKind.getOrDefault(kind, 0L) + nth, persistent, message));
        return this;
    }

    /** What {@link #usableSpace} reports from now on (default {@link Long#MAX_VALUE}): a nearly full disk. */
    public synchronized FaultyStorage usableSpace(long bytes) {
        usableSpace = bytes;
        return this;
    }

    /** Removes every injected failure (not a power cut). */
    public synchronized FaultyStorage clearFaults() {
        faults.clear();
        return this;
    }

    /** The {@code n}th counted operation (1-based) and every later one fail with {@link #POWER_CUT}, without effect. */
    public synchronized FaultyStorage powerCutAt(long n) {
        powerCutAt = n;
        return this;
    }

    /** Whether a power cut set with {@link #powerCutAt} has happened. */
    public synchronized boolean isCut() {
        return ioCount >= powerCutAt;
    }

    /** The storage found after a power cut now (this one is left as it is). */
    public synchronized FaultyStorage crash(CrashMode mode, Random rnd) {
        FaultyStorage out = new FaultyStorage();
        out.dirs.addAll(dirs);
        Map<Path, Inode> names = new HashMap<>(durableEntries);
        int dirOps = switch (mode) {
            case NONE -> 0;
            case ALL -> pendingDirOps.size();
            default -> rnd.nextInt(pendingDirOps.size() + 1);
        };
        for (int i = 0; i < dirOps; i++) {
            apply(names, pendingDirOps.get(i));
        }
        Map<Inode, Inode> images = new HashMap<>();
        for (Map.Entry<Path, Inode> e : names.entrySet()) {
            Inode image = images.computeIfAbsent(e.getValue(), in -> imageAfterCut(in, mode, rnd));
            out.entries.put(e.getKey(), image);
            out.durableEntries.put(e.getKey(), image);
        }
        return out;
    }

    private static void apply(Map<Path, Inode> names, DirOp op) {
        if (op.removed() != null) {
            names.remove(op.removed());
        }
        if (op.added() != null) {
            names.put(op.added(), op.inode());
        }
    }

    private static Inode imageAfterCut(Inode in, CrashMode mode, Random rnd) {
        CrashMode m = mode;
        if (m == CrashMode.RANDOM) {
            CrashMode[] pick = {CrashMode.NONE, CrashMode.ALL, CrashMode.PREFIX, CrashMode.SUBSET, CrashMode.TORN,
                CrashMode.ZEROED_SECTORS};
            m = pick[rnd.nextInt(pick.length)];
        }
        Inode out = new Inode();
        out.data = Arrays.copyOf(in.durable, in.durable.length);
        out.size = in.durableSize;
        List<Pending> p = in.pending;
        int n = p.size();
        switch (m) {
            case NONE -> {
            }
            case ALL -> {
                for (Pending w : p) {
                    applyTo(out, w, -1);
                }
            }
            case PREFIX -> {
                int k = rnd.nextInt(n + 1);
                for (int i = 0; i < k; i++) {
                    applyTo(out, p.get(i), -1);
                }
            }
            case SUBSET -> {
                for (Pending w : p) {
                    if (rnd.nextBoolean()) {
                        applyTo(out, w, -1);
                    }
                }
            }
            case TORN -> {
                if (n > 0) {
                    int k = rnd.nextInt(n);
                    for (int i = 0; i < k; i++) {
                        applyTo(out, p.get(i), -1);
                    }
                    Pending last = p.get(k);
                    applyTo(out, last, last.bytes == null ? -1 : tornLength(last, rnd));
                }
            }
            case ZEROED_SECTORS -> {
                // The bytes the unsynced writes put into a lost sector read back as zero; bytes of the
                // sector that were durable before keep their value (a power cut does not erase them).
                for (Pending w : p) {
                    applyTo(out, w, -1);
                }
                TreeSet<Long> lost = new TreeSet<>();
                for (Pending w : p) {
                    if (w.bytes != null && w.bytes.length > 0) {
                        for (long s = w.pos / SECTOR; s <= (w.pos + w.bytes.length - 1) / SECTOR; s++) {
                            lost.add(s);
                        }
                    }
                }
                lost.removeIf(s -> rnd.nextBoolean());
                for (Pending w : p) {
                    if (w.bytes == null) {
                        continue;
                    }
                    long end = Math.min(out.size, w.pos + w.bytes.length);
                    for (long i = w.pos; i < end; i++) {
                        if (lost.contains(i / SECTOR)) {
                            out.data[(int) i] = 0;
                        }
                    }
                }
            }
            default -> throw new IllegalStateException(m.name());
        }
        out.durable = Arrays.copyOf(out.data, (int) out.size);
        out.durableSize = out.size;
        return out;
    }

    /**
     * How much of a write a power cut keeps: a random number of whole 512-byte sectors (counted in the
     * file, disks write sectors atomically), possibly none.
     */
    private static int tornLength(Pending w, Random rnd) {
        long end = w.pos + w.bytes.length;
        long firstBoundary = (w.pos / SECTOR + 1) * SECTOR;
        List<Integer> cuts = new ArrayList<>();
        cuts.add(0);
        for (long b = firstBoundary; b < end; b += SECTOR) {
            cuts.add((int) (b - w.pos));
        }
        return cuts.get(rnd.nextInt(cuts.size()));
    }

    /** Applies a pending write (only its first {@code limit} bytes when limit &gt;= 0) or truncate. */
    private static void applyTo(Inode f, Pending w, int limit) {
        if (w.bytes == null) {
            setSize(f, w.truncateTo);
            return;
        }
        int len = limit < 0 ? w.bytes.length : limit;
        long end = w.pos + len;
        if (end > f.size) {
            setSize(f, end);
        }
        System.arraycopy(w.bytes, 0, f.data, (int) w.pos, len);
    }

    private static void setSize(Inode f, long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("in-memory files are limited to 2 GiB");
        }
        if (size > f.data.length) {
            f.data = Arrays.copyOf(f.data, (int) Math.max(size, Math.min(Integer.MAX_VALUE - 8L, f.data.length * 2L)));
        } else if (size < f.size) {
            Arrays.fill(f.data, (int) size, (int) f.size, (byte) 0);
        }
        f.size = size;
    }

    // ------------------------------------------------------------------------------------- inspection

    /** The current content of a file (what reads see). */
    public synchronized byte[] contents(Path path) throws NoSuchFileException {
        Inode f = entries.get(path);
        if (f == null) {
            throw new NoSuchFileException(path.toString());
        }
        return Arrays.copyOf(f.data, (int) f.size);
    }

    /** The durable content of the file the durable directory entry {@code path} names. */
    public synchronized byte[] durableContents(Path path) throws NoSuchFileException {
        Inode f = durableEntries.get(path);
        if (f == null) {
            throw new NoSuchFileException(path.toString());
        }
        return Arrays.copyOf(f.durable, (int) f.durableSize);
    }

    /** Names whose directory entry is durable. */
    public synchronized Set<Path> durableNames() {
        return new TreeSet<>(durableEntries.keySet());
    }

    /**
     * Replaces a file's content everywhere at once (current and durable), as damage on the disk would;
     * not counted. Creates the file (durably) if missing.
     */
    public synchronized void setContents(Path path, byte[] content) {
        Inode f = entries.get(path);
        if (f == null) {
            f = new Inode();
            entries.put(path, f);
            durableEntries.put(path, f);
        }
        f.data = Arrays.copyOf(content, content.length);
        f.size = content.length;
        f.durable = Arrays.copyOf(content, content.length);
        f.durableSize = content.length;
        f.pending.clear();
    }

    // ---------------------------------------------------------------------------------------- Storage

    private void op(Op kind, Path path) throws IOException {
        long n = ++ioCount;
        long k = countsByKind.merge(kind, 1L, Long::sum);
        if (recordHistory) {
            history.add(n + " " + kind + " " + path);
        }
        if (n >= powerCutAt) {
            throw new IOException(POWER_CUT);
        }
        for (Fault f : faults) {
            boolean hit = f.kind() == null
                    ? (f.persistent() ? n >= f.nth() : n == f.nth())
                    : f.kind() == kind && (f.persistent() ? k >= f.nth() : k == f.nth());
            if (hit) {
                throw new IOException(f.message());
            }
        }
    }

    @Override
    public synchronized StorageFile open(Path path, OpenMode mode) throws IOException {
        op(Op.OPEN, path);
        Inode f = entries.get(path);
        if (mode == OpenMode.CREATE_NEW) {
            if (f != null) {
                throw new FileAlreadyExistsException(path.toString());
            }
            Path parent = path.getParent();
            if (parent != null && !dirs.contains(parent)) {
                throw new NoSuchFileException(path.toString());
            }
            f = new Inode();
            entries.put(path, f);
            pendingDirOps.add(new DirOp(parent, null, path, f));
        } else if (f == null) {
            throw new NoSuchFileException(path.toString());
        }
        return new Handle(f, path, mode != OpenMode.READ);
    }

    @Override
    public synchronized void rename(Path from, Path to) throws IOException {
        op(Op.RENAME, from);
        Inode f = entries.get(from);
        if (f == null) {
            throw new NoSuchFileException(from.toString());
        }
        entries.remove(from);
        entries.put(to, f);
        pendingDirOps.add(new DirOp(to.getParent(), from, to, f));
    }

    @Override
    public synchronized void delete(Path path) throws IOException {
        op(Op.DELETE, path);
        if (entries.remove(path) != null) {
            pendingDirOps.add(new DirOp(path.getParent(), path, null, null));
        }
    }

    @Override
    public synchronized void syncDirectory(Path dir) throws IOException {
        op(Op.SYNC_DIR, dir);
        if (!dirs.contains(dir)) {
            throw new NoSuchFileException(dir.toString());
        }
        List<DirOp> keep = new ArrayList<>();
        for (DirOp d : pendingDirOps) {
            if (dir.equals(d.dir())) {
                apply(durableEntries, d);
            } else {
                keep.add(d);
            }
        }
        pendingDirOps.clear();
        pendingDirOps.addAll(keep);
    }

    @Override
    public synchronized void createDirectories(Path dir) throws IOException {
        op(Op.CREATE_DIRS, dir);
        for (Path p = dir; p != null; p = p.getParent()) {
            dirs.add(p);
        }
    }

    @Override
    public synchronized List<Path> list(Path dir) {
        TreeSet<Path> out = new TreeSet<>();
        for (Path p : entries.keySet()) {
            if (dir.equals(p.getParent())) {
                out.add(p);
            }
        }
        for (Path d : dirs) {
            if (dir.equals(d.getParent())) {
                out.add(d);
            }
        }
        return new ArrayList<>(out);
    }

    @Override
    public synchronized boolean exists(Path path) {
        return entries.containsKey(path) || dirs.contains(path);
    }

    @Override
    public synchronized long size(Path path) throws IOException {
        Inode f = entries.get(path);
        if (f == null) {
            throw new NoSuchFileException(path.toString());
        }
        return f.size;
    }

    /** What {@link #usableSpace(long)} set, whatever is written: not counted, never fails. */
    @Override
    public synchronized long usableSpace(Path path) throws IOException {
        if (!exists(path)) {
            throw new NoSuchFileException(path.toString());
        }
        return usableSpace;
    }

    private final class Handle implements StorageFile {
        private final Inode f;
        private final Path path;
        private final boolean writable;
        private boolean closed;

        Handle(Inode f, Path path, boolean writable) {
            this.f = f;
            this.path = path;
            this.writable = writable;
        }

        private void check() throws IOException {
            if (closed) {
                throw new ClosedChannelException();
            }
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            synchronized (FaultyStorage.this) {
                check();
                op(Op.WRITE, path);
                if (!writable) {
                    throw new IOException("Bad file descriptor");
                }
                byte[] bytes = new byte[src.remaining()];
                src.get(bytes);
                Pending w = new Pending(position, bytes, -1);
                applyTo(f, w, -1);
                f.pending.add(w);
            }
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            synchronized (FaultyStorage.this) {
                check();
                if (position >= f.size) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), f.size - position);
                dst.put(f.data, (int) position, n);
                return n;
            }
        }

        @Override
        public void force() throws IOException {
            synchronized (FaultyStorage.this) {
                check();
                op(Op.FORCE, path);
                f.durable = Arrays.copyOf(f.data, (int) f.size);
                f.durableSize = f.size;
                f.pending.clear();
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            synchronized (FaultyStorage.this) {
                check();
                op(Op.TRUNCATE, path);
                if (!writable) {
                    throw new IOException("Bad file descriptor");
                }
                Pending t = new Pending(0, null, size);
                applyTo(f, t, -1);
                f.pending.add(t);
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (FaultyStorage.this) {
                check();
                return f.size;
            }
        }

        @Override
        public void close() {
            synchronized (FaultyStorage.this) {
                closed = true;
            }
        }
    }
}
