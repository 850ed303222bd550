package io.qrrot.wal;

import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * File-level operations on a WAL directory, each in its crash-safe order: creating a segment (temp file,
 * header, fsync, rename, fsync the directory), zero-filling the next segment, sealing, copying a damaged
 * segment to {@code *.broken} before a repair, truncating. Stateless apart from its arguments; every
 * failure names its step.
 */
final class SegmentFiles {
    private static final int ZERO_CHUNK = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_CHUNK).asReadOnlyBuffer();

    private final Storage storage;
    private final Path dir;

    SegmentFiles(Storage storage, Path dir) {
        this.storage = storage;
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Storage storage() {
        return storage;
    }

    Path segmentPath(long firstLsn) {
        return dir.resolve(WalFormat.segmentName(firstLsn));
    }

    /** The name the background preallocation uses; swept at start like every {@code *.tmp}. */
    Path preallocatedPath() {
        return dir.resolve("next" + WalFormat.TEMP_SUFFIX);
    }

    /**
     * Zero-fills a new temp file of {@code bytes} and fsyncs it, so the segment it becomes never has to
     * allocate blocks or change size on the write path.
     */
    StorageFile preallocate(Path tmp, long bytes) throws IOException {
        StorageFile f = StepException.run("creating " + tmp, () -> storage.open(tmp, Storage.OpenMode.CREATE_NEW));
        try {
            long pos = 0;
            while (pos < bytes) {
                ByteBuffer z = ZEROS.duplicate();
                z.limit((int) Math.min(ZERO_CHUNK, bytes - pos));
                long at = pos;
                StepException.exec("write of " + tmp, () -> f.write(z, at));
                pos += Math.min(ZERO_CHUNK, bytes - pos);
            }
            StepException.exec("fsync of " + tmp, f::force);
            return f;
        } catch (IOException e) {
            closeQuietly(f);
            deleteQuietly(tmp);
            throw e;
        }
    }

    /**
     * Turns {@code tmp} (open as {@code file}, preallocated or empty) into the segment for
     * {@code firstLsn}: header, fsync, rename, fsync of the directory. When this returns, the segment and
     * its header survive a power cut.
     */
    StorageFile install(StorageFile file, Path tmp, long firstLsn, long createdAt, long segmentBytes)
            throws IOException {
        Path target = segmentPath(firstLsn);
        ByteBuffer header = ByteBuffer.allocate(WalFormat.HEADER_LENGTH).order(WalFormat.BYTE_ORDER);
        WalFormat.encodeHeader(header, firstLsn, createdAt, segmentBytes);
        try {
            StepException.exec("write of " + tmp, () -> file.write(header, 0));
            StepException.exec("fsync of " + tmp, file::force);
            StepException.exec("rename of " + tmp + " to " + target, () -> storage.rename(tmp, target));
            StepException.exec("fsync of directory " + dir, () -> storage.syncDirectory(dir));
            return file;
        } catch (IOException e) {
            closeQuietly(file);
            throw e;
        }
    }

    /** Creates the segment for {@code firstLsn} without preallocation. */
    StorageFile create(long firstLsn, long createdAt, long segmentBytes) throws IOException {
        Path tmp = dir.resolve(WalFormat.segmentName(firstLsn) + ".tmp");
        if (storage.exists(tmp)) {
            StepException.exec("delete of " + tmp, () -> storage.delete(tmp));
        }
        StorageFile f = StepException.run("creating " + tmp, () -> storage.open(tmp, Storage.OpenMode.CREATE_NEW));
        return install(f, tmp, firstLsn, createdAt, segmentBytes);
    }

    /** Seals a segment: cuts off the unused zero tail, fsyncs, closes. */
    void seal(StorageFile file, Path path, long dataEnd) throws IOException {
        if (StepException.run("size of " + path, file::size) > dataEnd) {
            StepException.exec("truncate of " + path, () -> file.truncate(dataEnd));
        }
        StepException.exec("fsync of " + path, file::force);
        closeQuietly(file);
    }

    /**
     * Copies {@code segment} to a fresh {@code *.broken} file (temp, fsync, rename, fsync directory) so a
     * repair never destroys the only copy of anything.
     */
    Path copyToBroken(Path segment) throws IOException {
        Path target = brokenName(segment);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        if (storage.exists(tmp)) {
            StepException.exec("delete of " + tmp, () -> storage.delete(tmp));
        }
        try (StorageFile src = StepException.run("open of " + segment,
                () -> storage.open(segment, Storage.OpenMode.READ));
             StorageFile dst = StepException.run("creating " + tmp,
                     () -> storage.open(tmp, Storage.OpenMode.CREATE_NEW))) {
            ByteBuffer buf = ByteBuffer.allocateDirect(ZERO_CHUNK);
            long pos = 0;
            while (true) {
                buf.clear();
                long at = pos;
                int n = StepException.run("read of " + segment, () -> src.read(buf, at));
                if (n < 0) {
                    break;
                }
                buf.flip();
                StepException.exec("write of " + tmp, () -> dst.write(buf, at));
                pos += n;
            }
            StepException.exec("fsync of " + tmp, dst::force);
        }
        StepException.exec("rename of " + tmp + " to " + target, () -> storage.rename(tmp, target));
        StepException.exec("fsync of directory " + dir, () -> storage.syncDirectory(dir));
        return target;
    }

    /** Renames a segment out of the log to a fresh {@code *.broken} name; the caller syncs the directory. */
    Path moveToBroken(Path segment) throws IOException {
        Path target = brokenName(segment);
        StepException.exec("rename of " + segment + " to " + target, () -> storage.rename(segment, target));
        return target;
    }

    /** Cuts {@code segment} to {@code size} bytes and fsyncs it. */
    void truncate(Path segment, long size) throws IOException {
        try (StorageFile f = StepException.run("open of " + segment,
                () -> storage.open(segment, Storage.OpenMode.WRITE))) {
            StepException.exec("truncate of " + segment, () -> f.truncate(size));
            StepException.exec("fsync of " + segment, f::force);
        }
    }

    /** Deletes a segment; durable once the caller syncs the directory. */
    void delete(Path path) throws IOException {
        StepException.exec("delete of " + path, () -> storage.delete(path));
    }

    void syncDirectory() throws IOException {
        StepException.exec("fsync of directory " + dir, () -> storage.syncDirectory(dir));
    }

    private Path brokenName(Path segment) {
        Path first = dir.resolve(segment.getFileName() + WalFormat.BROKEN_SUFFIX);
        if (!storage.exists(first)) {
            return first;
        }
        for (int n = 2; ; n++) {
            Path p = dir.resolve(segment.getFileName() + "." + n + WalFormat.BROKEN_SUFFIX);
            if (!storage.exists(p)) {
                return p;
            }
        }
    }

    void deleteQuietly(Path p) {
        try {
            storage.delete(p);
        } catch (IOException ignored) {
            // best effort: a leftover temp file is swept at the next open
        }
    }

    static void closeQuietly(StorageFile f) {
        if (f == null) {
            return;
        }
        try {
            f.close();
        } catch (IOException ignored) {
            // closing after a failure or a seal: the data was already forced or is being given up
        }
    }
}
