package io.qrrot.engine;

import java.nio.charset.StandardCharsets;

/** TTL commands: EXPIRE family (with NX/XX/GT/LT), TTL family, PERSIST. Times are absolute in effects. */
final class ExpireCommands {
    private static final int NX = 1;
    private static final int XX = 2;
    private static final int GT = 4;
    private static final int LT = 8;

    private ExpireCommands() {
    }

    static void expire(Ctx c) {
        expireGeneric(c, c.now, true);
    }

    static void pexpire(Ctx c) {
        expireGeneric(c, c.now, false);
    }

    static void expireat(Ctx c) {
        expireGeneric(c, 0, true);
    }

    static void pexpireat(Ctx c) {
        expireGeneric(c, 0, false);
    }

    /** Redis' expireGenericCommand: options, then the time, then the key. A time not in the future deletes. */
    private static void expireGeneric(Ctx c, long basetime, boolean seconds) {
        int flags = 0;
        for (int j = 3; j < c.argc(); j++) {
            if (c.argIs(j, "NX")) {
                flags |= NX;
            } else if (c.argIs(j, "XX")) {
                flags |= XX;
            } else if (c.argIs(j, "GT")) {
                flags |= GT;
            } else if (c.argIs(j, "LT")) {
                flags |= LT;
            } else {
                c.out.error("ERR Unsupported option " + cString(c, j));
                return;
            }
        }
        if ((flags & NX) != 0 && (flags & (XX | GT | LT)) != 0) {
            c.out.error(Errors.NX_XX_GT_LT);
            return;
        }
        if ((flags & GT) != 0 && (flags & LT) != 0) {
            c.out.error(Errors.GT_LT);
            return;
        }
        if (!c.longArgOrReply(2)) {
            return;
        }
        long when = c.num.get();
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                c.out.error(c.cmd.invalidExpireError);
                return;
            }
            when *= 1000;
        }
        if (when > Long.MAX_VALUE - basetime) {
            c.out.error(c.cmd.invalidExpireError);
            return;
        }
        when += basetime;
        if (!c.find(1)) {
            c.out.integer(0);
            return;
        }
        long current = c.found.expiry; // 0 = none, which Redis calls -1 (an infinite TTL)
        if (((flags & NX) != 0 && current != 0)
                || ((flags & XX) != 0 && current == 0)
                || ((flags & GT) != 0 && (current == 0 || when <= current))
                || ((flags & LT) != 0 && current != 0 && when >= current)) {
            c.out.integer(0);
            return;
        }
        if (when <= c.now) {
            c.delete(1);
        } else {
            c.expire(1, when);
        }
        c.out.integer(1);
    }

    // An argument as C's %s prints it (up to the first NUL), newlines as spaces.
    private static String cString(Ctx c, int i) {
        byte[] a = c.args.array();
        int off = c.off(i);
        int len = c.len(i);
        for (int k = 0; k < len; k++) {
            if (a[off + k] == 0) {
                len = k;
                break;
            }
        }
        return new String(a, off, len, StandardCharsets.UTF_8).replace('\r', ' ').replace('\n', ' ');
    }

    static void ttl(Ctx c) {
        ttlGeneric(c, false, false);
    }

    static void pttl(Ctx c) {
        ttlGeneric(c, true, false);
    }

    static void expiretime(Ctx c) {
        ttlGeneric(c, false, true);
    }

    static void pexpiretime(Ctx c) {
        ttlGeneric(c, true, true);
    }

    private static void ttlGeneric(Ctx c, boolean ms, boolean absolute) {
        if (!c.find(1)) {
            c.out.integer(-2);
            return;
        }
        long expiry = c.found.expiry;
        if (expiry == 0) {
            c.out.integer(-1);
            return;
        }
        long t = absolute ? expiry : expiry - c.now;
        if (t < 0) {
            t = 0;
        }
        c.out.integer(ms ? t : (t + 500) / 1000);
    }

    static void persist(Ctx c) {
        if (!c.find(1) || c.found.expiry == 0) {
            c.out.integer(0);
            return;
        }
        c.expire(1, 0);
        c.out.integer(1);
    }
}
