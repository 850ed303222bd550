package io.qrrot.server.memcached;

/** The memcached text commands the decoder recognises, with the shape of their command lines. */
public enum McCommand {
    GET(false), GETS(false), GAT(false), GATS(false),
    SET(true), ADD(true), REPLACE(true), APPEND(true), PREPEND(true), CAS(true),
    DELETE(false), INCR(false), DECR(false), TOUCH(false),
    FLUSH_ALL(false), STATS(false), VERSION(false), VERBOSITY(false), QUIT(false),
    /** Meta commands: a key and flag tokens, passed on unchecked; ms has a data block. */
    MG(false), MS(true), MD(false), MA(false), MN(false);

    private final boolean storage;
    private final String lowerName = name().toLowerCase(java.util.Locale.ROOT);

    McCommand(boolean storage) {
        this.storage = storage;
    }

    /** The command's name as sent ({@code flush_all}, {@code gets}). */
    public String lowerName() {
        return lowerName;
    }

    /** True for set, add, replace, append, prepend, cas and ms: a data block follows the command line. */
    public boolean storage() {
        return storage;
    }

    /** True for mg, ms, md, ma and mn. */
    public boolean meta() {
        return this == MG || this == MS || this == MD || this == MA || this == MN;
    }

    /** True for get, gets, gat and gats: any number of keys. */
    public boolean retrieval() {
        return this == GET || this == GETS || this == GAT || this == GATS;
    }
}
