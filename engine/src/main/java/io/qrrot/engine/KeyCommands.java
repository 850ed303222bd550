package io.qrrot.engine;

import io.qrrot.engine.store.CollectionView;
import io.qrrot.engine.store.EntryType;
import org.agrona.DirectBuffer;

/** Commands on keys of any type: DEL, UNLINK, EXISTS, TYPE, RENAME, RENAMENX, COPY, OBJECT. */
final class KeyCommands {
    /** TYPE's answer for a JSON value: RedisJSON's type name, so RedisJSON-aware clients recognise it. */
    static final String JSON_TYPE_NAME = "ReJSON-RL";

    private KeyCommands() {
    }

    static void del(Ctx c) {
        int deleted = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.find(i)) {
                c.delete(i);
                deleted++;
            }
        }
        c.out.integer(deleted);
    }

    static void exists(Ctx c) {
        int n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.find(i)) {
                n++;
            }
        }
        c.out.integer(n);
    }

    static void type(Ctx c) {
        if (!c.find(1)) {
            c.out.simple("none");
        } else {
            c.out.simple(redisTypeName(c.found.type));
        }
    }

    /** The type name Redis clients see: {@code string} for strings and ints, {@code ReJSON-RL} for JSON. */
    static String redisTypeName(byte type) {
        return EntryType.redisName(type);
    }

    static void rename(Ctx c) {
        rename(c, false);
    }

    static void renamenx(Ctx c) {
        rename(c, true);
    }

    private static void rename(Ctx c, boolean nx) {
        if (!c.find(1)) {
            c.out.error(Errors.NO_SUCH_KEY);
            return;
        }
        if (sameBytes(c, 1, 2)) {
            if (nx) {
                c.out.integer(0);
            } else {
                c.out.simple("OK");
            }
            return;
        }
        // The source stays in c.found; look the target up in the second slot.
        boolean targetExists = c.find(c.found2, 2);
        if (targetExists && nx) {
            c.out.integer(0);
            return;
        }
        Found src = c.found;
        if (EntryType.isCollection(src.type)) {
            if (targetExists) {
                c.delete(2);
            }
            copyElements(c, src, 2);
        } else {
            if (!c.valueSizeOk(src.length)) {
                return; // only when a transaction's record would grow past its limit
            }
            c.put(2, src.storedType(), src.value, src.storedOffset(), src.storedLength(), src.expiry);
        }
        c.delete(1);
        if (nx) {
            c.out.integer(1);
        } else {
            c.out.simple("OK");
        }
    }

    /** COPY source destination [DB destination-db] [REPLACE]: one database, so DB must be 0. */
    static void copy(Ctx c) {
        boolean replace = false;
        for (int j = 3; j < c.argc(); j++) {
            int additional = c.argc() - j - 1;
            if (c.argIs(j, "REPLACE")) {
                replace = true;
            } else if (c.argIs(j, "DB") && additional >= 1) {
                if (!c.parseLong(j + 1) || c.num.get() < Integer.MIN_VALUE || c.num.get() > Integer.MAX_VALUE) {
                    c.out.error(Errors.NOT_INTEGER);
                    return;
                }
                if (c.num.get() != 0) {
                    c.out.error("ERR DB index is out of range");
                    return;
                }
                j++;
            } else {
                c.out.error(Errors.SYNTAX);
                return;
            }
        }
        if (sameBytes(c, 1, 2)) {
            c.out.error("ERR source and destination objects are the same");
            return;
        }
        if (!c.find(1)) {
            c.out.integer(0);
            return;
        }
        boolean targetExists = c.find(c.found2, 2);
        if (targetExists && !replace) {
            c.out.integer(0);
            return;
        }
        Found src = c.found;
        if (EntryType.isCollection(src.type)) {
            if (targetExists) {
                c.delete(2);
            }
            copyElements(c, src, 2);
        } else {
            if (!c.valueSizeOk(src.length)) {
                return;
            }
            c.put(2, src.storedType(), src.value, src.storedOffset(), src.storedLength(), src.expiry);
        }
        c.out.integer(1);
    }

    /**
     * Logs the collection in {@code src} as built anew under key argument {@code target} (which must not exist
     * once the ops before apply): all its elements, then its expiry. A collection is never logged as an image.
     */
    static void copyElements(Ctx c, Found src, int target) {
        CollectionView from = c.coll.wrap(src.view);
        // Redis moves or duplicates a collection with its encoding, and a table never turns packed again (a list
        // has one encoding; its labels are copied as they are).
        byte asTable = from.encoding() == EntryType.ENCODING_TABLE && from.type() != EntryType.LIST
                ? EffectCodec.AS_TABLE : 0;
        c.beginElements(target, EffectCodec.OP_ELEMENTS_PUT, (byte) (from.type() | asTable));
        from.rewind();
        while (from.next()) {
            DirectBuffer e = from.element();
            DirectBuffer p = from.payload();
            c.effect.addElement(e, 0, e.capacity(), p, 0, p.capacity());
        }
        if (src.expiry != 0) {
            c.expire(target, src.expiry);
        }
    }

    /** Redis's answer to OBJECT FREQ under any policy but LFU (qrrot never evicts, so never LFU). */
    static final String NO_LFU = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please"
            + " note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
    /** OBJECT HELP, Redis 7.0's lines. */
    private static final String[] OBJECT_HELP = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    };

    /** Redis shares the integers 0 to 9999 and reports them with this reference count. */
    private static final long SHARED_REFCOUNT = Integer.MAX_VALUE;

    /**
     * OBJECT ENCODING|REFCOUNT|FREQ key, with Redis's names for the equivalent encodings: a hash is
     * {@code listpack} while packed and {@code hashtable} once a table; a string {@code int}, {@code embstr}
     * (up to 44 bytes) or {@code raw}. IDLETIME is refused: qrrot does not track access times.
     */
    static void object(Ctx c) {
        String sub = c.args.string(1).toLowerCase(java.util.Locale.ROOT);
        if (sub.equals("help")) {
            if (c.argc() != 2) {
                c.out.error("ERR wrong number of arguments for 'object|help' command");
                return;
            }
            c.out.array(OBJECT_HELP.length);
            for (String line : OBJECT_HELP) {
                c.out.simple(line);
            }
            return;
        }
        boolean known = sub.equals("encoding") || sub.equals("refcount") || sub.equals("freq");
        if (!known) {
            c.out.error(sub.equals("idletime") ? "ERR OBJECT IDLETIME is not available: qrrot does not track when a"
                    + " key was last read" : "ERR unknown subcommand '" + cut(c.args.string(1))
                    + "'. Try OBJECT HELP.");
            return;
        }
        if (c.argc() != 3) {
            c.out.error("ERR wrong number of arguments for 'object|" + sub + "' command");
            return;
        }
        if (!c.find(2)) {
            c.out.nil();
            return;
        }
        Found f = c.found;
        switch (sub) {
            case "encoding" -> c.out.bulk(encoding(c, f));
            case "refcount" -> c.out.integer(f.isInt() && f.longValue() >= 0 && f.longValue() < 10_000
                    ? SHARED_REFCOUNT : 1);
            default -> c.out.error(NO_LFU);
        }
    }

    private static String encoding(Ctx c, Found f) {
        if (EntryType.isCollection(f.type)) {
            return EntryType.encodingName(f.type, c.coll.wrap(f.view).encoding());
        }
        if (f.isInt()) {
            return "int";
        }
        return f.length <= 44 ? "embstr" : "raw";
    }

    private static String cut(String s) {
        return s.length() > 128 ? s.substring(0, 128) : s;
    }

    private static boolean sameBytes(Ctx c, int a, int b) {
        int len = c.len(a);
        if (len != c.len(b)) {
            return false;
        }
        byte[] arr = c.args.array();
        int oa = c.off(a);
        int ob = c.off(b);
        for (int i = 0; i < len; i++) {
            if (arr[oa + i] != arr[ob + i]) {
                return false;
            }
        }
        return true;
    }
}
