package io.qrrot.recovery;

import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The layout of a data directory and its lock.
 *
 * <pre>
 * DIR/
 *   LOCK                      held (fcntl lock) by the process that has the directory open; holds its pid
 *   wal/NNNNNNNNNNNNNNNNNNNN.wal   WAL segments named by their first LSN
 *   snapshots/snapshot-NNNNNNNNNNNNNNNNNNNN.qrrt   snapshots named by their base LSN
 * </pre>
 *
 * The newest snapshot that reads without error plus the WAL records after its base LSN are the database;
 * the names alone say which files belong together, so no manifest is needed.
 */
public final class DataDirectory implements AutoCloseable {
    public static final String LOCK_FILE = "LOCK";
    public static final String WAL_DIR = "wal";
    public static final String SNAPSHOT_DIR = "snapshots";

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates the directory if needed and locks it. The lock is an OS file lock, released by the kernel when
     * the process dies, so a kill -9 never leaves a stale lock behind. With a storage other than the real
     * file system (tests) there is no lock file.
     *
     * @throws IOException when another process (or this one) holds the lock
     */
    public static DataDirectory open(Path root, Storage storage) throws IOException {
        storage.createDirectories(root);
        storage.createDirectories(root.resolve(WAL_DIR));
        storage.createDirectories(root.resolve(SNAPSHOT_DIR));
        if (storage != FileStorage.INSTANCE) {
            return new DataDirectory(root, null, null);
        }
        Path lockPath = root.resolve(LOCK_FILE);
        FileChannel ch = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            String holder = readHolder(ch);
            ch.close();
            throw new IOException("data directory " + root + " is in use by another qrrot process" + holder
                    + " (lock file " + lockPath + "); stop that process or choose another directory");
        }
        try {
            ch.truncate(0);
            ch.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException e) {
            ch.close(); // releases the lock too
            throw new IOException("writing the pid to the lock file " + lockPath + ": " + e.getMessage(), e);
        }
        return new DataDirectory(root, ch, lock);
    }

    private static String readHolder(FileChannel ch) {
        try {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(32);
            ch.read(b, 0);
            String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? "" : " (pid " + pid + ")";
        } catch (IOException e) {
            return "";
        }
    }

    public Path root() {
        return root;
    }

    public Path walDir() {
        return root.resolve(WAL_DIR);
    }

    public Path snapshotDir() {
        return root.resolve(SNAPSHOT_DIR);
    }

    @Override
    public void close() throws IOException {
        if (lock != null) {
            lock.release();
            lockChannel.close();
        }
    }
}
