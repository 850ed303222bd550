package io.qrrot.server.memcached;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which first lines the main port takes for memcached, which for Redis, and which it waits to see whole. */
class McDetectorTest {
    private static int classify(String s) {
        ByteBuf b = Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
        int before = b.readerIndex();
        int r = McDetector.classify(b, McDecoder.LINE_MAX);
        assertEquals(before, b.readerIndex(), "classify consumes nothing");
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "stats\r\n", "stats items\r\n", "version\r\n", "verbosity 1\r\n", "gets k\r\n", "gets a b c\r\n",
        "gat 10 k\r\n", "gats 0 k\r\n", "add k 0 0 1\r\n", "replace k 0 0 1\r\n", "prepend k 0 0 1\r\n",
        "cas k 0 0 1 5\r\n", "delete k\r\n", "delete k noreply\r\n", "flush_all\r\n", "flush_all 10\r\n",
        "mn\r\n", "mg k v\r\n", "ms k 2\r\n", "md k\r\n", "ma k\r\n",
        "get k\r\n", "get a b\r\n", "get k\n", "  get k\r\n",
        "set k 0 0 5\r\n", "set k 1 -1 5 noreply\r\n", "append k 0 0 2\r\n", "set k 4294967295 100 0\r\n",
        "incr k 1\r\n", "decr k 5 noreply\r\n", "touch k 10\r\n", "touch k -1 noreply\r\n",
        "stats\r\nget k\r\n", "version\r\n*1\r\n$4\r\nPING\r\n"
    })
    void memcachedLines(String first) {
        assertEquals(McDetector.MEMCACHED, classify(first), first);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "*1\r\n$4\r\nPING\r\n", "*", "*3\r\n$3\r\nset\r\n", "PING\r\n", "ping\r\n", "GET k\r\n", "Get k\r\n",
        "STATS\r\n", "VERSION\r\n", "set k v\r\n", "set k 0 0\r\n", "set k 0 0 5 nx\r\n", "set k a 0 5\r\n",
        "append k v\r\n", "incr k\r\n", "INCR k 1\r\n", "touch a b\r\n", "touch k 10 20\r\n", "get\r\n",
        "quit\r\n", "\r\n", "\n", "   \r\n", "hello world\r\n", "flushall\r\n"
    })
    void redisLines(String first) {
        assertEquals(McDetector.REDIS, classify(first), first);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "st", "stats", "stats\r", "ge", "get k", "set k 0 0 5", "PING"})
    void aFirstLineNotYetWholeWaits(String start) {
        assertEquals(McDetector.NEED_MORE, classify(start), start);
    }

    @org.junit.jupiter.api.Test
    void aLongLineWithoutItsEndIsJudgedByItsName() {
        String keys = "k ".repeat(McDecoder.LINE_MAX);
        assertEquals(McDetector.MEMCACHED, classify("get " + keys));
        assertEquals(McDetector.MEMCACHED, classify("gets " + keys));
        assertEquals(McDetector.REDIS, classify("MGET " + keys));
    }
}
