package io.qrrot.engine;

import io.qrrot.engine.store.CanonicalInteger;
import io.qrrot.engine.store.CollectionView;
import io.qrrot.engine.store.EntryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.agrona.DirectBuffer;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The set commands, with Redis 7.0's replies and errors. A write logs the members it added (ELEMENTS_PUT with
 * empty payloads) or removed (ELEMENTS_DEL: SREM, SPOP's popped members, SMOVE's source), never the set; a
 * STORE command logs a DEL of the target and the result's members, and so does an SPOP that takes most of a
 * set (Redis then builds a new set of the rest, which may change its encoding). Replies that Redis sends as a
 * set (SMEMBERS, SINTER, SUNION, SDIFF, SPOP with a count) are RESP3 sets. A result that Redis would hold as an
 * intset (only integers, at most {@code set-max-intset-entries}) comes in ascending order as Redis's does; any
 * other comes in the set's own order, which Redis does not define either.
 *
 * <p>The single-key commands allocate nothing; the multi-set ones (SINTER, SUNION, SDIFF and their STORE and
 * CARD forms) and SPOP/SRANDMEMBER with a count build their result on the heap, as they are O(N) anyway.
 */
final class SetCommands {
    static final String MUST_BE_POSITIVE = "ERR value is out of range, must be positive";
    static final String NUMKEYS = "ERR numkeys should be greater than 0";
    static final String TOO_MANY_KEYS = "ERR Number of keys can't be greater than number of args";
    static final String LIMIT_NEGATIVE = "ERR LIMIT can't be negative";
    /** Redis' SPOP_MOVE_STRATEGY_MUL: SPOP builds a new set when what stays is at most 1/5 of the count. */
    private static final int SPOP_MOVE_STRATEGY_MUL = 5;

    private SetCommands() {
    }

    /** Key argument {@code i} as a set: 1 ({@link Ctx#coll} shows it), 0 missing, -1 WRONGTYPE replied. */
    private static int findSet(Ctx c, int i) {
        if (!c.find(i)) {
            return 0;
        }
        if (c.found.type != EntryType.SET) {
            c.out.error(Errors.WRONGTYPE);
            return -1;
        }
        c.coll.wrap(c.found.view);
        return 1;
    }

