package io.qrrot.engine;

import io.qrrot.engine.json.Json;
import io.qrrot.engine.json.JsonInvalidException;

/** qrrot's own verbs, which show the qrrot type of a value: PUT and ALL. */
final class QrrotCommands {
    /** Most entries one ALL call returns, whatever COUNT asks for. */
    static final int MAX_ALL_COUNT = 1000;

    private QrrotCommands() {
    }

    /** The qrrot type name: {@code string}, {@code int}, {@code json} or {@code hash}. */
    static String typeName(byte type) {
        return io.qrrot.engine.store.EntryType.name(type);
    }

    /**
     * PUT key value [string|int|json]: like SET without options, with an explicit type. Without a type it
     * stores as SET does (a canonical integer text becomes an int); {@code string} keeps even an integer
     * text as a string; {@code int} requires an integer; {@code json} validates and stores compact JSON.
     */
    static void put(Ctx c) {
        if (c.argc() > 4) {
            c.out.error(Errors.SYNTAX);
            return;
        }
        if (!c.valueSizeOk(c.len(2))) {
            return;
        }
        if (c.argc() == 3) {
            c.putText(1, 2, 0);
        } else if (c.argIs(3, "STRING")) {
            c.put(1, EffectCodec.TYPE_STRING, c.argBuffer, c.off(2), c.len(2), 0);
        } else if (c.argIs(3, "INT")) {
            if (!c.longArgOrReply(2)) {
                return;
            }
            c.putLong(1, c.num.get(), 0);
        } else if (c.argIs(3, "JSON")) {
            byte[] json;
            try {
                json = Json.normalise(c.args.array(), c.off(2), c.len(2));
            } catch (JsonInvalidException e) {
                c.out.error(e.getMessage());
                return;
            }
            if (!c.valueSizeOk(json.length)) {
                return;
            }
            c.scratch.putBytes(0, json);
            c.put(1, EffectCodec.TYPE_JSON, c.scratch, 0, json.length, 0);
        } else {
            c.out.error(Errors.PUT_TYPE);
            return;
        }
        c.out.simple("OK");
    }

    /**
     * ALL [cursor] [COUNT count]: a cursor walk like SCAN whose elements are [key, type, value] arrays.
     * Reply: [next cursor, [[key, type, value] ...]]. COUNT defaults to 10 and is capped at
     * {@value #MAX_ALL_COUNT}, so no call returns the whole of a large keyspace.
     */
    static void all(Ctx c) {
        int i = 1;
        long cursor = 0;
        if (i < c.argc() && !c.argIs(i, "COUNT")) {
            if (!KeyspaceCommands.parseCursor(c, i)) {
                return;
            }
            cursor = c.num.get();
            i++;
        }
        long count = 10;
        while (i < c.argc()) {
            if (c.argIs(i, "COUNT") && i + 1 < c.argc()) {
                if (!c.longArgOrReply(i + 1)) {
                    return;
                }
                count = c.num.get();
                if (count < 1) {
                    c.out.error(Errors.SYNTAX);
                    return;
                }
                i += 2;
            } else {
                c.out.error(Errors.SYNTAX);
                return;
            }
        }
        ReplyBuffer list = c.listing();
        long next = KeyspaceCommands.walk(c, cursor, (int) Math.min(count, MAX_ALL_COUNT), null, true, null, list,
                true);
        c.out.array(2);
        c.out.bulk(Long.toUnsignedString(next));
        c.out.array(c.listed);
        list.replayTo(c.out);
    }
}
