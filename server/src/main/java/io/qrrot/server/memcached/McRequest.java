package io.qrrot.server.memcached;

import io.qrrot.engine.CommandArgs;

/**
 * One decoded memcached request, reused for every request of a connection. The keys (for stats: its
 * arguments) are arguments {@code 0 .. keyCount()-1} of {@link #args()}; a storage command's data block,
 * without its {@code \r\n}, is the argument after them ({@link #valueOffset()}, {@link #valueLength()}). A meta
 * command's flag tokens, unchecked, are the arguments between its key and its data block
 * ({@link #metaFlagCount()}).
 * Numbers are parsed as memcached parses them (see {@link McNumbers}). Not thread-safe.
 */
public final class McRequest {
    final CommandArgs args = new CommandArgs();
    McCommand command;
    int keyCount;
    int metaFlagCount;
    int flags;
    int exptime;
    int bytes;
    long cas;
    long delta;
    int level;
    boolean hasDelay;
    boolean noreply;

    void reset() {
        args.clear();
        command = null;
        keyCount = 0;
        metaFlagCount = 0;
        flags = 0;
        exptime = 0;
        bytes = 0;
        cas = 0;
        delta = 0;
        level = 0;
        hasDelay = false;
        noreply = false;
    }

    public McCommand command() {
        return command;
    }

    /** Keys and data block, in one reusable array. */
    public CommandArgs args() {
        return args;
    }

    /** Keys of get/gets/gat/gats (any number, possibly 0 for gat/gats), the one key of others, stats' arguments. */
    public int keyCount() {
        return keyCount;
    }

    public byte[] array() {
        return args.array();
    }

    public int keyOffset(int i) {
        return args.offset(i);
    }

    public int keyLength(int i) {
        return args.length(i);
    }

    /** Flags of a storage command, an unsigned 32-bit value ({@link Integer#toUnsignedLong}). */
    public int flags() {
        return flags;
    }

    /** Exptime of a storage command, touch, gat and gats; flush_all's delay. Signed. */
    public int exptime() {
        return exptime;
    }

    /** Declared length of a storage command's data block. */
    public int bytes() {
        return bytes;
    }

    /** cas unique of a cas command, unsigned 64-bit. */
    public long cas() {
        return cas;
    }

    /** Delta of incr/decr, unsigned 64-bit. */
    public long delta() {
        return delta;
    }

    /** verbosity's level, unsigned 32-bit. */
    public int level() {
        return level;
    }

    /** flush_all was given a delay ({@link #exptime()}). */
    public boolean hasDelay() {
        return hasDelay;
    }

    /** The last token was {@code noreply}: send no reply (errors included) for this request. */
    public boolean noreply() {
        return noreply;
    }

    /** Flag tokens of a meta command (mg, ms, md, ma), as sent: arguments {@code keyCount() ..}. */
    public int metaFlagCount() {
        return metaFlagCount;
    }

    public int metaFlagOffset(int i) {
        return args.offset(keyCount + i);
    }

    public int metaFlagLength(int i) {
        return args.length(keyCount + i);
    }

    public int valueOffset() {
        return args.offset(keyCount + metaFlagCount);
    }

    public int valueLength() {
        return args.length(keyCount + metaFlagCount);
    }
}
