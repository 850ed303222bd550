package io.qrrot.engine;

import io.qrrot.engine.store.CollectionView;
import io.qrrot.engine.store.EntryType;
import io.qrrot.engine.store.EntryView;
import io.qrrot.engine.store.EntryVisitor;
import io.qrrot.engine.store.KeyHasher;
import io.qrrot.engine.store.Keyspace;
import io.qrrot.engine.store.KeyspaceConfig;
import io.qrrot.engine.store.Shard;
import io.qrrot.engine.store.StoreMemoryException;
import io.qrrot.engine.store.StoreStats;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.agrona.DirectBuffer;

/**
 * The in-memory database: a sharded off-heap keyspace plus Redis command semantics, transactions and
 * expiry. Commands become <b>effects</b> (after-images: PUT, DEL, EXPIRE, CLEAR; see {@link EffectCodec})
 * that go to an {@link EffectLog} before they are applied, so a log replayed with {@link #applyEffect}
 * rebuilds the same keyspace.
 *
 * <p><b>Dispatch.</b> Every command passes one gate: exists → arity → inside MULTI: no-multi flag → deny-oom
 * when over max memory → inside MULTI: queue → lock the shards of its keys (ascending) → handler → log the
 * effect → apply → reply.
 *
 * <p><b>Threading.</b> Thread-safe: any number of threads may execute commands, each with its own
 * {@link Session}; commands on keys in different shards run in parallel, and a multi-key command or EXEC
 * holds the locks of all its shards at once. {@link #applyEffect}, {@link #load} and {@link BulkLoader}s may
 * run concurrently with commands but are meant for recovery. {@link #close} must run when nothing else uses the engine.
 */
public final class Engine implements AutoCloseable {
    private final EngineConfig config;
    private final Clock clock;
    private final Keyspace ks;
    private final CommandTable table = new CommandTable();
    private final Watches watches;
    /** Keys with a TTL, per shard; guarded by the shard's lock. */
    private final long[] expires;
    private volatile long maxMemory;
    private final String keyTooBigError;
    /** Lookups by read-only commands that found their key, and that did not (INFO's keyspace_hits/misses). */
    final java.util.concurrent.atomic.LongAdder keyspaceHits = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder keyspaceMisses = new java.util.concurrent.atomic.LongAdder();
    /** Keys deleted because their TTL passed, when read or by active expiry (INFO's expired_keys). */
    final java.util.concurrent.atomic.LongAdder expiredKeys = new java.util.concurrent.atomic.LongAdder();

    private final Ctx replayCtx;
    private final ShardCollector replayShards = new ShardCollector();
    private final ActiveExpiry activeExpiry;
    private final Memcached memcached;

    public Engine(EngineConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        // The store gets no memory limit of its own (but the test seam's): maxmemory is enforced before a
        // command runs (Redis semantics, and changeable at run time), so an effect already in the log is
        // refused when applied only when the operating system refuses memory.
        this.ks = new Keyspace(KeyspaceConfig.defaults()
                .withShards(config.shards())
                .withExpectedKeys(config.expectedKeys())
                .withHasher(config.hasher())
                .withMaxMemoryBytes(config.storeMemoryLimitBytes()));
        this.watches = new Watches(ks);
        this.expires = new long[config.shards()];
        this.maxMemory = config.maxMemoryBytes();
        this.keyTooBigError = Errors.keyTooBig(config.maxKeyBytes());
        this.replayCtx = new Ctx(this, null);
        this.activeExpiry = new ActiveExpiry(this);
        this.memcached = new Memcached(this, clock.millis());
    }

    /** A new client session (its MULTI queue and WATCHes). Close it when the client goes. */
    public Session newSession() {
        return new Session(this);
    }

