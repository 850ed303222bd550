package io.qrrot.engine;

import io.qrrot.engine.store.EntryView;
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

    private final List<Map<WatchKey, List<Watch>>> byShard;
    private final int[] watchedKeys;
    private final WatchKey[] probes;

    Watches(int shards) {
        byShard = new ArrayList<>(shards);
        watchedKeys = new int[shards];
        probes = new WatchKey[shards];
        for (int i = 0; i < shards; i++) {
            byShard.add(new HashMap<>());
            probes[i] = new WatchKey();
        }
    }

    void add(Watch w) {
        Map<WatchKey, List<Watch>> m = byShard.get(w.shard);
        List<Watch> list = m.get(w.key);
        if (list == null) {
            list = new ArrayList<>(2);
            m.put(w.key, list);
            watchedKeys[w.shard]++;
        }
        list.add(w);
    }

    void remove(Watch w) {
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
