package io.qrrot.cli.testing;

import io.qrrot.cli.DatabaseOpener;
import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.ReplySink;
import io.qrrot.recovery.ForwardingQrrot;
import io.qrrot.recovery.Qrrot;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A database a test keeps open across {@code --embedded} runs of the command line: every run gets this view,
 * whose {@link #close} does nothing (the test closes the real one), and which counts the commands executed
 * through it by name (as INFO commandstats does on a server).
 */
public final class SharedQrrot extends ForwardingQrrot {
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();

    public SharedQrrot(Qrrot db) {
        super(db);
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
        Session s = delegate.newSession();
        return new Session() {
            @Override
            public long execute(CommandArgs args, ReplySink out) {
                calls.computeIfAbsent(args.string(0).toLowerCase(Locale.ROOT), k -> new AtomicLong()).incrementAndGet();
                return s.execute(args, out);
            }

            @Override
            public long executeMemcached(io.qrrot.engine.Memcached.Request request,
                                         io.qrrot.engine.Memcached.Sink out) {
                return s.executeMemcached(request, out);
            }

            @Override
            public boolean inTransaction() {
                return s.inTransaction();
            }

            @Override
            public long takeBlock() {
                return s.takeBlock();
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    /** Does nothing: the test that opened the database closes it. */
    @Override
    public void close() {
    }
}