    /**
     * Executes one command. A mutation encodes its effect and calls {@code log.append} while holding the
     * locks of every shard it touches, then applies it; the reply goes to {@code out}. If
     * {@code log.append} throws {@link EffectLogException}, the store is unchanged and the reply is the
     * exception's message as an error (a read that only had expired keys to delete still gets its reply).
     * If the store then refuses the logged effect, the reply is the error {@link EffectLog#cannotApply}
     * returned.
     *
     * @return the highest LSN appended (0 if none): the reply must not reach the client before it is durable
     */
    public long execute(Session session, CommandArgs args, ReplySink out, EffectLog log) {
        if (args.count() == 0) {
            out.error("ERR empty command");
            return 0;
        }
        Command cmd = table.lookup(args);
        if (cmd == null) {
            reject(session, out, unknownCommand(args));
            return 0;
        }
        if (!cmd.spec.arityAccepts(args.count())) {
            if (cmd.exec) {
                abortExec(session, out, cmd.arityError.substring(4)); // Redis drops the ERR code here
            } else {
                reject(session, out, cmd.arityError);
            }
            return 0;
        }
        if (session.inMulti && cmd.noMulti) {
            reject(session, out, Errors.NOT_IN_MULTI);
            return 0;
        }
        if ((cmd.denyOom || cmd.exec) && overMaxMemory() && (cmd.denyOom || queuedDenyOom(session))) {
            if (cmd.exec) {
                abortExec(session, out, Errors.OOM);
            } else {
                reject(session, out, Errors.OOM);
            }
            return 0;
        }
        if (session.inMulti && !cmd.txControl) {
            session.queue(cmd, args);
            out.simple("QUEUED");
            return 0;
        }
        return run(session.ctx, cmd, args, out, log);
    }

    /**
     * Runs one memcached request (see {@link Memcached}). Its outcome goes to {@code out}; like
     * {@link #execute}, a change goes to {@code log} before it is applied.
     *
     * @return the highest LSN appended (0 if none): the reply must not reach the client before it is durable
     */
    public long executeMemcached(Session session, Memcached.Request request, Memcached.Sink out, EffectLog log) {
        return memcached.execute(session, request, out, log);
    }

    /** The memcached semantics and their CAS counter. */
    public Memcached memcached() {
        return memcached;
    }

    /** Redis refuses EXEC itself by discarding the transaction (whether or not one is open). */
    private void abortExec(Session session, ReplySink out, String why) {
        session.resetMulti();
        unwatchAll(session);
        out.error("EXECABORT Transaction discarded because of: " + why);
    }

    private static void reject(Session session, ReplySink out, String error) {
        if (session.inMulti) {
            session.txError = true;
        }
        out.error(error);
    }

    private boolean queuedDenyOom(Session s) {
        if (!s.inMulti) {
            return false;
        }
        for (int i = 0; i < s.queuedCount(); i++) {
            if (s.queuedCommand(i).denyOom) {
                return true;
            }
        }
        return false;
    }

    boolean overMaxMemory() {
        long max = maxMemory;
        return max > 0 && ks.usedMemory() > max;
    }

    /** Runs one command outside a transaction: lock, handler, commit, reply, unlock. */
    private long run(Ctx c, Command cmd, CommandArgs args, ReplySink out, EffectLog log) {
        c.bind(cmd, args);
        c.startClock();
        c.log = log;
        c.lsn = 0;
        if (cmd.write && c.oversizedKey(config.maxKeyBytes()) >= 0) {
            out.error(keyTooBigError);
            return 0;
        }
        boolean write = cmd.write;
        c.out = write ? c.replies : out;
        try {
            if (cmd.scope == Command.Scope.KEYS) {
                c.addKeyShards();
                c.locks.lock();
            } else if (cmd.scope == Command.Scope.ALL_SHARDS) {
                c.locks.addAll();
                c.locks.lock();
            }
            try {
                cmd.handler.run(c);
            } catch (WrongType e) {
                c.out.error(Errors.WRONGTYPE);
            }
            if (write) {
                try {
                    c.commit(log);
                } catch (EffectLogException e) {
                    c.replies.clear();
                    out.error(e.getMessage());
                    return 0;
                }
                c.replies.replayTo(out);
            } else {
                c.commitReadEffects(log);
            }
            return c.lsn;
        } finally {
            c.locks.unlock();
            c.effect.reset();
            c.replies.clear();
            c.trim();
            c.flushCounters();
        }
    }

