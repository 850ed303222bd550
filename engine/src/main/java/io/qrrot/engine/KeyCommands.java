package io.qrrot.engine;

/** Commands on keys of any type: DEL, UNLINK, EXISTS, TYPE, RENAME, RENAMENX. */
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
        return type == EffectCodec.TYPE_JSON ? JSON_TYPE_NAME : "string";
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
        if (c.find(c.found2, 2) && nx) {
            c.out.integer(0);
            return;
        }
        Found src = c.found;
        if (!c.valueSizeOk(src.length)) {
            return; // only when a transaction's record would grow past its limit
        }
        c.put(2, src.type, src.value, src.offset, src.length, src.expiry);
        c.delete(1);
        if (nx) {
            c.out.integer(1);
        } else {
            c.out.simple("OK");
        }
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
