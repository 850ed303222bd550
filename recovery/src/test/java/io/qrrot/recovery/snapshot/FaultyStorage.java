package io.qrrot.recovery.snapshot;

import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Storage} over another that logs every mutating operation and can fail the n-th one (counting from
 * 1): once, or from then on (a process that can no longer do I/O, as after a crash: even its cleanup fails).
 */
final class FaultyStorage implements Storage {
    private final Storage delegate;
    private final int failAt;
    private final boolean persistent;
    final List<String> log = new ArrayList<>();
    private int ops;
    private boolean failed;

    FaultyStorage(Storage delegate, int failAt, boolean persistent) {
        this.delegate = delegate;
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
        StorageFile f = delegate.open(path, mode);
        String n = name(path);
        return new StorageFile() {
            @Override
            public void write(ByteBuffer src, long position) throws IOException {
                op("write " + n);
                f.write(src, position);
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return f.read(dst, position);
            }

            @Override
            public void force() throws IOException {
                op("force " + n);
                f.force();
            }

            @Override
            public void truncate(long size) throws IOException {
                op("truncate " + n);
                f.truncate(size);
            }

            @Override
            public long size() throws IOException {
                return f.size();
            }

            @Override
            public void close() throws IOException {
                f.close();
            }
        };
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        op("rename " + name(from) + " " + name(to));
        delegate.rename(from, to);
    }

    @Override
    public void delete(Path path) throws IOException {
        op("delete " + name(path));
        delegate.delete(path);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        op("syncDirectory " + name(dir));
        delegate.syncDirectory(dir);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        op("createDirectories " + name(dir));
        delegate.createDirectories(dir);
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        return delegate.list(dir);
    }

    @Override
    public boolean exists(Path path) {
        return delegate.exists(path);
    }

    @Override
    public long size(Path path) throws IOException {
        return delegate.size(path);
    }

    @Override
    public long usableSpace(Path path) throws IOException {
        return delegate.usableSpace(path);
    }
}
