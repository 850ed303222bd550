package io.qrrot.recovery;

import io.qrrot.engine.CommandArgs;
import io.qrrot.testkit.TextReply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A test client of a {@link Qrrot}: runs a command, waits until its reply may be released, returns it as text. */
public final class Db {
    private final Qrrot db;
    private final Qrrot.Session session;

    public Db(Qrrot db) {
        this.db = db;
        this.session = db.newSession();
    }

    /** Runs a command and waits for durability; a log failure comes back as the error text. */
    public String run(String... args) {
        TextReply reply = new TextReply();
        long lsn = session.execute(CommandArgs.of(args), reply);
        String failure = awaitDurable(db, lsn, String.join(" ", args));
        return failure == null ? reply.text() : "(error) " + failure;
    }

    /**
     * Ends the batch and waits until {@code lsn} is durable: null, or the log's failure text. {@code what} names
     * the request when no answer comes within 30 s.
     */
    public static String awaitDurable(Qrrot db, long lsn, String what) {
        db.endOfBatch();
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
            return done.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("no durability answer for " + what, e);
        }
    }
}
