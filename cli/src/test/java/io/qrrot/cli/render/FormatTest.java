package io.qrrot.cli.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qrrot.cli.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Reply.BulkString bulk(String s) {
        return new Reply.BulkString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String std(Reply r) {
        return new String(ReplyFormat.standard().format(r), StandardCharsets.UTF_8);
    }

    private static String raw(Reply r) {
        return new String(ReplyFormat.raw().format(r), StandardCharsets.UTF_8);
    }

    private static JsonNode json(Reply r) throws Exception {
        String s = new String(ReplyFormat.json().format(r), StandardCharsets.UTF_8);
        assertEquals(1, s.split("\n", -1).length - 1, "one line per reply: " + s);
        return JSON.readTree(s);
    }

    @Test
    void scalarsRenderAsRedisCliDoes() {
        assertEquals("OK\n", std(new Reply.SimpleString("OK")));
        assertEquals("(error) ERR wrong number of arguments\n", std(new Reply.ErrorReply("ERR wrong number of arguments")));
        assertEquals("(integer) 5\n", std(new Reply.IntegerReply(5)));
        assertEquals("(nil)\n", std(Reply.NULL));
        assertEquals("(double) 3.14\n", std(new Reply.DoubleReply("3.14")));
        assertEquals("(true)\n", std(new Reply.BooleanReply(true)));
        assertEquals("(false)\n", std(new Reply.BooleanReply(false)));
        assertEquals("(big number) 12345678901234567890\n", std(new Reply.BigNumberReply("12345678901234567890")));
        assertEquals("# Server\nredis_version:7\n", std(new Reply.VerbatimReply("txt", "# Server\nredis_version:7")));
        assertEquals("\"\"\n", std(bulk("")));
    }

    @Test
    void bulkStringsAreQuotedWithEscapes() {
        byte[] b = {'a', '"', '\\', '\n', '\r', '\t', 7, '\b', 0, (byte) 0xc3, (byte) 0xa9, '~', ' '};
        assertEquals("\"a\\\"\\\\\\n\\r\\t\\a\\b\\x00\\xc3\\xa9~ \"\n", std(new Reply.BulkString(b)));
    }

    @Test
    void nestedArraysAreNumberedAndIndented() {
        Reply r = new Reply.ArrayReply(List.of(new Reply.IntegerReply(1),
                new Reply.ArrayReply(List.of(new Reply.IntegerReply(2), new Reply.ArrayReply(List.of(bulk("x"), Reply.NULL)))),
                new Reply.ArrayReply(List.of()), bulk("y")));
        assertEquals("""
                1) (integer) 1
                2) 1) (integer) 2
                   2) 1) "x"
                      2) (nil)
                3) (empty array)
                4) "y"
                """, std(r));
    }

    @Test
    void indexWidthGrowsWithTheCount() {
        List<Reply> items = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            items.add(i == 9 ? new Reply.ArrayReply(List.of(bulk("a"), bulk("b"))) : bulk("v" + i));
        }
        String s = std(new Reply.ArrayReply(items));
        assertEquals(" 1) \"v0\"", s.lines().findFirst().orElseThrow());
        assertEquals("10) 1) \"a\"", s.lines().skip(9).findFirst().orElseThrow());
        assertEquals("    2) \"b\"", s.lines().skip(10).findFirst().orElseThrow());
    }

    @Test
    void mapsSetsAndPushes() {
        Reply map = new Reply.MapReply(List.of(
                new Reply.Entry(bulk("name"), bulk("ivan")),
                new Reply.Entry(bulk("tags"), new Reply.SetReply(List.of(bulk("a"), bulk("b")))),
                new Reply.Entry(bulk("one"), new Reply.ArrayReply(List.of(bulk("only")))),
                new Reply.Entry(bulk("none"), new Reply.MapReply(List.of()))));
        assertEquals("""
                1# "name" => "ivan"
                2# "tags" => \n   1~ "a"
                   2~ "b"
                3# "one" => 1) "only"
                4# "none" => (empty hash)
                """, std(map));
        assertEquals("(empty set)\n", std(new Reply.SetReply(List.of())));
        assertEquals("(empty push)\n", std(new Reply.PushReply(List.of())));
        assertEquals("1) \"message\"\n2) \"hi\"\n", std(new Reply.PushReply(List.of(bulk("message"), bulk("hi")))));
    }

    @Test
    void rawIsRedisCliRaw() {
        assertEquals("a\"b\n", raw(bulk("a\"b")));
        assertEquals("\n", raw(Reply.NULL));
        assertEquals("5\n", raw(new Reply.IntegerReply(5)));
        assertEquals("ERR bad\n\n", raw(new Reply.ErrorReply("ERR bad")));
        assertEquals("a\nb\n\nc\n", raw(new Reply.ArrayReply(List.of(bulk("a"), bulk("b"), Reply.NULL, bulk("c")))));
        assertEquals("f1 v1\nf2 v2\n", raw(new Reply.MapReply(List.of(new Reply.Entry(bulk("f1"), bulk("v1")),
                new Reply.Entry(bulk("f2"), bulk("v2"))))));
        assertEquals("(true)\n", raw(new Reply.BooleanReply(true)));
        assertEquals("1.5\n", raw(new Reply.DoubleReply("1.5")));
    }

    @Test
    void jsonParsesBack() throws Exception {
        assertEquals(JSON.readTree("\"OK\""), json(new Reply.SimpleString("OK")));
        assertEquals(JSON.readTree("{\"error\":\"ERR x\"}"), json(new Reply.ErrorReply("ERR x")));
        assertEquals(JSON.readTree("null"), json(Reply.NULL));
        assertEquals(JSON.readTree("[1,\"a\",null,[true,1.5]]"), json(new Reply.ArrayReply(List.of(
                new Reply.IntegerReply(1), bulk("a"), Reply.NULL,
                new Reply.SetReply(List.of(new Reply.BooleanReply(true), new Reply.DoubleReply("1.5")))))));
        assertEquals(JSON.readTree("{\"f\":\"v\",\"7\":{\"n\":\"inf\"}}"), json(new Reply.MapReply(List.of(
                new Reply.Entry(bulk("f"), bulk("v")),
                new Reply.Entry(new Reply.IntegerReply(7),
                        new Reply.MapReply(List.of(new Reply.Entry(bulk("n"), new Reply.DoubleReply("inf")))))))));
        assertEquals("12345678901234567890123", json(new Reply.BigNumberReply("12345678901234567890123")).bigIntegerValue().toString());
        assertEquals("hello", json(new Reply.VerbatimReply("txt", "hello")).textValue());
        assertEquals("snowman ☃ \"q\"\n", json(bulk("snowman ☃ \"q\"\n")).textValue());
        assertEquals("\u00ff\u0000", json(new Reply.BulkString(new byte[] {(byte) 0xff, 0})).textValue());
    }

    @Test
    void argsAreQuotedOnlyWhenNeeded() {
        assertEquals("ivan", Repr.arg("ivan".getBytes(StandardCharsets.UTF_8)));
        assertEquals("\"a b\"", Repr.arg("a b".getBytes(StandardCharsets.UTF_8)));
        assertEquals("\"\"", Repr.arg(new byte[0]));
        assertEquals("\"{\\\"a\\\":1}\"", Repr.arg("{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("\"caf\\xc3\\xa9\"", Repr.arg("café".getBytes(StandardCharsets.UTF_8)));
    }
}
