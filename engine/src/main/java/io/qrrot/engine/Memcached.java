package io.qrrot.engine;

import io.qrrot.engine.store.EntryType;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.DirectBuffer;

/**
 * memcached 1.6's storage semantics on the same keyspace as the Redis commands (memcached.c's
 * {@code do_store_item}, {@code do_add_delta}, {@code item_touch}): the server decodes a memcached request and
 * hands it here as a {@link Request}; the outcome comes back through a {@link Sink}, which the server turns into
 * reply text.
 *
 * <p><b>Values.</b> What memcached stores is kept as a memcached item ({@link EntryType#ITEM}: the client flags
 * and CAS unique in front of the bytes), which Redis clients read as a string. A memcached read sees every
 * string: a string, an int (its decimal text) or JSON (its text) written by Redis has flags 0 and a CAS unique
 * derived from its bytes ({@link #derivedCas}), so {@code cas} succeeds as long as the bytes are unchanged. A
 * collection (hash, list, set, sorted set) is not an item: reads skip it as a miss, {@code add} finds it there
 * ({@code NOT_STORED}), {@code set} and {@code replace} overwrite it as Redis's SET does, {@code append},
 * {@code prepend} answer {@code NOT_STORED}, incr and decr memcached's non-numeric error, {@code cas}
 * {@code EXISTS}; {@code delete} and {@code touch} act on it as DEL and EXPIRE do.
 *
 * <p><b>CAS uniques.</b> One engine-wide counter, as memcached has: every store gets the next value. It starts
 * at the clock's time in microseconds and is raised past every item the engine applies or loads
 * ({@link #seenCas}), so after a restart it continues above every CAS unique given out before, those of items
 * since deleted included. Counter values stay below 2^63; derived ones have the top bit set, so the two never
 * meet.
 *
 * <p><b>Expiry</b> is read as memcached reads it ({@link #expiry}). A store whose exptime has already passed
 * stores nothing and removes what was there: memcached links the item and no read ever sees it.
 *
 * <p><b>Durability.</b> Every change is an effect record like any command's: {@link #execute} returns its LSN,
 * and the reply waits for it.
 */
public final class Memcached {
    /** memcached's REALTIME_MAXDELTA: an exptime above it (30 days) is an absolute Unix time. */
    public static final int MAX_RELATIVE_EXPTIME = 60 * 60 * 24 * 30;
    /** {@link #expiry}'s answer for an exptime that has already passed. */
    public static final long EXPIRED = -1;
    private static final long DERIVED_CAS_BIT = Long.MIN_VALUE;

    /** The requests the engine runs; flush_all is the server's (a FLUSHALL), stats, version and the rest too. */
    public enum Op {
        GET, GETS, GAT, GATS, SET, ADD, REPLACE, APPEND, PREPEND, CAS, DELETE, INCR, DECR, TOUCH
    }

    /** What a request ends with. */
    public enum Status {
        STORED, NOT_STORED, EXISTS, NOT_FOUND, DELETED, TOUCHED, END
    }

    /** Where the outcome of a request goes; the server writes it as memcached's reply text. */
    public interface Sink {
        /**
         * One item a get, gets, gat or gats found: its key, client flags, bytes, CAS unique (unsigned 64-bit) and
         * expiry (epoch ms, 0 none; for gat and gats the one it had before). Items come in the order of the
         * request's keys; {@link Status#END} follows the last.
         */
        void value(DirectBuffer key, int koff, int klen, int flags, DirectBuffer data, int off, int len, long cas,
                   long expiry);

        /**
         * After a store or an incr/decr, just before its status or number: the CAS unique the key now has, and its
         * expiry before and after (epoch ms, 0 none), for the meta commands' {@code c} and {@code t} flags.
         */
        default void changed(long cas, long expiryBefore, long expiryAfter) {
        }

        void status(Status status);

        /** incr's and decr's new value, unsigned 64-bit. */
        void number(long value);

        /**
         * An error line ({@code CLIENT_ERROR …} or {@code SERVER_ERROR …}): it replaces whatever the request
         * wrote before it.
         */
        void error(String line);
    }

