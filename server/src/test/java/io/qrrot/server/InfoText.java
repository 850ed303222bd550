package io.qrrot.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An INFO reply parsed: its section headers in order and its {@code field:value} lines (a field's value is
 * everything after the first colon, as Redis' own tools split it).
 */
record InfoText(String text, List<String> headers, Map<String, String> fields) {

    /** Parses the raw RESP reply to INFO: a RESP2 bulk string or a RESP3 verbatim string ({@code txt:}). */
    static InfoText ofReply(String reply) {
        if (!reply.startsWith("$") && !reply.startsWith("=")) {
            throw new AssertionError("INFO replied no string: " + reply);
        }
        int body = reply.indexOf("\r\n") + 2;
        int length = Integer.parseInt(reply.substring(1, body - 2));
        String text = reply.substring(body, body + length);
        if (reply.startsWith("=")) {
            if (!text.startsWith("txt:")) {
                throw new AssertionError("a verbatim INFO reply must be of format txt: " + reply);
            }
            text = text.substring(4);
        }
        return of(text);
    }

    static InfoText of(String text) {
        List<String> headers = new ArrayList<>();
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\r\n", -1)) {
            if (line.startsWith("# ")) {
                headers.add(line.substring(2));
            } else if (!line.isEmpty()) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    throw new AssertionError("an INFO line without a colon: '" + line + "' in\n" + text);
                }
                if (fields.put(line.substring(0, colon), line.substring(colon + 1)) != null) {
                    throw new AssertionError("field " + line.substring(0, colon) + " twice in\n" + text);
                }
            }
        }
        return new InfoText(text, headers, fields);
    }

    String get(String field) {
        String v = fields.get(field);
        if (v == null) {
            throw new AssertionError("no field " + field + " in INFO:\n" + text);
        }
        return v;
    }

    long number(String field) {
        return Long.parseLong(get(field));
    }

    /** One part of a composite value such as {@code calls=3,usec=5,...}: {@code part("cmdstat_get", "calls")}. */
    long part(String field, String name) {
        for (String kv : get(field).split(",")) {
            int eq = kv.indexOf('=');
            if (kv.substring(0, eq).equals(name)) {
                return Long.parseLong(kv.substring(eq + 1));
            }
        }
        throw new AssertionError("no " + name + "= in " + field + ":" + get(field));
    }

    /** The fields whose names start with {@code prefix}, e.g. every {@code cmdstat_} line. */
    Map<String, String> startingWith(String prefix) {
        Map<String, String> m = new LinkedHashMap<>();
        fields.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                m.put(k, v);
            }
        });
        return m;
    }
}