    /**
     * Runs one of EXEC's queued commands; the caller holds every shard they need. The command's ops are applied
     * to the store as soon as it finishes, so the commands after it read what it wrote (a collection can only
     * be read from the store); the whole record is logged once, when EXEC ends. A command whose ops would take
     * the record past the log's limit gets an error instead, so that EXEC's single append cannot be refused
     * for its size once its ops are applied.
     *
     * @throws EffectLogException when the store refused to apply an op: the log has been told (fail-stop)
     */
    void runQueued(Ctx c, Command cmd, CommandArgs args) {
        c.bind(cmd, args);
        if (cmd.write && c.oversizedKey(config.maxKeyBytes()) >= 0) {
            c.out.error(keyTooBigError);
            return;
        }
        EffectWriter w = c.effect;
        w.startCommand();
        int from = w.ops();
        long replyMark = c.replies.mark();
        String refused = null;
        try {
            cmd.handler.run(c);
        } catch (WrongType e) {
            c.out.error(Errors.WRONGTYPE);
        } catch (RuntimeException e) {
            // Nothing of this command is applied yet, and the commands before it stay: it fails alone, as a
            // command fails inside a Redis transaction.
            refused = "ERR " + e.getMessage();
        }
        if (refused == null && w.length() > c.log.maxRecordBytes()) {
            refused = "ERR the transaction's effect would exceed the write-ahead log's record limit of "
                    + c.log.maxRecordBytes() + " bytes; split it into smaller transactions";
        }
        if (refused != null) {
            w.truncate(from);
            c.replies.rewind(replyMark); // what the command replied before it failed
            c.out.error(refused);
            return;
        }
        try {
            c.applier.apply(w, from);
        } catch (Applier.CannotApply e) {
            throw c.log.cannotApply(0, "the store could not apply a transaction's effect ("
                    + e.getCause().getMessage() + ")", e);
        }
    }

    /** Redis' text, byte for byte: name and arguments cut at 128 bytes, each argument quoted with a trailing space. */
    static String unknownCommand(CommandArgs a) {
        StringBuilder args = new StringBuilder();
        int argsBytes = 0;
        for (int i = 1; i < a.count() && argsBytes < 128; i++) {
            String s = cString(a, i, 128 - argsBytes);
            args.append('\'').append(s).append("' ");
            argsBytes += s.getBytes(StandardCharsets.UTF_8).length + 3;
        }
        String text = "ERR unknown command '" + cString(a, 0, 128) + "', with args beginning with: " + args;
        return text.replace('\r', ' ').replace('\n', ' ');
    }

    // An argument as C's %.Ns prints it: up to the first NUL byte and at most max bytes.
    private static String cString(CommandArgs a, int i, int max) {
        int len = Math.min(a.length(i), max);
        byte[] arr = a.array();
        int off = a.offset(i);
        for (int k = 0; k < len; k++) {
            if (arr[off + k] == 0) {
                len = k;
                break;
            }
        }
        return new String(arr, off, len, StandardCharsets.UTF_8);
    }

    // ---- WATCH bookkeeping ----

    Watches watches() {
        return watches;
    }

    /** Forgets a session's WATCHes and clears its dirty flag. */
    void unwatchAll(Session s) {
        watches.unwatchAll(s);
    }

    // ---- replay, load ----

    /**
     * Applies one effect record read from a log (WAL replay). Deterministic and idempotent: the record holds
     * after-images only, so applying a prefix of a log twice gives the same keyspace. Locks the shards the
     * record touches for the duration, so the record becomes visible whole.
     *
     * @throws EffectFormatException when the record is malformed (nothing is applied then)
     */
    public void applyEffect(DirectBuffer buf, int off, int len) {
        synchronized (replayCtx) {
            EffectCodec.validate(buf, off, len);
            LockSet locks = replayCtx.locks;
            replayShards.locks = locks;
            EffectCodec.decode(buf, off, len, replayShards);
            locks.lock();
            try {
                replayCtx.applier.applyRecord(buf, off, len);
            } finally {
                locks.unlock();
            }
        }
    }

    /**
     * Loads one entry from a snapshot, also one whose expiry has already passed. Reads treat it as missing and
     * expiry reclaims it, logging its deletion; skipping it instead would let the records after the snapshot
     * act on a key the server had: an EXPIRE that extended its TTL before the restart would be lost, and an
     * element put into a collection would make a new collection without the TTL that ends it.
     *
     * @param type         {@link EffectCodec#TYPE_STRING}, {@link EffectCodec#TYPE_INT} (8 bytes,
     *                     little-endian) or {@link EffectCodec#TYPE_JSON}
     * @param expiryMillis absolute expiry in epoch ms, 0 = none
     */
    public void load(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen,
                     long expiryMillis) {
        checkLoadable(type, vlen);
        synchronized (replayCtx) {
            Shard s = ks.shardFor(ks.hash(key, koff, klen));
            s.lock();
            try {
                replayCtx.applier.put(type, key, koff, klen, value, voff, vlen, expiryMillis);
            } finally {
                s.unlock();
            }
        }
    }

