package io.qrrot.recovery.snapshot;

import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import io.qrrot.testkit.ForwardingStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Storage} over another that logs every mutating operation and can fail the n-th one (counting from
 * 1): once, or from then on (a process that can no longer do I/O, as after a crash: even its cleanup fails).
 */
final class FaultyStorage extends ForwardingStorage {
    private final int failAt;
    private final boolean persistent;
    final List<String> log = new ArrayList<>();
    private int ops;
    private boolean failed;

    FaultyStorage(Storage delegate, int failAt, boolean persistent) {
        super(delegate);
        this.failAt = failAt;
        this.persistent = persistent;
    }

    /** Logs only, never fails. */
    static FaultyStorage recording(Storage delegate) {
        return new FaultyStorage(delegate, 0, false);
    }

    int ops() {
        return ops;
    }

    boolean failed() {
        return failed;
    }

    private void op(String what) throws IOException {
        ops++;
        log.add(what);
        if (ops == failAt || (persistent && failed)) {
            failed = true;
            throw new IOException("injected fault at I/O " + ops + ": " + what);
        }
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }

    @Override
    public StorageFile open(Path path, OpenMode mode) throws IOException {
        if (mode != OpenMode.READ) {
            op("open " + mode + " " + name(path));
        }
        return super.open(path, mode);
    }

    @Override
    protected void beforeWrite(Path path, StorageFile file, long position, int length) throws IOException {
        op("write " + name(path));
    }

    @Override
    protected void beforeForce(Path path) throws IOException {
        op("force " + name(path));
    }

    @Override
    protected void beforeTruncate(Path path, long size) throws IOException {
        op("truncate " + name(path));
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        op("rename " + name(from) + " " + name(to));
        super.rename(from, to);
    }

    @Override
    public void delete(Path path) throws IOException {
        op("delete " + name(path));
        super.delete(path);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        op("syncDirectory " + name(dir));
        super.syncDirectory(dir);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        op("createDirectories " + name(dir));
        super.createDirectories(dir);
    }
}
