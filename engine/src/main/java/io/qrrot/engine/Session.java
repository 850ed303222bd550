package io.qrrot.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * One client's state: its open transaction (the MULTI queue), its WATCHed keys, and the reusable buffers its
 * commands run with (so executing allocates nothing per command). Create with {@link Engine#newSession()}.
 *
 * <p>Not thread-safe: one thread at a time (a connection's). Other sessions' writes mark it dirty from their
 * threads, which is why that one flag is volatile.
 */
public final class Session implements AutoCloseable {
    private final Engine engine;
    final Ctx ctx;

    boolean inMulti;
    /** A command was refused while queueing: EXEC must fail with EXECABORT. */
    boolean txError;
    private volatile boolean dirty;

    /** Queued-command holders kept for the next transaction. */
    static final int KEEP_QUEUED = 16;
    /** A kept holder whose array grew past this is dropped instead. */
    static final int KEEP_ARGS_BYTES = 64 * 1024;

    /** Set by a blocking command that found nothing to pop: how long to block in ms (0: for ever); -1 none. */
    private long blockMillis = -1;

    private CommandArgs[] queuedArgs = new CommandArgs[4];
    private Command[] queuedCommands = new Command[4];
    private int queued;

    final List<Watches.Watch> watches = new ArrayList<>();

    Session(Engine engine) {
        this.engine = engine;
        this.ctx = new Ctx(engine, this);
    }

    Engine engine() {
        return engine;
    }

    /** True while a MULTI is open. */
    public boolean inTransaction() {
        return inMulti;
    }

    /**
     * After a blocking command (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP): how long its client is to block waiting for one of
     * its keys, in ms (0: for ever), when it found nothing to pop and replied nothing; -1 when it replied. Reads
     * and clears.
     */
    public long takeBlock() {
        long b = blockMillis;
        blockMillis = -1;
        return b;
    }

    void block(long millis) {
        blockMillis = millis;
    }

    void markDirty() {
        dirty = true;
    }

    boolean isDirty() {
        return dirty;
    }

    void clearDirty() {
        dirty = false;
    }

    /**
     * The heap one command holds once {@link #queue queued}, at most: its copy of the arguments (a
     * {@link CommandArgs} whose array starts at 256 bytes and doubles), the offset and length arrays, the objects
     * around them and its slots in the queue. Measured: 460 bytes for a SET of 20 bytes, 1,220 for one of
     * 1,015; this gives 496 and 1,255. A server checks it against its limits before queueing.
     */
    public static long queuedBytes(CommandArgs args) {
        long capacity = 256;
        long used = 0;
        int n = args.count();
        for (int i = 0; i < n; i++) {
            int len = args.length(i);
            if (capacity - used < len) {
                capacity = Math.max(capacity * 2, used + len);
            }
            used += len;
        }
        long slots = 8;
        while (slots < n) {
            slots *= 2;
        }
        return 128 + 16 + capacity + 2 * (16 + 4 * slots);
    }

    /** Copies a command into the transaction queue (reusing argument holders of earlier transactions). */
    void queue(Command cmd, CommandArgs args) {
        if (queued == queuedArgs.length) {
            queuedArgs = java.util.Arrays.copyOf(queuedArgs, queued * 2);
            queuedCommands = java.util.Arrays.copyOf(queuedCommands, queued * 2);
        }
        CommandArgs copy = queuedArgs[queued];
        if (copy == null) {
            copy = new CommandArgs();
            queuedArgs[queued] = copy;
        }
        copy.clear();
        for (int i = 0, n = args.count(); i < n; i++) {
            copy.add(args.array(), args.offset(i), args.length(i));
        }
        queuedCommands[queued] = cmd;
        queued++;
    }

    int queuedCount() {
        return queued;
    }

    /** Queued-command holders the session keeps (for tests of what a transaction leaves behind). */
    int heldQueueSlots() {
        int n = 0;
        for (CommandArgs a : queuedArgs) {
            n += a == null ? 0 : 1;
        }
        return n;
    }

    CommandArgs queuedArgs(int i) {
        return queuedArgs[i];
    }

    Command queuedCommand(int i) {
        return queuedCommands[i];
    }

    /**
     * Ends the transaction state (not the WATCHes). The argument holders of the first {@link #KEEP_QUEUED}
     * queued commands are kept for the next transaction, unless one grew past {@link #KEEP_ARGS_BYTES}; the
     * rest are dropped, so a session holds a large transaction's memory only until its EXEC or DISCARD.
     */
    void resetMulti() {
        inMulti = false;
        txError = false;
        for (int i = 0; i < queued; i++) {
            queuedCommands[i] = null;
            if (i >= KEEP_QUEUED || queuedArgs[i].array().length > KEEP_ARGS_BYTES) {
                queuedArgs[i] = null;
            }
        }
        if (queuedArgs.length > KEEP_QUEUED) {
            queuedArgs = java.util.Arrays.copyOf(queuedArgs, KEEP_QUEUED);
            queuedCommands = java.util.Arrays.copyOf(queuedCommands, KEEP_QUEUED);
        }
        queued = 0;
    }

    /** Drops the transaction and every WATCH. */
    @Override
    public void close() {
        resetMulti();
        engine.unwatchAll(this);
    }
}