    /**
     * Loads one element of a collection from a snapshot, creating the key with {@code expiryMillis} when it is
     * missing (also when that expiry has passed, as {@link #load} does). A snapshot streams a collection element
     * by element.
     *
     * @param type a collection type: {@link EffectCodec#TYPE_HASH}, {@link EffectCodec#TYPE_SET} or
     *             {@link EntryType#ZSET}
     */
    public void loadElement(byte type, DirectBuffer key, int koff, int klen, long expiryMillis, DirectBuffer element,
                            int eoff, int elen, DirectBuffer payload, int poff, int plen) {
        checkLoadableCollection(type);
        synchronized (replayCtx) {
            long h = ks.hash(key, koff, klen);
            int si = ks.shardIndex(h);
            Shard s = ks.shard(si);
            s.lock();
            try {
                loadElement(s, si, h, type, key, koff, klen, expiryMillis, element, eoff, elen, payload, poff, plen);
            } finally {
                s.unlock();
            }
        }
    }

    /** Loads an element into a locked shard; true when it created the key. */
    boolean loadElement(Shard s, int si, long h, byte type, DirectBuffer key, int koff, int klen, long expiryMillis,
                        DirectBuffer element, int eoff, int elen, DirectBuffer payload, int poff, int plen) {
        EntryView view = loadView.get();
        boolean created = !s.find(key, koff, klen, h, view);
        if (!created && view.type() != type) {
            throw new IllegalArgumentException("a snapshot element of a " + EntryType.name(type) + " for a key"
                    + " that holds a " + EntryType.name(view.type()));
        }
        try {
            s.elementPut(key, koff, klen, h, type, element, eoff, elen, payload, poff, plen, maxPackedEntries(type),
                    maxPackedLength(type));
            if (created && expiryMillis != 0) {
                s.setExpiry(key, koff, klen, h, expiryMillis);
                adjustExpires(si, 1);
            }
        } catch (StoreMemoryException e) {
            throw Applier.cannotApply(e);
        }
        if (created) {
            watches.touch(si, key, koff, klen, h, true);
        }
        return created;
    }

    private final ThreadLocal<EntryView> loadView = ThreadLocal.withInitial(EntryView::new);

    static void checkLoadableCollection(byte type) {
        if (!EntryType.isCollection(type)) {
            throw new IllegalArgumentException("value type " + type
                    + " is not a collection; expected 4 (hash), 5 (list), 6 (set) or 7 (zset)");
        }
    }

    // ---- blocking pops ----

    /**
     * Told of every key that may have become ready for a blocked pop: a list or sorted set that gained elements. Called
     * on the writing thread while it applies the write, with the key's shard locked: it must only take note
     * (and take no shard lock).
     */
    public interface KeyReadyListener {
        void keyReady(DirectBuffer key, int off, int len);
    }

    private volatile KeyReadyListener keyReadyListener;

    /** Sets who is told of keys that may have become ready (a server with blocked clients); null for nobody. */
    public void setKeyReadyListener(KeyReadyListener listener) {
        keyReadyListener = listener;
    }

    void keyReady(DirectBuffer key, int off, int len) {
        KeyReadyListener l = keyReadyListener;
        if (l != null) {
            l.keyReady(key, off, len);
        }
    }

    // ---- collection encodings (CONFIG SET hash-max-listpack-entries and friends) ----

    private volatile int hashMaxPackedEntries = 512;
    private volatile int hashMaxPackedLength = 64;

    /** Most elements a hash keeps packed (Redis's {@code hash-max-listpack-entries}, default 512 as in Redis 7.0). */
    public int hashMaxListpackEntries() {
        return hashMaxPackedEntries;
    }

