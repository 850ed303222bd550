package io.qrrot.server;

import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.ForwardingQrrot;
import io.qrrot.recovery.Qrrot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The real database with its durability completions held back until a test releases them, or failed with a
 * message the test chooses: lets a test see what the server sends (or does not send) while a write is not yet
 * durable. Everything else, the commands included, is the real {@link DurableQrrot}. A released wait is
 * handed to the real log, so it completes only once the record is durable there too. Thread-safe.
 */
final class HeldDurability extends ForwardingQrrot {
    private final DurableQrrot db;
    private final TreeMap<Long, List<DurabilityListener>> held = new TreeMap<>();
    private long releasedUpTo;
    private String failure;
    private int endOfBatchCalls;
    private int snapshots;

    HeldDurability(DurableQrrot db) {
        super(db);
        this.db = db;
        this.releasedUpTo = db.wal().lastLsn();
    }

    /** The last LSN the real log assigned. */
    long appendedLsn() {
        return db.wal().lastLsn();
    }

    /** Lets the waits for LSNs up to {@code lsn} complete (once the real log has them durable). */
    void release(long lsn) {
        List<Map.Entry<Long, DurabilityListener>> go = new ArrayList<>();
        synchronized (this) {
            releasedUpTo = Math.max(releasedUpTo, lsn);
            Iterator<Map.Entry<Long, List<DurabilityListener>>> it = held.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, List<DurabilityListener>> e = it.next();
                if (e.getKey() > releasedUpTo) {
                    break;
                }
                e.getValue().forEach(l -> go.add(Map.entry(e.getKey(), l)));
                it.remove();
            }
        }
        go.forEach(e -> db.whenDurable(e.getKey(), e.getValue()));
    }

    /** Releases every wait, held now or registered later. */
    void releaseAll() {
        release(Long.MAX_VALUE);
    }

    /** Fails every held wait, and every later one, with {@code message} (what a failed log reports). */
    void fail(String message) {
        List<DurabilityListener> go = new ArrayList<>();
        synchronized (this) {
            failure = message;
            held.values().forEach(go::addAll);
            held.clear();
        }
        go.forEach(l -> l.onFailure(message));
    }

    synchronized int pendingWaits() {
        int n = 0;
        for (List<DurabilityListener> l : held.values()) {
            n += l.size();
        }
        return n;
    }

    synchronized int endOfBatchCalls() {
        return endOfBatchCalls;
    }

    synchronized int snapshots() {
        return snapshots;
    }

    @Override
    public void whenDurable(long lsn, DurabilityListener listener) {
        String f;
        synchronized (this) {
            f = failure;
            if (f == null && lsn > releasedUpTo) {
                held.computeIfAbsent(lsn, k -> new ArrayList<>()).add(listener);
                return;
            }
        }
        if (f != null) {
            listener.onFailure(f);
        } else {
            db.whenDurable(lsn, listener);
        }
    }

    @Override
    public void endOfBatch() {
        synchronized (this) {
            endOfBatchCalls++;
        }
        super.endOfBatch();
    }

    @Override
    public SnapshotResult saveSnapshot() throws IOException {
        SnapshotResult r = super.saveSnapshot();
        synchronized (this) {
            snapshots++;
        }
        return r;
    }

    /** Releases what is held; the database itself belongs to the test that opened it. */
    @Override
    public void close() {
        releaseAll();
    }
}
