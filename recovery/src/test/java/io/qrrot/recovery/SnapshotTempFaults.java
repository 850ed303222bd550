package io.qrrot.recovery;

import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The real file system, except that one step on a snapshot's temp file ({@code *.qrrt.tmp}) throws what it is
 * told to (an IOException, or an Error) until {@link #clear}.
 */
final class SnapshotTempFaults implements Storage {
    enum Step { OPEN, WRITE, FORCE }

    private volatile Step step;
    private volatile Throwable fault;

    void failOn(Step s, Throwable t) {
        fault = t;
        step = s;
    }

    void clear() {
        step = null;
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
        StorageFile f = FileStorage.INSTANCE.open(path, mode);
        return new StorageFile() {
            @Override
            public void write(ByteBuffer src, long position) throws IOException {
                check(Step.WRITE, path);
                f.write(src, position);
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return f.read(dst, position);
            }

            @Override
            public void force() throws IOException {
                check(Step.FORCE, path);
                f.force();
            }

            @Override
            public void truncate(long size) throws IOException {
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
        FileStorage.INSTANCE.rename(from, to);
    }

    @Override
    public void delete(Path path) throws IOException {
        FileStorage.INSTANCE.delete(path);
    }

    @Override
    public void syncDirectory(Path d) throws IOException {
        FileStorage.INSTANCE.syncDirectory(d);
    }

    @Override
    public void createDirectories(Path d) throws IOException {
        FileStorage.INSTANCE.createDirectories(d);
    }

    @Override
    public List<Path> list(Path d) throws IOException {
        return FileStorage.INSTANCE.list(d);
    }

    @Override
    public boolean exists(Path path) {
        return FileStorage.INSTANCE.exists(path);
    }

    @Override
    public long size(Path path) throws IOException {
        return FileStorage.INSTANCE.size(path);
    }

    @Override
    public long usableSpace(Path path) throws IOException {
        return FileStorage.INSTANCE.usableSpace(path);
    }
}
