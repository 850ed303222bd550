package io.qrrot.engine;

import java.util.Set;

/**
 * One row of the command table: the data that drives dispatch (arity, flags, key positions) and also the
 * server's COMMAND replies and the CLI's help and completion.
 *
 * @param name     upper-case command name, e.g. {@code "SET"}
 * @param arity    Redis convention: N means exactly N arguments including the name; -N means at least N
 * @param flags    what the command does
 * @param firstKey index of the first key argument (0 when the command takes no key)
 * @param lastKey  index of the last key argument; -1 means the last argument, -2 the one before it …
 * @param keyStep  distance between key arguments (2 for MSET k v k v)
 * @param group    Redis' command group, e.g. {@code "string"}, {@code "generic"}, {@code "transactions"}
 * @param syntax   the arguments after the name, e.g. {@code "key value [NX|XX] [GET] [EX seconds|PX ms]"}
 * @param summary  one sentence
 */
public record CommandSpec(String name, int arity, Set<Flag> flags, int firstKey, int lastKey, int keyStep,
                          String group, String syntax, String summary) {

    /** What a command does; maps to Redis' command flags in COMMAND INFO. */
    public enum Flag {
        /** Changes data: produces an effect that goes to the log. */
        WRITE,
        /** Only reads data. */
        READONLY,
        /** Constant or logarithmic time. */
        FAST,
        /** May be refused when max memory is reached. */
        DENYOOM,
        /** Administrative: never proposed by the AI agent. */
        ADMIN,
        /** Allowed before authentication (AUTH, HELLO, QUIT). */
        NO_AUTH,
        /** Not allowed inside MULTI. */
        NO_MULTI,
        /** Connection-level (PING, ECHO, CLIENT …). */
        CONNECTION
    }

    public boolean is(Flag flag) {
        return flags.contains(flag);
    }

    /** True when {@code argc} arguments (name included) satisfy the arity. */
    public boolean arityAccepts(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }
}
