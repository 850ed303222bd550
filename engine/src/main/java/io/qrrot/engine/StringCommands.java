package io.qrrot.engine;

import io.qrrot.engine.store.EntryType;
import java.nio.charset.StandardCharsets;
import org.agrona.ExpandableArrayBuffer;

/**
 * String commands, with Redis 7.0's replies and errors. Strings and ints are one Redis type ("string"): an
 * INT is just a string whose text is a canonical 64-bit integer, stored as 8 bytes. A JSON value reads as its
 * text (GET, MGET, STRLEN, GETRANGE, GETSET's old value) but commands that edit or compute on the bytes
 * (APPEND, SETRANGE, INCR…) answer WRONGTYPE rather than turn a document into invalid JSON.
 */
final class StringCommands {
    private StringCommands() {
    }

    // SET/GETEX option bits, as Redis' OBJ_* flags.
    private static final int NX = 1;
    private static final int XX = 1 << 1;
    private static final int GET = 1 << 2;
    private static final int KEEPTTL = 1 << 3;
    private static final int PERSIST = 1 << 4;
    private static final int EX = 1 << 5;
    private static final int PX = 1 << 6;
    private static final int EXAT = 1 << 7;
    private static final int PXAT = 1 << 8;
    private static final int ANY_EXPIRE = EX | PX | EXAT | PXAT;

    static void get(Ctx c) {
        if (c.findText(1)) {
            c.found.reply(c.out);
        } else {
            c.out.nil();
        }
    }

    /**
     * Parses Redis' extended SET/GETEX options from argument {@code from}. Returns the option bits with the
     * expire argument's index in bits 16 and up, or -1 after replying a syntax error.
     */
    private static int parseOptions(Ctx c, int from, boolean set) {
        int f = 0;
        int expireArg = 0;
        int argc = c.argc();
        for (int j = from; j < argc; j++) {
            boolean hasNext = j < argc - 1;
            if (set && c.argIs(j, "NX") && (f & XX) == 0) {
                f |= NX;
            } else if (set && c.argIs(j, "XX") && (f & NX) == 0) {
                f |= XX;
            } else if (set && c.argIs(j, "GET")) {
                f |= GET;
            } else if (set && c.argIs(j, "KEEPTTL") && (f & (PERSIST | ANY_EXPIRE)) == 0) {
                f |= KEEPTTL;
            } else if (!set && c.argIs(j, "PERSIST") && (f & (ANY_EXPIRE | KEEPTTL)) == 0) {
                f |= PERSIST;
            } else if (c.argIs(j, "EX") && (f & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) == 0 && hasNext) {
                f |= EX;
                expireArg = ++j;
            } else if (c.argIs(j, "PX") && (f & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) == 0 && hasNext) {
                f |= PX;
                expireArg = ++j;
            } else if (c.argIs(j, "EXAT") && (f & (KEEPTTL | PERSIST | EX | PX | PXAT)) == 0 && hasNext) {
                f |= EXAT;
                expireArg = ++j;
            } else if (c.argIs(j, "PXAT") && (f & (KEEPTTL | PERSIST | EX | EXAT | PX)) == 0 && hasNext) {
                f |= PXAT;
                expireArg = ++j;
            } else {
                c.out.error(Errors.SYNTAX);
                return -1;
            }
        }
        return f | (expireArg << 16);
    }

    /**
     * Redis' getExpireMillisecondsOrReply: argument {@code i} as an absolute expiry in ms into {@code c.num}.
     * Replies the error and returns false when it is not an integer, not positive, or overflows.
     */
    static boolean expireArg(Ctx c, int i, boolean seconds, boolean relative) {
        if (!c.longArgOrReply(i)) {
            return false;
        }
        long ms = c.num.get();
        if (ms <= 0 || (seconds && ms > Long.MAX_VALUE / 1000)) {
            c.out.error(c.cmd.invalidExpireError);
            return false;
        }
        if (seconds) {
            ms *= 1000;
        }
        if (relative) {
            ms += c.now();
        }
        if (ms <= 0) {
            c.out.error(c.cmd.invalidExpireError);
            return false;
        }
        c.num.set(ms);
        return true;
    }

    private static boolean expireFromFlags(Ctx c, int f) {
        int expireArg = f >>> 16;
        if (expireArg == 0) {
            c.num.set(0);
            return true;
        }
        return expireArg(c, expireArg, (f & (EX | EXAT)) != 0, (f & (EX | PX)) != 0);
    }

    static void set(Ctx c) {
        int f = parseOptions(c, 3, true);
        if (f < 0 || !c.valueSizeOk(c.len(2)) || !expireFromFlags(c, f)) {
            return;
        }
        long expiry = c.num.get();
        // A plain SET replaces whatever is there: only its options need the old value.
        boolean exists = (f & (GET | NX | XX | KEEPTTL)) != 0 && ((f & GET) != 0 ? c.findText(1) : c.find(1));
        if ((f & GET) != 0) {
            if (exists) {
                c.found.reply(c.out);
            } else {
                c.out.nil();
            }
        }
        if (((f & NX) != 0 && exists) || ((f & XX) != 0 && !exists)) {
            if ((f & GET) == 0) {
                c.out.nil();
            }
            return;
        }
        if ((f & KEEPTTL) != 0 && exists) {
            expiry = c.found.expiry;
        }
        c.putText(1, 2, expiry);
        if ((f & GET) == 0) {
            c.out.simple("OK");
        }
    }

