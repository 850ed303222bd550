package io.qrrot.recovery.snapshot;

import java.nio.ByteBuffer;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A buffer of consecutive file bytes starting at a block boundary: [0, blocksEnd) is whole blocks whose CRCs
 * matched, [blocksEnd, dataEnd) the start of the next block, carried into the next batch. Handed from the
 * {@link BlockSource} to the {@link RecordDecoder}, possibly across threads through a queue.
 */
final class BlockBatch {
    private final int defaultCapacity;
    ByteBuffer bytes;
    final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
    /** File offset of buffer index 0. */
    long fileOffset;
    /** Index of the first block in this batch, counted from 0 in the file. */
    long firstBlock;
    int blocksEnd;
    int dataEnd;
    /** True when the blocks end at the footer and the footer's counts and digest matched. */
    boolean last;
    /** A failure of the read-ahead thread, delivered in order instead of the batch's blocks. */
    Throwable error;

    BlockBatch(int defaultCapacity) {
        this.defaultCapacity = defaultCapacity;
        allocate(defaultCapacity);
    }

    int capacity() {
        return bytes.capacity();
    }

    /** Readies the batch for a fill that starts with {@code carry} bytes: back to the default size if it grew. */
    void prepare(int carry) {
        int target = Math.max(defaultCapacity, carry);
        if (capacity() != target && (capacity() > defaultCapacity || capacity() < carry)) {
            BufferUtil.free(bytes);
            allocate(target);
        }
        last = false;
        error = null;
        blocksEnd = 0;
        dataEnd = 0;
    }

    /** Grows to {@code capacity} bytes keeping [0, dataEnd): for a block larger than the buffer. */
    void grow(int capacity) {
        ByteBuffer old = bytes;
        UnsafeBuffer oldView = new UnsafeBuffer(old);
        allocate(capacity);
        buffer.putBytes(0, oldView, 0, dataEnd);
        BufferUtil.free(old);
    }

    void free() {
        if (bytes.capacity() > 0) {
            BufferUtil.free(bytes);
            bytes = ByteBuffer.allocate(0);
            buffer.wrap(new byte[0]);
        }
    }

    private void allocate(int capacity) {
        bytes = ByteBuffer.allocateDirect(capacity);
        buffer.wrap(bytes);
    }
}
