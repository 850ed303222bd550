package io.qrrot.engine;

import static io.qrrot.engine.Script.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qrrot.engine.json.Json;
import io.qrrot.engine.json.JsonInvalidException;
import io.qrrot.engine.json.JsonPath;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTest {
    static String norm(String s) throws JsonInvalidException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new String(Json.normalise(b, 0, b.length), StandardCharsets.UTF_8);
    }

    @Test
    void storesNormalisedCompactJson() throws Exception {
        assertEquals("{\"a\":[1,2.50,{\"b\":null}],\"c\":\"A\\n\"}", norm(" { \"a\" : [ 1 , 2.50 , {\"b\":null} ] ,\n \"c\":\"\\u0041\\n\" } "));
        assertEquals("\"é\"", norm("\"\\u00e9\""));
        assertEquals("1e400", norm("1e400"));
        assertEquals("true", norm(" true "));
        assertEquals("[]", norm("[ ]"));
    }

    @Test
    void refusesInvalidJsonWithAnOffset() {
        assertEquals("ERR invalid JSON at byte 5: unexpected character", err("{\"a\":x}"));
        assertEquals("ERR invalid JSON at byte 10: duplicate member name in an object", err("{\"a\":1,\"a\":2}"));
        assertEquals("ERR invalid JSON at byte 2: more than one value", err("1 2"));
        assertEquals("ERR invalid JSON: empty value", err("  "));
        assertEquals("ERR invalid JSON at byte 5: value ends early", err("[1,2,"));
        assertEquals("ERR invalid JSON at byte 1: unexpected character", err("01"));
        assertEquals("ERR invalid JSON: nested deeper than 1000 levels", err("[".repeat(1001) + "]".repeat(1001)));
    }

    private static String err(String s) {
        return assertThrows(JsonInvalidException.class, () -> norm(s)).getMessage();
    }

    @Test
    void pathSubset() throws Exception {
        assertEquals(true, JsonPath.parse("$").isRoot());
        assertEquals(true, JsonPath.parse(".").isRoot());
        byte[] src = "{\"a\":{\"b c\":[10,20,{\"d\":true}]}}".getBytes(StandardCharsets.UTF_8);
        Object doc = Json.parse(src, 0, src.length);
        assertEquals("20", text(JsonPath.parse("$.a[\"b c\"][1]").find(doc)));
        assertEquals("true", text(JsonPath.parse(".a['b c'][-1].d").find(doc)));
        assertEquals("[10,20,{\"d\":true}]", text(JsonPath.parse("a[\"b c\"]").find(doc)));
        assertEquals(null, JsonPath.parse("$.a.x").find(doc));
        assertEquals(null, JsonPath.parse("$.a[\"b c\"][3]").find(doc));
        assertEquals("ERR invalid JSON path '$..a': recursive descent (..) is not supported",
                assertThrows(JsonInvalidException.class, () -> JsonPath.parse("$..a")).getMessage());
        assertEquals("ERR invalid JSON path '$.a[*]': only [index], [\"name\"] and ['name'] are supported in brackets, not [*]",
                assertThrows(JsonInvalidException.class, () -> JsonPath.parse("$.a[*]")).getMessage());
        assertEquals("ERR invalid JSON path '$.*': wildcards are not supported",
                assertThrows(JsonInvalidException.class, () -> JsonPath.parse("$.*")).getMessage());
    }

    private static String text(Object node) {
        return new String(Json.write(node), StandardCharsets.UTF_8);
    }

    @Test
    void jsonCommands() {
        try (Harness h = new Harness()) {
            expect(h, "JSON.SET doc $.a 1", "-ERR new objects must be created at the root");
            expect(h, "JSON.SET doc $ {\"a\":{\"b\":[1,2]}}", "+OK");
            expect(h, "JSON.GET doc", "${\"a\":{\"b\":[1,2]}}");
            expect(h, "JSON.GET doc $", "$[{\"a\":{\"b\":[1,2]}}]");
            expect(h, "JSON.GET doc $.a.b[-1]", "$[2]");
            expect(h, "JSON.GET doc .a.b[0]", "$1");
            expect(h, "JSON.GET doc $.x", "$[]");
            expect(h, "JSON.GET doc .x", "-ERR Path '.x' does not exist");
            expect(h, "JSON.SET doc $.a.c \"new\"", "+OK");
            expect(h, "JSON.SET doc $.a.b[1] {\"z\":null}", "+OK");
            expect(h, "JSON.GET doc", "${\"a\":{\"b\":[1,{\"z\":null}],\"c\":\"new\"}}");
            expect(h, "JSON.SET doc $.a.b[5] 1", "$nil");
            expect(h, "JSON.SET doc $.q.r 1", "$nil");
            expect(h, "JSON.SET doc $.a.c 2 NX", "$nil");
            expect(h, "JSON.SET doc $.a.d 2 XX", "$nil");
            expect(h, "JSON.SET doc $.a.d 2 NX", "+OK");
            expect(h, "JSON.SET doc $ 1 NX", "$nil");
            expect(h, "JSON.SET other $ 1 XX", "$nil");
            expect(h, "JSON.SET doc $ {bad}", "-ERR invalid JSON at byte 1: unexpected character");
            expect(h, "JSON.SET doc $.. 1", "-ERR invalid JSON path '$..': recursive descent (..) is not supported");
            expect(h, "JSON.SET doc $ 1 FOO", "-ERR syntax error");
            expect(h, "SET s v", "+OK");
            expect(h, "JSON.SET s $ 1", "-WRONGTYPE Operation against a key holding the wrong kind of value");
            expect(h, "JSON.GET s", "-WRONGTYPE Operation against a key holding the wrong kind of value");
            expect(h, "JSON.GET nokey", "$nil");
            expect(h, "EXPIRE doc 100", ":1");
            expect(h, "JSON.SET doc $.e [] ", "+OK");
            expect(h, "TTL doc", ":100");
            // Redis verbs on a JSON value: readable as text, not editable as bytes.
            expect(h, "GET doc", "${\"a\":{\"b\":[1,{\"z\":null}],\"c\":\"new\",\"d\":2},\"e\":[]}");
            expect(h, "STRLEN doc", ":49");
            expect(h, "TYPE doc", "+ReJSON-RL");
            expect(h, "APPEND doc x", "-WRONGTYPE Operation against a key holding the wrong kind of value");
            expect(h, "INCR doc", "-WRONGTYPE Operation against a key holding the wrong kind of value");
            expect(h, "SETRANGE doc 0 x", "-WRONGTYPE Operation against a key holding the wrong kind of value");
            expect(h, "INCRBYFLOAT doc 1", "-WRONGTYPE Operation against a key holding the wrong kind of value");
            assertEquals("+OK", Script.render(h.call("PUT", "p", "{\"a\" : 1}", "json")));
            expect(h, "GET p", "${\"a\":1}");
            assertEquals("-ERR invalid JSON at byte 7: unexpected character",
                    Script.render(h.call("PUT", "p", "{\"a\" : }", "json")));
            expect(h, "PUT p 5 weird", "-ERR unknown type, expected string, int or json");
            expect(h, "PUT p 5 int extra", "-ERR syntax error");
            expect(h, "PUT p x int", "-ERR value is not an integer or out of range");
            expect(h, "SET doc plain", "+OK");
            expect(h, "TYPE doc", "+string");
        }
    }
}