    static void sadd(Ctx c) {
        int r = findSet(c, 1);
        if (r < 0) {
            return;
        }
        int added = 0;
        c.startSeen();
        for (int i = 2; i < c.argc(); i++) {
            if (c.seenBefore(i, 2, 1) || (r > 0 && c.coll.find(c.argBuffer, c.off(i), c.len(i)))) {
                continue;
            }
            if (added == 0) {
                c.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EntryType.SET);
            }
            c.effect.addElement(c.argBuffer, c.off(i), c.len(i), c.argBuffer, 0, 0);
            added++;
        }
        c.out.integer(added);
    }

    static void srem(Ctx c) {
        int r = findSet(c, 1);
        if (r >= 0) {
            HashCommands.removeElements(c, r, EntryType.SET);
        }
    }

    static void sismember(Ctx c) {
        int r = findSet(c, 1);
        if (r >= 0) {
            c.out.integer(r > 0 && c.coll.find(c.argBuffer, c.off(2), c.len(2)) ? 1 : 0);
        }
    }

    static void smismember(Ctx c) {
        int r = findSet(c, 1);
        if (r < 0) {
            return;
        }
        c.out.array(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            c.out.integer(r > 0 && c.coll.find(c.argBuffer, c.off(i), c.len(i)) ? 1 : 0);
        }
    }

    static void scard(Ctx c) {
        int r = findSet(c, 1);
        if (r >= 0) {
            c.out.integer(r > 0 ? c.coll.count() : 0);
        }
    }

    static void smembers(Ctx c) {
        int r = findSet(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0) {
            c.out.set(0);
            return;
        }
        CollectionView s = c.coll;
        c.out.set((int) s.count());
        s.rewind();
        while (s.next()) {
            DirectBuffer m = s.element();
            c.out.bulk(m, 0, m.capacity());
        }
    }

    static void smove(Ctx c) {
        if (!c.find(1)) {
            c.out.integer(0);
            return;
        }
        boolean dstExists = c.found.type == EntryType.SET && c.find(c.found2, 2);
        if (c.found.type != EntryType.SET || (dstExists && c.found2.type != EntryType.SET)) {
            c.out.error(Errors.WRONGTYPE);
            return;
        }
        CollectionView src = c.coll.wrap(c.found.view);
        boolean member = src.find(c.argBuffer, c.off(3), c.len(3));
        if (c.argsEqual(1, 2) || !member) {
            c.out.integer(member ? 1 : 0);
            return;
        }
        long srcCount = src.count();
        // Like Redis, a destination that already has the member is not written (nor touched for WATCH).
        boolean add = !dstExists || !c.coll.wrap(c.found2.view).find(c.argBuffer, c.off(3), c.len(3));
        c.beginElements(1, EffectCodec.OP_ELEMENTS_DEL, EntryType.SET);
        c.effect.addRemoved(c.argBuffer, c.off(3), c.len(3));
        c.deleteIfEmptied(1, 1, srcCount);
        if (add) {
            c.beginElements(2, EffectCodec.OP_ELEMENTS_PUT, EntryType.SET);
            c.effect.addElement(c.argBuffer, c.off(3), c.len(3), c.argBuffer, 0, 0);
        }
        c.out.integer(1);
    }

    static void spop(Ctx c) {
        if (c.argc() > 3) {
            c.out.error(Errors.SYNTAX);
            return;
        }
        long count = 1;
        if (c.argc() == 3) {
            if (!c.parseLong(2) || c.num.get() < 0) {
                c.out.error(MUST_BE_POSITIVE);
                return;
            }
            count = c.num.get();
        }
        int r = findSet(c, 1);
        if (r < 0) {
            return;
        }
        if (c.argc() == 2) {
            if (r == 0) {
                c.out.nil();
                return;
            }
            c.coll.random(c.nextRandom());
            DirectBuffer m = c.coll.element();
            c.beginElements(1, EffectCodec.OP_ELEMENTS_DEL, EntryType.SET);
            c.effect.addRemoved(m, 0, m.capacity());
            c.deleteIfEmptied(1, 1, c.coll.count());
            c.out.bulk(m, 0, m.capacity());
            return;
        }
        if (r == 0 || count == 0) {
            c.out.set(0);
            return;
        }
        CollectionView s = c.coll;
        long size = s.count();
        if (count >= size) {
            // The whole set, and the key goes. Redis replies it as SUNION of the one set would: a result that
            // can be an intset (only integers, within set-max-intset-entries) in ascending order, even when
            // the set itself is a hashtable.
            List<byte[]> all = new ArrayList<>((int) size);
            s.rewind();
            while (s.next()) {
                all.add(bytes(s.element()));
            }
            inIntsetOrder(c, all);
            c.out.set(all.size());
            for (byte[] m : all) {
                c.out.bulk(m, 0, m.length);
            }
            c.delete(1);
            return;
        }
        List<byte[]> picked = distinct(c, s, (int) count);
        UnsafeBuffer b = new UnsafeBuffer(0, 0);
        if ((size - count) * SPOP_MOVE_STRATEGY_MUL > count) {
            c.out.set(picked.size());
            c.beginElements(1, EffectCodec.OP_ELEMENTS_DEL, EntryType.SET);
            for (byte[] m : picked) {
                b.wrap(m);
                c.effect.addRemoved(b, 0, m.length);
                c.out.bulk(m, 0, m.length);
            }
            return;
        }
        // Most of the set: Redis then builds a new set of the members that stay (an intset when they can be
        // one, whatever the set was) in place of the old, keeping its TTL, and replies the popped members in
        // the old set's order. So does this: a DEL and the rest logged anew, which is also the shorter log.
        Set<String> popped = new HashSet<>();
        for (byte[] m : picked) {
            popped.add(new String(m, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        List<byte[]> rest = new ArrayList<>((int) (size - count));
        c.out.set(picked.size());
        s.rewind();
        while (s.next()) {
            byte[] m = bytes(s.element());
            if (popped.contains(new String(m, java.nio.charset.StandardCharsets.ISO_8859_1))) {
                c.out.bulk(m, 0, m.length);
            } else {
                rest.add(m);
            }
        }
        long expiry = c.found.expiry;
        c.delete(1);
        c.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EntryType.SET);
        for (byte[] m : rest) {
            b.wrap(m);
            c.effect.addElement(b, 0, m.length, b, 0, 0);
        }
        if (expiry != 0) {
            c.expire(1, expiry);
        }
    }

    static void srandmember(Ctx c) {
        if (c.argc() > 3) {
            c.out.error(Errors.SYNTAX);
            return;
        }
        if (c.argc() == 2) {
            int r = findSet(c, 1);
            if (r < 0) {
                return;
            }
            if (r == 0) {
                c.out.nil();
                return;
            }
            c.coll.random(c.nextRandom());
            DirectBuffer m = c.coll.element();
            c.out.bulk(m, 0, m.capacity());
            return;
        }
        if (!c.parseLong(2)) {
            c.out.error(Errors.NOT_INTEGER);
            return;
        }
        long l = c.num.get();
        if (l == Long.MIN_VALUE) {
            c.out.error(Errors.LONG_RANGE);
            return;
        }
        int r = findSet(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0 || l == 0) {
            c.out.array(0);
            return;
        }
        CollectionView s = c.coll;
        if (l < 0 || l == 1) {
            long count = l < 0 ? -l : 1;
            if (!RandomElements.repeatsAllowed(c, count, "members")) {
                return;
            }
            c.out.array((int) count);
            for (long i = 0; i < count; i++) {
                s.random(c.nextRandom());
                DirectBuffer m = s.element();
                c.out.bulk(m, 0, m.capacity());
            }
            return;
        }
        if (l >= s.count()) {
            c.out.array((int) s.count());
            s.rewind();
            while (s.next()) {
                DirectBuffer m = s.element();
                c.out.bulk(m, 0, m.capacity());
            }
            return;
        }
        List<byte[]> picked = distinct(c, s, (int) l);
        c.out.array(picked.size());
        for (byte[] m : picked) {
            c.out.bulk(m, 0, m.length);
        }
    }

    private static byte[] bytes(DirectBuffer b) {
        return RandomElements.bytes(b);
    }

    /** {@code count} distinct members, fewer than the set has, in random order. */
    private static List<byte[]> distinct(Ctx c, CollectionView s, int count) {
        List<byte[]> out = new ArrayList<>(count);
        for (byte[][] m : RandomElements.distinct(c, s, count, false)) {
            out.add(m[0]);
        }
        return out;
    }

    // ---- SINTER, SUNION, SDIFF and their STORE and CARD forms ----

    static void sinter(Ctx c) {
        combine(c, Op.INTER, 1, c.argc() - 1, -1, 0, false);
    }

    static void sinterstore(Ctx c) {
        combine(c, Op.INTER, 2, c.argc() - 2, 1, 0, false);
    }

    static void sunion(Ctx c) {
        combine(c, Op.UNION, 1, c.argc() - 1, -1, 0, false);
    }

    static void sunionstore(Ctx c) {
        combine(c, Op.UNION, 2, c.argc() - 2, 1, 0, false);
    }

    static void sdiff(Ctx c) {
        combine(c, Op.DIFF, 1, c.argc() - 1, -1, 0, false);
    }

    static void sdiffstore(Ctx c) {
        combine(c, Op.DIFF, 2, c.argc() - 2, 1, 0, false);
    }

    /** SINTERCARD numkeys key [key ...] [LIMIT limit]. */
    static void sintercard(Ctx c) {
        if (!c.parseLong(1) || c.num.get() < 1) {
            c.out.error(NUMKEYS);
            return;
        }
        long numkeys = c.num.get();
        if (numkeys > c.argc() - 2) {
            c.out.error(TOO_MANY_KEYS);
            return;
        }
        long limit = 0;
        for (int j = 2 + (int) numkeys; j < c.argc(); j++) {
            int more = c.argc() - 1 - j;
            if (c.argIs(j, "LIMIT") && more > 0) {
                j++;
                if (!c.parseLong(j) || c.num.get() < 0) {
                    c.out.error(LIMIT_NEGATIVE);
                    return;
                }
                limit = c.num.get();
            } else {
                c.out.error(Errors.SYNTAX);
                return;
            }
        }
        combine(c, Op.INTER, 2, (int) numkeys, -1, limit, true);
    }

    private enum Op { INTER, UNION, DIFF }

    /**
     * The set operation over key arguments {@code first .. first + n - 1}: replied as a set, or stored under
     * key argument {@code store} (a DEL and the result's members) with its size replied, or with {@code card}
     * only its size (at most {@code limit} when that is not 0).
     */
    private static void combine(Ctx c, Op op, int first, int n, int store, long limit, boolean card) {
        CollectionView[] sets = new CollectionView[n];
        boolean anyMissing = false;
        for (int j = 0; j < n; j++) {
            Found f = new Found();
            if (!c.find(f, first + j)) {
                anyMissing = true;
                continue;
            }
            if (f.type != EntryType.SET) {
                c.out.error(Errors.WRONGTYPE);
                return;
            }
            sets[j] = new CollectionView().wrap(f.view);
        }
        List<byte[]> result = new ArrayList<>();
        switch (op) {
            case INTER -> {
                if (!anyMissing) {
                    intersect(sets, result, card ? limit : 0);
                }
            }
            case UNION -> {
                Set<String> seen = new LinkedHashSet<>();
                for (CollectionView s : sets) {
                    addAll(s, seen, result);
                }
            }
            default -> {
                if (sets[0] != null) {
                    sets[0].rewind();
                    while (sets[0].next()) {
                        DirectBuffer m = sets[0].element();
                        boolean elsewhere = false;
                        for (int j = 1; j < n && !elsewhere; j++) {
                            elsewhere = sets[j] != null && (c.argsEqual(first, first + j)
                                    || sets[j].find(m, 0, m.capacity()));
                        }
                        if (!elsewhere) {
                            result.add(bytes(m));
                        }
                    }
                }
            }
        }
        if (card) {
            c.out.integer(limit > 0 ? Math.min(limit, result.size()) : result.size());
            return;
        }
        boolean intset = inIntsetOrder(c, result);
        if (store < 0) {
            c.out.set(result.size());
            for (byte[] m : result) {
                c.out.bulk(m, 0, m.length);
            }
            return;
        }
        if (c.find(c.found2, store)) {
            c.delete(store);
        }
        if (!result.isEmpty()) {
            // Where Redis' result is a hashtable of integers only (SDIFFSTORE copying a table, then removing),
            // it is created as a table here too.
            boolean asTable = intset && op == Op.DIFF && diffBuildsTable(c, sets, first, n);
            c.beginElements(store, EffectCodec.OP_ELEMENTS_PUT,
                    (byte) (EntryType.SET | (asTable ? EffectCodec.AS_TABLE : 0)));
            UnsafeBuffer b = new UnsafeBuffer(0, 0);
            for (byte[] m : result) {
                b.wrap(m);
                c.effect.addElement(b, 0, m.length, b, 0, 0);
            }
        }
        c.out.integer(result.size());
    }

    /**
     * Whether Redis' SDIFFSTORE stores a hashtable whatever the members left. When the first set is large next
     * to the others, Redis' second algorithm copies the whole first set into the result before removing the
     * others' members, and a result that became a hashtable (a member that is no integer, more members than
     * set-max-intset-entries) stays one.
     */
    private static boolean diffBuildsTable(Ctx c, CollectionView[] sets, int first, int n) {
        CollectionView s0 = sets[0];
        if (s0 == null) {
            return false;
        }
        long one = 0;
        long two = 0;
        for (int j = 0; j < n; j++) {
            if (sets[j] != null) {
                if (j > 0 && c.argsEqual(first, first + j)) {
                    return false; // the first set again: Redis' result is empty
                }
                one += s0.count();
                two += sets[j].count();
            }
        }
        if (one / 2 <= two) {
            return false; // the first algorithm: only the members that stay are added
        }
        if (s0.count() > Math.min(c.engine.maxPackedEntries(EntryType.SET), 1 << 30)) {
            return true;
        }
        if (s0.encoding() == EntryType.ENCODING_INTSET) {
            return false;
        }
        MutableLong v = new MutableLong();
        s0.rewind();
        while (s0.next()) {
            DirectBuffer m = s0.element();
            if (!CanonicalInteger.parse(m, 0, m.capacity(), v)) {
                return true;
            }
        }
        return false;
    }

    /** The members of every set, smallest set first, found in all the others, up to {@code limit} (0: all). */
    private static void intersect(CollectionView[] sets, List<byte[]> result, long limit) {
        CollectionView[] bySize = sets.clone();
        Arrays.sort(bySize, (a, b) -> Long.compare(a.count(), b.count()));
        CollectionView smallest = bySize[0];
        smallest.rewind();
        while (smallest.next()) {
            DirectBuffer m = smallest.element();
            boolean inAll = true;
            for (int j = 1; j < bySize.length && inAll; j++) {
                inAll = bySize[j] == smallest || bySize[j].find(m, 0, m.capacity());
            }
            if (inAll) {
                result.add(bytes(m));
                if (limit > 0 && result.size() >= limit) {
                    return;
                }
            }
        }
    }

    private static void addAll(CollectionView s, Set<String> seen, List<byte[]> result) {
        if (s == null) {
            return;
        }
        s.rewind();
        while (s.next()) {
            byte[] m = bytes(s.element());
            if (seen.add(new String(m, java.nio.charset.StandardCharsets.ISO_8859_1))) {
                result.add(m);
            }
        }
    }

    /**
     * Sorts a result numerically when Redis would hold it as an intset (every member an integer, at most
     * {@code set-max-intset-entries}): Redis replies such a set in ascending order.
     *
     * @return whether it was such a result
     */
    private static boolean inIntsetOrder(Ctx c, List<byte[]> result) {
        if (result.size() > c.engine.maxPackedEntries(EntryType.SET)) {
            return false;
        }
        long[] values = new long[result.size()];
        MutableLong v = new MutableLong();
        UnsafeBuffer b = new UnsafeBuffer(0, 0);
        for (int i = 0; i < values.length; i++) {
            b.wrap(result.get(i));
            if (!CanonicalInteger.parse(b, 0, b.capacity(), v)) {
                return false;
            }
            values[i] = v.get();
        }
        Arrays.sort(values);
        result.clear();
        for (long x : values) {
            result.add(Long.toString(x).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        return true;
    }

    /** SSCAN key cursor [MATCH pattern] [COUNT count]. */
    static void sscan(Ctx c) {
        if (!KeyspaceCommands.parseCursor(c, 2)) {
            return;
        }
        long cursor = c.num.get();
        int r = findSet(c, 1);
        if (r < 0) {
            return;
        }
        HashCommands.scanElements(c, r, cursor, false);
    }
}
