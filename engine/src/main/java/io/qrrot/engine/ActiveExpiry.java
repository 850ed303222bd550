package io.qrrot.engine;

import io.qrrot.engine.store.EntryView;
import io.qrrot.engine.store.EntryVisitor;
import io.qrrot.engine.store.Keyspace;
import io.qrrot.engine.store.Shard;
import org.agrona.ExpandableArrayBuffer;

/**
 * Reclaims expired keys nobody reads: a resumable walk over the shards (in hash order, so each batch is a
 * sample of the keyspace), deleting expired entries through effects like any other deletion. One walk per
 * engine; calls are serialised.
 */
final class ActiveExpiry {
    private final Engine engine;
    private final Keyspace ks;
    private final Ctx c;
    private final int batch;
    private final ExpiredCollector expired = new ExpiredCollector();
    private int shard;
    private long cursor;
    /** Redis' running estimate of the remaining time to live of keys that have one, ms (INFO's avg_ttl). */
    private volatile long avgTtl;

    ActiveExpiry(Engine engine) {
        this.engine = engine;
        this.ks = engine.keyspace();
        this.c = new Ctx(engine, null);
        this.batch = engine.config().activeExpireBatch();
    }

    synchronized int cycle(EffectLog log, int budget) {
        int deleted = 0;
        int examined = 0;
        int shardsVisited = 0;
        int n = ks.shardCount();
        while (examined < budget && shardsVisited <= n) {
            Shard s = ks.shard(shard);
            s.lock();
            try {
                c.startClock();
                expired.begin(c.now());
                long next = s.scan(cursor, Math.max(1, Math.min(batch, budget - examined)), expired);
                examined += expired.visited;
                for (int i = 0; i < expired.count; i++) {
                    int off = expired.offsets[i];
                    int len = expired.lengths[i];
                    c.effect.delete(ks.hash(expired.keys, off, len), expired.keys, off, len);
                }
                c.commit(log);
                deleted += expired.count;
                if (expired.ttlSamples > 0) {
                    // As Redis: the current sample weighs 2 %, the estimate so far 98 %.
                    long sample = expired.ttlSum / expired.ttlSamples;
                    long estimate = avgTtl == 0 ? sample : avgTtl;
                    avgTtl = (estimate / 50) * 49 + sample / 50;
                }
                engine.expiredKeys.add(expired.count);
                cursor = next;
                if (next == 0) {
                    shard = (shard + 1) & (n - 1);
                    shardsVisited++;
                }
            } finally {
                c.effect.reset();
                s.unlock();
            }
        }
        return deleted;
    }

    /** The estimate of the remaining time to live of keys that have one, in ms (0: none seen yet). */
    long avgTtl() {
        return avgTtl;
    }

    /** Copies the keys of expired entries met by a shard scan (the scan's visitor must not change the shard). */
    private static final class ExpiredCollector implements EntryVisitor {
        final ExpandableArrayBuffer keys = new ExpandableArrayBuffer(256);
        int[] offsets = new int[16];
        int[] lengths = new int[16];
        int count;
        int visited;
        /** Remaining times to live of the live keys with one that the scan met, and how many. */
        long ttlSum;
        int ttlSamples;
        private int used;
        private long now;

        void begin(long now) {
            this.now = now;
            count = 0;
            visited = 0;
            used = 0;
            ttlSum = 0;
            ttlSamples = 0;
        }

        @Override
        public void visit(EntryView e) {
            visited++;
            long exp = e.expiry();
            if (exp == 0) {
                return;
            }
            if (now <= exp) {
                ttlSum += Math.min(exp - now, 1L << 50); // bounded: a batch of far-off expiries cannot overflow
                ttlSamples++;
                return;
            }
            if (count == offsets.length) {
                offsets = java.util.Arrays.copyOf(offsets, count * 2);
                lengths = java.util.Arrays.copyOf(lengths, count * 2);
            }
            int len = e.keyLength();
            keys.putBytes(used, e.key(), 0, len);
            offsets[count] = used;
            lengths[count] = len;
            used += len;
            count++;
        }
    }
}
