package io.qrrot.cli.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespReaderTest {

    private static Reply read(String wire) throws Exception {
        return new RespReader(new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1))).read();
    }

    private static Reply.BulkString bulk(String s) {
        return new Reply.BulkString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void resp2Types() throws Exception {
        assertEquals(new Reply.SimpleString("OK"), read("+OK\r\n"));
        assertEquals(new Reply.ErrorReply("ERR unknown command 'foo'"), read("-ERR unknown command 'foo'\r\n"));
        assertEquals(new Reply.IntegerReply(-42), read(":-42\r\n"));
        assertEquals(bulk("a\r\nb"), read("$4\r\na\r\nb\r\n"));
        assertEquals(bulk(""), read("$0\r\n\r\n"));
        assertEquals(Reply.NULL, read("$-1\r\n"));
        assertEquals(Reply.NULL, read("*-1\r\n"));
        assertEquals(new Reply.ArrayReply(List.of()), read("*0\r\n"));
        assertEquals(new Reply.ArrayReply(List.of(new Reply.IntegerReply(1),
                        new Reply.ArrayReply(List.of(bulk("x"), Reply.NULL)))),
                read("*2\r\n:1\r\n*2\r\n$1\r\nx\r\n$-1\r\n"));
    }

    @Test
    void resp3Types() throws Exception {
        assertEquals(Reply.NULL, read("_\r\n"));
        assertEquals(new Reply.DoubleReply("3.14"), read(",3.14\r\n"));
        assertEquals(Double.POSITIVE_INFINITY, ((Reply.DoubleReply) read(",inf\r\n")).value());
        assertEquals(new Reply.BooleanReply(true), read("#t\r\n"));
        assertEquals(new Reply.BooleanReply(false), read("#f\r\n"));
        assertEquals(new Reply.BigNumberReply("-123456789012345678901234567890"),
                read("(-123456789012345678901234567890\r\n"));
        assertEquals(new Reply.VerbatimReply("txt", "Some string"), read("=15\r\ntxt:Some string\r\n"));
        assertEquals(new Reply.ErrorReply("SYNTAX invalid syntax"), read("!21\r\nSYNTAX invalid syntax\r\n"));
        assertEquals(new Reply.MapReply(List.of(new Reply.Entry(bulk("a"), new Reply.IntegerReply(1)),
                        new Reply.Entry(new Reply.SimpleString("b"), Reply.NULL))),
                read("%2\r\n$1\r\na\r\n:1\r\n+b\r\n_\r\n"));
        assertEquals(new Reply.SetReply(List.of(bulk("x"))), read("~1\r\n$1\r\nx\r\n"));
        assertEquals(new Reply.PushReply(List.of(bulk("message"), bulk("ch"))),
                read(">2\r\n$7\r\nmessage\r\n$2\r\nch\r\n"));
    }

    @Test
    void attributesAreSkipped() throws Exception {
        assertEquals(new Reply.IntegerReply(7), read("|1\r\n+ttl\r\n:3\r\n:7\r\n"));
    }

    @Test
    void statusLinesAreUtf8() throws Exception {
        byte[] wire = "-ERR clé\r\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(new Reply.ErrorReply("ERR clé"), new RespReader(new ByteArrayInputStream(wire)).read());
    }

    @Test
    void malformedInputIsAProtocolError() {
        assertEquals("protocol error: unexpected reply type byte 0x48 ('H'); is this a RESP server?",
                assertThrows(RespException.class, () -> read("HTTP/1.1 400\r\n")).getMessage());
        assertEquals("protocol error: expected a number after ':', got 'x'",
                assertThrows(RespException.class, () -> read(":x\r\n")).getMessage());
        assertEquals("protocol error: bulk string of 3 bytes not followed by CRLF",
                assertThrows(RespException.class, () -> read("$3\r\nabcd\r\n")).getMessage());
        assertEquals("protocol error: boolean must be 't' or 'f', got 'x'",
                assertThrows(RespException.class, () -> read("#x\r\n")).getMessage());
        assertEquals("connection closed by the server in the middle of a reply",
                assertThrows(EOFException.class, () -> read("*2\r\n:1\r\n")).getMessage());
        assertEquals("connection closed by the server",
                assertThrows(EOFException.class, () -> read("")).getMessage());
    }
}
