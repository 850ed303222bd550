package io.qrrot.recovery;

import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>The lock is an fcntl lock on {@code LOCK}, which a deleted file no longer provides: a second process
 * would create a new {@code LOCK} and lock that. So the holder watches its lock file ({@link #watchLock}) and
 * stops writing as soon as the file is gone or replaced, and a process that finds no {@code LOCK} in a
 * directory that holds data waits {@link #LOCK_GRACE_MILLIS} before it reads anything, long enough for a
 * holder to have noticed and stopped. Either way no two processes write one log.
 *
 * <p>A directory is recognised as a data directory by its layout: a {@code wal/} or a {@code snapshots/}
 * directory inside. Everything that opens one goes through {@link #check} with a {@link Mode}, so a wrong
 * path is refused with what is wrong instead of getting a new database made inside it: a file, a live
 * server's {@code wal/} directory, and for the ops verbs and {@code --embedded} anything that is not a data
 * directory already, unless they are told to make one.
 */
public final class DataDirectory implements AutoCloseable {
    public static final String LOCK_FILE = "LOCK";
    public static final String WAL_DIR = "wal";
    public static final String SNAPSHOT_DIR = "snapshots";
    /** A fresh file system's mount point holds this and nothing else: it counts as empty. */
    private static final String LOST_FOUND = "lost+found";
    private static final Pattern SEGMENT_NAME = Pattern.compile("\\d{20}\\.wal");
    /** How often a holder looks at its lock file. */
    static final long LOCK_WATCH_MILLIS = 200;
    /** How long an opener that found no lock file in a directory holding data waits before reading it. */
    static final long LOCK_GRACE_MILLIS = 5 * LOCK_WATCH_MILLIS;
    private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);

    /** What a path is, seen as a data directory. */
    public enum Kind {
        /** Nothing there. */
        MISSING,
        /** A file (or something else that is not a directory). */
        NOT_A_DIRECTORY,
        /** A directory with nothing in it (but perhaps {@code lost+found}). */
        EMPTY,
        /** A directory with {@code wal/} or {@code snapshots/} in it. */
        DATA_DIRECTORY,
        /** The {@code wal/} or {@code snapshots/} directory of a data directory. */
        PART_OF_DATA_DIRECTORY,
        /** A directory with other things in it. */
        OTHER
    }

    /** Which paths {@link #open} accepts besides a data directory, where it then makes a new one. */
    public enum Mode {
        /** None: the ops verbs, and {@code --embedded} unless told to create. */
        EXISTING,
        /** A missing path or an empty directory: {@code --embedded --create}. */
        CREATE,
        /**
         * Any directory, as the server and the library always did (a data directory may live in a directory
         * that holds other things): only a file, or another data directory's {@code wal/} or
         * {@code snapshots/}, is refused.
         */
        CREATE_IN_ANY_DIRECTORY
    }

    /** A path refused as a data directory; the message names it and says what is wrong. */
    public static final class NotADataDirectoryException extends IOException {
        private static final long serialVersionUID = 1L;

        private final transient Path path;
        private final Kind kind;

        NotADataDirectoryException(Path path, Kind kind, String message) {
            super(message);
            this.path = path;
            this.kind = kind;
        }

        public Path path() {
            return path;
        }

        /** What the path is: {@link Kind#MISSING} and {@link Kind#EMPTY} are refused only in {@link Mode#EXISTING}. */
        public Kind kind() {
            return kind;
        }
    }

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** The lock file's identity (device and inode) when it was locked; null without a lock file. */
    private final Object lockKey;
    private volatile Thread lockWatcher;
    private volatile boolean closed;

    private DataDirectory(Path root, FileChannel lockChannel, FileLock lock, Object lockKey) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.lockKey = lockKey;
    }

    /** What {@code path} is on the real file system. */
    public static Kind inspect(Path path) throws IOException {
        if (!Files.exists(path)) {
            return Files.isSymbolicLink(path) ? Kind.NOT_A_DIRECTORY : Kind.MISSING;
        }
        if (!Files.isDirectory(path)) {
            return Kind.NOT_A_DIRECTORY;
        }
        if (hasLayout(path)) {
            return Kind.DATA_DIRECTORY;
        }
        if (dataDirectoryAbove(path) != null) {
            return Kind.PART_OF_DATA_DIRECTORY;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
            for (Path p : entries) {
                if (!p.getFileName().toString().equals(LOST_FOUND)) {
                    return Kind.OTHER;
                }
            }
        }
        return Kind.EMPTY;
    }

    private static boolean hasLayout(Path dir) {
        return Files.isDirectory(dir.resolve(WAL_DIR)) || Files.isDirectory(dir.resolve(SNAPSHOT_DIR));
    }

    /** The data directory {@code dir} is the {@code wal/} or {@code snapshots/} directory of, or null. */
    private static Path dataDirectoryAbove(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path name = abs.getFileName();
        Path parent = abs.getParent();
        if (name == null || parent == null || !(name.toString().equals(WAL_DIR) || name.toString().equals(SNAPSHOT_DIR))
                || !hasLayout(parent)) {
            return null;
        }
        return dir.getParent() != null ? dir.getParent() : parent;
    }

    /**
     * Checks, on the real file system and without changing anything, that {@code root} can be opened as a
     * data directory in {@code mode}: it must be one, or be a path where {@code mode} lets {@link #open} make
     * a new one.
     *
     * @return what {@code root} is
     * @throws NotADataDirectoryException naming the path and what is wrong with it
     */
    public static Kind check(Path root, Mode mode) throws IOException {
        Kind kind = inspect(root);
        boolean accepted = switch (kind) {
            case DATA_DIRECTORY -> true;
            case MISSING, EMPTY -> mode != Mode.EXISTING;
            case OTHER -> mode == Mode.CREATE_IN_ANY_DIRECTORY;
            case NOT_A_DIRECTORY, PART_OF_DATA_DIRECTORY -> false;
        };
        if (!accepted) {
            throw refusal(root, kind);
        }
        return kind;
    }

    private static NotADataDirectoryException refusal(Path root, Kind kind) throws IOException {
        String message = switch (kind) {
            case MISSING -> "no such data directory: " + root;
            case EMPTY -> root + " is not a qrrot data directory (it is empty)";
            case NOT_A_DIRECTORY -> root + " is " + (Files.isRegularFile(root) ? "a file" : "not a directory")
                    + ", not a qrrot data directory";
            case PART_OF_DATA_DIRECTORY -> {
                Path data = dataDirectoryAbove(root);
                yield root + " is not a qrrot data directory (no " + WAL_DIR + "/ or " + SNAPSHOT_DIR + "/ in it);"
                        + " it is the " + root.toAbsolutePath().normalize().getFileName() + "/ directory of the data"
                        + " directory " + data + ": give " + data;
            }
            default -> root + " is not a qrrot data directory (no " + WAL_DIR + "/ or " + SNAPSHOT_DIR
                    + "/ in it); give the directory that qrrot serve --wal uses";
        };
        return new NotADataDirectoryException(root, kind, message);
    }

    /**
     * The WAL directory {@code qrrot wal check|dump DIR} reads: {@code DIR/wal} when DIR is a data directory,
     * DIR itself when it is the {@code wal/} directory of one or holds WAL segments (a copy of a log).
     *
     * @throws NotADataDirectoryException when DIR is neither
     */
    public static Path walDirOf(Path dir) throws IOException {
        Kind kind = inspect(dir);
        if (kind == Kind.DATA_DIRECTORY) {
            Path wal = dir.resolve(WAL_DIR);
            if (Files.isDirectory(wal)) {
                return wal;
            }
            throw new NotADataDirectoryException(dir, kind, "data directory " + dir + " has no " + WAL_DIR
                    + "/ directory (only " + SNAPSHOT_DIR + "/): there is no log to read");
        }
        if (kind == Kind.PART_OF_DATA_DIRECTORY
                && dir.toAbsolutePath().normalize().getFileName().toString().equals(WAL_DIR)
                || kind == Kind.OTHER && holdsSegments(dir)) {
            return dir;
        }
        throw refusal(dir, kind);
    }

    private static boolean holdsSegments(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (SEGMENT_NAME.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@link #open(Path, Storage, Mode)} in {@link Mode#CREATE_IN_ANY_DIRECTORY}, as the server opens. */
    public static DataDirectory open(Path root, Storage storage) throws IOException {
        return open(root, storage, Mode.CREATE_IN_ANY_DIRECTORY);
    }

    /**
     * Checks the path ({@link #check}, on the real file system only), creates the layout if needed and locks
     * the directory. The lock is an OS file lock, released by the kernel when the process dies, so a kill -9
     * never leaves a stale lock behind. With a storage other than the real file system (tests) there is no
     * lock file.
     *
     * @param mode where a new data directory may be made
     * @throws NotADataDirectoryException when the path is not a data directory (and may not become one)
     * @throws IOException                when another process (or this one) holds the lock
     */
    public static DataDirectory open(Path root, Storage storage, Mode mode) throws IOException {
        if (storage == FileStorage.INSTANCE) {
            check(root, mode);
        }
        storage.createDirectories(root);
        storage.createDirectories(root.resolve(WAL_DIR));
        storage.createDirectories(root.resolve(SNAPSHOT_DIR));
        if (storage != FileStorage.INSTANCE) {
            return new DataDirectory(root, null, null, null);
        }
        Path lockPath = root.resolve(LOCK_FILE);
        boolean lockFileWasMissing = !Files.exists(lockPath, LinkOption.NOFOLLOW_LINKS);
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
        Object key;
        try {
            // Written over the old content, then cut: no new block is needed, so a full disk does not stop it.
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            ch.write(java.nio.ByteBuffer.wrap(pid), 0);
            ch.truncate(pid.length);
            key = fileKey(lockPath);
        } catch (IOException e) {
            ch.close(); // releases the lock too
            throw new IOException("writing the pid to the lock file " + lockPath + ": " + e.getMessage(), e);
        }
        if (lockFileWasMissing && holdsData(root)) {
            LOG.warn("the lock file {} was missing though {} holds data: if another process has this directory open"
                    + " (its lock file deleted), it stops writing when it sees that; waiting {} ms for it before"
                    + " reading anything", lockPath, root, LOCK_GRACE_MILLIS);
            try {
                Thread.sleep(LOCK_GRACE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ch.close();
                throw new IOException("interrupted while waiting before opening " + root, e);
            }
        }
        return new DataDirectory(root, ch, lock, key);
    }

    /** Sleeps one watch period; false when interrupted (the directory is closing). */
    private static boolean sleepQuietly() {
        try {
            Thread.sleep(LOCK_WATCH_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Object fileKey(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    private static boolean holdsData(Path root) throws IOException {
        Path snapshots = root.resolve(SNAPSHOT_DIR);
        if (holdsSegments(root.resolve(WAL_DIR))) {
            return true;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(snapshots)) {
            return entries.iterator().hasNext();
        }
    }

    /**
     * Watches the lock file from a daemon thread: if it is deleted or replaced by another file while this
     * directory is open, {@code onLost} is told once, with a sentence saying so (then the owner must stop
     * writing: another process may open the directory). Does nothing without a lock file (tests' storage).
     */
    public void watchLock(Consumer<String> onLost) {
        if (lockKey == null) {
            return;
        }
        Path lockPath = root.resolve(LOCK_FILE);
        Thread t = new Thread(() -> {
            while (!closed) {
                Object now;
                try {
                    now = fileKey(lockPath);
                } catch (IOException e) {
                    now = null;
                } catch (RuntimeException | Error e) {
                    // Out of memory, say: no answer this time; the watch must outlive it, so look again.
                    LOG.warn("could not look at the lock file {}: {}; looking again", lockPath, e.toString());
                    sleepQuietly();
                    continue;
                }
                if (!lockKey.equals(now)) {
                    if (!closed) {
                        onLost.accept("the lock file " + lockPath + " was " + (now == null ? "deleted" : "replaced")
                                + " while this process had the data directory open, so another process may open it"
                                + " and write to the same log");
                    }
                    return;
                }
                if (!sleepQuietly()) {
                    return;
                }
            }
        }, "qrrot-lock-watch");
        t.setDaemon(true);
        lockWatcher = t;
        t.start();
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
        closed = true;
        Thread t = lockWatcher;
        if (t != null) {
            t.interrupt();
        }
        if (lock != null) {
            lock.release();
            lockChannel.close();
        }
    }
}
