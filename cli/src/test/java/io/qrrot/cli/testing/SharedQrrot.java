package io.qrrot.cli.testing;

import io.qrrot.cli.DatabaseOpener;
import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.CommandSpec;
import io.qrrot.engine.ReplySink;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.QrrotOptions;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A database a test keeps open across {@code --embedded} runs of the command line: every run gets this view,
 * whose {@link #close} does nothing (the test closes the real one), and which counts the commands executed
 * through it by name (as INFO commandstats does on a server).
 */
public final class SharedQrrot implements Qrrot {
    private final Qrrot db;
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();

    public SharedQrrot(Qrrot db) {
        this.db = db;
    }

    /** An opener that hands out this view whatever directory it is asked for. */
    public DatabaseOpener opener() {
        return dir -> this;
    }

    /** How many times {@code command} (any case) ran since the last {@link #resetCalls}. */
    public long calls(String command) {
        AtomicLong n = calls.get(command.toLowerCase(Locale.ROOT));
        return n == null ? 0 : n.get();
    }

    public void resetCalls() {
        calls.clear();
    }

    @Override
    public Session newSession() {
        Session s = db.newSession();
        return new Session() {
            @Override
            public long execute(CommandArgs args, ReplySink out) {
                calls.computeIfAbsent(args.string(0).toLowerCase(Locale.ROOT), k -> new AtomicLong()).incrementAndGet();
                return s.execute(args, out);
            }

            @Override
            public boolean inTransaction() {
                return s.inTransaction();
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    @Override
    public void whenDurable(long lsn, DurabilityListener listener) {
        db.whenDurable(lsn, listener);
    }

    @Override
    public void endOfBatch() {
        db.endOfBatch();
    }

    @Override
    public List<CommandSpec> commands() {
        return db.commands();
    }

    @Override
    public Map<String, Map<String, String>> info() {
        return db.info();
    }

    @Override
    public SnapshotResult saveSnapshot() throws IOException {
        return db.saveSnapshot();
    }

    @Override
    public QrrotOptions options() {
        return db.options();
    }

    @Override
    public void setMaxMemory(long bytes) {
        db.setMaxMemory(bytes);
    }

    /** Does nothing: the test that opened the database closes it. */
    @Override
    public void close() {
    }
}
