package io.qrrot.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The real {@link Storage}: {@link FileChannel} files on the local file system. */
public final class FileStorage implements Storage {
    public static final FileStorage INSTANCE = new FileStorage();

    private FileStorage() {
    }

    @Override
    public StorageFile open(Path path, OpenMode mode) throws IOException {
        FileChannel ch = switch (mode) {
            case READ -> FileChannel.open(path, StandardOpenOption.READ);
            case WRITE -> FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            case CREATE_NEW -> FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE_NEW);
        };
        return new ChannelFile(ch);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        // ATOMIC_MOVE or fail: a non-atomic fallback could leave a half-copied file under the final name.
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void delete(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return;
        }
        Path parent = abs.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(abs);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(abs)) {
                throw e;
            }
            return;
        }
        if (parent != null) {
            syncDirectory(parent);
        }
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.sorted().forEach(out::add);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        return out;
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public long size(Path path) throws IOException {
        return Files.size(path);
    }

    @Override
    public long usableSpace(Path path) throws IOException {
        return Files.getFileStore(path).getUsableSpace();
    }

    private static final class ChannelFile implements StorageFile {
        private final FileChannel ch;

        ChannelFile(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            long pos = position;
            while (src.hasRemaining()) {
                pos += ch.write(src, pos);
            }
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return ch.read(dst, position);
        }

        @Override
        public void force() throws IOException {
            // fdatasync: the data and the metadata needed to read it back (the file size), not the mtime.
            // That is the durability contract, and it skips a journal commit per call on ext4.
            ch.force(false);
        }

        @Override
        public void truncate(long size) throws IOException {
            long current = ch.size();
            if (size < current) {
                ch.truncate(size);
            } else if (size > current) {
                ch.write(ByteBuffer.allocate(1), size - 1);
            }
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
