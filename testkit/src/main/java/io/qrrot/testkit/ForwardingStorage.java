package io.qrrot.testkit;

import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link Storage} that forwards every call to another, for a test that needs a few of them to block, fail
 * or be logged: override a {@code Storage} method (and call {@code super} to go on), or one of the hooks that
 * run before a call on a file this storage opened ({@link #beforeWrite}, {@link #beforeForce},
 * {@link #beforeTruncate}). A hook that throws stops the call: the delegate never sees it. Reads, sizes and
 * closes of a file are forwarded as they are.
 */
public class ForwardingStorage implements Storage {
    protected final Storage delegate;

    public ForwardingStorage(Storage delegate) {
        this.delegate = delegate;
    }

    /**
     * Runs before {@code length} bytes are written at {@code position} to {@code file} (opened as {@code path}),
     * which a hook may ask for its size.
     */
    protected void beforeWrite(Path path, StorageFile file, long position, int length) throws IOException {
    }

    /** Runs before an fsync of the file opened as {@code path}. */
    protected void beforeForce(Path path) throws IOException {
    }

    /** Runs before the file opened as {@code path} is truncated (or extended) to {@code size} bytes. */
    protected void beforeTruncate(Path path, long size) throws IOException {
    }

    @Override
    public StorageFile open(Path path, OpenMode mode) throws IOException {
        return new ForwardingFile(path, delegate.open(path, mode));
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        delegate.rename(from, to);
    }

    @Override
    public void delete(Path path) throws IOException {
        delegate.delete(path);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        delegate.syncDirectory(dir);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
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

    private final class ForwardingFile implements StorageFile {
        private final Path path;
        private final StorageFile file;

        ForwardingFile(Path path, StorageFile file) {
            this.path = path;
            this.file = file;
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            beforeWrite(path, file, position, src.remaining());
            file.write(src, position);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return file.read(dst, position);
        }

        @Override
        public void force() throws IOException {
            beforeForce(path);
            file.force();
        }

        @Override
        public void truncate(long size) throws IOException {
            beforeTruncate(path, size);
            file.truncate(size);
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
