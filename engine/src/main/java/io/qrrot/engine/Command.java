package io.qrrot.engine;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** A command table row plus what dispatch needs precomputed: the handler, the lock scope, error texts. */
final class Command {
    /** Which shards the gate locks before the handler runs. */
    enum Scope {
        /** The shards of the key arguments (from the row's key positions). */
        KEYS,
        /** Every shard (FLUSHALL). */
        ALL_SHARDS,
        /** None at top level: the handler walks the shards itself (KEYS, SCAN, DBSIZE …); all inside EXEC. */
        SELF,
        /** None: the command does not touch the keyspace, or manages its own locks (EXEC, WATCH). */
        NONE
    }

    final CommandSpec spec;
    final Handler handler;
    final Scope scope;
    final boolean write;
    /** Counted in keyspace hits and misses, as Redis counts the lookups of read-only commands. */
    final boolean readOnly;
    final boolean denyOom;
    final boolean noMulti;
    /** MULTI, EXEC, DISCARD and WATCH run at once even inside MULTI (they are never queued). */
    final boolean txControl;
    /** EXEC: deny-oom applies when any queued command is deny-oom. */
    final boolean exec;
    final byte[] name;
    final String lowerName;
    final String arityError;
    final String invalidExpireError;

    Command(CommandSpec spec, Scope scope, boolean txControl, Handler handler) {
        this.spec = spec;
        this.handler = handler;
        this.scope = scope;
        this.write = spec.is(CommandSpec.Flag.WRITE);
        this.readOnly = spec.is(CommandSpec.Flag.READONLY);
        this.denyOom = spec.is(CommandSpec.Flag.DENYOOM);
        this.noMulti = spec.is(CommandSpec.Flag.NO_MULTI);
        this.txControl = txControl;
        this.exec = spec.name().equals("EXEC");
        this.name = spec.name().getBytes(StandardCharsets.US_ASCII);
        this.lowerName = spec.name().toLowerCase(Locale.ROOT);
        this.arityError = "ERR wrong number of arguments for '" + lowerName + "' command";
        this.invalidExpireError = "ERR invalid expire time in '" + lowerName + "' command";
    }

    /** Index of the last key argument for {@code argc} arguments. */
    int lastKey(int argc) {
        int last = spec.lastKey();
        return last >= 0 ? last : argc + last;
    }
}
