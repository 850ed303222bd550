package io.qrrot.cli.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class ReplyTreeSinkTest {

    private static Reply.BulkString bulk(String s) {
        return new Reply.BulkString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void buildsNestedRepliesInOrder() {
        ReplyTreeSink sink = new ReplyTreeSink();
        sink.simple("OK");
        sink.array(3);
        sink.integer(1);
        sink.map(1);
        sink.bulk("k");
        sink.set(0);
        sink.bulk(new UnsafeBuffer("xabcx".getBytes(StandardCharsets.UTF_8)), 1, 3);
        sink.nil();
        sink.bulkLong(-5);
        sink.doubleValue(1.5);
        sink.doubleValue(2.0);
        sink.doubleValue(Double.NEGATIVE_INFINITY);
        sink.bool(true);
        sink.verbatim("# Server");
        sink.error("WRONGTYPE Operation against a key holding the wrong kind of value");
        assertEquals(List.of(
                new Reply.SimpleString("OK"),
                new Reply.ArrayReply(List.of(new Reply.IntegerReply(1),
                        new Reply.MapReply(List.of(new Reply.Entry(bulk("k"), new Reply.SetReply(List.of())))),
                        bulk("abc"))),
                Reply.NULL,
                bulk("-5"),
                new Reply.DoubleReply("1.5"),
                new Reply.DoubleReply("2"),
                new Reply.DoubleReply("-inf"),
                new Reply.BooleanReply(true),
                new Reply.VerbatimReply("txt", "# Server"),
                new Reply.ErrorReply("WRONGTYPE Operation against a key holding the wrong kind of value")),
                sink.take());
        assertEquals(List.of(), sink.take());
    }

    @Test
    void protocolTwoBuildsWhatARespTwoServerSends() {
        ReplyTreeSink sink = new ReplyTreeSink(2);
        sink.map(1);
        sink.bulk("k");
        sink.set(2);
        sink.integer(1);
        sink.doubleValue(1e21);
        sink.bool(true);
        sink.bool(false);
        sink.verbatim("# Server\r\n");
        sink.doubleValue(Double.POSITIVE_INFINITY);
        sink.error("ERR two\r\nlines");
        sink.nilArray();
        assertEquals(List.of(
                new Reply.ArrayReply(List.of(bulk("k"), new Reply.ArrayReply(List.of(new Reply.IntegerReply(1),
                        bulk("1e+21"))))),
                new Reply.IntegerReply(1),
                new Reply.IntegerReply(0),
                bulk("# Server\r\n"),
                bulk("inf"),
                new Reply.ErrorReply("ERR two  lines"),
                Reply.NULL), sink.take());
        assertEquals("protocol must be 2 or 3, not 4",
                assertThrows(IllegalArgumentException.class, () -> new ReplyTreeSink(4)).getMessage());
    }

    /** A sorted-set score comes as its "%.17g" text: RESP3 a double of that text, RESP2 a bulk string of it. */
    @Test
    void doubleTextKeepsTheEngineText() {
        UnsafeBuffer text = new UnsafeBuffer("x0.10000000000000001x".getBytes(StandardCharsets.US_ASCII));
        ReplyTreeSink three = new ReplyTreeSink(3);
        three.doubleText(text, 1, 19);
        ReplyTreeSink two = new ReplyTreeSink(2);
        two.doubleText(text, 1, 19);
        assertEquals(List.of(new Reply.DoubleReply("0.10000000000000001")), three.take());
        assertEquals(List.of(bulk("0.10000000000000001")), two.take());
    }

    /** ZRANGE … WITHSCORES and HRANDFIELD … WITHVALUES: RESP3 nests each pair, RESP2 flattens them. */
    @Test
    void pairsNestInRespThreeOnly() {
        for (int protocol : new int[] {2, 3}) {
            ReplyTreeSink sink = new ReplyTreeSink(protocol);
            sink.pairs(2);
            sink.pair();
            sink.bulk("a");
            sink.doubleValue(1);
            sink.pair();
            sink.bulk("b");
            sink.doubleValue(2);
            sink.pairs(0);
            Reply one = protocol == 3 ? new Reply.DoubleReply("1") : bulk("1");
            Reply two = protocol == 3 ? new Reply.DoubleReply("2") : bulk("2");
            List<Reply> expected = protocol == 3
                    ? List.of(new Reply.ArrayReply(List.of(new Reply.ArrayReply(List.of(bulk("a"), one)),
                            new Reply.ArrayReply(List.of(bulk("b"), two)))), new Reply.ArrayReply(List.of()))
                    : List.of(new Reply.ArrayReply(List.of(bulk("a"), one, bulk("b"), two)),
                            new Reply.ArrayReply(List.of()));
            assertEquals(expected, sink.take(), "RESP" + protocol);
        }
    }

    @Test
    void incompleteReplyIsReported() {
        ReplyTreeSink sink = new ReplyTreeSink();
        sink.array(2);
        sink.integer(1);
        assertEquals("a reply is still being built: 1 elements missing",
                assertThrows(IllegalStateException.class, sink::take).getMessage());
    }
}
