package io.qrrot.engine;

import io.qrrot.engine.store.EntryType;
import io.qrrot.engine.store.Keyspace;
import io.qrrot.engine.store.Shard;
import io.qrrot.engine.store.StoreMemoryException;
import org.agrona.DirectBuffer;

/**
 * Loads snapshot entries into an engine, for one thread: what {@link Engine#load} does per entry, without a
 * global lock and without locking per entry. The loader keeps the lock of the shard it last wrote and
 * releases it only when an entry belongs to another shard (or on {@link #close}), so entries that arrive
 * grouped by shard (a snapshot in key-hash order) take one lock per shard, and loaders working on disjoint
 * shard ranges run in parallel without waiting for each other. Entries in any other order load correctly,
 * one lock hand-over per shard change. In ascending hash order the entries also fill each shard's index
 * front to back ({@code HashIndex}), which streams through the caches.
 *
 * <p>Each entry is applied exactly as a PUT effect would be: an existing key is replaced, the per-shard TTL
 * counts are kept. An entry whose expiry has passed is loaded all the same (see {@link Engine#load}). Allocates
 * nothing per entry.
 *
 * <p><b>Threading.</b> Not thread-safe: one loader per thread, closed by that thread (it may hold a shard
 * lock until then). Any number of loaders may run at once on one engine.
 */
public final class BulkLoader implements AutoCloseable {
    private final Engine engine;
    private final Keyspace ks;
    private final Clock clock;
    private Shard held;
    private int heldIndex = -1;
    private long loaded;
    private long expired;

    BulkLoader(Engine engine) {
        this.engine = engine;
        this.ks = engine.keyspace();
        this.clock = engine.clock();
    }

    /** The hash this engine indexes {@code key} by: what {@link #load} expects as {@code hash}. */
    public long hash(DirectBuffer key, int koff, int klen) {
        return ks.hash(key, koff, klen);
    }

    /**
     * Loads one entry, also one whose expiry has passed (see {@link Engine#load} for why).
     *
     * @param hash         {@link #hash} of the key (a caller that already has it for the same hash function
     *                     saves computing it twice); any other value makes the key unreachable
     * @param type         {@link EffectCodec#TYPE_STRING}, {@link EffectCodec#TYPE_INT} (8 bytes,
     *                     little-endian) or {@link EffectCodec#TYPE_JSON}
     * @param expiryMillis absolute expiry in epoch ms, 0 = none
     * @throws IllegalArgumentException on an unknown type or an int that is not 8 bytes (nothing changes)
     */
    public void load(long hash, byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff,
                        int vlen, long expiryMillis) {
        Engine.checkLoadable(type, vlen);
        countExpired(expiryMillis);
        int si = ks.shardIndex(hash);
        Shard s = held;
        if (si != heldIndex) {
            s = switchTo(si);
        }
        boolean replaced;
        try {
            if (type == EntryType.INT) {
                replaced = s.putLong(key, koff, klen, hash, expiryMillis, value.getLong(voff, EffectCodec.ORDER));
            } else {
                if (type == EntryType.ITEM) {
                    engine.memcached().seenCas(value.getLong(voff + EntryType.ITEM_CAS_OFFSET, EffectCodec.ORDER));
                }
                replaced = s.put(key, koff, klen, hash, type, expiryMillis, value, voff, vlen);
            }
        } catch (StoreMemoryException e) {
            throw Applier.cannotApply(e);
        }
        boolean hadTtl = replaced && s.replacedExpiry() != 0;
        int ttlDelta = (expiryMillis != 0 ? 1 : 0) - (hadTtl ? 1 : 0);
        if (ttlDelta != 0) {
            engine.adjustExpires(si, ttlDelta);
        }
        engine.watches().touch(si, key, koff, klen, hash, true);
        loaded++;
    }

    private void countExpired(long expiryMillis) {
        if (expiryMillis != 0 && clock.millis() > expiryMillis) {
            expired++;
        }
    }

    /**
     * Loads one element of a collection (a snapshot streams a collection element by element), creating the
     * key with {@code expiryMillis} when it is missing, also when that expiry has passed.
     *
     * @param hash {@link #hash} of the key
     * @param type a collection type: {@link EffectCodec#TYPE_HASH}, {@link EffectCodec#TYPE_SET} or
     *             {@link EntryType#ZSET}
     */
    public void loadElement(long hash, byte type, DirectBuffer key, int koff, int klen, long expiryMillis,
                               DirectBuffer element, int eoff, int elen, DirectBuffer payload, int poff, int plen) {
        Engine.checkLoadableCollection(type);
        int si = ks.shardIndex(hash);
        Shard s = held;
        if (si != heldIndex) {
            s = switchTo(si);
        }
        if (engine.loadElement(s, si, hash, type, key, koff, klen, expiryMillis, element, eoff, elen, payload, poff,
                plen)) {
            loaded++;
            countExpired(expiryMillis);
        }
    }

    /** Entries loaded so far (replacements included). */
    public long loaded() {
        return loaded;
    }

    /** Keys loaded so far whose expiry had already passed: expiry reclaims them, logging their deletion. */
    public long loadedExpired() {
        return expired;
    }

    /** Releases the shard lock this loader holds, if any. The loader may be used again afterwards. */
    @Override
    public void close() {
        if (held != null) {
            Shard s = held;
            held = null;
            heldIndex = -1;
            s.unlock();
        }
    }

    private Shard switchTo(int si) {
        close();
        Shard s = ks.shard(si);
        s.lock();
        held = s;
        heldIndex = si;
        return s;
    }
}