    static void setnx(Ctx c) {
        if (!c.valueSizeOk(c.len(2))) {
            return;
        }
        if (c.find(1)) {
            c.out.integer(0);
            return;
        }
        c.putText(1, 2, 0);
        c.out.integer(1);
    }

    static void setex(Ctx c) {
        setWithExpire(c, true);
    }

    static void psetex(Ctx c) {
        setWithExpire(c, false);
    }

    private static void setWithExpire(Ctx c, boolean seconds) {
        if (!expireArg(c, 2, seconds, true) || !c.valueSizeOk(c.len(3))) {
            return;
        }
        c.putText(1, 3, c.num.get());
        c.out.simple("OK");
    }

    static void getset(Ctx c) {
        if (!c.valueSizeOk(c.len(2))) {
            return;
        }
        get(c);
        c.putText(1, 2, 0);
    }

    static void getdel(Ctx c) {
        if (!c.findText(1)) {
            c.out.nil();
            return;
        }
        c.found.reply(c.out);
        c.delete(1);
    }

    static void getex(Ctx c) {
        int f = parseOptions(c, 2, false);
        if (f < 0 || !expireFromFlags(c, f)) {
            return;
        }
        long when = c.num.get();
        if (!c.findText(1)) {
            c.out.nil();
            return;
        }
        c.found.reply(c.out);
        if ((f & (EXAT | PXAT)) != 0 && when <= c.now()) {
            c.delete(1);
        } else if ((f & ANY_EXPIRE) != 0) {
            c.expire(1, when);
        } else if ((f & PERSIST) != 0 && c.found.expiry != 0) {
            c.expire(1, 0);
        }
    }

    static void mget(Ctx c) {
        int argc = c.argc();
        c.out.array(argc - 1);
        for (int i = 1; i < argc; i++) {
            if (c.find(i) && EntryType.isText(c.found.type)) {
                c.found.reply(c.out);
            } else {
                c.out.nil();
            }
        }
    }

    static void mset(Ctx c) {
        if (!msetArgsOk(c)) {
            return;
        }
        for (int i = 1; i < c.argc(); i += 2) {
            c.putText(i, i + 1, 0);
        }
        c.out.simple("OK");
    }

    static void msetnx(Ctx c) {
        if (!msetArgsOk(c)) {
            return;
        }
        for (int i = 1; i < c.argc(); i += 2) {
            if (c.find(i)) {
                c.out.integer(0);
                return;
            }
        }
        for (int i = 1; i < c.argc(); i += 2) {
            c.putText(i, i + 1, 0);
        }
        c.out.integer(1);
    }

    private static boolean msetArgsOk(Ctx c) {
        if (c.argc() % 2 == 0) {
            c.out.error(c.cmd.arityError);
            return false;
        }
        long total = 0;
        for (int i = 2; i < c.argc(); i += 2) {
            if (!c.valueSizeOk(c.len(i))) {
                return false;
            }
            total += c.len(i) + c.len(i - 1) + 64;
        }
        if (!c.effect.fits(total)) {
            c.out.error(Errors.TOO_BIG);
            return false;
        }
        return true;
    }

    /** Writes the value's text into {@code dst} at 0; returns its length. */
    private static int copyText(Found f, ExpandableArrayBuffer dst) {
        if (f.isInt()) {
            dst.checkLimit(Numbers.MAX_LONG_TEXT);
            return Numbers.writeLong(dst, 0, f.longValue());
        }
        dst.putBytes(0, f.value, f.offset, f.length);
        return f.length;
    }

    static void append(Ctx c) {
        int alen = c.len(2);
        if (!c.findText(1)) {
            if (!c.valueSizeOk(alen)) {
                return;
            }
            c.putText(1, 2, 0);
            c.out.integer(alen);
            return;
        }
        Found f = c.found;
        if (f.isJson()) {
            c.out.error(Errors.WRONGTYPE);
            return;
        }
        long total = (long) f.textLength() + alen;
        if (!c.valueSizeOk(total)) {
            return;
        }
        ExpandableArrayBuffer s = c.scratch;
        int olen = copyText(f, s);
        s.putBytes(olen, c.argBuffer, c.off(2), alen);
        c.putText(1, s, 0, (int) total, f.expiry);
        c.out.integer(total);
    }

    static void strlen(Ctx c) {
        c.out.integer(c.findText(1) ? c.found.textLength() : 0);
    }

