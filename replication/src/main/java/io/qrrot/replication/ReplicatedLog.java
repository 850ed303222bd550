package io.qrrot.replication;

import io.qrrot.engine.EffectLog;
import io.qrrot.engine.EffectLogException;
import io.qrrot.wal.DurabilityListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * The leader's side of the replicated log: where the engine hands its effects, gathered into one Raft entry
 * per batch, and where replies wait until the position they observed is committed.
 *
 * <p>Positions (LSNs) are this node's own numbering. An effect gets one; so does a read that finds nothing
 * pending before it (a read marker). {@link #flush} closes the open batch: with effects, it becomes a
 * Raft entry ({@link BatchFormat}), committed once a majority has it in its fsynced log; with only read
 * markers, it becomes a linearizable read (Ratis's read index), which completes once the leader has
 * confirmed it still leads. Either way the batch completes after everything before it: a reply is released
 * only when every position up to its own is committed, so no client reads a write that a failover could
 * lose, and no deposed leader answers a read from its stale memory.
 *
 * <p>Batches are submitted to Ratis under this log's lock, so the Raft log holds them in the order their
 * effects were applied. A batch that fails (the leader lost its leadership, or Ratis refused the entry) fails
 * every later batch of its epoch too: their effects may have built on it. Writes are accepted only while
 * {@link #startAccepting} is in force; a failure stops them.
 *
 * <p>Threading: {@link #append} runs under the engine's shard locks on any thread; {@link #flush} at the end
 * of each event-loop batch; completions on Ratis's threads. Listeners run outside the lock and only hand off.
 */
final class ReplicatedLog implements EffectLog {
    /**
     * Where batches go: the Raft group. Called in batch order by one thread at a time, never under the log's
     * lock: Ratis calls back into the log ({@link #stopAccepting}, {@link #completed}) while it holds locks of
     * its own, so calling Ratis under the log's lock could deadlock.
     */
    interface Submitter {
        /** Appends {@code entry} (the log keeps no reference to it) as one entry; reports through {@link ReplicatedLog#completed}. */
        void write(byte[] entry, Batch batch);

        /** Confirms leadership after the batch's reads; reports through {@link ReplicatedLog#completed}. */
        void readBarrier(Batch batch);

        /** A batch failed while this node may still lead: stop leading, so that memory is rebuilt. */
        void failed(Batch batch, String reason);
    }

    static final String NOT_LEADER = "READONLY You can't write against a read only replica.";
    static final String UNCERTAIN = "UNCERTAIN the leader lost its leadership before this write was committed; it"
            + " may or may not have taken effect";
    static final String READ_FAILED = "TRYAGAIN the leader lost its leadership before this read was confirmed;"
            + " try again";

    /** A batch becomes an entry of its own once it holds this many bytes. */
    static final int ENTRY_TARGET_BYTES = 1 << 20;

    /** The largest entry: a batch never grows past it, so one effect of up to {@link #maxRecordBytes} fits. */
    int maxEntryBytes() {
        return maxRecordBytes + BatchFormat.HEADER_LENGTH + BatchFormat.EFFECT_LENGTH_LENGTH;
    }

    private final Object lock = new Object();
    private final long origin;
    private final int maxRecordBytes;
    private Submitter submitter;

    // guarded by lock
    private long lastLsn;
    private long lastEffectLsn;
    /** The last LSN of the previous batch with effects in the current epoch (the chain in the header). */
    private long previousBatchLast;
    private long acceptingEpoch = -1;
    private Batch open = new Batch();
    /** Bytes of the open batch's entry so far, in {@link #entry}. */
    private int openLength;
    private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
    /** Sealed batches not yet handed to Ratis, in order. */
    private final ArrayDeque<Batch> sealed = new ArrayDeque<>();
    /** Held while handing batches to Ratis (never together with {@link #lock} taken first). */
    private final Object submitting = new Object();
    private long releasedLsn;
    private final List<long[]> failedRanges = new ArrayList<>();
    private final List<String> failedMessages = new ArrayList<>();
    private final ExpandableArrayBuffer entry = new ExpandableArrayBuffer(64 * 1024);
    /** The epoch of the last batch that failed: the later batches of that epoch fail too. */
    private long cascadeEpoch = -1;
    private long batches;
    private long failedBatches;

    ReplicatedLog(long origin, int maxRecordBytes) {
        this.origin = origin;
        this.maxRecordBytes = maxRecordBytes;
    }

    void submitter(Submitter s) {
        this.submitter = s;
    }

    /** One batch: a range of positions, its listeners, and how it ended. */
    static final class Batch {
        long first;
        long last;
        long epoch;
        int effects;
        boolean readMarker;
        /** The entry's bytes, from sealing to submission. */
        byte[] entry;
        List<DurabilityListener> listeners;
        boolean done;
        String failure;

        boolean isEmpty() {
            return effects == 0 && !readMarker;
        }
    }

    // ---------------------------------------------------------------- the engine's side

    /**
     * {@inheritDoc} A batch that grows past {@link #ENTRY_TARGET_BYTES} is sealed here but submitted by the next
     * {@link #flush}: this runs under the engine's locks, and Ratis is never called under them.
     */
    @Override
    public long append(DirectBuffer effect, int offset, int length) {
        synchronized (lock) {
            if (acceptingEpoch < 0) {
                throw new EffectLogException(NOT_LEADER);
            }
            if (length > maxRecordBytes) {
                throw new EffectLogException("ERR the command's effect is " + length + " bytes, above the replicated"
                        + " log's entry limit of " + maxRecordBytes + " bytes; split it into smaller commands");
            }
            if (open.effects > 0 && openLength + BatchFormat.EFFECT_LENGTH_LENGTH + length > maxEntryBytes()) {
                flushLocked(); // the entry would pass Ratis's limit: this effect starts the next one
            }
            if (open.effects == 0) {
                entry.setMemory(0, BatchFormat.HEADER_LENGTH, (byte) 0);
                openLength = BatchFormat.HEADER_LENGTH;
            }
            entry.putInt(openLength, length, java.nio.ByteOrder.LITTLE_ENDIAN);
            entry.putBytes(openLength + BatchFormat.EFFECT_LENGTH_LENGTH, effect, offset, length);
            openLength += BatchFormat.EFFECT_LENGTH_LENGTH + length;
            long lsn = ++lastLsn;
            lastEffectLsn = lsn;
            if (open.first == 0) {
                open.first = lsn;
                open.epoch = acceptingEpoch;
            }
            open.last = lsn;
            open.effects++;
            if (openLength >= ENTRY_TARGET_BYTES) {
                flushLocked();
            }
            return lsn;
        }
    }

    @Override
    public void check() {
        synchronized (lock) {
            if (acceptingEpoch < 0) {
                throw new EffectLogException(NOT_LEADER);
            }
        }
    }

    @Override
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /**
     * The position a read that just ran must wait for: the open batch's last, or a new read marker when the
     * open batch is empty (so that a leadership confirmation follows the read).
     */
    long readPosition() {
        synchronized (lock) {
            if (acceptingEpoch < 0) {
                return 0;
            }
            if (open.isEmpty()) {
                long lsn = ++lastLsn;
                open.first = lsn;
                open.epoch = acceptingEpoch;
                open.last = lsn;
                open.readMarker = true;
                return lsn;
            }
            open.readMarker = true;
            return open.last;
        }
    }

    /** Ends the open batch: submits it as one entry (or a read barrier). */
    void flush() {
        synchronized (lock) {
            flushLocked();
        }
        submitSealed();
    }

    /** Seals the open batch: it joins the batches in flight and waits in {@link #sealed} for its submission. */
    private void flushLocked() {
        Batch b = open;
        if (b.isEmpty()) {
            return;
        }
        open = new Batch();
        inFlight.addLast(b);
        batches++;
        if (b.effects > 0) {
            BatchFormat.writeHeader(entry, origin, b.epoch, previousBatchLast, b.last, b.effects);
            previousBatchLast = b.last;
            b.entry = java.util.Arrays.copyOf(entry.byteArray(), openLength);
            openLength = 0;
        }
        sealed.addLast(b);
    }

    /** Hands the sealed batches to Ratis in order, outside the log's lock, one thread at a time. */
    private void submitSealed() {
        synchronized (submitting) {
            while (true) {
                Batch b;
                synchronized (lock) {
                    b = sealed.pollFirst();
                }
                if (b == null) {
                    return;
                }
                try {
                    if (b.entry != null) {
                        byte[] e = b.entry;
                        b.entry = null;
                        submitter.write(e, b);
                    } else {
                        submitter.readBarrier(b);
                    }
                } catch (RuntimeException e) {
                    completed(b, b.effects > 0 ? UNCERTAIN : READ_FAILED);
                }
            }
        }
    }

    // ---------------------------------------------------------------- leadership

    /** From now on, effects are accepted as the leader of {@code epoch}. */
    void startAccepting(long epoch) {
        synchronized (lock) {
            acceptingEpoch = epoch;
            previousBatchLast = lastEffectLsn;
        }
    }

    /**
     * No more effects are accepted.
     *
     * @return the last position given to an effect: what memory holds of this node's own writes
     */
    long stopAccepting() {
        synchronized (lock) {
            acceptingEpoch = -1;
            return lastEffectLsn;
        }
    }

    boolean accepting() {
        synchronized (lock) {
            return acceptingEpoch >= 0;
        }
    }

    /** The last position given to an effect. */
    long lastEffectLsn() {
        synchronized (lock) {
            return lastEffectLsn;
        }
    }

    // ---------------------------------------------------------------- completion

    /**
     * Calls {@code listener} once {@code lsn} is committed (or with the error that failed it). A listener for
     * a position already answered is told at once, on this thread.
     */
    void whenDurable(long lsn, DurabilityListener listener) {
        String failure;
        synchronized (lock) {
            if (lsn > releasedLsn) {
                Batch b = find(lsn);
                if (b != null) {
                    if (b.listeners == null) {
                        b.listeners = new ArrayList<>(4);
                    }
                    b.listeners.add(listener);
                    return;
                }
            }
            failure = failureOf(lsn);
        }
        if (failure == null) {
            listener.onDurable();
        } else {
            listener.onFailure(failure);
        }
    }

    private Batch find(long lsn) {
        if (lsn >= open.first && lsn <= open.last && !open.isEmpty()) {
            return open;
        }
        Iterator<Batch> it = inFlight.descendingIterator();
        while (it.hasNext()) {
            Batch b = it.next();
            if (lsn >= b.first && lsn <= b.last) {
                return b;
            }
            if (b.last < lsn) {
                return null;
            }
        }
        return null;
    }

    private String failureOf(long lsn) {
        for (int i = failedRanges.size() - 1; i >= 0; i--) {
            long[] r = failedRanges.get(i);
            if (lsn >= r[0] && lsn <= r[1]) {
                return failedMessages.get(i);
            }
        }
        return null;
    }

    /** A batch ended: committed ({@code failure} null) or failed. Releases every finished batch at the head. */
    void completed(Batch batch, String failure) {
        List<Batch> released = null;
        boolean stopped = false;
        synchronized (lock) {
            if (batch.done) {
                return;
            }
            batch.done = true;
            batch.failure = failure;
            if (failure != null && acceptingEpoch == batch.epoch) {
                acceptingEpoch = -1; // later effects may build on the lost ones: none until memory is rebuilt
                stopped = true;
            }
            while (!inFlight.isEmpty() && inFlight.peekFirst().done) {
                Batch h = inFlight.pollFirst();
                if (h.failure == null && h.epoch == cascadeEpoch) {
                    // committed perhaps, but it may have built on what failed: its writes are uncertain
                    h.failure = h.effects > 0 ? UNCERTAIN : READ_FAILED;
                }
                if (h.failure != null) {
                    cascadeEpoch = h.epoch;
                    failedBatches++;
                    failedRanges.add(new long[] {h.first, h.last});
                    failedMessages.add(h.failure);
                    if (failedRanges.size() > 64) {
                        failedRanges.remove(0);
                        failedMessages.remove(0);
                    }
                }
                releasedLsn = h.last;
                if (h.listeners != null) {
                    if (released == null) {
                        released = new ArrayList<>(4);
                    }
                    released.add(h);
                }
            }
        }
        if (stopped) {
            submitter.failed(batch, failure);
        }
        if (released != null) {
            for (Batch h : released) {
                for (DurabilityListener l : h.listeners) {
                    if (h.failure == null) {
                        l.onDurable();
                    } else {
                        l.onFailure(h.failure);
                    }
                }
            }
        }
    }

    /** Batches submitted, and those that failed (for INFO). */
    long[] counts() {
        synchronized (lock) {
            return new long[] {batches, failedBatches, inFlight.size()};
        }
    }
}
