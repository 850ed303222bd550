package io.qrrot.engine;

import io.qrrot.engine.store.EntryView;
import io.qrrot.engine.store.Keyspace;
import io.qrrot.engine.store.Shard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.agrona.DirectBuffer;

/**
 * Who WATCHes which key, per shard, so a write can mark the watching sessions dirty (their EXEC then fails).
 *
 * <p>Every method runs under the lock of the shard it names; that lock is what makes the registry and the
 * {@link Watch#expiredAtWatch} flags consistent with the store. A write to a shard nobody watches costs one
 * array read.
 */
final class Watches {
    /** One session's WATCH of one key. */
    static final class Watch {
        final Session session;
        final WatchKey key;
        final int shard;
        /** The key existed but had already expired when WATCHed (Redis 7 semantics: its deletion is no change). */
        boolean expiredAtWatch;

        Watch(Session session, WatchKey key, int shard, boolean expiredAtWatch) {
            this.session = session;
            this.key = key;
            this.shard = shard;
            this.expiredAtWatch = expiredAtWatch;
        }
    }

    private final Keyspace ks;
    private final List<Map<WatchKey, List<Watch>>> byShard;
    private final int[] watchedKeys;
    private final WatchKey[] probes;

    Watches(Keyspace ks) {
        this.ks = ks;
        int shards = ks.shardCount();
        byShard = new ArrayList<>(shards);
        watchedKeys = new int[shards];
        probes = new WatchKey[shards];
        for (int i = 0; i < shards; i++) {
            byShard.add(new HashMap<>());
            probes[i] = new WatchKey();
        }
    }

    /** WATCH of key argument {@code i} by {@code s}; the caller holds the key's shard lock. */
    void watch(Session s, Ctx c, int i) {
        long h = c.hash(i);
        int si = ks.shardIndex(h);
        DirectBuffer key = c.argBuffer;
        int off = c.off(i);
        int len = c.len(i);
        WatchKey probe = new WatchKey().probe(key, off, len, h);
        for (Watch w : s.watches) {
            if (w.shard == si && w.key.equals(probe)) {
                return;
            }
        }
        EntryView view = c.found.view;
        boolean expiredNow = ks.shard(si).find(key, off, len, h, view) && view.expiry() != 0
                && c.now() > view.expiry();
        Watch w = new Watch(s, WatchKey.copyOf(key, off, len, h), si, expiredNow);
        add(w);
        s.watches.add(w);
    }

    /** Forgets a session's WATCHes (locking each watched key's shard in turn) and clears its dirty flag. */
    void unwatchAll(Session s) {
        for (Watch w : s.watches) {
            Shard sh = ks.shard(w.shard);
            sh.lock();
            try {
                remove(w);
            } finally {
                sh.unlock();
            }
        }
        s.watches.clear();
        s.clearDirty();
    }

    /**
     * True when a key {@code s} WATCHes, live when WATCHed, has expired since (Redis 7 then fails EXEC even
     * if nobody touched the key). The caller holds the watched keys' shard locks.
     */
    boolean watchedKeyExpired(Session s, Ctx c) {
        EntryView view = c.found.view;
        for (Watch w : s.watches) {
            if (w.expiredAtWatch) {
                continue;
            }
            WatchKey k = w.key;
            if (ks.shard(w.shard).find(k.buffer(), k.offset(), k.length(), k.keyHash(), view)
                    && view.expiry() != 0 && c.now() > view.expiry()) {
                return true;
            }
        }
        return false;
    }

    private void add(Watch w) {
        Map<WatchKey, List<Watch>> m = byShard.get(w.shard);
        List<Watch> list = m.get(w.key);
        if (list == null) {
            list = new ArrayList<>(2);
            m.put(w.key, list);
            watchedKeys[w.shard]++;
        }
        list.add(w);
    }

    private void remove(Watch w) {
        Map<WatchKey, List<Watch>> m = byShard.get(w.shard);
        List<Watch> list = m.get(w.key);
        if (list == null) {
            return;
        }
        list.remove(w);
        if (list.isEmpty()) {
            m.remove(w.key);
            watchedKeys[w.shard]--;
        }
    }

    /**
     * A key of {@code shard} was written, expired or deleted.
     *
     * @param present whether the key exists after the change
     */
    void touch(int shard, DirectBuffer key, int off, int len, long hash, boolean present) {
        if (watchedKeys[shard] == 0) {
            return;
        }
        List<Watch> list = byShard.get(shard).get(probes[shard].probe(key, off, len, hash));
        if (list != null) {
            touch(list, present);
        }
    }

    private static void touch(List<Watch> list, boolean present) {
        for (int i = 0, n = list.size(); i < n; i++) {
            Watch w = list.get(i);
            if (w.expiredAtWatch && !present) {
                // Deleting a key that had already expired when WATCHed changes nothing a client could see.
                w.expiredAtWatch = false;
            } else {
                w.session.markDirty();
            }
        }
    }

    /** The whole shard is about to be cleared: touch every watched key it holds. */
    void touchAllPresent(int shard, Shard s, EntryView view) {
        if (watchedKeys[shard] == 0) {
            return;
        }
        for (Map.Entry<WatchKey, List<Watch>> e : byShard.get(shard).entrySet()) {
            WatchKey k = e.getKey();
            if (s.find(k.buffer(), k.offset(), k.length(), k.keyHash(), view)) {
                touch(e.getValue(), false);
            }
        }
    }
}
