package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Redis commands on memcached items: read as strings, kept as items by the commands that do not change the bytes. */
class MemcachedRedisTest {
    private static Mc.Item item(String key, int flags, String value, long cas) {
        return new Mc.Item(key, flags, value, cas);
    }

    private static long derived(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return Memcached.derivedCas(new org.agrona.concurrent.UnsafeBuffer(b), 0, b.length);
    }

    @Test
    void redisReadsAnItemAsAString() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            mc.set("k", 5, 0, "hello");
            assertEquals("hello", h.call("GET", "k"));
            assertEquals(5L, h.call("STRLEN", "k"));
            assertEquals("ell", h.call("GETRANGE", "k", "1", "3"));
            assertEquals("hello", h.call("GETRANGE", "k", "0", "-1"));
            assertEquals("+string", h.call("TYPE", "k").toString());
            assertEquals("embstr", h.call("OBJECT", "ENCODING", "k"));
            mc.set("long", 5, 0, "x".repeat(45));
            assertEquals("raw", h.call("OBJECT", "ENCODING", "long"));
            assertEquals(2L, h.call("EXISTS", "k", "long"));
            assertEquals(Arrays.asList("hello", null, "x".repeat(45)), h.call("MGET", "k", "none", "long"));
            assertEquals(-1L, h.call("TTL", "k"));
            assertEquals(List.of("k"), h.call("KEYS", "k*"));
            mc.set("n", 0, 0, "12");
            assertEquals("embstr", h.call("OBJECT", "ENCODING", "n"), "an item is never an int");
            assertEquals(3L, h.call("DBSIZE"));
            assertEquals(item("k", 5, "hello", 1), mc.get("k"), "reads change nothing");
        }
    }

    @Test
    void redisWritesOfTheBytesMakeAPlainString() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            mc.set("a", 5, 100, "abc");
            assertEquals(4L, h.call("APPEND", "a", "d"));
            assertEquals(item("a", 0, "abcd", derived("abcd")), mc.get("a"));
            assertEquals(100_000L, h.call("PTTL", "a"), "APPEND keeps the TTL");

            mc.set("r", 5, 0, "abc");
            assertEquals(3L, h.call("SETRANGE", "r", "1", "X"));
            assertEquals(item("r", 0, "aXc", derived("aXc")), mc.get("r"));

            mc.set("i", 5, 0, "10");
            assertEquals(11L, h.call("INCR", "i"));
            assertEquals("int", h.call("OBJECT", "ENCODING", "i"));
            assertEquals(item("i", 0, "11", derived("11")), mc.get("i"));

            mc.set("s", 5, 0, "abc");
            assertEquals("+OK", h.call("SET", "s", "new").toString());
            assertEquals(item("s", 0, "new", derived("new")), mc.get("s"));

            mc.set("g", 5, 0, "old");
            assertEquals("old", h.call("GETSET", "g", "new"));
            assertEquals(item("g", 0, "new", derived("new")), mc.get("g"));

            mc.set("d", 5, 0, "gone");
            assertEquals("gone", h.call("GETDEL", "d"));
            assertNull(mc.get("d"));
            assertEquals(0, h.engine.stats().items());
        }
    }

    @Test
    void expireAndPersistKeepTheItem() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            mc.set("k", 5, 0, "v");
            assertEquals(1L, h.call("EXPIRE", "k", "100"));
            assertEquals(item("k", 5, "v", 1), mc.get("k"));
            assertEquals(100_000L, h.call("PTTL", "k"));
            assertEquals(1L, h.call("PERSIST", "k"));
            assertEquals(item("k", 5, "v", 1), mc.get("k"));
            assertEquals(-1L, h.call("PTTL", "k"));
            assertEquals(1L, h.call("PEXPIREAT", "k", Long.toString(h.clock.millis() + 5)));
            assertEquals("v", h.call("GETEX", "k", "EX", "50"));
            assertEquals(50_000L, h.call("PTTL", "k"));
            assertEquals("v", h.call("GETEX", "k", "PERSIST"));
            assertEquals(item("k", 5, "v", 1), mc.get("k"));
            assertEquals(1, h.engine.stats().items());
            assertEquals(1L, h.call("EXPIRE", "k", "1"));
            h.clock.advance(1001);
            assertNull(h.call("GET", "k"));
            assertNull(mc.get("k"));
        }
    }

    @Test
    void renameAndCopyKeepTheItem() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            mc.set("a", 5, 100, "abc");
            assertEquals("+OK", h.call("RENAME", "a", "b").toString());
            assertNull(mc.get("a"));
            assertEquals(item("b", 5, "abc", 1), mc.get("b"));
            assertEquals(100_000L, h.call("PTTL", "b"));
            assertEquals(1L, h.call("RENAMENX", "b", "c"));
            assertEquals(item("c", 5, "abc", 1), mc.get("c"));
            assertEquals(1L, h.call("COPY", "c", "d"));
            assertEquals(item("d", 5, "abc", 1), mc.get("d"), "a copy has the same bytes, flags and unique");
            assertEquals(item("c", 5, "abc", 1), mc.get("c"));
            assertEquals(100_000L, h.call("PTTL", "d"));
            h.call("SET", "e", "plain");
            assertEquals(1L, h.call("COPY", "d", "e", "REPLACE"));
            assertEquals(item("e", 5, "abc", 1), mc.get("e"));
            assertEquals(3, h.engine.stats().items());
            assertEquals("STORED", mc.cas("e", 6, 0, "new", 1), "the copy's unique is usable");
            assertEquals(item("d", 5, "abc", 1), mc.get("d"));
            assertEquals(0L, h.call("COPY", "d", "e"));
        }
    }

    @Test
    void scanTypeStringFindsItems() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            mc.set("item", 5, 0, "v");
            h.call("SET", "str", "v");
            h.call("HSET", "hash", "f", "v");
            @SuppressWarnings("unchecked")
            List<Object> reply = (List<Object>) h.call("SCAN", "0", "TYPE", "string", "COUNT", "1000");
            assertEquals("0", reply.get(0));
            assertEquals(List.of("item", "str"), ((List<?>) reply.get(1)).stream().map(Object::toString).sorted().toList());
            reply = castList(h.call("SCAN", "0", "TYPE", "hash", "COUNT", "1000"));
            assertEquals(List.of("hash"), reply.get(1));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(Object o) {
        return (List<Object>) o;
    }

    @Test
    void allShowsAnItemAsAStringOfItsBytes() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            mc.set("k", 5, 0, "abc");
            List<Object> reply = castList(h.call("ALL"));
            assertEquals("0", reply.get(0));
            assertEquals(List.of(List.of("k", "+string", "abc")), stringify(reply.get(1)));
        }
    }

    private static Object stringify(Object o) {
        if (o instanceof List<?> l) {
            return l.stream().map(MemcachedRedisTest::stringify).toList();
        }
        return o.toString();
    }

    @Test
    void aRedisTransactionSeesItemsAsStrings() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            mc.set("k", 5, 0, "abc");
            h.call("MULTI");
            h.call("GET", "k");
            h.call("EXPIRE", "k", "10");
            h.call("RENAME", "k", "m");
            assertEquals(List.of("abc", 1L, "+OK"), stringifyKeepLongs(h.call("EXEC")));
            assertEquals(item("m", 5, "abc", 1), mc.get("m"));
            assertEquals(10_000L, h.call("PTTL", "m"));
        }
    }

    @Test
    void aMemcachedStoreAbortsATransactionWatchingTheKey() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            mc.set("k", 5, 0, "abc");
            h.call("WATCH", "k");
            assertEquals("STORED", mc.store(Memcached.Op.APPEND, "k", 0, 0, "d"));
            h.call("MULTI");
            h.call("SET", "k", "redis");
            assertEquals(TreeSink.NIL_ARRAY, h.call("EXEC"));
            assertEquals(item("k", 5, "abcd", 2), mc.get("k"));
            h.call("WATCH", "k");
            mc.get("k");
            assertEquals("NOT_STORED", mc.store(Memcached.Op.ADD, "k", 0, 0, "x"));
            h.call("MULTI");
            h.call("SET", "k", "redis");
            assertEquals(List.of("+OK"), stringify(h.call("EXEC")), "reads and refused stores change nothing");
        }
    }

    private static Object stringifyKeepLongs(Object o) {
        if (o instanceof List<?> l) {
            return l.stream().map(x -> x instanceof Long ? x : x.toString()).toList();
        }
        return o;
    }
}
