package io.qrrot.recovery.fold;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A spilled run of the fold's external sort: folded changes, one per key and one per element of a key, in
 * {@link Change#compare} order, each framed with its length and a CRC32C. A temporary file of one compaction,
 * never fsynced: a crash leaves it behind as
 * {@code snapshot-<lsn>.qrrt.run-<n>.tmp}, which the next open of the snapshots directory deletes with the
 * other temp files.
 *
 * <pre>
 * File: Frame*
 * Frame:
 *  +---------------------------------------------------------------+
 *  |  Change length L (bytes, >= Change.MIN_LENGTH)                |  0
 *  +---------------------------------------------------------------+
 *  |  Change: L bytes, laid out as in {@link Change}              ...  4
 *  +---------------------------------------------------------------+
 *  |  CRC32C of the L change bytes                                 |  4 + L
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class RunFile {
    static final int LENGTH_BYTES = 4;
    static final int CRC_BYTES = 4;

    private RunFile() {
    }

    /** Writes a run through a staging buffer; a change larger than it is streamed through it in pieces. */
    static final class Writer implements AutoCloseable {
        private final Path path;
        private final StorageFile file;
        private final ByteBuffer staging;
        /** The staging bytes as the CRC reads them: one view, not one per frame (a fold writes millions). */
        private final ByteBuffer crcView;
        private final UnsafeBuffer view;
        private final CRC32C crc = new CRC32C();
        private int crcFrom;
        private long position;
        private boolean closed;

        Writer(Storage storage, Path path, int bufferBytes) throws IOException {
            this.path = path;
            this.file = storage.open(path, Storage.OpenMode.CREATE_NEW);
            this.staging = ByteBuffer.allocateDirect(
                    Math.max(bufferBytes, Change.ELEMENT_HEADER_LENGTH + LENGTH_BYTES + CRC_BYTES));
            this.view = new UnsafeBuffer(staging);
            this.crcView = staging.duplicate();
        }

        Path path() {
            return path;
        }

        /** Bytes written so far. */
        long bytes() {
            return position + staging.position();
        }

        /**
         * Adds the current change of a cursor, with its folded kind, expiry and sequence (a DELETE, EXPIRE or
         * ELEMENT_DELETE without value, whatever the bytes it kept).
         */
        void add(ChangeCursor c) throws IOException {
            DirectBuffer b = c.buffer();
            int at = c.at();
            byte kind = c.kind();
            boolean value = kind == Change.PUT || kind == Change.ELEMENT_PUT;
            add(Change.hash(b, at), kind, Change.type(b, at), b, Change.keyOffset(b, at), Change.keyLength(b, at),
                    Change.elementHash(b, at), b, Change.elementOffset(b, at), Change.elementLength(b, at),
                    b, Change.valueOffset(b, at), value ? Change.valueLength(b, at) : 0, c.expiry(), c.sequence());
        }

        void add(long hash, byte kind, byte type, DirectBuffer key, int koff, int klen, long elementHash,
                 DirectBuffer element, int eoff, int elen, DirectBuffer value, int voff, int vlen, long expiry,
                 long sequence) throws IOException {
            long length = Change.length(kind, klen, elen, vlen);
            if (length > Integer.MAX_VALUE - LENGTH_BYTES - CRC_BYTES) {
                throw new IllegalArgumentException("a change of " + length + " bytes is too large for a run");
            }
            room(LENGTH_BYTES + Change.headerLength(kind));
            int p = staging.position();
            view.putInt(p, (int) length, LITTLE_ENDIAN);
            p += LENGTH_BYTES;
            crc.reset();
            crcFrom = p;
            staging.position(Change.writeHeader(view, p, hash, kind, type, klen, elementHash, elen, vlen, expiry,
                    sequence));
            copy(key, koff, klen);
            copy(element, eoff, elen);
            copy(value, voff, vlen);
            room(CRC_BYTES);
            crcUpTo(staging.position());
            view.putInt(staging.position(), (int) crc.getValue(), LITTLE_ENDIAN);
            staging.position(staging.position() + CRC_BYTES);
        }

        private void copy(DirectBuffer src, int off, int len) throws IOException {
            while (len > 0) {
                if (!staging.hasRemaining()) {
                    flush();
                }
                int n = Math.min(len, staging.remaining());
                view.putBytes(staging.position(), src, off, n);
                staging.position(staging.position() + n);
                off += n;
                len -= n;
            }
        }

        private void room(int n) throws IOException {
            if (staging.remaining() < n) {
                flush();
            }
        }

        private void crcUpTo(int end) {
            if (crcFrom < end) {
                crcView.limit(end).position(crcFrom);
                crc.update(crcView);
            }
            crcFrom = end;
        }

        private void flush() throws IOException {
            crcUpTo(staging.position());
            staging.flip();
            int n = staging.remaining();
            file.write(staging, position);
            position += n;
            staging.clear();
            crcFrom = 0;
        }

        /** Writes what is staged and closes the file (no fsync: a crash discards the whole compaction). */
        void finish() throws IOException {
            flush();
            close();
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                BufferUtil.free(staging);
                file.close();
            }
        }
    }

    /** Reads a run back, checking each frame's CRC; the current change stays in its buffer until the next. */
    static final class Reader implements ChangeCursor {
        private final Path path;
        private final StorageFile file;
        private ByteBuffer bytes;
        /** The read bytes as the CRC and the file reads see them: one view per buffer, not one per frame. */
        private ByteBuffer window;
        private final UnsafeBuffer view;
        private long fileOffset;
        /** Where the next frame starts in the buffer, and where the bytes read end. */
        private int pos;
        private int limit;
        private int at;
        private long frameOffset;
        private final CRC32C crc = new CRC32C();
        private boolean closed;

        Reader(Storage storage, Path path, int bufferBytes) throws IOException {
            this.path = path;
            this.file = storage.open(path, Storage.OpenMode.READ);
            this.bytes = ByteBuffer.allocateDirect(bufferBytes);
            this.window = bytes.duplicate();
            this.view = new UnsafeBuffer(bytes);
        }

        @Override
        public boolean next() throws IOException {
            frameOffset = fileOffset - (limit - pos);
            if (!fill(LENGTH_BYTES)) {
                if (limit == pos) {
                    return false;
                }
                throw damaged("the file ends inside a frame's length");
            }
            int length = view.getInt(pos, LITTLE_ENDIAN);
            if (length < Change.MIN_LENGTH || length > Integer.MAX_VALUE - LENGTH_BYTES - CRC_BYTES) {
                throw damaged("a frame length of " + length + " bytes");
            }
            if (!fill(LENGTH_BYTES + length + CRC_BYTES)) {
                throw damaged("the file ends inside a frame of " + length + " bytes");
            }
            window.limit(pos + LENGTH_BYTES + length).position(pos + LENGTH_BYTES);
            crc.reset();
            crc.update(window);
            int stored = view.getInt(pos + LENGTH_BYTES + length, LITTLE_ENDIAN);
            int change = pos + LENGTH_BYTES;
            if (stored != (int) crc.getValue() || Change.length(view, change) != length) {
                throw damaged("a frame that fails its CRC");
            }
            at = pos + LENGTH_BYTES;
            pos += LENGTH_BYTES + length + CRC_BYTES;
            return true;
        }

        /** Makes sure {@code n} bytes from {@code pos} are in the buffer; false if the file ends first. */
        private boolean fill(int n) throws IOException {
            if (limit - pos >= n) {
                return true;
            }
            if (bytes.capacity() < n) {
                ByteBuffer grown = ByteBuffer.allocateDirect(n);
                UnsafeBuffer g = new UnsafeBuffer(grown);
                g.putBytes(0, view, pos, limit - pos);
                BufferUtil.free(bytes);
                bytes = grown;
                window = grown.duplicate();
                view.wrap(grown);
            } else {
                bytes.limit(limit).position(pos);
                bytes.compact(); // moves the unread bytes to the start (the ranges may overlap)
                bytes.clear();
            }
            limit -= pos;
            pos = 0;
            while (limit < n) {
                window.limit(window.capacity()).position(limit);
                int r = file.read(window, fileOffset);
                if (r < 0) {
                    return false;
                }
                limit += r;
                fileOffset += r;
            }
            return true;
        }

        private IOException damaged(String what) {
            return new IOException("fold run file " + path + " is damaged at offset " + frameOffset + ": " + what
                    + " (a temporary file of this compaction; the disk may be failing)");
        }

        @Override
        public DirectBuffer buffer() {
            return view;
        }

        @Override
        public int at() {
            return at;
        }

        @Override
        public byte kind() {
            return Change.kind(view, at);
        }

        @Override
        public long expiry() {
            return Change.expiry(view, at);
        }

        @Override
        public long sequence() {
            return Change.sequence(view, at);
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                BufferUtil.free(bytes);
                file.close();
            }
        }
    }
}