    /**
     * One request, reusable: its keys are arguments {@code 0 .. keys-1} of {@code args}; a storage request's
     * bytes are argument 1 (or {@link #valueArg}).
     */
    public static final class Request {
        Op op;
        CommandArgs args;
        int keys;
        int flags;
        int exptime;
        long number;
        int valueArg;
        long compareCas;
        boolean touch;
        boolean vivify;
        int vivifyExptime;
        long initial;
        long maxItemBytes = Long.MAX_VALUE;

        /**
         * The item size limit (memcached's {@code -I}) that append and prepend check the joined item against
         * ({@link #itemBytes}); a store request's own size is checked by the server before its data is read.
         */
        public Request itemLimit(long maxItemBytes) {
            this.maxItemBytes = maxItemBytes;
            return this;
        }

        /**
         * @param keys    how many of the arguments are keys (1 for all but get, gets, gat and gats)
         * @param flags   a storage request's client flags
         * @param exptime a storage request's, touch's, gat's and gats's exptime as sent
         * @param number  cas's CAS unique, incr's and decr's delta (both unsigned 64-bit)
         */
        public Request set(Op op, CommandArgs args, int keys, int flags, int exptime, long number) {
            this.op = op;
            this.args = args;
            this.keys = keys;
            this.flags = flags;
            this.exptime = exptime;
            this.number = number;
            this.valueArg = 1;
            this.compareCas = 0;
            this.touch = false;
            this.vivify = false;
            this.initial = 0;
            return this;
        }

        /**
         * The change happens only if the key's CAS unique is {@code cas} (else {@link Status#EXISTS}): the meta
         * commands' C token, for delete, append, prepend, incr and decr ({@link Op#CAS} compares its own).
         */
        public Request compareCas(long cas) {
            this.compareCas = cas;
            return this;
        }

        public Op op() {
            return op;
        }

        /** The argument holding a storage request's bytes (1 unless the key is followed by others: ms's flags). */
        public Request valueArg(int arg) {
            this.valueArg = arg;
            return this;
        }

        /** incr and decr also set the expiry from {@code exptime} (ma's T token). */
        public Request touch(int exptime) {
            this.touch = true;
            this.exptime = exptime;
            return this;
        }

        /**
         * incr and decr of a missing key create it holding {@code initial}, expiring as {@code exptime} says (ma's
         * N and J tokens); the reply is then {@code initial}.
         */
        public Request vivify(int exptime, long initial) {
            this.vivify = true;
            this.vivifyExptime = exptime;
            this.initial = initial;
            return this;
        }
    }

    /**
     * memcached's item header with its CAS unique ({@code sizeof(item)} 48, the CAS 8), the key's terminating NUL
     * (1) and the data block's {@code \r\n} (2).
     */
    private static final int ITEM_OVERHEAD = 48 + 8 + 1 + 2;

    /**
     * The bytes memcached's {@code item_make_header} counts for an item (header, CAS, key, flags when not 0,
     * data): an item fits when this is at most the item size limit {@code -I}.
     */
    public static long itemBytes(int keyLength, int flags, long dataBytes) {
        return ITEM_OVERHEAD + keyLength + (flags != 0 ? 4 : 0) + dataBytes;
    }

    static final String NON_NUMERIC = "CLIENT_ERROR cannot increment or decrement non-numeric value";
    static final String TOO_LARGE = "SERVER_ERROR object too large for cache";
    static final String OUT_OF_MEMORY = "SERVER_ERROR out of memory storing object";

    private final Engine engine;
    private final AtomicLong casCounter;

    /**
     * The counter starts at the time in microseconds: above every CAS unique an earlier run of the process could
     * have given out, unless it gave out more than one a microsecond on average, which no store rate comes near.
     * That holds also for uniques whose items are gone from the log and snapshot (deleted, flushed, or never made
     * durable before a crash, yet read by another client), which {@link #seenCas} cannot see.
     */
    Memcached(Engine engine, long startMillis) {
        this.engine = engine;
        this.casCounter = new AtomicLong(startMillis * 1000);
    }

    /** Keeps the CAS counter above a CAS unique the engine applies or loads. */
    void seenCas(long cas) {
        if (cas > casCounter.get()) {
            casCounter.accumulateAndGet(cas, Math::max);
        }
    }