    static void getrange(Ctx c) {
        if (!c.longArgOrReply(2)) {
            return;
        }
        long start = c.num.get();
        if (!c.longArgOrReply(3)) {
            return;
        }
        long end = c.num.get();
        if (!c.findText(1)) {
            c.out.bulk(c.scratch, 0, 0);
            return;
        }
        Found f = c.found;
        org.agrona.DirectBuffer text;
        int toff;
        long strlen;
        if (f.isInt()) {
            strlen = copyText(f, c.scratch);
            text = c.scratch;
            toff = 0;
        } else {
            text = f.value;
            toff = f.offset;
            strlen = f.length;
        }
        if (start < 0 && end < 0 && start > end) {
            c.out.bulk(c.scratch, 0, 0);
            return;
        }
        if (start < 0) {
            start = strlen + start;
        }
        if (end < 0) {
            end = strlen + end;
        }
        if (start < 0) {
            start = 0;
        }
        if (end < 0) {
            end = 0;
        }
        if (end >= strlen) {
            end = strlen - 1;
        }
        if (start > end || strlen == 0) {
            c.out.bulk(c.scratch, 0, 0);
        } else {
            c.out.bulk(text, toff + (int) start, (int) (end - start + 1));
        }
    }

    static void setrange(Ctx c) {
        if (!c.longArgOrReply(2)) {
            return;
        }
        long offset = c.num.get();
        if (offset < 0) {
            c.out.error(Errors.OFFSET_RANGE);
            return;
        }
        int vlen = c.len(3);
        ExpandableArrayBuffer s = c.scratch;
        long expiry = 0;
        int olen = 0;
        if (!c.findText(1)) {
            if (vlen == 0) {
                c.out.integer(0);
                return;
            }
            if (!c.valueSizeOk(offset + vlen)) {
                return;
            }
        } else {
            Found f = c.found;
            if (f.isJson()) {
                c.out.error(Errors.WRONGTYPE);
                return;
            }
            if (vlen == 0) {
                c.out.integer(f.textLength());
                return;
            }
            if (!c.valueSizeOk(offset + vlen)) {
                return;
            }
            olen = copyText(f, s);
            expiry = f.expiry;
        }
        int newLen = (int) Math.max(olen, offset + vlen);
        if (offset > olen) {
            s.setMemory(olen, (int) offset - olen, (byte) 0);
        }
        s.putBytes((int) offset, c.argBuffer, c.off(3), vlen);
        c.putText(1, s, 0, newLen, expiry);
        c.out.integer(newLen);
    }

    static void incr(Ctx c) {
        incrBy(c, 1);
    }

    static void decr(Ctx c) {
        incrBy(c, -1);
    }

    static void incrby(Ctx c) {
        if (c.longArgOrReply(2)) {
            incrBy(c, c.num.get());
        }
    }

    static void decrby(Ctx c) {
        if (!c.longArgOrReply(2)) {
            return;
        }
        long v = c.num.get();
        if (v == Long.MIN_VALUE) {
            c.out.error(Errors.DECR_OVERFLOW);
            return;
        }
        incrBy(c, -v);
    }

    private static void incrBy(Ctx c, long incr) {
        long value = 0;
        long expiry = 0;
        if (c.findText(1)) {
            Found f = c.found;
            if (f.isInt()) {
                value = f.longValue();
            } else if (f.isJson()) {
                c.out.error(Errors.WRONGTYPE);
                return;
            } else if (Numbers.parseLong(f.value, f.offset, f.length, c.num)) {
                value = c.num.get();
            } else {
                c.out.error(Errors.NOT_INTEGER);
                return;
            }
            expiry = f.expiry;
        }
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value)
                || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            c.out.error(Errors.OVERFLOW);
            return;
        }
        value += incr;
        c.putLong(1, value, expiry);
        c.out.integer(value);
    }

    static void incrbyfloat(Ctx c) {
        LongDouble value = LongDouble.of(0);
        long expiry = 0;
        if (c.findText(1)) {
            Found f = c.found;
            if (f.isJson()) {
                c.out.error(Errors.WRONGTYPE);
                return;
            }
            if (f.isInt()) {
                value = LongDouble.of(f.longValue());
            } else {
                byte[] text = new byte[f.length];
                f.value.getBytes(f.offset, text);
                value = LongDouble.parse(text);
                if (value == null) {
                    c.out.error(Errors.NOT_FLOAT);
                    return;
                }
            }
            expiry = f.expiry;
        }
        LongDouble incr = LongDouble.parse(c.args.bytes(2));
        if (incr == null) {
            c.out.error(Errors.NOT_FLOAT);
            return;
        }
        LongDouble sum = value.add(incr);
        if (sum == null || !sum.isFinite()) {
            c.out.error(Errors.NAN_OR_INF);
            return;
        }
        byte[] text = sum.format().getBytes(StandardCharsets.US_ASCII);
        c.scratch.putBytes(0, text);
        c.putText(1, c.scratch, 0, text.length, expiry);
        c.out.bulk(text, 0, text.length);
    }
}
