package io.qrrot.engine;

/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH.
 *
 * <p>EXEC locks every shard its queued commands and WATCHed keys live in (ascending), checks the WATCHes,
 * runs the commands one by one into one effect record, applying each command's ops when it ends (so each sees
 * the earlier ones' writes; nobody else can, as every shard the transaction touches stays locked), and logs
 * the record once at the end: after a crash the transaction is there whole or not at all. If that append is
 * refused (the log failed meanwhile), memory holds what the log does not, so the log is failed for good
 * (fail-stop) and a restart rebuilds memory from it. Errors found while
 * queueing (unknown command, wrong arity, OOM) make EXEC fail with EXECABORT; errors while running
 * (WRONGTYPE …) are that command's reply, as in Redis.
 */
final class Transactions {
    private Transactions() {
    }

    static void multi(Ctx c) {
        Session s = c.session;
        if (s.inMulti) {
            c.out.error(Errors.MULTI_NESTED);
            return;
        }
        s.inMulti = true;
        c.out.simple("OK");
    }

    static void discard(Ctx c) {
        Session s = c.session;
        if (!s.inMulti) {
            c.out.error(Errors.DISCARD_NO_MULTI);
            return;
        }
        s.resetMulti();
        c.engine.unwatchAll(s);
        c.out.simple("OK");
    }

    static void watch(Ctx c) {
        Session s = c.session;
        if (s.inMulti) {
            c.out.error(Errors.WATCH_IN_MULTI);
            return;
        }
        if (!s.isDirty()) { // once dirty, EXEC fails anyway: no point watching more
            for (int i = 1; i < c.argc(); i++) {
                c.engine.watches().watch(s, c, i);
            }
        }
        c.out.simple("OK");
    }

    static void unwatch(Ctx c) {
        if (c.session != null) {
            c.engine.unwatchAll(c.session);
        }
        c.out.simple("OK");
    }

    private static boolean queuedWrite(Session s) {
        for (int i = 0; i < s.queuedCount(); i++) {
            if (s.queuedCommand(i).write) {
                return true;
            }
        }
        return false;
    }

    static void exec(Ctx c) {
        Session s = c.session;
        ReplySink out = c.out;
        if (!s.inMulti) {
            out.error(Errors.EXEC_NO_MULTI);
            return;
        }
        if (s.txError) {
            s.resetMulti();
            c.engine.unwatchAll(s);
            out.error(Errors.EXECABORT);
            return;
        }
        Engine engine = c.engine;
        LockSet locks = c.locks;
        for (Watches.Watch w : s.watches) {
            locks.add(w.shard);
        }
        int n = s.queuedCount();
        for (int i = 0; i < n; i++) {
            Command q = s.queuedCommand(i);
            if (q.scope == Command.Scope.ALL_SHARDS || q.scope == Command.Scope.SELF) {
                locks.addAll();
            } else if (q.scope == Command.Scope.KEYS) {
                c.bind(q, s.queuedArgs(i));
                c.addKeyShards();
            }
        }
        try {
            locks.lock();
            if (s.isDirty() || engine.watches().watchedKeyExpired(s, c)) {
                out.nilArray();
                return;
            }
            if (queuedWrite(s)) {
                try {
                    c.log.check(); // its commands' ops are applied before the record is logged
                } catch (EffectLogException e) {
                    out.error(e.getMessage());
                    return;
                }
            }
            c.inTransaction = true;
            ReplyBuffer replies = c.replies;
            replies.array(n);
            c.out = replies;
            boolean wrote = false;
            try {
                for (int i = 0; i < n; i++) {
                    Command q = s.queuedCommand(i);
                    wrote |= q.write;
                    engine.runQueued(c, q, s.queuedArgs(i));
                }
                c.commitApplied(c.log, wrote);
            } catch (EffectLogException e) {
                if (wrote) {
                    replies.clear();
                    out.error(e.getMessage());
                    return;
                }
            }
            replies.replayTo(out);
        } finally {
            c.inTransaction = false;
            c.out = out;
            c.replies.clear();
            c.effect.reset();
            locks.unlock();
            s.resetMulti();
            engine.unwatchAll(s);
        }
    }
}
