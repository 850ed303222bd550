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
 */
final class Preallocator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Preallocator.class);

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

    /** Takes the ready file, if any; the caller owns it from now on. */
    synchronized Prepared take() {
        Prepared p = ready;
        ready = null;
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
            if (files.storage().exists(tmp)) {
                files.delete(tmp);
            }
            return new Prepared(files.preallocate(tmp, bytes), tmp);
        } catch (IOException e) {
            LOG.warn("could not preallocate the next WAL segment ({}); the next roll creates it directly",
                    e.getMessage());
            return null;
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
