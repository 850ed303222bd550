package io.qrrot.engine;

import io.qrrot.engine.store.CollectionView;
import io.qrrot.engine.store.EntryType;
import org.agrona.DirectBuffer;

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
            c.put(2, src.type, src.value, src.offset, src.length, src.expiry);
        }
        c.delete(1);
        if (nx) {
            c.out.integer(1);
        } else {
            c.out.simple("OK");
        }
    }

    /**
     * Logs the collection in {@code src} as built anew under key argument {@code target} (which must not exist
     * once the ops before apply): all its elements, then its expiry. A collection is never logged as an image.
     */
    static void copyElements(Ctx c, Found src, int target) {
        CollectionView from = c.coll.wrap(src.view);
        c.beginElements(target, EffectCodec.OP_ELEMENTS_PUT, from.type());
        while (from.next()) {
            DirectBuffer e = from.element();
            DirectBuffer p = from.payload();
            c.effect.addElement(e, 0, e.capacity(), p, 0, p.capacity());
        }
        if (src.expiry != 0) {
            c.expire(target, src.expiry);
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
