package io.qrrot.wal;

import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one zero-filled, fsynced temp file ready to become the next segment, so a roll costs a header
 * write and a rename instead of growing a file on the write path. A failure here (a full disk, say) is
 * only logged: the roll then creates the segment directly and fails the log if the disk is still full.
 *
 * <p>It never takes the last free space: a segment is zero-filled only if at least a segment's worth stays
 * usable afterwards, for the live segment (which grows as it is written when it was not preallocated) and
 * the roll. Otherwise preallocation is skipped, with a warning at most once a minute, until there is room.
 */
final class Preallocator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Preallocator.class);
    /** The shortest time between two warnings that preallocation is skipped for lack of space. */
    private static final long SKIP_WARNING_INTERVAL_NANOS = 60_000_000_000L;

    /** A ready temp file. */
    record Prepared(StorageFile file, Path path) {
    }

    private final SegmentFiles files;
    private final long bytes;
    private final WalOptions.Preallocation mode;
    private final Thread thread;

    private Prepared ready;
    private boolean requested;
    private boolean busy;
    private boolean stopped;
    /** Skips for lack of space since the last warning, and when that warning was (guarded by skipLock). */
    private final Object skipLock = new Object();
    private long skippedSinceWarning;
    private long lastSkipWarning;
    private boolean skipping;

    Preallocator(SegmentFiles files, long bytes, WalOptions.Preallocation mode, String name) {
        this.files = files;
        this.bytes = bytes;
        this.mode = mode;
        if (mode == WalOptions.Preallocation.BACKGROUND) {
            thread = new Thread(this::run, name);
            thread.setDaemon(true);
            thread.start();
        } else {
            thread = null;
        }
    }

    /**
     * Takes the ready file, if any; the caller owns it from now on, and calls {@link #request()} for the next
     * one once it has renamed this one away from the temp name.
     */
    synchronized Prepared take() {
        Prepared p = ready;
        ready = null;
        if (p != null) {
            // A request made while this file was being prepared (a roll that found nothing ready) must not start
            // the next one now: preparing deletes whatever is at the temp name, which is still this file until the
            // caller renames it, so its rename would fail or install the new, empty file in its place. The caller
            // asks again after the rename.
            requested = false;
        }
        return p;
    }

    /**
     * Prepares a file on this thread, whatever the mode (the first segment of a new log), or returns null
     * when preallocation is off or fails.
     */
    Prepared prepareNow() {
        return mode == WalOptions.Preallocation.NONE ? null : prepare();
    }

    /** Asks for a ready file: now on this thread (inline), or soon on the background thread. */
    void request() {
        if (mode == WalOptions.Preallocation.NONE) {
            return;
        }
        if (mode == WalOptions.Preallocation.INLINE) {
            synchronized (this) {
                if (ready != null || stopped) {
                    return;
                }
            }
            Prepared p = prepare();
            synchronized (this) {
                if (stopped) {
                    discard(p);
                } else {
                    ready = p;
                }
            }
            return;
        }
        synchronized (this) {
            requested = true;
            notifyAll();
        }
    }

    private void run() {
        while (true) {
            synchronized (this) {
                while (!stopped && (!requested || ready != null)) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (stopped) {
                    return;
                }
                requested = false;
                busy = true;
            }
            Prepared p = prepare();
            synchronized (this) {
                busy = false;
                if (stopped) {
                    discard(p);
                    notifyAll();
                    return;
                }
                ready = p;
                notifyAll();
            }
        }
    }

    private Prepared prepare() {
        Path tmp = files.preallocatedPath();
        try {
            if (!roomFor(tmp)) {
                return null;
            }
            if (files.storage().exists(tmp)) {
                files.delete(tmp);
            }
            return new Prepared(files.preallocate(tmp, bytes), tmp);
        } catch (IOException e) {
            LOG.warn("could not preallocate the next WAL segment ({}); the next roll creates it directly",
                    e.getMessage());
            return null;
        } catch (RuntimeException | Error e) {
            // Preallocation only saves time: whatever goes wrong here must not kill the background thread
            // (close() would then wait for it forever), and the roll can do without the file.
            LOG.error("preallocating the next WAL segment failed; the next roll creates it directly", e);
            return null;
        }
    }

    /**
     * Whether zero-filling {@code bytes} leaves at least as much again usable (a leftover temp file counts as
     * free: it is deleted first). When the storage cannot tell, preallocation goes ahead as it always did.
     */
    private boolean roomFor(Path tmp) {
        long usable;
        try {
            usable = files.storage().usableSpace(files.dir());
            if (usable != Long.MAX_VALUE && files.storage().exists(tmp)) {
                usable += files.storage().size(tmp);
            }
        } catch (IOException e) {
            LOG.debug("could not read the usable space of {}: {}", files.dir(), e.toString());
            return true;
        }
        boolean room = usable - bytes >= bytes;
        synchronized (skipLock) {
            long now = System.nanoTime();
            if (room) {
                if (skipping) {
                    LOG.info("preallocating the next WAL segment again: {} bytes are usable in {}", usable,
                            files.dir());
                    skipping = false;
                }
                return true;
            }
            if (!skipping || now - lastSkipWarning >= SKIP_WARNING_INTERVAL_NANOS) {
                LOG.warn("not preallocating the next WAL segment: {} bytes are usable in {}, and zero-filling {}"
                        + " would leave less than {} free for the live segment; rolls create segments directly"
                        + " meanwhile{}", usable, files.dir(), bytes, bytes,
                        skippedSinceWarning == 0 ? "" : " (skipped " + skippedSinceWarning
                                + " times since the last warning)");
                lastSkipWarning = now;
                skippedSinceWarning = 0;
            } else {
                skippedSinceWarning++;
            }
            skipping = true;
            return false;
        }
    }

    private void discard(Prepared p) {
        if (p != null) {
            SegmentFiles.closeQuietly(p.file());
            files.deleteQuietly(p.path());
        }
    }

    @Override
    public void close() {
        Prepared p;
        synchronized (this) {
            stopped = true;
            notifyAll();
            while (busy) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            p = ready;
            ready = null;
        }
        if (thread != null) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        discard(p);
    }
}