    /** The highest CAS unique given out or seen so far. */
    public long lastCas() {
        return casCounter.get();
    }

    /**
     * memcached's exptime as an absolute expiry in epoch ms: 0 never expires, above 30 days an absolute Unix time,
     * else seconds from now; a negative exptime or an absolute time not after now gives {@link #EXPIRED}.
     */
    public static long expiry(int exptime, long nowMillis) {
        if (exptime == 0) {
            return 0;
        }
        if (exptime < 0) {
            return EXPIRED;
        }
        if (exptime > MAX_RELATIVE_EXPTIME) {
            long at = exptime * 1000L;
            return at <= nowMillis ? EXPIRED : at;
        }
        return nowMillis + exptime * 1000L;
    }

    /** The CAS unique of a string that is not a memcached item: a hash of its bytes, top bit set. */
    static long derivedCas(DirectBuffer data, int off, int len) {
        long h = 0xcbf29ce484222325L; // FNV-1a: stable across restarts and builds, unlike the keyspace's hash
        for (int i = 0; i < len; i++) {
            h ^= data.getByte(off + i) & 0xff;
            h *= 0x100000001b3L;
        }
        return h | DERIVED_CAS_BIT;
    }

    /**
     * Runs one request. Allocates nothing.
     *
     * @return the LSN the reply depends on (0 when nothing was logged): the reply must wait until it is durable
     */
    long execute(Session session, Request r, Sink out, EffectLog log) {
        Ctx c = session.ctx;
        c.cmd = null;
        c.bindArgs(r.args);
        c.startClock();
        c.log = log;
        c.lsn = 0;
        c.rawItems = true;
        try {
            switch (r.op) {
                case GET, GETS, GAT, GATS -> retrieve(c, r, out, log);
                default -> {
                    if (r.args.length(0) > engine.config().maxKeyBytes()) {
                        out.error("CLIENT_ERROR bad command line format");
                        return 0;
                    }
                    c.locks.add(c.ks.shardIndex(c.hash(0)));
                    c.locks.lock();
                    Status s = update(c, r, out);
                    if (s != null) {
                        c.commit(log);
                        long[] result = c.memcachedResult;
                        if (s == Status.STORED) {
                            out.changed(result[1], result[2], result[3]);
                        }
                        if (s == Status.STORED && (r.op == Op.INCR || r.op == Op.DECR)) {
                            out.number(result[0]); // delta's result
                        } else {
                            out.status(s);
                        }
                    }
                }
            }
            return c.lsn;
        } catch (EffectLogException e) {
            out.error("SERVER_ERROR " + e.getMessage());
            return 0;
        } finally {
            c.rawItems = false;
            c.locks.unlock();
            c.effect.reset();
            c.trim();
            c.flushCounters();
        }
    }

    /** get, gets, gat, gats: each key under its own shard's lock, as memcached reads each key alone. */
    private void retrieve(Ctx c, Request r, Sink out, EffectLog log) {
        boolean touch = r.op == Op.GAT || r.op == Op.GATS;
        long expiry = touch ? expiry(r.exptime, c.now()) : 0;
        for (int i = 0; i < r.keys; i++) {
            c.locks.add(c.ks.shardIndex(c.hash(i)));
            c.locks.lock();
            try {
                boolean hit = c.find(i) && isText(c.found);
                c.countLookup(hit);
                if (hit) {
                    emit(c, i, out);
                    if (touch) {
                        touchFound(c, i, expiry);
                    }
                }
                if (touch) {
                    c.commit(log);
                } else {
                    c.commitReadEffects(log);
                }
            } finally {
                c.locks.unlock();
                c.effect.reset();
            }
        }
        out.status(Status.END);
    }

    private static boolean isText(Found f) {
        return f.type == EntryType.ITEM || EntryType.isText(f.type);
    }

