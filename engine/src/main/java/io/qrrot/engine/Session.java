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

    void markDirty() {
        dirty = true;
    }

    boolean isDirty() {
        return dirty;
    }

    void clearDirty() {
        dirty = false;
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

    CommandArgs queuedArgs(int i) {
        return queuedArgs[i];
    }

    Command queuedCommand(int i) {
        return queuedCommands[i];
    }

    /** Ends the transaction state (not the WATCHes). */
    void resetMulti() {
        inMulti = false;
        txError = false;
        for (int i = 0; i < queued; i++) {
            queuedCommands[i] = null;
            if (queuedArgs[i].array().length > (1 << 20)) {
                queuedArgs[i] = null; // do not keep a huge argument buffer for the next transaction
            }
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
