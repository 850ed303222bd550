package io.qrrot.wal;

import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * File-level operations on a WAL directory, each in its crash-safe order: creating a segment (temp file,
 * header, fsync, rename, fsync the directory), zero-filling the next segment, sealing, setting damaged bytes
 * aside to {@code *.broken} before a repair zeroes them. Stateless apart from its arguments; every
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
            zeroFill(f, tmp, 0, bytes);
            StepException.exec("fsync of " + tmp, f::force);
            return f;
        } catch (IOException e) {
            closeQuietly(f);
            deleteQuietly(tmp);
            throw e;
        }
    }

    /**
     * Turns {@code tmp} (open as {@code file}, zero-filled to {@code preallocatedSize} bytes, or empty and 0)
     * into the segment for {@code firstLsn}, whose marks are salted with {@code markSalt}: header, fsync, rename
     * (replacing a file of that name), fsync of the directory. When this returns, the segment and its header
     * survive a power cut.
     */
    StorageFile install(StorageFile file, Path tmp, long firstLsn, long createdAt, long preallocatedSize,
                        long markSalt) throws IOException {
        Path target = segmentPath(firstLsn);
        ByteBuffer header = ByteBuffer.allocate(WalFormat.HEADER_LENGTH).order(WalFormat.BYTE_ORDER);
        WalFormat.encodeHeader(header, firstLsn, createdAt, preallocatedSize, markSalt);
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

    /** Creates the segment for {@code firstLsn} without preallocation: it grows as records are written. */
    StorageFile create(long firstLsn, long createdAt, long markSalt) throws IOException {
        Path tmp = dir.resolve(WalFormat.segmentName(firstLsn) + ".tmp");
        if (storage.exists(tmp)) {
            StepException.exec("delete of " + tmp, () -> storage.delete(tmp));
        }
        StorageFile f = StepException.run("creating " + tmp, () -> storage.open(tmp, Storage.OpenMode.CREATE_NEW));
        return install(f, tmp, firstLsn, createdAt, 0, markSalt);
    }

    /**
     * Seals a segment: fsyncs it, cuts off the unused zero tail, fsyncs again, closes. The records are
     * durable before the file shrinks: a segment shorter than it was preallocated is only ever one whose
     * records all reached the disk, so a short file with damage in it is never taken for a torn write.
     */
    void seal(StorageFile file, Path path, long dataEnd) throws IOException {
        StepException.exec("fsync of " + path, file::force);
        if (StepException.run("size of " + path, file::size) > dataEnd) {
            StepException.exec("truncate of " + path, () -> file.truncate(dataEnd));
            StepException.exec("fsync of " + path, file::force);
        }
        closeQuietly(file);
    }

    /**
     * Sets the damaged end of a segment aside: copies bytes {@code from..end} to a fresh
     * {@code NNN.wal.from-OFFSET.broken} (temp, fsync, rename, fsync directory), then overwrites them with
     * zeros in the segment and fsyncs it, so the log ends at {@code from}. The file keeps its length (a
     * preallocated segment shorter than its header says would read as cut off), and zeroing blocks the file
     * already has needs no free space. Only the damaged bytes are copied, not the whole segment, so a repair
     * needs little space.
     *
     * @param copyRequired whether a failed copy stops the repair; when false (a torn tail: bytes written after
     *                     the last fsync the log can prove) the repair goes on without it
     */
    TailCopy setAsideTail(Path segment, long from, long end, boolean copyRequired) throws IOException {
        TailCopy copy = new TailCopy(null, null);
        if (end > from) {
            try {
                copy = new TailCopy(copyRange(segment, from, end, brokenName(segment, ".from-" + from)), null);
            } catch (IOException e) {
                if (copyRequired) {
                    throw e;
                }
                copy = new TailCopy(null, e.getMessage());
            }
        }
        try (StorageFile f = StepException.run("open of " + segment,
                () -> storage.open(segment, Storage.OpenMode.WRITE))) {
            zeroFill(f, segment, from, end);
            StepException.exec("fsync of " + segment, f::force);
        }
        return copy;
    }

    /** Writes zeros over bytes {@code from..end} of {@code f} (no fsync). */
    private static void zeroFill(StorageFile f, Path path, long from, long end) throws StepException {
        for (long pos = from; pos < end; pos += ZERO_CHUNK) {
            ByteBuffer z = ZEROS.duplicate();
            z.limit((int) Math.min(ZERO_CHUNK, end - pos));
            long at = pos;
            StepException.exec("write of " + path, () -> f.write(z, at));
        }
    }

    /** Where {@link #setAsideTail} kept the damaged bytes, or why it could not (both null: nothing to keep). */
    record TailCopy(Path path, String failure) {
    }

    /** Copies bytes {@code from..end} of {@code src} to {@code target}: temp, fsync, rename, fsync directory. */
    private Path copyRange(Path src, long from, long end, Path target) throws IOException {
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        if (storage.exists(tmp)) {
            StepException.exec("delete of " + tmp, () -> storage.delete(tmp));
        }
        try {
            try (StorageFile in = StepException.run("open of " + src, () -> storage.open(src, Storage.OpenMode.READ));
                 StorageFile out = StepException.run("creating " + tmp,
                         () -> storage.open(tmp, Storage.OpenMode.CREATE_NEW))) {
                ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ZERO_CHUNK, end - from));
                long pos = from;
                while (pos < end) {
                    buf.clear();
                    buf.limit((int) Math.min(buf.capacity(), end - pos));
                    long at = pos;
                    int n = StepException.run("read of " + src, () -> in.read(buf, at));
                    if (n < 0) {
                        break;
                    }
                    buf.flip();
                    long to = pos - from;
                    StepException.exec("write of " + tmp, () -> out.write(buf, to));
                    pos += n;
                }
                StepException.exec("fsync of " + tmp, out::force);
            }
            StepException.exec("rename of " + tmp + " to " + target, () -> storage.rename(tmp, target));
            StepException.exec("fsync of directory " + dir, () -> storage.syncDirectory(dir));
            return target;
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** Renames a segment out of the log to a fresh {@code *.broken} name; the caller syncs the directory. */
    Path moveToBroken(Path segment) throws IOException {
        Path target = brokenName(segment);
        StepException.exec("rename of " + segment + " to " + target, () -> storage.rename(segment, target));
        return target;
    }

    /** Deletes a segment; durable once the caller syncs the directory. */
    void delete(Path path) throws IOException {
        StepException.exec("delete of " + path, () -> storage.delete(path));
    }

    void syncDirectory() throws IOException {
        StepException.exec("fsync of directory " + dir, () -> storage.syncDirectory(dir));
    }

    private Path brokenName(Path segment) {
        return brokenName(segment, "");
    }

    /** {@code NNN.wal<infix>.broken}, or with {@code .2}, {@code .3} … before the suffix if that exists. */
    private Path brokenName(Path segment, String infix) {
        Path first = dir.resolve(segment.getFileName() + infix + WalFormat.BROKEN_SUFFIX);
        if (!storage.exists(first)) {
            return first;
        }
        for (int n = 2; ; n++) {
            Path p = dir.resolve(segment.getFileName() + infix + "." + n + WalFormat.BROKEN_SUFFIX);
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
