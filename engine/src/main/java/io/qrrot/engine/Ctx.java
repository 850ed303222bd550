package io.qrrot.engine;

import io.qrrot.engine.store.CollectionView;
import io.qrrot.engine.store.EntryType;
import io.qrrot.engine.store.Keyspace;
import io.qrrot.engine.store.Shard;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.LongHashSet;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Everything one command needs while it runs, reused from command to command: the arguments, the reply
 * sink, the command's clock reading, the effect being built, the locks held, and scratch space. A session
 * owns one; the engine owns a few for its own work (replay, active expiry). Not thread-safe.
 *
 * <p><b>Reads see the command's own writes.</b> Handlers never touch the store; they emit effect ops, and
 * {@link #find} consults those ops before the store, so {@code DEL k k} deletes once and a transaction's
 * later commands see its earlier writes. {@link #commit} hands the finished record to the log and only then
 * applies it, so a log that refuses leaves the store exactly as it was.
 *
 * <p><b>Expiry is lazy.</b> A key whose expiry has passed ({@code now > expiry}, as Redis) is never
 * returned: {@link #find} emits its deletion, which goes to the log like any other effect.
 */
final class Ctx {
    final Engine engine;
    final Keyspace ks;
    final Session session;
    final EffectWriter effect = new EffectWriter();
    final ReplyBuffer replies = new ReplyBuffer();
    final Applier applier;
    final LockSet locks;
    final Found found = new Found();
    final Found found2 = new Found();
    /** The collection {@link #findHash} found. */
    final CollectionView coll = new CollectionView();
    /** A second collection: a list command's destination. */
    final CollectionView coll2 = new CollectionView();
    /** A list label as its 8 log bytes. */
    final UnsafeBuffer labelBytes = new UnsafeBuffer(new byte[8]);
    /** ZMPOP's, LMPOP's and their blocking forms' arguments. */
    final MultiPop multiPop = new MultiPop();
    /**
     * A memcached change's outcome (see {@link Memcached}): incr's new value, the CAS unique, the expiry before and
     * after.
     */
    final long[] memcachedResult = new long[4];
    /** LRANGE's and LTRIM's start and stop. */
    final long[] indexes = new long[2];
    /** Whether the last label a list command asked for came with a rewrite of the list (ListCommands). */
    boolean listRewritten;
    /** SCAN's, HSCAN's and SSCAN's options, read by {@link KeyspaceCommands#scanOptions}. */
    final KeyspaceCommands.ScanOptions scanOptions = new KeyspaceCommands.ScanOptions();
    /** Element hashes seen earlier in the command's arguments, to count a field named twice once. */
    private LongHashSet seenHashes = new LongHashSet();
    final MutableLong num = new MutableLong();
    /** Prints sorted-set scores into {@link #scoreText}; the score's 8 payload bytes go through {@link #scoreBytes}. */
    final Scores.Printer printer = new Scores.Printer();
    final UnsafeBuffer scoreText = new UnsafeBuffer(new byte[Scores.MAX_TEXT]);
    final UnsafeBuffer scoreBytes = new UnsafeBuffer(new byte[8]);
    /** The range a sorted-set command parsed. */
    final ZSetCommands.ScoreRange scoreRange = new ZSetCommands.ScoreRange();
    final ZSetCommands.LexRange lexRange = new ZSetCommands.LexRange();
    final ZSetCommands.Packing packing = new ZSetCommands.Packing();
    ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(64);
    private long random = System.nanoTime() | 1;

    CommandArgs args;
    DirectBuffer argBuffer;
    ReplySink out;
    /** Where this command's effect goes (per-shard commits of SCAN and friends need it). */
    EffectLog log;
    Command cmd;
    private final Clock clock;
    private long now;
    private boolean nowRead;
    /** Highest LSN this command (or EXEC) appended. */
    long lsn;
    /** True while EXEC runs its queued commands: every shard the transaction needs is already locked. */
    boolean inTransaction;
    /** Keys copied out of a store scan (KEYS, SCAN, ALL, RANDOMKEY). */
    final KeyBatch batch = new KeyBatch();
    private final ReplyBuffer listing = new ReplyBuffer();
    /** Elements recorded by the last keyspace walk. */
    int listed;
    /**
     * True while a memcached request runs: it reads a memcached item whole, head (flags, CAS unique) included;
     * every other command reads one as the string after its head.
     */
    boolean rawItems;
    /** False while KEYS runs: it filters expired keys out without deleting them, as Redis does. */
    boolean lazyDelete = true;
    /** Lookups of read-only commands since the last {@link #flushCounters}: found, and not found. */
    private int hits;
    private int misses;
    private long[] hashes = new long[8];
    private boolean[] hashed = new boolean[8];

    Ctx(Engine engine, Session session) {
        this.engine = engine;
        this.ks = engine.keyspace();
        this.session = session;
        this.applier = new Applier(engine);
        this.locks = new LockSet(ks);
        this.clock = engine.clock();
    }

    /** Starts a command (or an EXEC): its time is read from the clock once, when first needed. */
    void startClock() {
        nowRead = false;
    }

    /**
     * The command's time in epoch ms: the same for the whole command or EXEC (as Redis' command time
     * snapshot), and never read from the clock by commands that do not need it.
     */
    long now() {
        if (!nowRead) {
            now = clock.millis();
            nowRead = true;
        }
        return now;
    }

    /** Points the context at one command's arguments and computes its key hashes. */
    void bind(Command command, CommandArgs a) {
        cmd = command;
        bindArgs(a);
    }

    /** Points the context at arguments that are not a command of the table's (a memcached request's). */
    void bindArgs(CommandArgs a) {
        args = a;
        argBuffer = a.buffer();
        int argc = a.count();
        if (hashed.length < argc) {
            int n = Math.max(argc, hashed.length * 2);
            hashes = new long[n];
            hashed = new boolean[n];
        } else {
            java.util.Arrays.fill(hashed, 0, argc, false);
        }
    }

    /** Adds the shards of the bound command's key arguments to {@link #locks}. */
    void addKeyShards() {
        int first = cmd.spec.firstKey();
        if (first <= 0) {
            return;
        }
        int last = cmd.lastKey(args.count());
        int step = Math.max(1, cmd.spec.keyStep());
        for (int i = first; i <= last; i += step) {
            locks.add(ks.shardIndex(hash(i)));
        }
    }

    /** The first key argument longer than the key limit, or -1. */
    int oversizedKey(long maxKeyBytes) {
        int first = cmd.spec.firstKey();
        if (first <= 0) {
            return -1;
        }
        int last = cmd.lastKey(args.count());
        int step = Math.max(1, cmd.spec.keyStep());
        for (int i = first; i <= last; i += step) {
            if (args.length(i) > maxKeyBytes) {
                return i;
            }
        }
        return -1;
    }

    // ---- arguments ----

    int argc() {
        return args.count();
    }

    int off(int i) {
        return args.offset(i);
    }

    int len(int i) {
        return args.length(i);
    }

    boolean argIs(int i, String upperCaseWord) {
        return args.is(i, upperCaseWord);
    }

    /** The keyspace hash of argument {@code i}, computed once per command. */
    long hash(int i) {
        if (!hashed[i]) {
            hashes[i] = ks.hash(argBuffer, args.offset(i), args.length(i));
            hashed[i] = true;
        }
        return hashes[i];
    }

    /** Parses argument {@code i} as a canonical integer into {@link #num}; false when it is not one. */
    boolean parseLong(int i) {
        return Numbers.parseLong(argBuffer, args.offset(i), args.length(i), num);
    }

    /** Like {@link #parseLong} but replies Redis' "not an integer" error and returns false on failure. */
    boolean longArgOrReply(int i) {
        if (parseLong(i)) {
            return true;
        }
        out.error(Errors.NOT_INTEGER);
        return false;
    }

    // ---- reads ----

    /** Looks up key argument {@code i} into {@link #found}. */
    boolean find(int i) {
        return find(found, argBuffer, args.offset(i), args.length(i), hash(i));
    }

    /** Looks up key argument {@code i} into {@code into}. */
    boolean find(Found into, int i) {
        return find(into, argBuffer, args.offset(i), args.length(i), hash(i));
    }

    /**
     * Looks a key up as this command sees it (its own earlier ops first, then the store) and fills
     * {@code into}. An expired key is reported missing and its deletion is emitted. The caller holds the
     * key's shard lock.
     *
     * @return true when the key exists and has not expired
     */
    boolean find(Found into, DirectBuffer key, int koff, int klen, long hash) {
        boolean hit = findLive(into, key, koff, klen, hash);
        if (cmd != null && cmd.readOnly) {
            if (hit) {
                hits++;
            } else {
                misses++;
            }
        }
        return hit;
    }

    /** Counts a lookup of a command outside the table (a memcached read) as a keyspace hit or miss. */
    void countLookup(boolean hit) {
        if (hit) {
            hits++;
        } else {
            misses++;
        }
    }

    /** Adds this command's keyspace hits and misses to the engine's counters: once a command, not once a key. */
    void flushCounters() {
        if (hits > 0) {
            engine.keyspaceHits.add(hits);
            hits = 0;
        }
        if (misses > 0) {
            engine.keyspaceMisses.add(misses);
            misses = 0;
        }
    }

    private boolean findLive(Found into, DirectBuffer key, int koff, int klen, long hash) {
        boolean overridden = false;
        if (effect.ops() > 0) {
            int r = effect.latest(key, koff, klen, hash);
            if (r == EffectWriter.DELETED) {
                return false;
            }
            overridden = effect.expiryOverridden();
            if (r >= 0) {
                into.type = effect.putType(r);
                into.value = effect.buffer();
                into.offset = effect.putValueOffset(r);
                into.length = effect.putValueLength(r);
                into.expiry = effect.putExpiry(r);
            } else if (!fromStore(into, key, koff, klen, hash)) {
                return false;
            }
            if (overridden) {
                into.expiry = effect.expiryOverride();
            }
        } else if (!fromStore(into, key, koff, klen, hash)) {
            return false;
        }
        into.item = into.type == EntryType.ITEM;
        if (into.item && !rawItems) {
            into.type = EntryType.STRING;
            into.offset += EntryType.ITEM_HEAD;
            into.length -= EntryType.ITEM_HEAD;
        }
        if (into.expiry != 0 && now() > into.expiry) {
            if (lazyDelete) {
                effect.delete(hash, key, koff, klen);
                engine.expiredKeys.increment();
            }
            return false;
        }
        return true;
    }

    /**
     * Looks up key argument {@code i} for a string command: true when it exists and its value is text
     * (string, int or JSON).
     *
     * @throws WrongType when it holds a collection: the engine replies WRONGTYPE
     */
    boolean findText(int i) {
        if (!find(i)) {
            return false;
        }
        if (!EntryType.isText(found.type)) {
            throw WrongType.INSTANCE;
        }
        return true;
    }

    /**
     * Looks up key argument {@code i} as a hash: 1 when it exists ({@link #coll} then shows it), 0 when it does
     * not, -1 when it holds another type (WRONGTYPE has been replied).
     */
    int findHash(int i) {
        if (!find(i)) {
            return 0;
        }
        if (found.type != EntryType.HASH) {
            out.error(Errors.WRONGTYPE);
            return -1;
        }
        // A hash is never an after-image in the effect being built, so the view is the store's entry.
        coll.wrap(found.view);
        return 1;
    }

    /** Starts remembering which arguments a command has seen (see {@link #seenBefore}). */
    void startSeen() {
        seenHashes.clear();
    }

    /**
     * True when argument {@code i} equals one of the arguments {@code first, first + step, …} before it: a
     * field named twice in one command counts once, as in Redis. Call for each argument in order after
     * {@link #startSeen}.
     */
    boolean seenBefore(int i, int first, int step) {
        if (i == first && i + step >= args.count()) {
            return false; // the only one: nothing to remember
        }
        long h = ks.hash(argBuffer, args.offset(i), args.length(i));
        if (seenHashes.add(h)) {
            return false;
        }
        for (int j = first; j < i; j += step) {
            if (argsEqual(i, j)) {
                return true;
            }
        }
        return false;
    }

    /** True when arguments {@code i} and {@code j} have the same bytes. */
    boolean argsEqual(int i, int j) {
        int len = args.length(i);
        if (args.length(j) != len) {
            return false;
        }
        byte[] a = args.array();
        return java.util.Arrays.equals(a, args.offset(i), args.offset(i) + len, a, args.offset(j), args.offset(j) + len);
    }

    /**
     * Logs a DEL of key argument {@code keyArg} after an ELEMENTS_DEL that removed all {@code count} elements
     * of its collection. Replay deletes the emptied key anyway; the snapshot fold, which sees element changes
     * sorted by element rather than in log order, needs the key-level DEL to know the collection (and its TTL)
     * ended there (see docs/formats.md, "Effect records").
     */
    void deleteIfEmptied(int keyArg, long removed, long count) {
        if (removed > 0 && removed == count) {
            delete(keyArg);
        }
    }

    /**
     * Tells WATCH that key argument {@code keyArg} (which exists) was written although nothing in it changed, as
     * Redis's signalModifiedKey does for LTRIM that keeps everything: nothing is logged.
     */
    void touch(int keyArg) {
        long h = hash(keyArg);
        engine.watches().touch(ks.shardIndex(h), argBuffer, args.offset(keyArg), args.length(keyArg), h, true);
    }

    /** Starts an element op on key argument {@code keyArg}. */
    void beginElements(int keyArg, byte op, byte type) {
        effect.beginElements(hash(keyArg), op, type, argBuffer, args.offset(keyArg), args.length(keyArg));
    }

    private boolean fromStore(Found into, DirectBuffer key, int koff, int klen, long hash) {
        Shard s = ks.shardFor(hash);
        if (!s.find(key, koff, klen, hash, into.view)) {
            return false;
        }
        into.type = into.view.type();
        into.value = into.view.value();
        into.offset = 0;
        into.length = into.view.valueLength();
        into.expiry = into.view.expiry();
        return true;
    }

    // ---- writes (effect ops) ----

    void put(int keyArg, byte type, DirectBuffer value, int voff, int vlen, long expiry) {
        effect.put(hash(keyArg), type, argBuffer, args.offset(keyArg), args.length(keyArg), value, voff, vlen, expiry);
    }

    void putLong(int keyArg, long value, long expiry) {
        effect.putLong(hash(keyArg), argBuffer, args.offset(keyArg), args.length(keyArg), value, expiry);
    }

    /**
     * Stores argument {@code valueArg} under key argument {@code keyArg} as Redis would: a canonical
     * integer text becomes an INT, anything else a string.
     */
    void putText(int keyArg, int valueArg, long expiry) {
        int voff = args.offset(valueArg);
        int vlen = args.length(valueArg);
        putText(keyArg, argBuffer, voff, vlen, expiry);
    }

    void putText(int keyArg, DirectBuffer value, int voff, int vlen, long expiry) {
        if (Numbers.parseLong(value, voff, vlen, num)) {
            putLong(keyArg, num.get(), expiry);
        } else {
            put(keyArg, EffectCodec.TYPE_STRING, value, voff, vlen, expiry);
        }
    }

    void delete(int keyArg) {
        effect.delete(hash(keyArg), argBuffer, args.offset(keyArg), args.length(keyArg));
    }

    void expire(int keyArg, long expiry) {
        effect.expire(hash(keyArg), argBuffer, args.offset(keyArg), args.length(keyArg), expiry);
    }

    /** True when a value of {@code length} bytes is within the limit; otherwise replies the error. */
    boolean valueSizeOk(long length) {
        if (length > engine.config().maxValueBytes() || !effect.fits(length + 1024)) {
            out.error(Errors.TOO_BIG);
            return false;
        }
        return true;
    }

    // ---- commit ----

    /**
     * Appends the effect built so far to {@code log} and applies it; the caller holds the locks of every
     * shard it touches.
     *
     * @return the record's LSN, or 0 when the command changed nothing
     * @throws EffectLogException when the log refused (the effect is dropped and the store is unchanged), or
     *                            the one {@link EffectLog#cannotApply} returned when the store refused an op
     *                            of the logged record (the ops before it stay applied)
     */
    long commit(EffectLog log) {
        if (effect.ops() == 0) {
            return 0;
        }
        effect.finish();
        long appended;
        try {
            appended = log.append(effect.buffer(), 0, effect.length());
        } catch (RuntimeException e) {
            effect.reset();
            throw e;
        }
        try {
            applier.apply(effect);
        } catch (Applier.CannotApply e) {
            // Memory no longer matches the log, and a multi-op record may be half applied. The log hears of
            // it while this command still holds the shard locks, so no other command sees that state
            // before the log refuses writes.
            throw log.cannotApply(appended, Applier.cannotApplyReason(appended, e), e);
        } finally {
            effect.reset();
        }
        lsn = Math.max(lsn, appended);
        return appended;
    }

    /**
     * Logs a record whose ops are already applied (EXEC's, see {@link Engine#runQueued}).
     *
     * @param wrote whether the record holds writes; when it only deletes keys that had expired, a refusal
     *              changes nothing anyone can see and the log's error is thrown as it is
     * @throws EffectLogException when the log refused: memory now holds what the log does not, so the log
     *                            is told ({@link EffectLog#cannotApply}: fail-stop) and its error thrown
     */
    long commitApplied(EffectLog log, boolean wrote) {
        if (effect.ops() == 0) {
            return 0;
        }
        effect.finish();
        long appended;
        try {
            appended = log.append(effect.buffer(), 0, effect.length());
        } catch (EffectLogException e) {
            if (!wrote) {
                throw e;
            }
            throw log.cannotApply(0, "a transaction applied in memory could not be logged (" + e.getMessage()
                    + ")", e);
        } finally {
            effect.reset();
        }
        lsn = Math.max(lsn, appended);
        return appended;
    }

    /**
     * Commits what reads emitted (deletions of expired keys) when the log accepts them and drops them
     * otherwise: an expired key stays invisible either way, and a read must not fail because the log did.
     */
    long commitReadEffects(EffectLog log) {
        try {
            return commit(log);
        } catch (EffectLogException e) {
            return 0;
        }
    }

    /** Lets go of scratch space an unusually large command needed (called after each command). */
    void trim() {
        if (scratch.capacity() > (4 << 20)) {
            scratch = new ExpandableArrayBuffer(64);
        }
        if (seenHashes.capacity() > 4096) {
            seenHashes = new LongHashSet(); // its clear() costs its whole size: keep it small between commands
        }
    }

    /** A cleared buffer to record a listing into before its length is known. */
    ReplyBuffer listing() {
        listing.clear();
        return listing;
    }

    /** A pseudo-random long (xorshift; RANDOMKEY and sampling need no cryptographic quality). */
    long nextRandom() {
        long x = random;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        random = x;
        return x;
    }
}
