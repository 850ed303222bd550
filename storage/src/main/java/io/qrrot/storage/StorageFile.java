package io.qrrot.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** An open file of a {@link Storage}. Positional reads and writes only; thread-safe for distinct ranges. */
public interface StorageFile extends Closeable {
    /** Writes all remaining bytes of {@code src} at {@code position}; data is durable only after {@link #force}. */
    void write(ByteBuffer src, long position) throws IOException;

    /** Reads up to {@code dst.remaining()} bytes at {@code position}; returns the count, or -1 at end of file. */
    int read(ByteBuffer dst, long position) throws IOException;

    /** fsync: makes every write so far, and the file's size, durable. */
    void force() throws IOException;

    /** Sets the file's length (shrinks or extends with zeros); durable only after {@link #force}. */
    void truncate(long size) throws IOException;

    long size() throws IOException;
}
