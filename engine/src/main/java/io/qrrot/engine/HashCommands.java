package io.qrrot.engine;

import io.qrrot.engine.store.CollectionView;
import io.qrrot.engine.store.EntryType;
import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;

/**
 * The hash commands, with Redis 7.0's replies and errors. A write logs the fields it changed with their new
 * values (HINCRBY its result) as one ELEMENTS_PUT op, or the fields it removed as one ELEMENTS_DEL op, never
 * the whole hash; see {@link EffectCodec}. Handlers read the hash through {@link Ctx#findHash} and the
 * {@link CollectionView} it fills, and check the type before they emit anything.
 */
final class HashCommands {
    static final String HASH_NOT_INTEGER = "ERR hash value is not an integer";
    static final String HASH_NOT_FLOAT = "ERR hash value is not a float";
    static final String NAN_OR_INF_ARG = "ERR value is NaN or Infinity";
    static final String OUT_OF_RANGE = "ERR value is out of range";
    /** Most fields a negative HRANDFIELD or SRANDMEMBER count may ask for (repeats allowed). */
    static final long MAX_REPEATED = 1L << 24;

    private HashCommands() {
    }

    static void hset(Ctx c) {
        set(c, false);
    }

    static void hmset(Ctx c) {
        set(c, true);
    }