    public void setHashMaxListpackEntries(int entries) {
        if (entries < 0) {
            throw new IllegalArgumentException("hash-max-listpack-entries must be >= 0, got " + entries);
        }
        hashMaxPackedEntries = entries;
    }

    /** Longest field or value a hash keeps packed (Redis's {@code hash-max-listpack-value}, default 64). */
    public int hashMaxListpackValue() {
        return hashMaxPackedLength;
    }

    public void setHashMaxListpackValue(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("hash-max-listpack-value must be >= 0, got " + bytes);
        }
        hashMaxPackedLength = bytes;
    }

    /**
     * Sets a collection encoding threshold by its Redis name ({@code hash-max-listpack-entries},
     * {@code hash-max-listpack-value}, {@code set-max-intset-entries}, {@code zset-max-listpack-entries},
     * {@code zset-max-listpack-value}, or the old {@code ziplist} aliases); values above 2^31-1 count as
     * that. The new value decides conversions from the next write on; encoded collections stay as they are.
     *
     * @return false when the name is not one this engine knows
     */
    public boolean setEncodingLimit(String name, long value) {
        int v = (int) Math.max(0, Math.min(value, Integer.MAX_VALUE));
        switch (name) {
            case "hash-max-listpack-entries", "hash-max-ziplist-entries" -> setHashMaxListpackEntries(v);
            case "hash-max-listpack-value", "hash-max-ziplist-value" -> setHashMaxListpackValue(v);
            case "set-max-intset-entries" -> setMaxIntsetEntries = v;
            case "zset-max-listpack-entries", "zset-max-ziplist-entries" -> zsetMaxPackedEntries = v;
            case "zset-max-listpack-value", "zset-max-ziplist-value" -> zsetMaxPackedLength = v;
            default -> {
                return false;
            }
        }
        if (value > Integer.MAX_VALUE) {
            limitsAsSet.put(canonicalLimitName(name), value);
        } else {
            limitsAsSet.remove(canonicalLimitName(name));
        }
        return true;
    }

    /**
     * The threshold {@link #setEncodingLimit} sets, or -1 for a name this engine does not know: the value
     * given, as Redis reports it, even past the 2^31-1 the engine uses.
     */
    public long encodingLimit(String name) {
        long used = switch (name) {
            case "hash-max-listpack-entries", "hash-max-ziplist-entries" -> hashMaxPackedEntries;
            case "hash-max-listpack-value", "hash-max-ziplist-value" -> hashMaxPackedLength;
            case "set-max-intset-entries" -> setMaxIntsetEntries;
            case "zset-max-listpack-entries", "zset-max-ziplist-entries" -> zsetMaxPackedEntries;
            case "zset-max-listpack-value", "zset-max-ziplist-value" -> zsetMaxPackedLength;
            default -> -1;
        };
        Long asSet = used == Integer.MAX_VALUE ? limitsAsSet.get(canonicalLimitName(name)) : null;
        return asSet != null ? asSet : used;
    }

    private static String canonicalLimitName(String name) {
        return name.replace("ziplist", "listpack");
    }

    /** Thresholds {@link #setEncodingLimit} was given above 2^31-1, by their listpack names. */
    private final java.util.Map<String, Long> limitsAsSet = new java.util.concurrent.ConcurrentHashMap<>();

    private volatile int setMaxIntsetEntries = 512;
    private volatile int zsetMaxPackedEntries = 128;
    private volatile int zsetMaxPackedLength = 64;

    int maxPackedEntries(byte type) {
        return switch (type) {
            case EntryType.SET -> setMaxIntsetEntries;
            case EntryType.ZSET -> zsetMaxPackedEntries;
            default -> hashMaxPackedEntries;
        };
    }

    int maxPackedLength(byte type) {
        return type == EntryType.ZSET ? zsetMaxPackedLength : hashMaxPackedLength;
    }

    /**
     * A loader for one thread that loads snapshot entries as {@link #load} does, without a global lock and
     * keeping a shard locked while consecutive entries fall into it: several loaders on disjoint shard ranges
     * fill the store in parallel. Close it on the thread that used it.
     */
    public BulkLoader newBulkLoader() {
        return new BulkLoader(this);
    }

    /**
     * Grows the indexes of shards {@code from} (inclusive) to {@code to} (exclusive) to the size a keyspace
     * presized for {@code expectedKeys} keys would have given them, one shard lock at a time: lets loaders
     * that split the shards between them share the work of allocating the index (an engine built with
     * {@link EngineConfig#expectedKeys()} 0 does it up front on one thread otherwise).
     */
    public void presizeShards(int from, int to, long expectedKeys) {
        int slots = ks.shardCapacityFor(expectedKeys);
        for (int i = from; i < to; i++) {
            Shard s = ks.shard(i);
            s.lock();
            try {
                s.reserveIndex(slots);
            } finally {
                s.unlock();
            }
        }
    }

    /** Number of shards (a power of two). */
    public int shardCount() {
        return ks.shardCount();
    }

    static void checkLoadable(byte type, int vlen) {
        if ((type < EffectCodec.TYPE_STRING || type > EffectCodec.TYPE_JSON) && type != EffectCodec.TYPE_ITEM) {
            throw new IllegalArgumentException("unknown value type " + type
                    + "; expected 1 (string), 2 (int), 3 (json) or 8 (memcached item)");
        }
        if (type == EffectCodec.TYPE_INT && vlen != 8) {
            throw new IllegalArgumentException("an int value is 8 bytes, got " + vlen);
        }
        if (type == EffectCodec.TYPE_ITEM && vlen < EntryType.ITEM_HEAD) {
            throw new IllegalArgumentException("a memcached item is at least " + EntryType.ITEM_HEAD + " bytes, got "
                    + vlen);
        }
    }

    /** Collects the shards an effect record touches into a lock set. */
    private final class ShardCollector implements EffectVisitor {
        LockSet locks;

        @Override
        public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen,
                        long expiry) {
            locks.add(ks.shardIndex(ks.hash(key, koff, klen)));
        }

        @Override
        public void delete(DirectBuffer key, int koff, int klen) {
            locks.add(ks.shardIndex(ks.hash(key, koff, klen)));
        }

        @Override
        public void expire(DirectBuffer key, int koff, int klen, long expiry) {
            locks.add(ks.shardIndex(ks.hash(key, koff, klen)));
        }

        @Override
        public void clear() {
            locks.addAll();
        }

        @Override
        public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                               int elen, DirectBuffer payload, int poff, int plen) {
            locks.add(ks.shardIndex(ks.hash(key, koff, klen)));
        }

        @Override
        public void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                                  int elen) {
            locks.add(ks.shardIndex(ks.hash(key, koff, klen)));
        }
    }

    // ---- active expiry ----

    /**
     * One step of active expiry: continues a walk over the keyspace from where the last call stopped, one
     * shard batch at a time under that shard's lock, and deletes the keys whose expiry has passed, logging
     * one effect record (a DEL per key) per batch. Bounded: examines at most about {@code budget} entries,
     * and every shard at most once per call. Successive calls cover the whole keyspace, so every expired key
     * is reclaimed even if nobody reads it.
     *
     * @return the number of expired keys deleted (0 when there was nothing to do)
     * @throws EffectLogException when the log refuses a deletion (that batch is not applied; the next call
     *                            retries it)
     */
    /**
     * Redis' estimate of the remaining time to live of keys that have one, in ms, from the keys active expiry
     * meets (a running average; 0 before it met any). INFO's {@code avg_ttl}.
     */
    public long avgTtl() {
        return activeExpiry.avgTtl();
    }

    public int activeExpireCycle(EffectLog log, int budget) {
        return activeExpiry.cycle(log, budget);
    }

    /**
     * Calls {@code visitor.put} once for every stored entry, and for a collection {@code visitor.elementPut} once
     * per element followed by {@code visitor.expire} when it has a TTL (expired ones not yet reclaimed included: compare
     * the expiry with your clock), one shard at a time under that shard's lock. For tools, tests and
     * debugging; the visitor must not call back into the engine. Entries written meanwhile may or may not be
     * seen.
     */
    public void forEachEntry(EffectVisitor visitor) {
        CollectionView elements = new CollectionView();
        EntryVisitor each = e -> {
            if (!EntryType.isCollection(e.type())) {
                visitor.put(e.type(), e.key(), 0, e.keyLength(), e.value(), 0, e.valueLength(), e.expiry());
                return;
            }
            // A collection as the ops that would build it: its elements, then its expiry.
            elements.wrap(e);
            while (elements.next()) {
                DirectBuffer el = elements.element();
                DirectBuffer p = elements.payload();
                visitor.elementPut(e.type(), e.key(), 0, e.keyLength(), el, 0, el.capacity(), p, 0, p.capacity());
            }
            if (e.expiry() != 0) {
                visitor.expire(e.key(), 0, e.keyLength(), e.expiry());
            }
        };
        for (int i = 0; i < ks.shardCount(); i++) {
            Shard s = ks.shard(i);
            s.lock();
            try {
                long cursor = 0;
                do {
                    cursor = s.scan(cursor, 4096, each);
                } while (cursor != 0);
            } finally {
                s.unlock();
            }
        }
    }

    // ---- table, limits, stats ----

    /** The command table (data commands; the server adds its connection and admin commands). */
    public List<CommandSpec> commands() {
        return table.specs();
    }

    /** The same rows without an engine: what a client shows in its help and completion. */
    public static List<CommandSpec> commandSpecs() {
        return new CommandTable().specs();
    }

    /** Changes the memory limit past which deny-oom commands are refused; 0 removes it. */
    public void setMaxMemory(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("max memory must be >= 0 (0 = no limit), got " + bytes);
        }
        maxMemory = bytes;
    }

    public long maxMemory() {
        return maxMemory;
    }

    /** Keys, TTLs, memory and fragmentation; locks each shard in turn. */
    public EngineStats stats() {
        StoreStats st = ks.stats(new StoreStats());
        long exp = 0;
        for (int i = 0; i < expires.length; i++) {
            Shard s = ks.shard(i);
            s.lock();
            try {
                exp += expires[i];
            } finally {
                s.unlock();
            }
        }
        return new EngineStats(st.entries(), exp, st.entries(EffectCodec.TYPE_STRING), st.entries(EffectCodec.TYPE_INT),
                st.entries(EffectCodec.TYPE_JSON), st.entries(EntryType.HASH), st.entries(EntryType.LIST),
                st.entries(EntryType.SET),
                st.entries(EntryType.ZSET), st.entries(EntryType.ITEM), st.usedMemory(), st.allocatedBytes(), st.liveBytes(),
                st.indexBytes(), st.fragmentationBytes(), st.fragmentationRatio(), maxMemory);
    }

    /**
     * Bytes the key takes in the store (MEMORY USAGE): {@link Shard#memoryUsage}. A key whose TTL has passed
     * counts as absent, as every read sees it; it is not deleted here. Allocates its views (an admin
     * command, not a hot path).
     *
     * @return the bytes, or -1 when the key does not exist
     */
    public long memoryUsage(byte[] key) {
        org.agrona.concurrent.UnsafeBuffer k = new org.agrona.concurrent.UnsafeBuffer(key);
        long hash = ks.hash(key, 0, key.length);
        Shard s = ks.shardFor(hash);
        io.qrrot.engine.store.EntryView view = new io.qrrot.engine.store.EntryView();
        s.lock();
        try {
            long bytes = s.memoryUsage(k, 0, key.length, hash, view, new io.qrrot.engine.store.CollectionView());
            if (bytes >= 0 && view.expiry() != 0 && clock.millis() > view.expiry()) {
                return -1;
            }
            return bytes;
        } finally {
            s.unlock();
        }
    }

    /**
     * Counters since the engine started (they only grow): read-only lookups that found their key and that did
     * not, and keys deleted because their TTL passed.
     */
    public record Counters(long keyspaceHits, long keyspaceMisses, long expiredKeys) {
    }

    public Counters counters() {
        return new Counters(keyspaceHits.sum(), keyspaceMisses.sum(), expiredKeys.sum());
    }

    /** The function keys are hashed with to find their shard and index slot. */
    public KeyHasher keyHasher() {
        return config.hasher();
    }

    EngineConfig config() {
        return config;
    }

    Keyspace keyspace() {
        return ks;
    }

    Clock clock() {
        return clock;
    }

    void adjustExpires(int shard, int delta) {
        expires[shard] += delta;
    }

    void resetExpires(int shard) {
        expires[shard] = 0;
    }

    /** Frees all off-heap memory. Nothing may use the engine afterwards. */
    @Override
    public void close() {
        ks.close();
    }
}
