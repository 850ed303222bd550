package io.qrrot.engine;

import io.qrrot.engine.json.Json;
import io.qrrot.engine.json.JsonInvalidException;
import io.qrrot.engine.json.JsonPath;
import java.nio.charset.StandardCharsets;

/**
 * JSON.SET and JSON.GET over the path subset of {@link JsonPath}, answering as RedisJSON does: a path
 * starting with {@code $} gets a JSON array of its matches (here zero or one), any other path the value
 * itself. Documents are stored in the normalised compact form of {@link Json}.
 */
final class JsonCommands {
    private static final byte[] EMPTY_ARRAY = {'[', ']'};

    private JsonCommands() {
    }

    /**
     * JSON.SET key path value [NX|XX]. A new key must be set at the root. Setting a member of an existing
     * object adds or replaces it; array elements must exist. Replies OK, or nil when NX/XX is not met or the
     * path's parent does not exist. The key keeps its TTL.
     */
    static void set(Ctx c) {
        boolean nx = false;
        boolean xx = false;
        if (c.argc() > 5) {
            c.out.error(Errors.SYNTAX);
            return;
        }
        if (c.argc() == 5) {
            if (c.argIs(4, "NX")) {
                nx = true;
            } else if (c.argIs(4, "XX")) {
                xx = true;
            } else {
                c.out.error(Errors.SYNTAX);
                return;
            }
        }
        JsonPath path;
        Object value;
        try {
            path = JsonPath.parse(c.args.string(2));
            value = Json.parse(c.args.array(), c.off(3), c.len(3));
        } catch (JsonInvalidException e) {
            c.out.error(e.getMessage());
            return;
        }
        byte[] doc;
        long expiry = 0;
        if (!c.find(1)) {
            if (!path.isRoot()) {
                c.out.error(Errors.JSON_ROOT);
                return;
            }
            if (xx) {
                c.out.nil();
                return;
            }
            doc = Json.write(value);
        } else {
            Found f = c.found;
            if (!f.isJson()) {
                c.out.error(Errors.WRONGTYPE);
                return;
            }
            expiry = f.expiry;
            if (path.isRoot()) {
                if (nx) {
                    c.out.nil();
                    return;
                }
                doc = Json.write(value);
            } else {
                Object tree = parseStored(f);
                if (path.set(tree, value, nx, xx) != JsonPath.SetResult.SET) {
                    c.out.nil();
                    return;
                }
                doc = Json.write(tree);
            }
        }
        if (!c.valueSizeOk(doc.length)) {
            return;
        }
        c.scratch.putBytes(0, doc);
        c.put(1, EffectCodec.TYPE_JSON, c.scratch, 0, doc.length, expiry);
        c.out.simple("OK");
    }

    /** JSON.GET key [path]: the value at the path (the whole document by default); nil for a missing key. */
    static void get(Ctx c) {
        if (c.argc() > 3) {
            c.out.error(Errors.SYNTAX);
            return;
        }
        JsonPath path = JsonPath.LEGACY_ROOT;
        if (c.argc() == 3) {
            try {
                path = JsonPath.parse(c.args.string(2));
            } catch (JsonInvalidException e) {
                c.out.error(e.getMessage());
                return;
            }
        }
        if (!c.find(1)) {
            c.out.nil();
            return;
        }
        Found f = c.found;
        if (!f.isJson()) {
            c.out.error(Errors.WRONGTYPE);
            return;
        }
        if (path.isRoot() && !path.isDollar()) {
            c.out.bulk(f.value, f.offset, f.length);
            return;
        }
        Object hit = path.find(parseStored(f));
        if (hit == null) {
            if (path.isDollar()) {
                c.out.bulk(EMPTY_ARRAY, 0, 2);
            } else {
                c.out.error("ERR Path '" + path.text() + "' does not exist");
            }
            return;
        }
        byte[] text = Json.write(hit);
        if (path.isDollar()) {
            byte[] wrapped = new byte[text.length + 2];
            wrapped[0] = '[';
            System.arraycopy(text, 0, wrapped, 1, text.length);
            wrapped[wrapped.length - 1] = ']';
            text = wrapped;
        }
        c.out.bulk(text, 0, text.length);
    }

    private static Object parseStored(Found f) {
        byte[] bytes = new byte[f.length];
        f.value.getBytes(f.offset, bytes);
        try {
            return Json.parse(bytes, 0, bytes.length);
        } catch (JsonInvalidException e) {
            throw new IllegalStateException("a stored JSON value does not parse (" + e.getMessage() + "): "
                    + new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.UTF_8), e);
        }
    }
}
