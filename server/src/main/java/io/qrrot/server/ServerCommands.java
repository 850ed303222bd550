package io.qrrot.server;

import io.qrrot.engine.CommandArgs;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.fold.FoldAbortedException;
import io.qrrot.server.resp.RespEncoder;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's own commands (connection, CLIENT, CONFIG, INFO, snapshots, SHUTDOWN; SLOWLOG, LATENCY and
 * MEMORY in their own classes). Each handler runs on
 * the connection's event loop after the dispatch gate has checked existence, arity and authentication,
 * writes exactly one reply, or marks the connection blocked and replies later from the admin thread.
 */
final class ServerCommands {
    private static final Logger log = LoggerFactory.getLogger(ServerCommands.class);

    private ServerCommands() {
    }

    static final String NO_SNAPSHOTS_IN_A_GROUP = "ERR a member of a replicated group keeps its data in the Raft"
            + " log; snapshots of a member (SAVE, BGSAVE, SNAPSHOT) are not built yet";

    static void run(ServerCommand cmd, ClientConnection c) {
        CommandArgs a = c.args;
        RespEncoder r = c.reply;
        switch (cmd) {
            case PING -> {
                if (a.count() > 2) {
                    r.error(Errors.wrongArity("ping"));
                } else if (r.protocol() == 2 && PubSub.subscribed(c)) {
                    // Redis' reply in RESP2 subscribed mode: a two-element array, as a message would be.
                    r.array(2);
                    r.bulk("pong");
                    if (a.count() == 2) {
                        r.bulk(a.array(), a.offset(1), a.length(1));
                    } else {
                        r.bulk("");
                    }
                } else if (a.count() == 2) {
                    r.bulk(a.array(), a.offset(1), a.length(1));
                } else {
                    r.simple("PONG");
                }
            }
            case ECHO -> r.bulk(a.array(), a.offset(1), a.length(1));
            case TIME -> {
                Instant now = Instant.now();
                r.array(2);
                r.bulkLong(now.getEpochSecond());
                r.bulkLong(now.getNano() / 1000);
            }
            case QUIT -> {
                r.simple("OK");
                c.closeAfterReply = true;
            }
            case RESET -> reset(c, r);
            case SELECT -> {
                long db = CommandReplies.parseLong(a, 1);
                if (db == Long.MIN_VALUE) {
                    r.error(Errors.NOT_INTEGER);
                } else if (db != 0) {
                    r.error("ERR DB index is out of range");
                } else {
                    r.simple("OK");
                }
            }
            case AUTH -> auth(c, r, a);
            case HELLO -> hello(c, r, a);
            case CLIENT -> ClientCommand.run(c, r, a);
            case COMMAND -> CommandReplies.command(c.server, r, a);
            case CONFIG -> config(c, r, a);
            case INFO -> r.verbatim(InfoReport.build(c.server, sections(a)));
            case SAVE, BGSAVE, SNAPSHOT -> {
                if (c.server.cluster != null) {
                    // before any work: these would start a fold of a WAL a member does not have
                    r.error(NO_SNAPSHOTS_IN_A_GROUP);
                } else if (cmd == ServerCommand.SAVE) {
                    save(c, r);
                } else if (cmd == ServerCommand.BGSAVE) {
                    bgsave(c, r, a);
                } else {
                    SnapshotCommand.run(c, r, a);
                }
            }
            case LASTSAVE -> r.integer(InfoReport.lastSave(c.server));
            case SHUTDOWN -> shutdown(c, r, a);
            case SLOWLOG -> SlowLog.run(c, r, a);
            case LATENCY -> LatencyMonitor.run(c, r, a);
            case MEMORY -> MemoryCommand.run(c, r, a);
            case CLUSTER, READONLY, READWRITE, ASKING, ROLE -> ClusterCommands.run(cmd, c, r, a);
            case SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB -> PubSub.run(cmd, c, r, a);
            default -> throw new IllegalStateException("no handler for " + cmd);
        }
    }

    // ---------------------------------------------------------------- connection

    private static void reset(ClientConnection c, RespEncoder r) {
        SnapshotCommand.release(c);
        c.server.pubsub.dropAll(c);
        try {
            c.session.close();
        } finally {
            c.session = c.server.db.newSession();
        }
        c.name = "";
        c.readOnly = false;
        c.reply.protocol(2);
        c.protocolSnapshot = 2;
        c.authenticated = c.server.requirePass == null;
        r.simple("RESET");
    }