    /** Sends the found text value of key argument {@code i}. */
    private static void emit(Ctx c, int i, Sink out) {
        Found f = c.found;
        int flags = 0;
        long cas;
        DirectBuffer data = f.value;
        int off = f.offset;
        int len = f.length;
        if (f.type == EntryType.ITEM) {
            flags = data.getInt(off, EffectCodec.ORDER);
            cas = data.getLong(off + EntryType.ITEM_CAS_OFFSET, EffectCodec.ORDER);
            off += EntryType.ITEM_HEAD;
            len -= EntryType.ITEM_HEAD;
        } else if (f.isInt()) {
            len = Numbers.writeLong(c.scratch, 0, f.longValue());
            data = c.scratch;
            off = 0;
            cas = derivedCas(data, 0, len);
        } else {
            cas = derivedCas(data, off, len);
        }
        out.value(c.argBuffer, c.off(i), c.len(i), flags, data, off, len, cas, f.expiry);
    }

    /** Sets the found key's expiry (memcached's touch keeps the value and its CAS unique). */
    private static void touchFound(Ctx c, int keyArg, long expiry) {
        if (expiry == EXPIRED) {
            c.delete(keyArg);
        } else if (expiry != c.found.expiry) {
            c.expire(keyArg, expiry);
        }
    }

    /**
     * The writes: returns the status to reply once the effect is logged, or null when an error was replied;
     * a store and incr/decr leave the key's new CAS unique and its expiry before and after in
     * {@code c.memcachedResult[1..3]}, and incr/decr return STORED for their new value, left in
     * {@code c.memcachedResult[0]}.
     */
    private Status update(Ctx c, Request r, Sink out) {
        boolean exists = c.find(0);
        switch (r.op) {
            case DELETE -> {
                if (!exists) {
                    return Status.NOT_FOUND;
                }
                if (r.compareCas != 0 && !casMatches(c, r.compareCas)) {
                    return Status.EXISTS;
                }
                c.delete(0);
                return Status.DELETED;
            }
            case TOUCH -> {
                if (!exists) {
                    return Status.NOT_FOUND;
                }
                touchFound(c, 0, expiry(r.exptime, c.now()));
                return Status.TOUCHED;
            }
            case INCR, DECR -> {
                return delta(c, r, exists, out);
            }
            default -> {
                return store(c, r, exists, out);
            }
        }
    }

    private Status store(Ctx c, Request r, boolean exists, Sink out) {
        Found f = c.found;
        Op op = r.op;
        if (exists && op == Op.ADD || !exists && (op == Op.REPLACE || op == Op.APPEND || op == Op.PREPEND)) {
            return Status.NOT_STORED;
        }
        if (op == Op.CAS) {
            if (!exists) {
                return Status.NOT_FOUND;
            }
            if (!casMatches(c, r.number)) {
                return Status.EXISTS;
            }
        }
        if ((op == Op.APPEND || op == Op.PREPEND) && r.compareCas != 0 && !casMatches(c, r.compareCas)) {
            return Status.EXISTS;
        }
        long[] result = c.memcachedResult;
        result[2] = exists ? f.expiry : 0;
        if (engine.overMaxMemory()) {
            out.error(OUT_OF_MEMORY);
            return null;
        }
        int voff = c.off(r.valueArg);
        int vlen = c.len(r.valueArg);
        if (op == Op.APPEND || op == Op.PREPEND) {
            if (!isText(f)) {
                return Status.NOT_STORED;
            }
            // The old item's flags and expiry stay; the bytes join (an int's as its decimal text).
            int flags = 0;
            DirectBuffer old = f.value;
            int ooff = f.offset;
            int olen = f.length;
            if (f.type == EntryType.ITEM) {
                flags = old.getInt(ooff, EffectCodec.ORDER);
                ooff += EntryType.ITEM_HEAD;
                olen -= EntryType.ITEM_HEAD;
            } else if (f.isInt()) {
                olen = Numbers.writeLong(c.scratch, 0, f.longValue());
                old = c.scratch;
                ooff = 0;
            }
            if (itemBytes(c.len(0), flags, (long) olen + vlen) > r.maxItemBytes) {
                return Status.NOT_STORED; // memcached cannot allocate the joined item
            }
            if (!sizeOk(c, (long) olen + vlen, out)) {
                return null;
            }
            long cas = casCounter.incrementAndGet();
            result[1] = cas;
            result[3] = f.expiry;
            if (op == Op.APPEND) {
                c.effect.putItem(c.hash(0), c.argBuffer, c.off(0), c.len(0), flags, cas, old, ooff, olen,
                        c.argBuffer, voff, vlen, f.expiry);
            } else {
                c.effect.putItem(c.hash(0), c.argBuffer, c.off(0), c.len(0), flags, cas, c.argBuffer, voff, vlen,
                        old, ooff, olen, f.expiry);
            }
            return Status.STORED;
        }
        if (!sizeOk(c, vlen, out)) {
            return null;
        }
        long expiry = expiry(r.exptime, c.now());
        if (expiry == EXPIRED) {
            if (exists) {
                c.delete(0);
            }
            result[1] = 0;
            result[3] = 0;
            return Status.STORED;
        }
        long cas = casCounter.incrementAndGet();
        c.effect.putItem(c.hash(0), c.argBuffer, c.off(0), c.len(0), r.flags, cas, c.argBuffer, voff, vlen,
                c.argBuffer, 0, 0, expiry);
        result[1] = cas;
        result[3] = expiry;
        return Status.STORED;
    }

