package io.qrrot.recovery.snapshot;

import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.agrona.BufferUtil;

/**
 * The snapshots directory ({@code <data>/snapshots}): which snapshots exist, newest first by base LSN (from
 * their names, {@code snapshot-<20-digit lsn>.qrrt}); temp files left by a crash are swept when it is
 * opened; superseded snapshots are deleted only when the caller says so. Every change goes through the
 * {@link Storage} seam and is followed by a directory fsync.
 *
 * <p>Names are not proof: recovery tries {@link #snapshots()} in order and loads the first that reads
 * without a {@link SnapshotCorruptException}, moving a failed one aside with {@link #quarantine}.
 *
 * <p>Not thread-safe: one owner (the database's compactor and recovery, which do not run at once).
 */
public final class SnapshotDirectory {
    private static final int COPY_CHUNK = 1 << 20;

    private final Storage storage;
    private final Path dir;
    private final List<Path> swept;

    private SnapshotDirectory(Storage storage, Path dir, List<Path> swept) {
        this.storage = storage;
        this.dir = dir;
        this.swept = swept;
    }

    /**
     * Creates the directory if needed and deletes every {@code snapshot-*.tmp} in it (an install a crash
     * interrupted; the snapshots it would have superseded are still there), then fsyncs the directory.
     */
    public static SnapshotDirectory open(Storage storage, Path dir) throws IOException {
        IoStep.exec("creating directory " + dir, () -> storage.createDirectories(dir));
        List<Path> swept = new ArrayList<>();
        for (Path p : IoStep.run("listing " + dir, () -> storage.list(dir))) {
            String name = p.getFileName().toString();
            if (name.startsWith(SnapshotFormat.FILE_PREFIX) && name.endsWith(SnapshotFormat.TEMP_SUFFIX)) {
                IoStep.exec("delete of " + p, () -> storage.delete(p));
                swept.add(p);
            }
        }
        if (!swept.isEmpty()) {
            IoStep.exec("fsync of directory " + dir, () -> storage.syncDirectory(dir));
        }
        return new SnapshotDirectory(storage, dir, List.copyOf(swept));
    }

    public Path dir() {
        return dir;
    }

    public Storage storage() {
        return storage;
    }

    /** The temp files {@link #open} deleted. */
    public List<Path> swept() {
        return swept;
    }

    /** Snapshot files, newest (highest base LSN) first; other names are ignored. Not verified. */
    public List<Path> snapshots() throws IOException {
        return snapshots(storage, dir);
    }

    /**
     * The snapshot files of {@code dir}, newest first, read without opening it as a directory of this process's
     * (nothing is swept): for tools looking at a directory another process may have open.
     */
    public static List<Path> snapshots(Storage storage, Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : IoStep.run("listing " + dir, () -> storage.list(dir))) {
            if (SnapshotFormat.parseLsn(p.getFileName().toString()) >= 0) {
                out.add(p);
            }
        }
        out.sort(Comparator.comparingLong((Path p) -> SnapshotFormat.parseLsn(p.getFileName().toString())).reversed());
        return out;
    }

    /** Where the snapshot with this base LSN lives. */
    public Path pathFor(long baseLsn) {
        return dir.resolve(SnapshotFormat.fileName(baseLsn));
    }

    /** Starts a new snapshot in this directory: {@link SnapshotWriter#begin}. */
    public SnapshotWriter begin(long baseLsn, long createdMillis) throws IOException {
        return SnapshotWriter.begin(storage, dir, baseLsn, createdMillis);
    }

    /** Starts a new snapshot in this directory, hash-ordered or not: {@link SnapshotWriter#begin}. */
    public SnapshotWriter begin(long baseLsn, long createdMillis, boolean hashOrdered) throws IOException {
        return SnapshotWriter.begin(storage, dir, baseLsn, createdMillis, hashOrdered);
    }

    /**
     * Deletes the snapshots older than the newest, except the one just before it when {@code keepPrevious}
     * (recovery's fallback if the newest fails to read), then fsyncs the directory.
     *
     * @return the deleted files, newest first
     */
    public List<Path> deleteSuperseded(boolean keepPrevious) throws IOException {
        List<Path> all = snapshots();
        int keep = keepPrevious ? 2 : 1;
        List<Path> deleted = new ArrayList<>();
        for (int i = keep; i < all.size(); i++) {
            Path p = all.get(i);
            IoStep.exec("delete of " + p, () -> storage.delete(p));
            deleted.add(p);
        }
        if (!deleted.isEmpty()) {
            IoStep.exec("fsync of directory " + dir, () -> storage.syncDirectory(dir));
        }
        return deleted;
    }

    /**
     * Moves a snapshot that failed to read aside as {@code <name>.broken}, so it is neither loaded again nor
     * swept, and kept for inspection; fsyncs the directory.
     *
     * @return the new path
     */
    public Path quarantine(Path snapshot) throws IOException {
        Path broken = snapshot.resolveSibling(snapshot.getFileName() + SnapshotFormat.BROKEN_SUFFIX);
        IoStep.exec("rename of " + snapshot + " to " + broken, () -> storage.rename(snapshot, broken));
        IoStep.exec("fsync of directory " + dir, () -> storage.syncDirectory(dir));
        return broken;
    }

    /**
     * Installs a copy of a snapshot file from elsewhere (a backup) as {@code snapshot-<its base LSN>.qrrt},
     * replacing a snapshot of that LSN: verifies the source, copies it to a temp file, fsyncs, verifies the
     * copy, renames it into place and fsyncs the directory. For {@code qrrot snapshot restore}.
     *
     * @throws SnapshotCorruptException if the source (or the copy) fails verification; nothing is installed
     */
    public SnapshotInfo importSnapshot(Path source) throws IOException {
        SnapshotInfo src = SnapshotReader.verify(storage, source);
        Path temp = dir.resolve(SnapshotFormat.tempFileName(src.baseLsn()));
        Path target = pathFor(src.baseLsn());
        storage.delete(temp);
        boolean installed = false;
        SnapshotInfo copied;
        try {
            copy(source, temp, src.fileSize());
            copied = SnapshotReader.verify(storage, temp);
            storage.rename(temp, target);
            installed = true;
        } finally {
            if (!installed) {
                storage.delete(temp);
            }
        }
        storage.syncDirectory(dir);
        return copied.at(target.toString());
    }

    private void copy(Path source, Path temp, long size) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(COPY_CHUNK);
        try (StorageFile in = storage.open(source, Storage.OpenMode.READ);
             StorageFile out = storage.open(temp, Storage.OpenMode.CREATE_NEW)) {
            long at = 0;
            while (at < size) {
                chunk.clear().limit((int) Math.min(COPY_CHUNK, size - at));
                while (chunk.hasRemaining()) {
                    int n = in.read(chunk, at + chunk.position());
                    if (n < 0) {
                        throw new IOException("snapshot " + source + " shrank while being copied: ended at "
                                + (at + chunk.position()) + " of " + size + " bytes; run the restore again");
                    }
                }
                chunk.flip();
                out.write(chunk, at);
                at += chunk.limit();
            }
            out.force();
        } finally {
            BufferUtil.free(chunk);
        }
    }
}