    private static void auth(ClientConnection c, RespEncoder r, CommandArgs a) {
        if (a.count() > 3) {
            r.error(Errors.SYNTAX);
            return;
        }
        if (a.count() == 2 && c.server.requirePass == null) {
            r.error("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
            return;
        }
        String user = a.count() == 3 ? a.string(1) : "default";
        if (checkPassword(c.server, user, a, a.count() - 1)) {
            c.authenticated = true;
            r.simple("OK");
        } else {
            r.error("WRONGPASS invalid username-password pair or user is disabled.");
        }
    }

    /** The only user is "default"; without requirepass it takes any password, as Redis' nopass user. */
    private static boolean checkPassword(ServerContext s, String user, CommandArgs a, int passwordArg) {
        if (!user.equals("default")) {
            return false;
        }
        String pass = s.requirePass;
        if (pass == null) {
            return true;
        }
        return MessageDigest.isEqual(pass.getBytes(StandardCharsets.UTF_8), a.bytes(passwordArg));
    }

    private static void hello(ClientConnection c, RespEncoder r, CommandArgs a) {
        long version = 0;
        if (a.count() >= 2) {
            version = CommandReplies.parseLong(a, 1);
            if (version == Long.MIN_VALUE) {
                r.error("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (version < 2 || version > 3) {
                r.error("NOPROTO unsupported protocol version");
                return;
            }
        }
        int authAt = -1;
        String clientName = null;
        for (int j = 2; j < a.count(); j++) {
            int more = a.count() - 1 - j;
            if (a.is(j, "AUTH") && more >= 2) {
                authAt = j;
                j += 2;
            } else if (a.is(j, "SETNAME") && more >= 1) {
                clientName = a.string(j + 1);
                j++;
            } else {
                r.error("ERR Syntax error in HELLO option '" + a.string(j) + "'");
                return;
            }
        }
        if (authAt > 0) {
            if (!checkPassword(c.server, a.string(authAt + 1), a, authAt + 2)) {
                r.error("WRONGPASS invalid username-password pair or user is disabled.");
                return;
            }
            c.authenticated = true;
        }
        if (c.authRequired()) {
            r.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
                    + "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
                    + "protocol version at the same time");
            return;
        }
        if (clientName != null) {
            String err = ClientCommand.validateName(clientName);
            if (err != null) {
                r.error(err);
                return;
            }
            c.name = clientName;
        }
        if (version != 0) {
            r.protocol((int) version);
            c.protocolSnapshot = (int) version;
        }
        r.map(7);
        r.bulk("server");
        r.bulk("qrrot");
        r.bulk("version");
        r.bulk(ServerContext.REDIS_COMPAT_VERSION);
        r.bulk("proto");
        r.integer(r.protocol());
        r.bulk("id");
        r.integer(c.id);
        r.bulk("mode");
        r.bulk("standalone");
        r.bulk("role");
        r.bulk("master");
        r.bulk("modules");
        r.array(0);
    }

    // ---------------------------------------------------------------- CONFIG

    private static void config(ClientConnection c, RespEncoder r, CommandArgs a) {
        if (a.is(1, "GET")) {
            if (a.count() < 3) {
                r.error(Errors.wrongArity("config|get"));
                return;
            }
            List<String> patterns = new ArrayList<>();
            for (int i = 2; i < a.count(); i++) {
                patterns.add(a.string(i));
            }
            List<String[]> found = c.server.config.get(patterns);
            r.map(found.size());
            for (String[] kv : found) {
                r.bulk(kv[0]);
                r.bulk(kv[1]);
            }
        } else if (a.is(1, "SET")) {
            if (a.count() < 4 || (a.count() - 2) % 2 != 0) {
                r.error(Errors.wrongArity("config|set"));
                return;
            }
            List<String> pairs = new ArrayList<>();
            for (int i = 2; i < a.count(); i++) {
                pairs.add(a.string(i));
            }
            String err = c.server.config.set(pairs);
            if (err == null) {
                r.simple("OK");
            } else {
                r.error(err);
            }
        } else if (a.is(1, "RESETSTAT")) {
            if (a.count() != 2) {
                r.error(Errors.wrongArity("config|resetstat"));
                return;
            }
            c.server.resetStats();
            r.simple("OK");
        } else if (a.is(1, "REWRITE")) {
            if (a.count() != 2) {
                r.error(Errors.wrongArity("config|rewrite"));
                return;
            }
            r.error("ERR The server is running without a config file");
        } else if (a.is(1, "HELP") && a.count() == 2) {
            CommandReplies.help(r, "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                    "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
                    "RESETSTAT", "    Reset statistics reported by the INFO command.",
                    "REWRITE", "    Not supported: qrrot takes its settings from the command line.",
                    "HELP", "    Print this help.");
        } else {
            r.error(Errors.unknownSubcommand(a));
        }
    }

    private static List<String> sections(CommandArgs a) {
        List<String> s = new ArrayList<>();
        for (int i = 1; i < a.count(); i++) {
            s.add(a.string(i).toLowerCase(Locale.ROOT));
        }
        return s;
    }

    // ---------------------------------------------------------------- snapshots and shutdown

    private static void save(ClientConnection c, RespEncoder r) {
        ServerContext s = c.server;
        if (!s.saveInProgress.compareAndSet(false, true)) {
            r.error("ERR Background save already in progress");
            return;
        }
        c.block();
        submit(c, () -> {
            SaveOutcome outcome = snapshot(s);
            c.completeBlocked(out -> {
                switch (outcome) {
                    case OK -> out.simple("OK");
                    case ABANDONED -> out.error("ERR the snapshot was abandoned: the server is shutting down"
                            + " (every acknowledged write is in the WAL)");
                    case FAILED -> out.error("ERR the snapshot failed; the server log names the file and the cause");
                }
            });
        });
    }

    private static void bgsave(ClientConnection c, RespEncoder r, CommandArgs a) {
        if (a.count() > 2 || (a.count() == 2 && !a.is(1, "SCHEDULE"))) {
            r.error(Errors.SYNTAX);
            return;
        }
        ServerContext s = c.server;
        if (!s.saveInProgress.compareAndSet(false, true)) {
            r.error("ERR Background save already in progress");
            return;
        }
        try {
            s.admin.execute(() -> snapshot(s));
            r.simple("Background saving started");
        } catch (java.util.concurrent.RejectedExecutionException e) {
            s.saveInProgress.set(false);
            r.error("ERR the server is shutting down");
        }
    }

    /**
     * Runs on the admin thread; clears the in-progress flag. Catches any Throwable (an OutOfMemoryError while
     * folding, say): a SAVE client is blocked until this returns, and must get its answer.
     */
    private static SaveOutcome snapshot(ServerContext s) {
        try {
            saveNow(s);
            return SaveOutcome.OK;
        } catch (FoldAbortedException e) {
            log.info("snapshot abandoned: {}", e.getMessage());
            return SaveOutcome.ABANDONED;
        } catch (Exception | Error e) {
            // The message names the step and the file (the snapshot code's errors do): the reply sends the
            // operator here, so it belongs on this line, not only in the stack trace below it.
            log.error("snapshot failed: {}", e.getMessage() != null ? e.getMessage() : e.toString(), e);
            return SaveOutcome.FAILED;
        } finally {
            s.saveInProgress.set(false);
        }
    }

    private enum SaveOutcome { OK, ABANDONED, FAILED }

    /** Writes a snapshot and records the outcome for INFO and LASTSAVE. Runs on the admin thread. */
    static Qrrot.SnapshotResult saveNow(ServerContext s) throws java.io.IOException {
        try {
            Qrrot.SnapshotResult res = s.db.saveSnapshot();
            s.lastSnapshot = res;
            s.lastSaveSeconds = System.currentTimeMillis() / 1000;
            s.lastSaveStatus = "ok";
            log.info("snapshot written: {} at LSN {}, {} keys, {} bytes, {} ms", res.file(), res.baseLsn(),
                    res.keys(), res.bytes(), res.millis());
            return res;
        } catch (java.io.IOException | RuntimeException | Error e) {
            s.lastSaveStatus = "err";
            throw e;
        }
    }

    private static void shutdown(ClientConnection c, RespEncoder r, CommandArgs a) {
        boolean save = false;
        boolean force = false;
        for (int i = 1; i < a.count(); i++) {
            if (a.is(i, "NOSAVE")) {
                save = false;
            } else if (a.is(i, "SAVE")) {
                save = true;
            } else if (a.is(i, "NOW")) {
                continue;
            } else if (a.is(i, "FORCE")) {
                force = true;
            } else if (a.is(i, "ABORT") && a.count() == 2) {
                r.error("ERR No shutdown in progress.");
                return;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        ServerContext s = c.server;
        boolean doSave = save;
        boolean doForce = force;
        log.info("SHUTDOWN requested by client {} ({}){}", c.id, c.channel.remoteAddress(), save ? " with SAVE" : "");
        c.block();
        submit(c, () -> {
            if (doSave) {
                boolean started = s.saveInProgress.compareAndSet(false, true);
                if ((!started || snapshot(s) != SaveOutcome.OK) && !doForce) {
                    c.completeBlocked(out -> out.error("ERR Errors trying to SHUTDOWN. Check logs."));
                    return;
                }
            }
            c.shutdownAccepted();
            s.shutdownRequest.run();
        });
    }

    private static void submit(ClientConnection c, Runnable task) {
        try {
            c.server.admin.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            c.server.saveInProgress.set(false);
            c.completeBlocked(out -> out.error("ERR the server is shutting down"));
        }
    }
}