    /** The CAS unique of the found text value: an item's own, else derived from the bytes. */
    private static long currentCas(Ctx c) {
        Found f = c.found;
        if (f.type == EntryType.ITEM) {
            return f.value.getLong(f.offset + EntryType.ITEM_CAS_OFFSET, EffectCodec.ORDER);
        }
        if (f.isInt()) {
            int len = Numbers.writeLong(c.scratch, 0, f.longValue());
            return derivedCas(c.scratch, 0, len);
        }
        return derivedCas(f.value, f.offset, f.length);
    }

    private boolean sizeOk(Ctx c, long bytes, Sink out) {
        if (EntryType.ITEM_HEAD + bytes > engine.config().maxValueBytes()
                || !c.effect.fits(EntryType.ITEM_HEAD + bytes + c.len(0) + 1024)) {
            out.error(TOO_LARGE);
            return false;
        }
        return true;
    }

    /**
     * incr and decr (memcached's do_add_delta): the bytes must read as an unsigned decimal (strtoull with
     * memcached's checks); incr wraps at 2^64, decr stops at 0. A new value no longer than the old is written
     * over it, padded with spaces to the old length, as memcached does in place; a longer one is its digits.
     * The flags and expiry stay. A string or int written by Redis gets the digits alone, stored as Redis would
     * store them (an int when it fits), so a Redis counter stays one.
     */
    private Status delta(Ctx c, Request r, boolean exists, Sink out) {
        long[] result = c.memcachedResult;
        if (!exists) {
            if (!r.vivify) {
                return Status.NOT_FOUND;
            }
            // ma's N: a missing key is created holding the initial value, which is the reply.
            long expiry = r.touch ? expiry(r.exptime, c.now()) : expiry(r.vivifyExptime, c.now());
            int len = writeUnsigned(c.scratch, r.initial);
            long cas = casCounter.incrementAndGet();
            if (expiry != EXPIRED) {
                c.effect.putItem(c.hash(0), c.argBuffer, c.off(0), c.len(0), 0, cas, c.scratch, 0, len,
                        c.argBuffer, 0, 0, expiry);
            }
            result[0] = r.initial;
            result[1] = cas;
            result[2] = 0;
            result[3] = expiry == EXPIRED ? 0 : expiry;
            return Status.STORED;
        }
        Found f = c.found;
        if (!isText(f) || f.type == EntryType.ITEM && f.length == EntryType.ITEM_HEAD
                || f.type != EntryType.ITEM && f.length == 0) {
            out.error(NON_NUMERIC);
            return null;
        }
        if (r.compareCas != 0 && !casMatches(c, r.compareCas)) {
            return Status.EXISTS;
        }
        long value;
        int oldLength;
        if (f.isInt()) {
            if (f.longValue() < 0) {
                out.error(NON_NUMERIC);
                return null;
            }
            value = f.longValue();
            oldLength = Numbers.textLength(value);
        } else {
            int off = f.offset;
            int len = f.length;
            if (f.type == EntryType.ITEM) {
                off += EntryType.ITEM_HEAD;
                len -= EntryType.ITEM_HEAD;
            }
            long[] parsed = c.indexes;
            if (!strtoull(f.value, off, len, parsed)) {
                out.error(NON_NUMERIC);
                return null;
            }
            value = parsed[0];
            oldLength = len;
        }
        long delta = r.number;
        if (r.op == Op.INCR) {
            value += delta;
        } else {
            value = Long.compareUnsigned(delta, value) > 0 ? 0 : value - delta;
        }
        long expiry = r.touch ? expiry(r.exptime, c.now()) : f.expiry;
        int len = writeUnsigned(c.scratch, value);
        long cas;
        if (expiry == EXPIRED) {
            c.delete(0); // ma's T with a time already past: the new value is never seen
            cas = 0;
            expiry = 0;
        } else if (f.type == EntryType.ITEM) {
            int flags = f.value.getInt(f.offset, EffectCodec.ORDER);
            int stored = Math.max(len, oldLength);
            if (len < oldLength) {
                c.scratch.setMemory(len, oldLength - len, (byte) ' ');
            }
            cas = casCounter.incrementAndGet();
            c.effect.putItem(c.hash(0), c.argBuffer, c.off(0), c.len(0), flags, cas, c.scratch, 0, stored,
                    c.argBuffer, 0, 0, expiry);
        } else {
            cas = derivedCas(c.scratch, 0, len);
            c.putText(0, c.scratch, 0, len, expiry);
        }
        result[0] = value;
        result[1] = cas;
        result[2] = f.expiry;
        result[3] = expiry;
        return Status.STORED;
    }

