package io.qrrot.engine;

import io.qrrot.engine.store.EntryType;
import io.qrrot.engine.store.EntryView;
import io.qrrot.engine.store.Keyspace;
import io.qrrot.engine.store.Shard;
import io.qrrot.engine.store.StoreMemoryException;
import org.agrona.DirectBuffer;

/**
 * Applies effect ops to the store: the one place where commands change the keyspace, used alike for a
 * command's own effect (after the log accepted it) and for replay, so a replayed log rebuilds exactly what
 * the commands built. Also keeps the per-shard TTL counts and tells {@link Watches} about every change.
 *
 * <p>The caller holds the locks of every shard the ops touch (all shards for CLEAR). One per session or
 * internal context; not thread-safe.
 */
final class Applier implements EffectVisitor {
    private final Engine engine;
    private final Keyspace ks;
    private final EntryView view = new EntryView();
    /** Hashes of the ops being applied, in order, or null to compute them. */
    private long[] knownHashes;
    private EffectWriter knownSource;
    private int op;

    Applier(Engine engine) {
        this.engine = engine;
        this.ks = engine.keyspace();
    }

    /** Applies the record built in {@code w} (already finished), reusing the hashes it recorded. */
    void apply(EffectWriter w) {
        apply(w, 0);
    }

    /**
     * Applies the ops of the record being built in {@code w} from op {@code from} on: EXEC applies each
     * command's ops when the command ends. The record need not be finished.
     */
    void apply(EffectWriter w, int from) {
        if (from >= w.ops()) {
            return;
        }
        knownSource = w;
        op = from;
        lastElementKey = null;
        try {
            EffectCodec.decodeValid(w.buffer(), w.opOffset(from) - EffectCodec.HEADER_LENGTH, w.ops() - from, this);
        } finally {
            knownSource = null;
            lastElementKey = null;
        }
    }

    /** Applies a record read from a log; hashes are computed. */
    void applyRecord(DirectBuffer buf, int off, int len) {
        knownSource = null;
        lastElementKey = null;
        EffectCodec.decode(buf, off, len, this);
        lastElementKey = null;
    }

    private long hash(DirectBuffer key, int koff, int klen) {
        lastElementKey = null;
        if (knownSource != null) {
            return knownSource.opHash(op++);
        }
        return ks.hash(key, koff, klen);
    }

    // An element op calls the visitor once per element with the same key: its hash is taken (or computed) once.
    private DirectBuffer lastElementKey;
    private int lastElementKeyOffset;
    private long lastElementHash;

    private long elementKeyHash(DirectBuffer key, int koff, int klen) {
        if (key == lastElementKey && koff == lastElementKeyOffset) {
            return lastElementHash;
        }
        long h = hash(key, koff, klen);
        lastElementKey = key;
        lastElementKeyOffset = koff;
        lastElementHash = h;
        return h;
    }

