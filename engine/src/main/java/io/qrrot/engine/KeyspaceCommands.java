package io.qrrot.engine;

import io.qrrot.engine.store.CollectionView;
import io.qrrot.engine.store.EntryType;
import io.qrrot.engine.store.Keyspace;
import io.qrrot.engine.store.Shard;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * Commands over the whole keyspace: KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHALL/FLUSHDB (and the walk ALL
 * shares with SCAN).
 *
 * <p>At top level these lock one shard at a time (never a global lock), committing the deletions of expired
 * keys they meet before moving on. Inside EXEC every shard is already locked and the earlier commands' writes
 * are already applied (see {@link Engine#runQueued}), so the result is what a client would see after them.
 */
final class KeyspaceCommands {
    /** Bits 40 and up of a SCAN/ALL cursor hold the shard index, the bits below that shard's own scan cursor. */
    static final int CURSOR_SHARD_SHIFT = 40;

    private KeyspaceCommands() {
    }

    // ---- KEYS ----

    static void keys(Ctx c) {
        Keyspace ks = c.ks;
        ReplyBuffer list = c.listing();
        int n = 0;
        int poff = c.off(1);
        int plen = c.len(1);
        boolean all = Glob.matchesAll(c.argBuffer, poff, plen);
        Glob glob = all ? null : Glob.compile(c.argBuffer, poff, plen);
        KeyBatch b = c.batch;
        // Like Redis, KEYS filters expired keys out but does not delete them.
        c.lazyDelete = false;
        try {
            for (int si = 0; si < ks.shardCount(); si++) {
                Shard s = ks.shard(si);
                s.lock();
                try {
                    long cursor = 0;
                    do {
                        b.reset();
                        cursor = s.scan(cursor, 1024, b);
                        for (int i = 0; i < b.count(); i++) {
                            int off = b.offset(i);
                            int len = b.length(i);
                            if ((all || glob.match(b.keys, off, len))
                                    && c.find(c.found2, b.keys, off, len, ks.hash(b.keys, off, len))) {
                                list.bulk(b.keys, off, len);
                                n++;
                            }
                        }
                    } while (cursor != 0);
                } finally {
                    s.unlock();
                }
            }
        } finally {
            c.lazyDelete = true;
        }
        c.out.array(n);
        list.replayTo(c.out);
    }

    // ---- SCAN ----

    /**
     * Parses a cursor as Redis does (C's strtoul: optional sign, decimal digits, no leading space, within 64
     * bits unsigned) into {@code c.num}; replies "invalid cursor" and returns false otherwise.
     */
    static boolean parseCursor(Ctx c, int i) {
        byte[] a = c.args.array();
        int off = c.off(i);
        int len = c.len(i);
        int p = off;
        int end = off + len;
        if (len > 0 && isSpace(a[p])) {
            c.out.error(Errors.INVALID_CURSOR);
            return false;
        }
        boolean negative = false;
        if (p < end && (a[p] == '+' || a[p] == '-')) {
            negative = a[p] == '-';
            p++;
        }
        if (p == end) {
            if (len == 0) {
                c.num.set(0);
                return true;
            }
            c.out.error(Errors.INVALID_CURSOR);
            return false;
        }
        long v = 0;
        for (; p < end; p++) {
            int d = a[p] - '0';
            if (d < 0 || d > 9) {
                c.out.error(Errors.INVALID_CURSOR);
                return false;
            }
            // unsigned v * 10 + d must stay below 2^64
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
                c.out.error(Errors.INVALID_CURSOR);
                return false;
            }
            v = v * 10 + d;
        }
        c.num.set(negative ? -v : v);
        return true;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == '\f';
    }

    /** SCAN's options, as {@link #scanOptions} read them. */
    static final class ScanOptions {
        /** COUNT, capped so that a batch's bookkeeping cannot overflow. */
        int count;
        /** The MATCH pattern, or null when there is none or it matches everything. */
        Glob glob;
        /** The TYPE name, or null. */
        String type;
    }

    /**
     * Reads SCAN's options from argument {@code from} on: COUNT n (at least 1), MATCH pattern, and TYPE t when
     * {@code typeAllowed} (SCAN; HSCAN and SSCAN have none). The last of each wins, as in Redis.
     *
     * @return the options in the context's reused holder, or null when one was wrong (the error is replied)
     */
    static ScanOptions scanOptions(Ctx c, int from, boolean typeAllowed) {
        long count = 10;
        int patternArg = -1;
        String type = null;
        for (int i = from; i < c.argc(); ) {
            int remaining = c.argc() - i;
            if (c.argIs(i, "COUNT") && remaining >= 2) {
                if (!c.longArgOrReply(i + 1)) {
                    return null;
                }
                count = c.num.get();
                if (count < 1) {
                    c.out.error(Errors.SYNTAX);
                    return null;
                }
                i += 2;
            } else if (c.argIs(i, "MATCH") && remaining >= 2) {
                patternArg = i + 1;
                i += 2;
            } else if (typeAllowed && c.argIs(i, "TYPE") && remaining >= 2) {
                type = c.args.string(i + 1);
                i += 2;
            } else {
                c.out.error(Errors.SYNTAX);
                return null;
            }
        }
        ScanOptions o = c.scanOptions;
        o.count = (int) Math.min(count, Integer.MAX_VALUE / 16);
        o.glob = patternArg < 0 || Glob.matchesAll(c.argBuffer, c.off(patternArg), c.len(patternArg)) ? null
                : Glob.compile(c.argBuffer, c.off(patternArg), c.len(patternArg));
        o.type = type;
        return o;
    }

    static void scan(Ctx c) {
        if (!parseCursor(c, 1)) {
            return;
        }
        long cursor = c.num.get();
        ScanOptions o = scanOptions(c, 2, true);
        if (o == null) {
            return;
        }
        ReplyBuffer list = c.listing();
        long next = walk(c, cursor, o.count, o.glob, o.glob == null, o.type, list, false);
        c.out.array(2);
        c.out.bulk(Long.toUnsignedString(next));
        c.out.array(c.listed);
        list.replayTo(c.out);
    }

    /**
     * One batch of a cursor walk over the keyspace: visits about {@code count} entries from {@code cursor},
     * looks each matching key up (deleting it if expired) and records the live ones into {@code list}: the
     * key alone, or with {@code entries} an array of key, qrrot type and value. Sets {@code c.listed}.
     *
     * @return the next cursor, 0 when the walk is complete
     */
    static long walk(Ctx c, long cursor, int count, Glob glob, boolean all, String type, ReplyBuffer list,
                     boolean entries) {
        Keyspace ks = c.ks;
        c.listed = 0;
        long shard = cursor >>> CURSOR_SHARD_SHIFT;
        long shardCursor = cursor & ((1L << CURSOR_SHARD_SHIFT) - 1);
        if (shard >= ks.shardCount()) {
            return 0; // not a cursor this keyspace hands out: nothing more to see
        }
        KeyBatch b = c.batch;
        int remaining = count;
        while (true) {
            Shard s = ks.shard((int) shard);
            if (!c.inTransaction) {
                s.lock();
            }
            try {
                b.reset();
                try {
                    shardCursor = s.scan(shardCursor, Math.max(1, remaining), b);
                } catch (IllegalArgumentException e) {
                    shardCursor = 0; // a cursor from another table size: this shard is done for this walk
                }
                remaining -= b.count();
                for (int i = 0; i < b.count(); i++) {
                    int off = b.offset(i);
                    int len = b.length(i);
                    if (!all && !glob.match(b.keys, off, len)) {
                        continue; // as Redis: a key the pattern rejects is not even checked for expiry
                    }
                    if (!c.find(c.found2, b.keys, off, len, ks.hash(b.keys, off, len))) {
                        continue;
                    }
                    if (type != null && !type.equalsIgnoreCase(KeyCommands.redisTypeName(c.found2.type))) {
                        continue;
                    }
                    record(list, b.keys, off, len, c.found2, entries);
                    c.listed++;
                }
                if (!c.inTransaction) {
                    c.commitReadEffects(c.log);
                }
            } finally {
                if (!c.inTransaction) {
                    s.unlock();
                }
            }
            if (shardCursor != 0) {
                return (shard << CURSOR_SHARD_SHIFT) | shardCursor;
            }
            shard++;
            if (shard == ks.shardCount()) {
                return 0;
            }
            if (remaining <= 0) {
                return shard << CURSOR_SHARD_SHIFT;
            }
        }
    }

    private static void record(ReplyBuffer list, DirectBuffer key, int off, int len, Found f, boolean entries) {
        if (!entries) {
            list.bulk(key, off, len);
            return;
        }
        list.array(3);
        list.bulk(key, off, len);
        list.simple(QrrotCommands.typeName(f.type));
        if (EntryType.isCollection(f.type)) {
            replyElements(list, f);
        } else {
            f.reply(list);
        }
    }

    /**
     * A collection as ALL shows it: its elements (a hash's fields and values, a sorted set's members and scores
     * in its order, a list's elements in order) as one flat array.
     */
    private static void replyElements(ReplyBuffer list, Found f) {
        CollectionView view = new CollectionView().wrap(f.view);
        if (f.type == EntryType.LIST) {
            list.array((int) view.count());
            while (view.next()) {
                DirectBuffer p = view.payload();
                list.bulk(p, 0, p.capacity());
            }
            return;
        }
        boolean payloads = EntryType.hasPayload(f.type);
        list.array((int) (payloads ? 2 * view.count() : view.count()));
        if (f.type == EntryType.ZSET) {
            view.seekRank(0);
            do {
                DirectBuffer e = view.element();
                list.bulk(e, 0, e.capacity());
                list.bulk(Scores.text(view.score()));
            } while (view.nextInOrder());
            return;
        }
        while (view.next()) {
            DirectBuffer e = view.element();
            list.bulk(e, 0, e.capacity());
            if (payloads) {
                DirectBuffer p = view.payload();
                list.bulk(p, 0, p.capacity());
            }
        }
    }

    // ---- RANDOMKEY ----

    static void randomkey(Ctx c) {
        Keyspace ks = c.ks;
        int shards = ks.shardCount();
        ExpandableArrayBuffer key = c.scratch;
        for (int attempt = 0; attempt < 100; attempt++) {
            long r = c.nextRandom();
            int start = (int) (r >>> 40) & (shards - 1);
            boolean sawEntry = false;
            for (int k = 0; k < shards; k++) {
                Shard s = ks.shard((start + k) & (shards - 1));
                if (!c.inTransaction) {
                    s.lock();
                }
                try {
                    if (!s.randomEntry(r, c.found2.view)) {
                        continue;
                    }
                    sawEntry = true;
                    int len = c.found2.view.keyLength();
                    key.putBytes(0, c.found2.view.key(), 0, len);
                    boolean live = c.find(c.found2, key, 0, len, ks.hash(key, 0, len));
                    if (!c.inTransaction) {
                        c.commitReadEffects(c.log);
                    }
                    if (live) {
                        c.out.bulk(key, 0, len);
                        return;
                    }
                    break; // an expired or deleted key: draw again
                } finally {
                    if (!c.inTransaction) {
                        s.unlock();
                    }
                }
            }
            if (!sawEntry) {
                break; // the store is empty
            }
        }
        // Unlucky draws (mostly expired keys), or an empty store: the first live key of a full walk.
        if (!firstLiveKey(c)) {
            c.out.nil();
        }
    }

    private static boolean firstLiveKey(Ctx c) {
        Keyspace ks = c.ks;
        KeyBatch b = c.batch;
        for (int si = 0; si < ks.shardCount(); si++) {
            Shard s = ks.shard(si);
            if (!c.inTransaction) {
                s.lock();
            }
            try {
                long cursor = 0;
                do {
                    b.reset();
                    cursor = s.scan(cursor, 256, b);
                    for (int i = 0; i < b.count(); i++) {
                        int off = b.offset(i);
                        int len = b.length(i);
                        if (c.find(c.found2, b.keys, off, len, ks.hash(b.keys, off, len))) {
                            c.out.bulk(b.keys, off, len);
                            return true;
                        }
                    }
                } while (cursor != 0);
            } finally {
                if (!c.inTransaction) {
                    c.commitReadEffects(c.log);
                    s.unlock();
                }
            }
        }
        return false;
    }

    // ---- DBSIZE ----

    static void dbsize(Ctx c) {
        Keyspace ks = c.ks;
        long n = 0;
        for (int i = 0; i < ks.shardCount(); i++) {
            Shard s = ks.shard(i);
            s.lock();
            try {
                n += s.size();
            } finally {
                s.unlock();
            }
        }
        c.out.integer(n);
    }


    private static boolean sameBytes(DirectBuffer buf, int a, int b, int len) {
        for (int i = 0; i < len; i++) {
            if (buf.getByte(a + i) != buf.getByte(b + i)) {
                return false;
            }
        }
        return true;
    }

    // ---- FLUSHALL / FLUSHDB ----

    static void flushall(Ctx c) {
        if (c.argc() > 2 || (c.argc() == 2 && !c.argIs(1, "ASYNC") && !c.argIs(1, "SYNC"))) {
            c.out.error(Errors.SYNTAX);
            return;
        }
        c.effect.clear();
        c.out.simple("OK");
    }
}