    /** True when the found key is text whose CAS unique is {@code cas}. */
    private static boolean casMatches(Ctx c, long cas) {
        return isText(c.found) && currentCas(c) == cas;
    }

    private static int writeUnsigned(org.agrona.MutableDirectBuffer dst, long value) {
        if (value >= 0) {
            return Numbers.writeLong(dst, 0, value);
        }
        long high = Long.divideUnsigned(value, 10); // 20 digits: the first 19, then the last
        int len = Numbers.writeLong(dst, 0, high);
        dst.putByte(len, (byte) ('0' + Long.remainderUnsigned(value, 10)));
        return len + 1;
    }

    /**
     * memcached's safe_strtoull on an item's bytes (which memcached follows with {@code \r\n}): optional
     * whitespace, an optional sign, at least one digit, no overflow, then whitespace or the end; a value that is
     * negative as a signed 64-bit number is refused when the text has a minus sign.
     */
    static boolean strtoull(DirectBuffer b, int off, int len, long[] out) {
        int i = 0;
        while (i < len && isSpace(b.getByte(off + i))) {
            i++;
        }
        boolean minus = false;
        if (i < len && (b.getByte(off + i) == '+' || b.getByte(off + i) == '-')) {
            minus = b.getByte(off + i) == '-';
            i++;
        }
        int digits = i;
        long v = 0;
        while (i < len) {
            int d = b.getByte(off + i) - '0';
            if (d < 0 || d > 9) {
                break;
            }
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) {
                return false; // ERANGE
            }
            long next = v * 10 + d;
            if (Long.compareUnsigned(next, v * 10) < 0) {
                return false;
            }
            v = next;
            i++;
        }
        if (i == digits) {
            return false; // no digits: strtoull leaves endptr at the start
        }
        if (i < len && !isSpace(b.getByte(off + i)) && b.getByte(off + i) != 0) {
            return false; // the C string ends at a NUL
        }
        long result = minus ? -v : v;
        if (result < 0 && hasMinus(b, off, len)) {
            return false;
        }
        out[0] = result;
        return true;
    }

    /** strchr(str, '-') on the C string: up to the first NUL. */
    private static boolean hasMinus(DirectBuffer b, int off, int len) {
        for (int i = 0; i < len && b.getByte(off + i) != 0; i++) {
            if (b.getByte(off + i) == '-') {
                return true;
            }
        }
        return false;
    }

    private static boolean isSpace(byte ch) {
        return ch == ' ' || ch == '\t' || ch == '\n' || ch == 0x0b || ch == '\f' || ch == '\r';
    }
}