    @Override
    public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff, int elen,
                           DirectBuffer payload, int poff, int plen) {
        long h = elementKeyHash(key, koff, klen);
        int si = ks.shardIndex(h);
        Shard s = ks.shard(si);
        try {
            s.elementPut(key, koff, klen, h, type, element, eoff, elen, payload, poff, plen,
                    engine.maxPackedEntries(type), engine.maxPackedLength(type));
        } catch (StoreMemoryException | IllegalArgumentException | IllegalStateException e) {
            // Memory refused, or a limit of the store's structures: the record is logged but not applied.
            throw cannotApply(e);
        }
        engine.watches().touch(si, key, koff, klen, h, true);
        if (type == EntryType.ZSET || type == EntryType.LIST) {
            engine.keyReady(key, koff, klen);
        }
    }

    @Override
    public void createAsTable(byte type, DirectBuffer key, int koff, int klen) {
        long h = elementKeyHash(key, koff, klen); // the op's hash: its elements come next, with the same key
        int si = ks.shardIndex(h);
        try {
            ks.shard(si).createTable(key, koff, klen, h, type);
        } catch (StoreMemoryException | IllegalArgumentException | IllegalStateException e) {
            throw cannotApply(e);
        }
    }

    @Override
    public void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                              int elen) {
        long h = elementKeyHash(key, koff, klen);
        int si = ks.shardIndex(h);
        Shard s = ks.shard(si);
        if (s.elementRemove(key, koff, klen, h, element, eoff, elen)) {
            boolean present = !s.removedKey();
            if (!present && s.removedKeyExpiry() != 0) {
                engine.adjustExpires(si, -1);
            }
            engine.watches().touch(si, key, koff, klen, h, present);
        }
    }

    @Override
    public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen,
                    long expiry) {
        long h = hash(key, koff, klen);
        int si = ks.shardIndex(h);
        Shard s = ks.shard(si);
        boolean replaced;
        try {
            if (type == EntryType.INT) {
                replaced = s.putLong(key, koff, klen, h, expiry, value.getLong(voff, EffectCodec.ORDER));
            } else {
                if (type == EntryType.ITEM) {
                    engine.memcached().seenCas(value.getLong(voff + EntryType.ITEM_CAS_OFFSET, EffectCodec.ORDER));
                }
                replaced = s.put(key, koff, klen, h, type, expiry, value, voff, vlen);
            }
        } catch (StoreMemoryException e) {
            throw cannotApply(e);
        }
        boolean hadTtl = replaced && s.replacedExpiry() != 0;
        engine.adjustExpires(si, (expiry != 0 ? 1 : 0) - (hadTtl ? 1 : 0));
        engine.watches().touch(si, key, koff, klen, h, true);
    }

    @Override
    public void delete(DirectBuffer key, int koff, int klen) {
        long h = hash(key, koff, klen);
        int si = ks.shardIndex(h);
        Shard s = ks.shard(si);
        if (s.find(key, koff, klen, h, view)) {
            boolean hadTtl = view.expiry() != 0;
            s.remove(key, koff, klen, h);
            if (hadTtl) {
                engine.adjustExpires(si, -1);
            }
            engine.watches().touch(si, key, koff, klen, h, false);
        }
    }

    @Override
    public void expire(DirectBuffer key, int koff, int klen, long expiry) {
        long h = hash(key, koff, klen);
        int si = ks.shardIndex(h);
        Shard s = ks.shard(si);
        if (s.find(key, koff, klen, h, view)) {
            boolean hadTtl = view.expiry() != 0;
            try {
                s.setExpiry(key, koff, klen, h, expiry);
            } catch (StoreMemoryException e) {
                throw cannotApply(e);
            }
            engine.adjustExpires(si, (expiry != 0 ? 1 : 0) - (hadTtl ? 1 : 0));
            engine.watches().touch(si, key, koff, klen, h, true);
        }
    }

    @Override
    public void clear() {
        if (knownSource != null) {
            op++;
        }
        for (int i = 0; i < ks.shardCount(); i++) {
            Shard s = ks.shard(i);
            engine.watches().touchAllPresent(i, s, view);
            s.clear();
            engine.resetExpires(i);
        }
    }

    // The store refuses memory only when the operating system does (the engine enforces maxmemory before a
    // command runs): the effect is already in the log, so memory and log now disagree until a restart.
    static CannotApply cannotApply(RuntimeException e) {
        return new CannotApply(e);
    }

    /** What the log is told when the record it accepted as {@code lsn} could not be applied. */
    static String cannotApplyReason(long lsn, CannotApply e) {
        return "the store could not apply the effect at LSN " + lsn + ", which is already in the log ("
                + e.getCause().getMessage() + ")";
    }

    /**
     * The store refused an op of an effect the log already holds (the operating system refused memory, or a
     * collection met a limit of its structure); the ops before it are applied. A command
     * turns it into {@link EffectLog#cannotApply}; replay and loading let it through.
     */
    static final class CannotApply extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        CannotApply(RuntimeException cause) {
            super("the store could not apply an effect that is already logged (" + cause.getMessage()
                    + "); restart the server to rebuild memory from the log", cause);
        }
    }
}