    private static void set(Ctx c, boolean replyOk) {
        if (c.argc() % 2 != 0) {
            c.out.error(c.cmd.arityError);
            return;
        }
        int r = c.findHash(1);
        if (r < 0) {
            return;
        }
        CollectionView h = c.coll;
        int added = 0;
        c.startSeen();
        c.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EntryType.HASH);
        for (int i = 2; i < c.argc(); i += 2) {
            boolean seen = c.seenBefore(i, 2, 2);
            if (!seen && !(r > 0 && h.find(c.argBuffer, c.off(i), c.len(i)))) {
                added++;
            }
            c.effect.addElement(c.argBuffer, c.off(i), c.len(i), c.argBuffer, c.off(i + 1), c.len(i + 1));
        }
        if (replyOk) {
            c.out.simple("OK");
        } else {
            c.out.integer(added);
        }
    }

    static void hsetnx(Ctx c) {
        int r = c.findHash(1);
        if (r < 0) {
            return;
        }
        if (r > 0 && c.coll.find(c.argBuffer, c.off(2), c.len(2))) {
            c.out.integer(0);
            return;
        }
        c.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EntryType.HASH);
        c.effect.addElement(c.argBuffer, c.off(2), c.len(2), c.argBuffer, c.off(3), c.len(3));
        c.out.integer(1);
    }

    static void hget(Ctx c) {
        int r = c.findHash(1);
        if (r < 0) {
            return;
        }
        if (r > 0 && c.coll.find(c.argBuffer, c.off(2), c.len(2))) {
            DirectBuffer v = c.coll.payload();
            c.out.bulk(v, 0, v.capacity());
        } else {
            c.out.nil();
        }
    }

    static void hmget(Ctx c) {
        int r = c.findHash(1);
        if (r < 0) {
            return;
        }
        c.out.array(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            if (r > 0 && c.coll.find(c.argBuffer, c.off(i), c.len(i))) {
                DirectBuffer v = c.coll.payload();
                c.out.bulk(v, 0, v.capacity());
            } else {
                c.out.nil();
            }
        }
    }

    static void hdel(Ctx c) {
        int r = c.findHash(1);
        if (r >= 0) {
            removeElements(c, r, EntryType.HASH);
        }
    }

    /**
     * HDEL and SREM once key argument 1 was looked up ({@code found}: 1 with {@link Ctx#coll} on it, 0 missing):
     * logs the distinct elements of arguments 2 and after that are there as one ELEMENTS_DEL (and a DEL of the
     * key when that empties it) and replies how many they were.
     */
    static void removeElements(Ctx c, int found, byte type) {
        int removed = 0;
        if (found > 0) {
            c.startSeen();
            for (int i = 2; i < c.argc(); i++) {
                if (!c.seenBefore(i, 2, 1) && c.coll.find(c.argBuffer, c.off(i), c.len(i))) {
                    if (removed == 0) {
                        c.beginElements(1, EffectCodec.OP_ELEMENTS_DEL, type);
                    }
                    c.effect.addRemoved(c.argBuffer, c.off(i), c.len(i));
                    removed++;
                }
            }
            c.deleteIfEmptied(1, removed, c.coll.count());
        }
        c.out.integer(removed);
    }

    static void hlen(Ctx c) {
        int r = c.findHash(1);
        if (r >= 0) {
            c.out.integer(r > 0 ? c.coll.count() : 0);
        }
    }

    static void hexists(Ctx c) {
        int r = c.findHash(1);
        if (r >= 0) {
            c.out.integer(r > 0 && c.coll.find(c.argBuffer, c.off(2), c.len(2)) ? 1 : 0);
        }
    }

    static void hstrlen(Ctx c) {
        int r = c.findHash(1);
        if (r >= 0) {
            c.out.integer(r > 0 && c.coll.find(c.argBuffer, c.off(2), c.len(2)) ? c.coll.payload().capacity() : 0);
        }
    }

    static void hkeys(Ctx c) {
        list(c, true, false, false);
    }

    static void hvals(Ctx c) {
        list(c, false, true, false);
    }

    static void hgetall(Ctx c) {
        list(c, true, true, true);
    }

    private static void list(Ctx c, boolean fields, boolean values, boolean map) {
        int r = c.findHash(1);
        if (r < 0) {
            return;
        }
        long n = r > 0 ? c.coll.count() : 0;
        if (map) {
            c.out.map((int) n);
        } else {
            c.out.array((int) n);
        }
        if (r == 0) {
            return;
        }
        CollectionView h = c.coll;
        h.rewind();
        while (h.next()) {
            if (fields) {
                DirectBuffer f = h.element();
                c.out.bulk(f, 0, f.capacity());
            }
            if (values) {
                DirectBuffer v = h.payload();
                c.out.bulk(v, 0, v.capacity());
            }
        }
    }

    static void hincrby(Ctx c) {
        if (!c.longArgOrReply(3)) {
            return;
        }
        long incr = c.num.get();
        int r = c.findHash(1);
        if (r < 0) {
            return;
        }
        long value = 0;
        if (r > 0 && c.coll.find(c.argBuffer, c.off(2), c.len(2))) {
            DirectBuffer v = c.coll.payload();
            if (!Numbers.parseLong(v, 0, v.capacity(), c.num)) {
                c.out.error(HASH_NOT_INTEGER);
                return;
            }
            value = c.num.get();
        }
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value)
                || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            c.out.error(Errors.OVERFLOW);
            return;
        }
        value += incr;
        c.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EntryType.HASH);
        c.effect.addElementLong(c.argBuffer, c.off(2), c.len(2), value);
        c.out.integer(value);
    }

    static void hincrbyfloat(Ctx c) {
        LongDouble incr = LongDouble.parse(c.args.bytes(3));
        if (incr == null) {
            c.out.error(Errors.NOT_FLOAT);
            return;
        }
        if (!incr.isFinite()) {
            c.out.error(NAN_OR_INF_ARG);
            return;
        }
        int r = c.findHash(1);
        if (r < 0) {
            return;
        }
        LongDouble value = LongDouble.of(0);
        if (r > 0 && c.coll.find(c.argBuffer, c.off(2), c.len(2))) {
            DirectBuffer v = c.coll.payload();
            byte[] text = new byte[v.capacity()];
            v.getBytes(0, text);
            value = LongDouble.parse(text);
            if (value == null) {
                c.out.error(HASH_NOT_FLOAT);
                return;
            }
        }
        LongDouble sum = value.add(incr);
        if (sum == null || !sum.isFinite()) {
            c.out.error(Errors.NAN_OR_INF);
            return;
        }
        byte[] text = sum.format().getBytes(StandardCharsets.US_ASCII);
        c.scratch.putBytes(0, text);
        c.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EntryType.HASH);
        c.effect.addElement(c.argBuffer, c.off(2), c.len(2), c.scratch, 0, text.length);
        c.out.bulk(text, 0, text.length);
    }

    /** HRANDFIELD key [count [WITHVALUES]], as Redis 7.0 answers it (RESP3: pairs as nested arrays). */
    static void hrandfield(Ctx c) {
        if (c.argc() == 2) {
            int r = c.findHash(1);
            if (r < 0) {
                return;
            }
            if (r == 0) {
                c.out.nil();
                return;
            }
            c.coll.random(c.nextRandom());
            DirectBuffer f = c.coll.element();
            c.out.bulk(f, 0, f.capacity());
            return;
        }
        int with = RandomElements.countArguments(c, "WITHVALUES");
        if (with < 0) {
            return;
        }
        long l = c.num.get();
        boolean withValues = with == 1;
        int r = c.findHash(1);
        if (r < 0) {
            return;
        }
        if (r == 0 || l == 0) {
            c.out.array(0);
            return;
        }
        CollectionView h = c.coll;
        long size = h.count();
        if (l < 0 || l == 1) {
            // Case 1: N random fields, repeats allowed (or one field).
            long count = l < 0 ? -l : 1;
            if (!RandomElements.repeatsAllowed(c, count, "fields")) {
                return;
            }
            header(c, withValues, count);
            for (long i = 0; i < count; i++) {
                h.random(c.nextRandom());
                randField(c, h, withValues);
            }
            return;
        }
        header(c, withValues, Math.min(l, size));
        if (l >= size) {
            // Case 2: the whole hash, in its own order.
            h.rewind();
            while (h.next()) {
                randField(c, h, withValues);
            }
            return;
        }
        // Cases 3 and 4: l distinct fields, fewer than the hash has, in random order.
        for (byte[][] f : RandomElements.distinct(c, h, (int) l, withValues)) {
            if (withValues) {
                c.out.pair();
            }
            c.out.bulk(f[0], 0, f[0].length);
            if (withValues) {
                c.out.bulk(f[1], 0, f[1].length);
            }
        }
    }

    private static void header(Ctx c, boolean withValues, long count) {
        if (withValues) {
            c.out.pairs(Math.toIntExact(count));
        } else {
            c.out.array(Math.toIntExact(count));
        }
    }

    private static void randField(Ctx c, CollectionView h, boolean withValues) {
        if (withValues) {
            c.out.pair();
        }
        DirectBuffer f = h.element();
        c.out.bulk(f, 0, f.capacity());
        if (withValues) {
            DirectBuffer v = h.payload();
            c.out.bulk(v, 0, v.capacity());
        }
    }

    /** HSCAN key cursor [MATCH pattern] [COUNT count]: fields and values, flat. */
    static void hscan(Ctx c) {
        if (!KeyspaceCommands.parseCursor(c, 2)) {
            return;
        }
        long cursor = c.num.get();
        int r = c.findHash(1);
        if (r < 0) {
            return;
        }
        scanElements(c, r, cursor, true);
    }

    /**
     * The rest of HSCAN and SSCAN once the key was looked up ({@code found}: 1 with {@link Ctx#coll} on it, 0
     * missing): options from argument 3, then one batch, as Redis: a missing key answers an empty batch
     * whatever the options; a packed collection or an intset comes whole with cursor 0; a table a batch of
     * about COUNT elements from the cursor.
     */
    static void scanElements(Ctx c, int found, long cursor, boolean payloads) {
        if (found == 0) {
            c.out.array(2);
            c.out.bulk("0");
            c.out.array(0);
            return;
        }
        KeyspaceCommands.ScanOptions o = KeyspaceCommands.scanOptions(c, 3, false);
        if (o == null) {
            return;
        }
        Glob glob = o.glob;
        ReplyBuffer list = c.listing();
        CollectionView h = c.coll;
        int listed = 0;
        long next;
        if (h.encoding() != EntryType.ENCODING_TABLE) {
            h.rewind();
            while (h.next()) {
                listed += scanned(h, glob, list, payloads);
            }
            next = 0;
        } else {
            next = h.scan(cursor, o.count);
            while (h.nextScanned()) {
                listed += scanned(h, glob, list, payloads);
            }
        }
        c.out.array(2);
        c.out.bulk(Long.toUnsignedString(next));
        c.out.array(payloads ? listed * 2 : listed);
        list.replayTo(c.out);
    }

    private static int scanned(CollectionView h, Glob glob, ReplyBuffer list, boolean payloads) {
        DirectBuffer f = h.element();
        if (glob != null && !glob.match(f, 0, f.capacity())) {
            return 0;
        }
        list.bulk(f, 0, f.capacity());
        if (payloads) {
            DirectBuffer v = h.payload();
            list.bulk(v, 0, v.capacity());
        }
        return 1;
    }
}
