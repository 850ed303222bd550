package io.qrrot.recovery;

import io.qrrot.storage.FileStorage;
import io.qrrot.storage.StorageFile;
import io.qrrot.testkit.ForwardingStorage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The real file system, except that one step on a snapshot's temp file ({@code *.qrrt.tmp}) throws what it is
 * told to (an IOException, or an Error) until {@link #clear}.
 */
final class SnapshotTempFaults extends ForwardingStorage {
    enum Step { OPEN, WRITE, FORCE }

    private volatile Step step;
    private volatile Throwable fault;

    SnapshotTempFaults() {
        super(FileStorage.INSTANCE);
    }

    void failOn(Step s, Throwable t) {
        fault = t;
        step = s;
    }

    void clear() {
        step = null;
    }

    /** Options on this storage under which any write makes a compaction due (8 shards, 64 KiB WAL segments). */
    QrrotOptions compactingOnEveryWrite() {
        return QrrotOptions.defaults().withShards(8).withStorage(this).withWal(64 * 1024, 1, Long.MAX_VALUE);
    }

    private void check(Step s, Path path) throws IOException {
        Throwable t = fault;
        if (step == s && path.getFileName().toString().endsWith(".qrrt.tmp")) {
            if (t instanceof IOException io) {
                throw io;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) t;
        }
    }

    @Override
    public StorageFile open(Path path, OpenMode mode) throws IOException {
        check(Step.OPEN, path);
        return super.open(path, mode);
    }

    @Override
    protected void beforeWrite(Path path, StorageFile file, long position, int length) throws IOException {
        check(Step.WRITE, path);
    }

    @Override
    protected void beforeForce(Path path) throws IOException {
        check(Step.FORCE, path);
    }
}
