package io.qrrot.cli.embedded;

import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.resp.ReplyTreeSink;
import io.qrrot.engine.CommandArgs;
import io.qrrot.recovery.Qrrot;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One session of a database opened in this process, used as a connection: runs a command, builds its reply
 * as a {@link Reply} tree (as a server speaking the given protocol would send it) and returns it only once the
 * write it depends on is durable; a failed durability wait turns the reply into the log's error, as the server
 * does. Its transaction and WATCHes are its own. Not thread-safe.
 */
public final class EmbeddedClient implements AutoCloseable {
    private final Qrrot db;
    private final Qrrot.Session session;
    private final int protocol;

    /** Opens a new session of {@code db}; {@code protocol} 2 or 3 shapes the replies. */
    public EmbeddedClient(Qrrot db, int protocol) {
        this.db = db;
        this.protocol = protocol;
        this.session = db.newSession();
    }

    public Qrrot db() {
        return db;
    }

    public int protocol() {
        return protocol;
    }

    /** True while a MULTI is open on this session. */
    public boolean inTransaction() {
        return session.inTransaction();
    }

    public Reply call(String... command) {
        CommandArgs args = new CommandArgs();
        for (String a : command) {
            args.add(a.getBytes(StandardCharsets.UTF_8));
        }
        return execute(args);
    }

    public Reply call(List<byte[]> command) {
        CommandArgs args = new CommandArgs();
        for (byte[] a : command) {
            args.add(a);
        }
        return execute(args);
    }

    private Reply execute(CommandArgs args) {
        ReplyTreeSink sink = new ReplyTreeSink(protocol);
        long lsn;
        try {
            lsn = session.execute(args, sink);
        } catch (RuntimeException e) {
            return new Reply.ErrorReply("ERR internal error executing '" + args.string(0).toLowerCase(Locale.ROOT)
                    + "': " + e);
        }
        List<Reply> replies = sink.take();
        if (replies.size() != 1) {
            throw new IllegalStateException("the command '" + args.string(0) + "' wrote " + replies.size()
                    + " replies instead of one");
        }
        if (lsn > 0) {
            db.endOfBatch();
            String failure = awaitDurable(lsn);
            if (failure != null) {
                return new Reply.ErrorReply(failure);
            }
        }
        return replies.get(0);
    }

    /** Waits until {@code lsn} is durable; returns null, or the log's error message. */
    private String awaitDurable(long lsn) {
        CompletableFuture<String> done = new CompletableFuture<>();
        db.whenDurable(lsn, new Qrrot.DurabilityListener() {
            @Override
            public void onDurable() {
                done.complete(null);
            }

            @Override
            public void onFailure(String message) {
                done.complete(message);
            }
        });
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "ERR interrupted while waiting for the write to reach the disk; it may or may not be durable";
        } catch (ExecutionException e) {
            return "ERR waiting for the write to reach the disk failed: " + e.getCause();
        }
    }

    /** Drops the transaction and WATCHes; the database stays open. */
    @Override
    public void close() {
        session.close();
    }
}
