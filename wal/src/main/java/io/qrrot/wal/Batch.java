package io.qrrot.wal;

import java.nio.ByteBuffer;
import java.util.ArrayList;

/**
 * Records encoded back to back, ready to be written with one call, plus the rare events between them in
 * order: "roll to a new segment here" and "a record too big for the buffer goes here". Guarded by the
 * {@link Wal}'s append lock while it is the active batch, owned by the writer while it is written.
 */
final class Batch {
    /** An event at byte {@code at} of the buffer: a roll (rollToLsn &gt; 0) or an oversized record. */
    record Mark(int at, long rollToLsn, ByteBuffer oversized) {
    }

    final ByteBuffer buf;
    /** Reused views so CRC and write calls can set position and limit without allocating. */
    final ByteBuffer crcView;
    final ByteBuffer writeView;
    final ArrayList<Mark> marks = new ArrayList<>();
    int limit;
    /** LSN of the last record in the batch, 0 when it holds none. */
    long lastLsn;
    /** Bytes of oversized records, counted for back-pressure. */
    long oversizedBytes;
    /**
     * Where the batch's durability mark goes (reserved with its first record, filled in by the writer just
     * before the batch is written), or -1 while the batch has no record.
     */
    int markAt = -1;

    Batch(int capacity) {
        buf = ByteBuffer.allocateDirect(capacity).order(WalFormat.BYTE_ORDER);
        crcView = buf.duplicate();
        writeView = buf.duplicate();
    }

    boolean isEmpty() {
        return limit == 0 && marks.isEmpty();
    }

    int remaining() {
        return buf.capacity() - limit;
    }

    /** Bytes a record of {@code recordLength} takes in this batch: its mark as well if it is the first. */
    int bytesFor(int recordLength) {
        return markAt < 0 ? recordLength + WalFormat.MARK_LENGTH : recordLength;
    }

    void clear() {
        limit = 0;
        lastLsn = 0;
        oversizedBytes = 0;
        markAt = -1;
        if (!marks.isEmpty()) {
            marks.clear();
        }
    }
}
