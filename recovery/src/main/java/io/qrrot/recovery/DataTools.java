package io.qrrot.recovery;

import io.qrrot.engine.store.EntryType;
import io.qrrot.recovery.snapshot.SnapshotCorruptException;
import io.qrrot.recovery.snapshot.SnapshotDirectory;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.recovery.snapshot.SnapshotVisitor;
import io.qrrot.wal.WalCheck;
import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.agrona.DirectBuffer;

/**
 * The library side of the ops verbs ({@code qrrot snapshot status|verify|save|restore}, {@code qrrot wal
 * check}): each call is self-contained and works on the real file system. Those that change a data directory
 * take its lock, so they refuse to run while a server has it open.
 */
public final class DataTools {
    /** Where a file being written is kept until it is complete and verified: {@code <target>.part}. */
    public static final String PART_SUFFIX = ".part";
    private static final int COPY_CHUNK = 1 << 20;
    private static final long PROGRESS_EVERY_RECORDS = 4096;

    /** Told how far a long operation got; called on the caller's thread. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        /** {@code done} of {@code total} units (records or bytes) so far. */
        void update(long done, long total);
    }

    private DataTools() {
    }

    /** The header and footer of a snapshot file (two small reads); {@code verified} is false. */
    public static SnapshotInfo status(Path file) throws IOException {
        return SnapshotReader.status(FileStorage.INSTANCE, file);
    }

    /**
     * Reads a whole snapshot file and checks every CRC, record framing, count and the digest.
     *
     * @param progress told the records checked so far, of the footer's record count
     * @throws io.qrrot.recovery.snapshot.SnapshotCorruptException naming the file and byte offset
     */
    public static SnapshotInfo verify(Path file, Progress progress) throws IOException {
        return inspect(file, progress).info();
    }

    /**
     * What a snapshot holds, read in full and verified: its info and, per collection type, how many keys hold
     * one and how many elements they have.
     *
     * @param valueKeys   keys holding a value (string, int, JSON)
     * @param collections one entry per collection type present, by type code
     */
    public record Contents(SnapshotInfo info, long valueKeys, List<CollectionCount> collections) {
    }

    /**
     * The collections of one type in a snapshot.
     *
     * @param type     the type's name ({@code hash}), or {@code type N} for a type this build does not know
     * @param largest  the most elements one of them has
     */
    public record CollectionCount(String type, long keys, long elements, long largest) {
    }

    /**
     * {@link #verify}, counting what the records hold: keys holding a value, and per collection type its keys
     * and elements.
     *
     * @throws io.qrrot.recovery.snapshot.SnapshotCorruptException naming the file and byte offset
     */
    public static Contents inspect(Path file, Progress progress) throws IOException {
        long[] keys = new long[256];
        long[] elements = new long[256];
        long[] largest = new long[256];
        long[] values = {0};
        long[] current = {0};
        int[] currentType = {-1};
        SnapshotInfo info = read(file, progress, new SnapshotVisitor() {
            @Override
            public void onRecord(byte type, DirectBuffer key, DirectBuffer value, long expiry) {
                values[0]++;
            }

            @Override
            public void onCollection(byte type, DirectBuffer key, long expiry) {
                current[0] = 0;
                currentType[0] = type & 0xFF;
                keys[type & 0xFF]++;
            }

            @Override
            public void onElement(byte type, DirectBuffer key, long expiry, DirectBuffer element,
                                  DirectBuffer payload) {
                int t = type & 0xFF;
                elements[t]++;
                largest[t] = Math.max(largest[t], ++current[0]);
            }
        });
        List<CollectionCount> collections = new ArrayList<>();
        for (int t = 0; t < 256; t++) {
            if (keys[t] > 0) {
                String name = EntryType.isValid((byte) t) ? EntryType.name((byte) t) : "type " + t;
                collections.add(new CollectionCount(name, keys[t], elements[t], largest[t]));
            }
        }
        return new Contents(info, values[0], collections);
    }

    /**
     * Reads a whole snapshot file, verifying it as {@link #verify} does, and hands every record to
     * {@code visitor} in file order (its records before a failing block reach it first): for the tools that
     * show what a snapshot holds.
     */
    public static SnapshotInfo read(Path file, Progress progress, SnapshotVisitor visitor) throws IOException {
        try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, file)) {
            long total = r.info().recordCount();
            long[] seen = {0};
            progress.update(0, total);
            SnapshotInfo info = r.read(new SnapshotVisitor() {
                @Override
                public void onRecord(byte type, DirectBuffer key, DirectBuffer value, long expiry) {
                    visitor.onRecord(type, key, value, expiry);
                    tick();
                }

                @Override
                public void onCollection(byte type, DirectBuffer key, long expiry) {
                    visitor.onCollection(type, key, expiry);
                    tick();
                }

                @Override
                public void onElement(byte type, DirectBuffer key, long expiry, DirectBuffer element,
                                      DirectBuffer payload) {
                    visitor.onElement(type, key, expiry, element, payload);
                    tick();
                }

                private void tick() {
                    if (++seen[0] % PROGRESS_EVERY_RECORDS == 0) {
                        progress.update(seen[0], total);
                    }
                }
            });
            progress.update(total, total);
            return info;
        }
    }

    /**
     * A snapshot of an offline data directory, copied to {@code target}: opens the directory (taking its lock,
     * running recovery), folds everything into a snapshot there as SAVE does, copies that file to
     * {@code target} with {@link #install} and closes the directory.
     *
     * @param overwrite replace {@code target} if it exists (else that is refused before anything is done)
     * @param progress  told the records verified in the copy
     */
    public static SnapshotInfo saveOffline(Path dataDir, QrrotOptions options, Path target, boolean overwrite,
                                           Progress progress) throws IOException {
        DataDirectory.check(dataDir, DataDirectory.Mode.EXISTING);
        refuseExisting(target, overwrite);
        try (DurableQrrot db = DurableQrrot.open(dataDir, options, DataDirectory.Mode.EXISTING)) {
            Qrrot.SnapshotResult saved = db.saveSnapshot();
            Path part = partFile(target);
            Files.deleteIfExists(part);
            try {
                copy(saved.file(), part);
                return install(part, target, overwrite, progress);
            } finally {
                Files.deleteIfExists(part);
            }
        }
    }

    /** {@code <target>.part}, in the target's directory so the final rename stays on one file system. */
    public static Path partFile(Path target) {
        return target.resolveSibling(target.getFileName() + PART_SUFFIX);
    }

    /**
     * Puts a complete, fsynced snapshot file in place: verifies {@code part} in full, renames it atomically to
     * {@code target} and fsyncs the directory. A file that fails verification never gets the target's name.
     *
     * @throws io.qrrot.recovery.snapshot.SnapshotCorruptException if {@code part} fails a check (it is left
     *                                                             for the caller to delete)
     */
    public static SnapshotInfo install(Path part, Path target, boolean overwrite, Progress progress) throws IOException {
        SnapshotInfo checked = verify(part, progress);
        refuseExisting(target, overwrite);
        Storage storage = FileStorage.INSTANCE;
        storage.rename(part, target);
        storage.syncDirectory(directoryOf(target));
        return checked.at(target.toString());
    }

    /**
     * A new data directory holding one snapshot, from a backup file: refuses a directory that exists and is not
     * empty (nothing is touched then), verifies the file in full, then creates the directory, takes its lock
     * and installs a verified copy of the file as its only snapshot (with an empty WAL after it). On failure
     * after that point, whatever this call created is removed again.
     *
     * @return the installed snapshot
     * @throws io.qrrot.recovery.snapshot.SnapshotCorruptException if the file fails verification
     */
    public static SnapshotInfo restore(Path snapshot, Path dataDir, Progress progress) throws IOException {
        if (!Files.isRegularFile(snapshot)) {
            throw new NoSuchFileException(snapshot.toString(), null, "no such snapshot file");
        }
        // Making a new data directory is what restore is for: a missing path, or an empty directory.
        DataDirectory.Kind kind = DataDirectory.inspect(dataDir);
        boolean existed = kind != DataDirectory.Kind.MISSING;
        if (existed) {
            if (kind == DataDirectory.Kind.NOT_A_DIRECTORY) {
                throw new FileAlreadyExistsException(dataDir.toString(), null,
                        "it exists and is not a directory; restore into a new or empty directory");
            }
            // Strictly empty (a lost+found too is refused): a failed restore removes what is inside again.
            List<String> entries = entries(dataDir);
            if (!entries.isEmpty()) {
                throw new IOException("refusing to restore into " + dataDir + ": the directory is not empty (it holds "
                        + String.join(", ", entries.subList(0, Math.min(5, entries.size())))
                        + (entries.size() > 5 ? ", …" : "") + "); restore into a new or empty directory, or move this "
                        + "one aside first");
            }
        }
        verify(snapshot, progress);
        Storage storage = FileStorage.INSTANCE;
        boolean done = false;
        try {
            SnapshotInfo installed;
            try (DataDirectory dir = DataDirectory.open(dataDir, storage, DataDirectory.Mode.CREATE)) {
                SnapshotDirectory snapshots = SnapshotDirectory.open(storage, dir.snapshotDir());
                installed = snapshots.importSnapshot(snapshot);
                storage.syncDirectory(dataDir);
            }
            done = true;
            return installed;
        } finally {
            if (!done) {
                removeCreated(dataDir, existed);
            }
        }
    }

    /**
     * The WAL directory {@code qrrot wal check|dump DIR} means: {@code DIR/wal} when DIR is a data directory,
     * DIR itself when it is the {@code wal/} directory of one or a copy of a log ({@link DataDirectory#walDirOf}).
     *
     * @throws DataDirectory.NotADataDirectoryException when DIR is neither
     */
    public static Path walDir(Path dir) throws IOException {
        return DataDirectory.walDirOf(dir);
    }

    /**
     * {@link WalCheck#check} on {@link #walDir}. With {@code fix} (which cuts the log) it first takes the data
     * directory's lock when the WAL belongs to one, so a running server's log is never cut under it. When the
     * log is corrupt and belongs to a data directory, it is judged again as opening the database would: damage
     * that the newest snapshot which verifies already holds is only set aside, never a reason to cut off
     * records after it.
     */
    public static WalCheck.Report checkWal(Path dir, boolean fix) throws IOException {
        Path wal = walDir(dir);
        Path root = wal.toAbsolutePath().normalize().getParent();
        boolean inDataDir = root != null && wal.toAbsolutePath().normalize().getFileName().toString()
                .equals(DataDirectory.WAL_DIR) && DataDirectory.inspect(root) == DataDirectory.Kind.DATA_DIRECTORY;
        if (!inDataDir) {
            return WalCheck.check(wal, fix);
        }
        WalCheck.Report plain = WalCheck.check(wal, false);
        long covered = plain.status() == WalCheck.Status.CORRUPT ? newestVerifiedSnapshotLsn(root) : 0;
        if (!fix) {
            return covered == 0 ? plain : WalCheck.check(wal, false, covered);
        }
        try (DataDirectory locked = DataDirectory.open(root, FileStorage.INSTANCE, DataDirectory.Mode.EXISTING)) {
            return WalCheck.check(wal, true, covered);
        }
    }

    /** The base LSN of the newest snapshot in {@code dataDir} that verifies, as recovery would pick it; 0 if none. */
    private static long newestVerifiedSnapshotLsn(Path dataDir) throws IOException {
        Path dir = dataDir.resolve(DataDirectory.SNAPSHOT_DIR);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        for (Path p : SnapshotDirectory.snapshots(FileStorage.INSTANCE, dir)) {
            try {
                return verify(p, Progress.NONE).baseLsn();
            } catch (SnapshotCorruptException e) {
                // recovery would fall back to the previous one too
            }
        }
        return 0;
    }

    private static void refuseExisting(Path target, boolean overwrite) throws IOException {
        if (!overwrite && Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null,
                    "it exists; choose another name, or pass --force to replace it");
        }
    }

    private static Path directoryOf(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? file.toAbsolutePath() : parent;
    }

    /** Copies {@code source} to the new file {@code target} and fsyncs it. */
    private static void copy(Path source, Path target) throws IOException {
        Storage storage = FileStorage.INSTANCE;
        ByteBuffer chunk = ByteBuffer.allocate(COPY_CHUNK);
        try (StorageFile in = storage.open(source, Storage.OpenMode.READ);
             StorageFile out = storage.open(target, Storage.OpenMode.CREATE_NEW)) {
            long size = in.size();
            long at = 0;
            while (at < size) {
                chunk.clear().limit((int) Math.min(COPY_CHUNK, size - at));
                while (chunk.hasRemaining()) {
                    if (in.read(chunk, at + chunk.position()) < 0) {
                        throw new IOException(source + " shrank while being copied: ended at "
                                + (at + chunk.position()) + " of " + size + " bytes");
                    }
                }
                chunk.flip();
                out.write(chunk, at);
                at += chunk.limit();
            }
            out.force();
        }
    }

    private static List<String> entries(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).sorted().forEach(out::add);
        }
        return out;
    }

    /** Undoes a failed restore: the directory if this call created it, else only what was put inside. */
    private static void removeCreated(Path dataDir, boolean existed) {
        try {
            if (!Files.exists(dataDir)) {
                return;
            }
            List<Path> all;
            try (Stream<Path> s = Files.walk(dataDir)) {
                all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
            }
            if (existed) {
                all.remove(dataDir);
            }
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // Best effort: the caller reports the original failure, which matters more.
        }
    }
}
