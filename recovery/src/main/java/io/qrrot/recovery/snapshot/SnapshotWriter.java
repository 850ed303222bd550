package io.qrrot.recovery.snapshot;

import static io.qrrot.recovery.snapshot.SnapshotFormat.BASE_LSN_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_CRC_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_HEADER_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_PAYLOAD_LENGTH_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_RECORD_COUNT_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_TARGET_PAYLOAD;
import static io.qrrot.recovery.snapshot.SnapshotFormat.CREATED_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.FLAGS_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.FLAG_HASH_ORDERED;
import static io.qrrot.recovery.snapshot.SnapshotFormat.FOOTER_BLOCK_COUNT_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.FOOTER_CRC_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.FOOTER_KEY_COUNT_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.FOOTER_DIGEST_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.FOOTER_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.FOOTER_OFFSET_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.FOOTER_RECORD_COUNT_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.HEADER_CRC_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.HEADER_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAGIC;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAGIC_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAX_ELEMENT_BYTES;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAX_KEY_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAX_RECORD_HEADER_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAX_VALUE_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.RECORD_COLLECTION;
import static io.qrrot.recovery.snapshot.SnapshotFormat.RECORD_CONTINUATION;
import static io.qrrot.recovery.snapshot.SnapshotFormat.RECORD_ELEMENT;
import static io.qrrot.recovery.snapshot.SnapshotFormat.RECORD_KIND_BIT;
import static io.qrrot.recovery.snapshot.SnapshotFormat.RESERVED_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.TRAILER_MAGIC;
import static io.qrrot.recovery.snapshot.SnapshotFormat.TRAILER_MAGIC_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.VERSION;
import static io.qrrot.recovery.snapshot.SnapshotFormat.VERSION_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.varintLength;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.qrrot.engine.store.EntryType;
import io.qrrot.storage.IoErrors;
import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Streams records into a new snapshot file (see {@link SnapshotFormat}) and installs it atomically.
 *
 * <pre>{@code
 * SnapshotWriter w = SnapshotWriter.begin(storage, dir, baseLsn, clock.millis());
 * try {
 *     for (...) w.add(type, key, value, expiryMillis);
 *     SnapshotInfo info = w.finish();   // footer, fsync, rename .tmp -> .qrrt, fsync dir
 * } finally {
 *     w.close();                        // deletes the .tmp unless finish() succeeded
 * }
 * }</pre>
 *
 * <p>A collection is written element by element: {@link #beginCollection} names the key, {@link #addElement}
 * adds its elements, and the next key (or {@link #finish}) ends it. The Collection record is written with the
 * first element, so a collection that gets none is left out, as the store never holds an empty one; a block
 * that goes on with a collection starts with a Continuation repeating its key ({@link SnapshotFormat}).
 *
 * <p>Memory is one block buffer whatever the data set's size (plus a copy of the key of the collection being
 * written); a record larger than a block is streamed through that buffer in chunks. Every byte is CRC'd
 * once, and adding a record allocates nothing.
 *
 * <p>All I/O goes through the {@link Storage} seam. If a write, fsync or rename fails, the writer deletes
 * its temp file (best effort; {@link SnapshotDirectory#open} sweeps what is left) and rethrows: the
 * directory then holds the snapshots it held before. Only after {@link #finish} returns may the caller
 * delete what the new snapshot supersedes.
 *
 * <p>Not thread-safe: one thread adds records and finishes.
 */
public final class SnapshotWriter implements AutoCloseable {
    private enum State { OPEN, FINISHED, ABORTED }

    /** Keys and values up to this many bytes are copied by words rather than with putBytes. */
    private static final int SMALL_COPY = 64;

    private final Storage storage;
    private final Path dir;
    private final Path tempFile;
    private final Path finalFile;
    private final long baseLsn;
    private final long createdMillis;
    private final int blockTarget;
    /** The previous key, when the file is hash-ordered; null otherwise. */
    private final SnapshotOrder.LastKey lastKey;
    private final StorageFile file;
    /** [0, BLOCK_HEADER_LENGTH) block header, then up to blockTarget bytes of payload. */
    private final ByteBuffer blockBytes;
    private final UnsafeBuffer block;
    /** Header, footer and CRC patches. */
    private final ByteBuffer smallBytes = ByteBuffer.allocateDirect(64);
    private final UnsafeBuffer small = new UnsafeBuffer(smallBytes);
    private final UnsafeBuffer keyArray = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer valueArray = new UnsafeBuffer(new byte[0]);
    private final CRC32C blockCrc = new CRC32C();
    private final CRC32C digest = new CRC32C();

    /** The collection being written: its key (a copy), type and expiry, from {@link #beginCollection}. */
    private boolean collectionOpen;
    private byte[] collectionKeyBytes = new byte[64];
    private final UnsafeBuffer collectionKey = new UnsafeBuffer(collectionKeyBytes);
    private int collectionKeyLength;
    private byte collectionType;
    private long collectionExpiry;
    /** Its Collection record is written (with its first element); later blocks need a Continuation. */
    private boolean collectionStarted;
    /** The block being filled holds its Collection or Continuation record, so Elements may follow. */
    private boolean collectionInBlock;
    /** The element before, when the file is hash-ordered; null otherwise. */
    private final SnapshotOrder.LastKey lastElement;

    private int payloadLength;
    private int blockRecords;
    /** Where the block being streamed ({@link #beginOwnBlock}) starts in the file: its CRC is patched there. */
    private long ownBlockStart;
    /** While a record larger than a block is streamed: bytes of the staging buffer already in the CRC. */
    private int streamCrcFrom;
    private int streamFill;
    private long position;
    private long recordCount;
    private long keyCount;
    private long blockCount;
    private State state = State.OPEN;

    private SnapshotWriter(Storage storage, Path dir, long baseLsn, long createdMillis, boolean hashOrdered,
                           int blockTarget, StorageFile file) {
        this.storage = storage;
        this.dir = dir;
        this.tempFile = dir.resolve(SnapshotFormat.tempFileName(baseLsn));
        this.finalFile = dir.resolve(SnapshotFormat.fileName(baseLsn));
        this.baseLsn = baseLsn;
        this.createdMillis = createdMillis;
        this.lastKey = hashOrdered ? new SnapshotOrder.LastKey() : null;
        this.lastElement = hashOrdered ? new SnapshotOrder.LastKey(SnapshotOrder.ELEMENT_CHECK_BYTES) : null;
        this.blockTarget = blockTarget;
        this.file = file;
        this.blockBytes = ByteBuffer.allocateDirect(BLOCK_HEADER_LENGTH + blockTarget);
        this.block = new UnsafeBuffer(blockBytes);
    }

    /**
     * Creates {@code dir} if needed and starts {@code snapshot-<baseLsn>.qrrt.tmp} in it, replacing a
     * leftover temp file of the same name.
     *
     * @param baseLsn       every WAL record up to and including this LSN will be inside the snapshot
     * @param createdMillis the creation time to record, epoch millis
     */
    public static SnapshotWriter begin(Storage storage, Path dir, long baseLsn, long createdMillis)
            throws IOException {
        return begin(storage, dir, baseLsn, createdMillis, false);
    }

    /**
     * As {@link #begin(Storage, Path, long, long)}; with {@code hashOrdered} the file is flagged
     * {@link SnapshotFormat#FLAG_HASH_ORDERED} and {@link #add} refuses a record whose key does not sort after
     * the previous one ({@link SnapshotOrder}), so a file so flagged is always in order.
     */
    public static SnapshotWriter begin(Storage storage, Path dir, long baseLsn, long createdMillis,
                                       boolean hashOrdered) throws IOException {
        return begin(storage, dir, baseLsn, createdMillis, hashOrdered, BLOCK_TARGET_PAYLOAD);
    }

    /** An unordered snapshot with another block size: tests use tiny blocks. */
    static SnapshotWriter begin(Storage storage, Path dir, long baseLsn, long createdMillis, int blockTarget)
            throws IOException {
        return begin(storage, dir, baseLsn, createdMillis, false, blockTarget);
    }

    /** As {@link #begin(Storage, Path, long, long, boolean)} with another block size: tests use tiny blocks. */
    static SnapshotWriter begin(Storage storage, Path dir, long baseLsn, long createdMillis, boolean hashOrdered,
                                int blockTarget) throws IOException {
        if (baseLsn < 0) {
            throw new IllegalArgumentException("base LSN must be >= 0, got " + baseLsn);
        }
        if (blockTarget < MAX_RECORD_HEADER_LENGTH || blockTarget > BLOCK_TARGET_PAYLOAD) {
            throw new IllegalArgumentException("block target must be in [" + MAX_RECORD_HEADER_LENGTH + ", "
                    + BLOCK_TARGET_PAYLOAD + "], got " + blockTarget);
        }
        IoStep.exec("creating directory " + dir, () -> storage.createDirectories(dir));
        Path temp = dir.resolve(SnapshotFormat.tempFileName(baseLsn));
        IoStep.exec("delete of " + temp, () -> storage.delete(temp));
        StorageFile file = IoStep.run("creating " + temp, () -> storage.open(temp, Storage.OpenMode.CREATE_NEW));
        SnapshotWriter writer = new SnapshotWriter(storage, dir, baseLsn, createdMillis, hashOrdered, blockTarget,
                file);
        try {
            writer.writeHeader();
        } catch (IOException | RuntimeException e) {
            writer.abortAfter(e);
            throw e;
        }
        return writer;
    }

    /** Adds one record. {@code expiryMillis} is absolute, epoch millis; 0 means none. */
    public void add(byte type, byte[] key, byte[] value, long expiryMillis) throws IOException {
        keyArray.wrap(key);
        valueArray.wrap(value);
        add(type, keyArray, 0, key.length, valueArray, 0, value.length, expiryMillis);
    }

    /** Adds one record whose key and value are the whole of the given buffers. */
    public void add(byte type, DirectBuffer key, DirectBuffer value, long expiryMillis) throws IOException {
        add(type, key, 0, key.capacity(), value, 0, value.capacity(), expiryMillis);
    }

    /**
     * Adds one key with its value, whose key and value are ranges of the given buffers (on or off heap). Ends
     * the collection begun before, if any.
     *
     * @param type the value's type: 0..127, not a collection type (those are written with
     *             {@link #beginCollection})
     */
    public void add(byte type, DirectBuffer key, int keyOffset, int keyLength,
                    DirectBuffer value, int valueOffset, int valueLength, long expiryMillis) throws IOException {
        checkOpen();
        if ((type & RECORD_KIND_BIT) != 0 || EntryType.isCollection(type)) {
            throw new IllegalArgumentException("type " + Byte.toUnsignedInt(type) + " is not a value type of a"
                    + " snapshot (0..127, not a collection: those are written with beginCollection)");
        }
        checkKey(keyLength, expiryMillis);
        if (valueLength < 0 || valueLength > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("value of " + valueLength
                    + " bytes is outside the snapshot limit of 0.." + MAX_VALUE_LENGTH + " bytes");
        }
        collectionOpen = false;
        if (lastKey != null) {
            checkOrder(key, keyOffset, keyLength);
        }
        int headerLength = 1 + varintLength(keyLength) + varintLength(valueLength) + varintLength(expiryMillis);
        int recordLength = headerLength + keyLength + valueLength;
        try {
            if (recordLength > blockTarget) {
                flushBlock();
                beginOwnBlock(recordLength, 1);
                streamFill = putRecordHeader(block, streamFill, type, keyLength, valueLength, expiryMillis);
                stream(key, keyOffset, keyLength);
                stream(value, valueOffset, valueLength);
                endOwnBlock();
            } else {
                if (payloadLength + recordLength > blockTarget) {
                    flushBlock();
                }
                int at = putRecordHeader(block, BLOCK_HEADER_LENGTH + payloadLength, type, keyLength, valueLength,
                        expiryMillis);
                copy(block, at, key, keyOffset, keyLength);
                copy(block, at + keyLength, value, valueOffset, valueLength);
                payloadLength += recordLength;
                blockRecords++;
            }
            recordCount++;
            keyCount++;
        } catch (IOException | RuntimeException e) {
            abortAfter(e);
            throw e;
        }
    }

    /**
     * Begins a collection at a key: its elements follow with {@link #addElement}, and the next key (or
     * {@link #finish}) ends it. Nothing is written until the first element, so a collection given none is
     * left out. In a hash-ordered file the key is checked as {@link #add} checks it.
     *
     * @param type a collection type ({@link EntryType#isCollection})
     */
    public void beginCollection(byte type, DirectBuffer key, int keyOffset, int keyLength, long expiryMillis) {
        checkOpen();
        if (!EntryType.isCollection(type)) {
            throw new IllegalArgumentException("type " + Byte.toUnsignedInt(type) + " is not a collection type");
        }
        checkKey(keyLength, expiryMillis);
        collectionOpen = false;
        if (lastKey != null) {
            checkOrder(key, keyOffset, keyLength);
            lastElement.clear();
        }
        if (collectionKeyBytes.length < keyLength) {
            collectionKeyBytes = new byte[Math.max(keyLength, 2 * collectionKeyBytes.length)];
            collectionKey.wrap(collectionKeyBytes);
        }
        key.getBytes(keyOffset, collectionKeyBytes, 0, keyLength);
        collectionKeyLength = keyLength;
        collectionType = type;
        collectionExpiry = expiryMillis;
        collectionStarted = false;
        collectionInBlock = false;
        collectionOpen = true;
    }

    /** As {@link #beginCollection(byte, DirectBuffer, int, int, long)} with the whole key. */
    public void beginCollection(byte type, byte[] key, long expiryMillis) {
        keyArray.wrap(key);
        beginCollection(type, keyArray, 0, key.length, expiryMillis);
    }

    /**
     * Adds an element (and its payload: a hash field's value; empty for types without one) to the collection
     * begun last. In a hash-ordered file elements must come in {@link SnapshotOrder} of their bytes.
     *
     * @throws IllegalStateException when no collection is open (none begun, or a key added since)
     */
    public void addElement(DirectBuffer element, int elementOffset, int elementLength,
                           DirectBuffer payload, int payloadOffset, int payloadBytes) throws IOException {
        checkOpen();
        if (!collectionOpen) {
            throw new IllegalStateException("an element needs a collection: call beginCollection first");
        }
        if (elementLength < 0 || payloadBytes < 0 || (long) elementLength + payloadBytes > MAX_ELEMENT_BYTES) {
            throw new IllegalArgumentException("element of " + elementLength + " bytes with a payload of "
                    + payloadBytes + " bytes is outside the snapshot limit of " + MAX_ELEMENT_BYTES
                    + " bytes for both");
        }
        if (lastElement != null) {
            checkElementOrder(element, elementOffset, elementLength);
        }
        int recordLength = 1 + varintLength(elementLength) + varintLength(payloadBytes) + elementLength
                + payloadBytes;
        int prefix = 2 + varintLength(collectionKeyLength) + varintLength(collectionExpiry) + collectionKeyLength;
        try {
            boolean needPrefix = !collectionInBlock;
            long need = (needPrefix ? prefix : 0) + (long) recordLength;
            if (payloadLength + need > blockTarget) {
                flushBlock(); // the collection goes on in a new block, which repeats its key
                needPrefix = true;
                need = prefix + (long) recordLength;
            }
            byte tag = collectionStarted ? RECORD_CONTINUATION : RECORD_COLLECTION;
            if (need > blockTarget) {
                beginOwnBlock((int) need, 2);
                roomForHeader();
                streamFill = putCollectionHeader(block, streamFill, tag, collectionType, collectionKeyLength,
                        collectionExpiry);
                stream(collectionKey, 0, collectionKeyLength);
                roomForHeader();
                streamFill = putElementHeader(block, streamFill, elementLength, payloadBytes);
                stream(element, elementOffset, elementLength);
                stream(payload, payloadOffset, payloadBytes);
                endOwnBlock();
                collectionInBlock = false;
            } else {
                int at = BLOCK_HEADER_LENGTH + payloadLength;
                if (needPrefix) {
                    at = putCollectionHeader(block, at, tag, collectionType, collectionKeyLength, collectionExpiry);
                    copy(block, at, collectionKey, 0, collectionKeyLength);
                    at += collectionKeyLength;
                    blockRecords++;
                    collectionInBlock = true;
                }
                at = putElementHeader(block, at, elementLength, payloadBytes);
                copy(block, at, element, elementOffset, elementLength);
                copy(block, at + elementLength, payload, payloadOffset, payloadBytes);
                payloadLength += (int) need;
                blockRecords++;
            }
            recordCount += needPrefix ? 2 : 1;
            if (!collectionStarted) {
                keyCount++;
                collectionStarted = true;
            }
        } catch (IOException | RuntimeException e) {
            abortAfter(e);
            throw e;
        }
    }

    /** As {@link #addElement(DirectBuffer, int, int, DirectBuffer, int, int)} with whole arrays. */
    public void addElement(byte[] element, byte[] payload) throws IOException {
        keyArray.wrap(element);
        valueArray.wrap(payload);
        addElement(keyArray, 0, element.length, valueArray, 0, payload.length);
    }

    private static void checkKey(int keyLength, long expiryMillis) {
        if (keyLength < 0 || keyLength > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("key of " + keyLength + " bytes is outside the snapshot limit of 0.."
                    + MAX_KEY_LENGTH + " bytes");
        }
        if (expiryMillis < 0) {
            throw new IllegalArgumentException("expiry must be epoch millis >= 0 (0 = none), got " + expiryMillis);
        }
    }

    private void checkElementOrder(DirectBuffer element, int offset, int length) {
        long hash = SnapshotOrder.elementHash(collectionType, element, offset, length);
        if (lastElement.isSet()) {
            int c = lastElement.compareTo(hash, element, offset, length);
            if (c >= 0) {
                String previous = lastElement.describe();
                lastElement.set(hash, element, offset, length);
                SnapshotOrder.LastKey k = new SnapshotOrder.LastKey();
                k.set(0, collectionKey, 0, collectionKeyLength);
                IllegalArgumentException e = new IllegalArgumentException("an element of collection " + k.describe()
                        + " in hash-ordered snapshot " + tempFile + " is out of order: element "
                        + lastElement.describe() + (c == 0 ? " was already added" : " sorts before the previous"
                        + " element " + previous) + "; the snapshot is abandoned");
                abortAfter(e);
                throw e;
            }
        }
        lastElement.set(hash, element, offset, length);
    }

    private void checkOrder(DirectBuffer key, int keyOffset, int keyLength) {
        long hash = SnapshotOrder.hash(key, keyOffset, keyLength);
        if (lastKey.isSet()) {
            int c = lastKey.compareTo(hash, key, keyOffset, keyLength);
            if (c >= 0) {
                String previous = lastKey.describe();
                lastKey.set(hash, key, keyOffset, keyLength);
                IllegalArgumentException e = new IllegalArgumentException("record " + recordCount + " of hash-ordered "
                        + "snapshot " + tempFile + " is out of order: key " + lastKey.describe()
                        + (c == 0 ? " was already added" : " sorts before the previous key " + previous)
                        + "; the snapshot is abandoned");
                abortAfter(e);
                throw e;
            }
        }
        lastKey.set(hash, key, keyOffset, keyLength);
    }

    /** True when the file is flagged hash-ordered. */
    public boolean hashOrdered() {
        return lastKey != null;
    }

    /**
     * Writes the footer, fsyncs the file, renames it to {@code snapshot-<baseLsn>.qrrt} (replacing a file of
     * that name) and fsyncs the directory. On failure before the rename the temp file is deleted and the
     * directory holds what it held before.
     *
     * @return the installed snapshot; {@code verified} is false as nothing was read back
     * @throws IOException if a step failed; if only the directory fsync failed, the new file is in place
     *                     but may not survive a power cut, so the caller must keep what it would supersede
     */
    public SnapshotInfo finish() throws IOException {
        checkOpen();
        try {
            flushBlock();
            writeFooter();
            IoStep.exec("fsync of " + tempFile, file::force);
            IoStep.exec("close of " + tempFile, file::close);
            IoStep.exec("rename of " + tempFile + " to " + finalFile, () -> storage.rename(tempFile, finalFile));
        } catch (IOException | RuntimeException e) {
            abortAfter(e);
            throw e;
        }
        state = State.FINISHED;
        release();
        try {
            storage.syncDirectory(dir);
        } catch (IOException e) {
            throw new IOException("installed snapshot " + finalFile + " but the fsync of directory " + dir
                    + " failed (" + IoErrors.reason(e) + "), so the rename may not survive a power cut; keep the"
                    + " older snapshots and WAL segments until a later snapshot installs cleanly", e);
        }
        return new SnapshotInfo(finalFile.toString(), VERSION, baseLsn, createdMillis, recordCount, keyCount,
                blockCount, position, false);
    }

    /** Abandons the snapshot: closes and deletes the temp file. Does nothing once finished or aborted. */
    public void abort() throws IOException {
        if (state != State.OPEN) {
            return;
        }
        state = State.ABORTED;
        release();
        try {
            file.close();
        } finally {
            storage.delete(tempFile);
        }
    }

    /**
     * Frees the block buffers now rather than when a collection finds the writer: a compaction writes one
     * snapshot per pass, and buffers left to the garbage collector pile up outside the heap.
     */
    private void release() {
        BufferUtil.free(blockBytes);
        BufferUtil.free(smallBytes);
    }

    /** {@link #abort()} unless {@link #finish()} succeeded. */
    @Override
    public void close() throws IOException {
        abort();
    }

    /** Records added so far, of every kind (a key, a collection's header, element or continuation). */
    public long recordCount() {
        return recordCount;
    }

    /** Keys added so far (a collection counts once it has an element). */
    public long keyCount() {
        return keyCount;
    }

    /** Bytes written to the file so far (excluding the block being filled). */
    public long bytesWritten() {
        return position;
    }

    /** The temp file being written. */
    public Path tempFile() {
        return tempFile;
    }

    /** Where {@link #finish()} installs the snapshot. */
    public Path finalFile() {
        return finalFile;
    }

    private void checkOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("snapshot writer for " + finalFile + " is "
                    + (state == State.FINISHED ? "finished" : "aborted"));
        }
    }

    private void abortAfter(Throwable cause) {
        try {
            abort();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private void writeHeader() throws IOException {
        small.setMemory(0, HEADER_LENGTH, (byte) 0);
        small.putInt(MAGIC_OFFSET, MAGIC, LITTLE_ENDIAN);
        small.putByte(VERSION_OFFSET, VERSION);
        small.putByte(FLAGS_OFFSET, lastKey != null ? FLAG_HASH_ORDERED : 0);
        small.putShort(RESERVED_OFFSET, (short) 0, LITTLE_ENDIAN);
        small.putLong(BASE_LSN_OFFSET, baseLsn, LITTLE_ENDIAN);
        small.putLong(CREATED_OFFSET, createdMillis, LITTLE_ENDIAN);
        small.putInt(HEADER_CRC_OFFSET, crc(smallBytes, 0, HEADER_CRC_OFFSET), LITTLE_ENDIAN);
        smallBytes.limit(HEADER_LENGTH).position(0);
        digest.update(smallBytes);
        writeSmall(HEADER_LENGTH, 0);
        position = HEADER_LENGTH;
    }

    private void writeFooter() throws IOException {
        small.putLong(FOOTER_RECORD_COUNT_OFFSET, recordCount, LITTLE_ENDIAN);
        small.putLong(FOOTER_KEY_COUNT_OFFSET, keyCount, LITTLE_ENDIAN);
        small.putLong(FOOTER_BLOCK_COUNT_OFFSET, blockCount, LITTLE_ENDIAN);
        small.putLong(FOOTER_OFFSET_OFFSET, position, LITTLE_ENDIAN);
        small.putInt(FOOTER_DIGEST_OFFSET, (int) digest.getValue(), LITTLE_ENDIAN);
        small.putInt(FOOTER_CRC_OFFSET, crc(smallBytes, 0, FOOTER_CRC_OFFSET), LITTLE_ENDIAN);
        small.putInt(TRAILER_MAGIC_OFFSET, TRAILER_MAGIC, LITTLE_ENDIAN);
        writeSmall(FOOTER_LENGTH, position);
        position += FOOTER_LENGTH;
    }

    private void writeSmall(int length, long at) throws IOException {
        smallBytes.limit(length).position(0);
        write(smallBytes, at);
    }

    private void write(ByteBuffer bytes, long at) throws IOException {
        try {
            file.write(bytes, at);
        } catch (IOException e) {
            throw IoStep.failed("write of " + tempFile, e);
        }
    }

    private void flushBlock() throws IOException {
        if (blockRecords == 0) {
            return;
        }
        block.putInt(BLOCK_PAYLOAD_LENGTH_OFFSET, payloadLength, LITTLE_ENDIAN);
        block.putInt(BLOCK_RECORD_COUNT_OFFSET, blockRecords, LITTLE_ENDIAN);
        int end = BLOCK_HEADER_LENGTH + payloadLength;
        int crc = crc(blockBytes, BLOCK_PAYLOAD_LENGTH_OFFSET, end);
        block.putInt(BLOCK_CRC_OFFSET, crc, LITTLE_ENDIAN);
        blockBytes.limit(end).position(0);
        write(blockBytes, position);
        position += end;
        blockDone(crc);
        payloadLength = 0;
        blockRecords = 0;
        collectionInBlock = false;
    }

    /**
     * Starts a block for a record larger than a block (with the Collection or Continuation before it, for an
     * element), streamed through the block buffer: its header now, its CRC patched in by {@link #endOwnBlock}.
     * The block buffer must be empty ({@link #flushBlock} first).
     */
    private void beginOwnBlock(int payload, int count) {
        ownBlockStart = position;
        block.putInt(BLOCK_CRC_OFFSET, 0, LITTLE_ENDIAN); // patched once the CRC is known
        block.putInt(BLOCK_PAYLOAD_LENGTH_OFFSET, payload, LITTLE_ENDIAN);
        block.putInt(BLOCK_RECORD_COUNT_OFFSET, count, LITTLE_ENDIAN);
        blockCrc.reset();
        streamCrcFrom = BLOCK_PAYLOAD_LENGTH_OFFSET;
        streamFill = BLOCK_HEADER_LENGTH;
    }

    /** Makes room in the block buffer for a record header of any kind before it is put at {@code streamFill}. */
    private void roomForHeader() throws IOException {
        if (block.capacity() - streamFill < MAX_RECORD_HEADER_LENGTH) {
            drainStream();
        }
    }

    private void endOwnBlock() throws IOException {
        drainStream();
        int crc = (int) blockCrc.getValue();
        small.putInt(0, crc, LITTLE_ENDIAN);
        writeSmall(4, ownBlockStart + BLOCK_CRC_OFFSET);
        blockDone(crc);
    }

    private void stream(DirectBuffer src, int offset, int length) throws IOException {
        int capacity = block.capacity();
        while (length > 0) {
            if (streamFill == capacity) {
                drainStream();
            }
            int n = Math.min(length, capacity - streamFill);
            block.putBytes(streamFill, src, offset, n);
            streamFill += n;
            offset += n;
            length -= n;
        }
    }

    private void drainStream() throws IOException {
        blockBytes.limit(streamFill).position(streamCrcFrom);
        blockCrc.update(blockBytes);
        blockBytes.limit(streamFill).position(0);
        write(blockBytes, position);
        position += streamFill;
        streamFill = 0;
        streamCrcFrom = 0;
    }

    private void blockDone(int crc) {
        digest.update(crc);
        digest.update(crc >>> 8);
        digest.update(crc >>> 16);
        digest.update(crc >>> 24);
        blockCount++;
    }

    private int crc(ByteBuffer bytes, int from, int to) {
        bytes.limit(to).position(from);
        blockCrc.reset();
        blockCrc.update(bytes);
        return (int) blockCrc.getValue();
    }

    private static int putRecordHeader(MutableDirectBuffer b, int at, byte type, int keyLength, int valueLength,
                                       long expiryMillis) {
        b.putByte(at, type);
        at = putVarint(b, at + 1, keyLength);
        at = putVarint(b, at, valueLength);
        return putVarint(b, at, expiryMillis);
    }

    private static int putCollectionHeader(MutableDirectBuffer b, int at, byte tag, byte type, int keyLength,
                                           long expiryMillis) {
        b.putByte(at, tag);
        b.putByte(at + 1, type);
        at = putVarint(b, at + 2, keyLength);
        return putVarint(b, at, expiryMillis);
    }

    private static int putElementHeader(MutableDirectBuffer b, int at, int elementLength, int payloadLength) {
        b.putByte(at, RECORD_ELEMENT);
        at = putVarint(b, at + 1, elementLength);
        return putVarint(b, at, payloadLength);
    }

    /**
     * putBytes for short ranges without Unsafe.copyMemory, whose fixed cost per call (checks and a native
     * call) is several times that of copying a typical key or value by words. From 8 bytes on, the last word
     * overlaps the one before it instead of finishing byte by byte.
     */
    private static void copy(MutableDirectBuffer dst, int at, DirectBuffer src, int offset, int length) {
        if (length > SMALL_COPY) {
            dst.putBytes(at, src, offset, length);
        } else if (length >= Long.BYTES) {
            for (int i = 0, last = length - Long.BYTES; i < last; i += Long.BYTES) {
                dst.putLong(at + i, src.getLong(offset + i));
            }
            dst.putLong(at + length - Long.BYTES, src.getLong(offset + length - Long.BYTES));
        } else {
            for (int i = 0; i < length; i++) {
                dst.putByte(at + i, src.getByte(offset + i));
            }
        }
    }

    static int putVarint(MutableDirectBuffer b, int at, long value) {
        while ((value & ~0x7FL) != 0) {
            b.putByte(at++, (byte) (value | 0x80));
            value >>>= 7;
        }
        b.putByte(at++, (byte) value);
        return at;
    }
}
