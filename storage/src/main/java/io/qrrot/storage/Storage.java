package io.qrrot.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The one seam for every durable I/O the database does: the WAL, snapshots, manifests and lock files all
 * go through it, so tests can swap in an implementation that injects faults or simulates a power cut
 * (unsynced writes dropped, torn, reordered; directory entries durable only after {@link #syncDirectory}).
 *
 * <p>Implementations are thread-safe.
 */
public interface Storage {
    /** Opens a file; see {@link OpenMode} for what each mode requires and creates. */
    StorageFile open(Path path, OpenMode mode) throws IOException;

    /** Atomically renames {@code from} to {@code to}, replacing {@code to}; durable only after {@link #syncDirectory}. */
    void rename(Path from, Path to) throws IOException;

    /** Deletes a file if it exists; durable only after {@link #syncDirectory}. */
    void delete(Path path) throws IOException;

    /** Makes the directory's entries (creates, renames, deletes) durable: fsync of the directory. */
    void syncDirectory(Path dir) throws IOException;

    /** Creates a directory and its parents if missing, syncing each parent it changed. */
    void createDirectories(Path dir) throws IOException;

    /** The names in a directory (files and directories), sorted; empty if the directory does not exist. */
    List<Path> list(Path dir) throws IOException;

    boolean exists(Path path);

    /** The file's size in bytes. */
    long size(Path path) throws IOException;

    /**
     * Bytes this process may still write to the file system that holds {@code path} (an existing file or
     * directory): what the WAL checks before it zero-fills a segment ahead of need, so as never to take the
     * last free space the live segment needs. The default, for a storage that cannot tell, is
     * {@link Long#MAX_VALUE}.
     */
    default long usableSpace(Path path) throws IOException {
        return Long.MAX_VALUE;
    }

    /** How a file is opened. */
    enum OpenMode {
        /** Read only; the file must exist. */
        READ,
        /** Read and write; the file must exist. */
        WRITE,
        /** Read and write; the file must not exist and is created (durable only after a directory sync). */
        CREATE_NEW
    }
}
