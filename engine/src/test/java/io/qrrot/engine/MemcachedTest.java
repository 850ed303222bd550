package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.engine.Memcached.Op;
import io.qrrot.engine.store.EntryType;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** memcached's storage semantics ({@link Memcached}) through {@link Engine#executeMemcached}, on a fake clock. */
class MemcachedTest {
    private static final String NON_NUMERIC = "CLIENT_ERROR cannot increment or decrement non-numeric value";

    private static Mc.Item item(String key, int flags, String value, long cas) {
        return new Mc.Item(key, flags, value, cas);
    }

    private static long derived(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return Memcached.derivedCas(new UnsafeBuffer(b), 0, b.length);
    }

    // ---- retrieval and set ----

    @Test
    void setStoresFlagsAndBytesAndEveryStoreGetsTheNextCas() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            assertEquals("STORED", mc.set("k", 5, 0, "abc"));
            assertEquals(item("k", 5, "abc", 1), mc.get("k"));
            assertEquals("STORED", mc.set("j", 0, 0, ""));
            assertEquals(item("j", 0, "", 2), mc.get("j"));
            assertEquals("STORED", mc.set("k", -1, 0, "xyz"));
            assertEquals(item("k", -1, "xyz", 3), mc.get("k"));
            assertEquals(3, mc.lastCas());
            // flags are unsigned 32-bit
            assertEquals(List.of("VALUE k 4294967295 xyz 3", "END"), mc.run(Op.GET, 0, 0, 0, "k"));
            assertEquals(2, h.engine.stats().items());
        }
    }

    @Test
    void getSendsTheHitsInKeyOrderThenEnd() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            mc.set("a", 1, 0, "A");
            mc.set("b", 2, 0, "B");
            assertEquals(List.of("VALUE b 2 B 2", "VALUE a 1 A 1", "VALUE b 2 B 2", "END"),
                    mc.run(Op.GET, 0, 0, 0, "b", "missing", "a", "b"));
            assertEquals(List.of("END"), mc.run(Op.GETS, 0, 0, 0, "missing"));
            assertEquals(0, mc.lastLsn, "a read logs nothing");
        }
    }

    @Test
    void addAndReplace() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            assertEquals("NOT_STORED", mc.store(Op.REPLACE, "k", 1, 0, "r"));
            assertNull(mc.get("k"));
            assertEquals("STORED", mc.store(Op.ADD, "k", 1, 0, "a"));
            assertEquals(item("k", 1, "a", 1), mc.get("k"));
            assertEquals("NOT_STORED", mc.store(Op.ADD, "k", 2, 0, "b"));
            assertEquals(item("k", 1, "a", 1), mc.get("k"));
            assertEquals("STORED", mc.store(Op.REPLACE, "k", 3, 0, "c"));
            assertEquals(item("k", 3, "c", 2), mc.get("k"));
        }
    }

    @Test
    void casStoresOnlyOverTheSameUnique() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            assertEquals("NOT_FOUND", mc.cas("k", 0, 0, "v", 1));
            mc.set("k", 4, 0, "v1");
            assertEquals("EXISTS", mc.cas("k", 0, 0, "v2", 2));
            assertEquals(item("k", 4, "v1", 1), mc.get("k"));
            assertEquals("STORED", mc.cas("k", 6, 0, "v2", 1));
            assertEquals(item("k", 6, "v2", 2), mc.get("k"));
            assertEquals("EXISTS", mc.cas("k", 0, 0, "v3", 1), "the old unique no longer matches");
        }
    }

    @Test
    void deleteAndTouch() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            assertEquals("NOT_FOUND", mc.delete("k"));
            assertEquals("NOT_FOUND", mc.touch("k", 10));
            mc.set("k", 3, 0, "v");
            assertEquals("TOUCHED", mc.touch("k", 100));
            assertEquals(100_000L, h.call("PTTL", "k"));
            assertEquals(item("k", 3, "v", 1), mc.get("k"), "touch keeps the value, flags and CAS");
            assertEquals("TOUCHED", mc.touch("k", 0));
            assertEquals(-1L, h.call("PTTL", "k"));
            assertEquals(item("k", 3, "v", 1), mc.get("k"));
            assertEquals("TOUCHED", mc.touch("k", -1));
            assertNull(mc.get("k"), "a negative exptime expires it");
            mc.set("k", 0, 0, "v");
            assertEquals("DELETED", mc.delete("k"));
            assertNull(mc.get("k"));
            assertEquals(0L, h.call("EXISTS", "k"));
            assertEquals("NOT_FOUND", mc.delete("k"));
        }
    }

    @Test
    void gatAndGatsReturnTheItemAndSetItsExpiry() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            mc.set("a", 1, 0, "A");
            mc.set("b", 2, 50, "B");
            assertEquals(List.of("VALUE a 1 A 1", "VALUE b 2 B 2", "END"), mc.run(Op.GAT, 0, 30, 0, "a", "x", "b"));
            assertTrue(mc.lastLsn > 0);
            assertEquals(30_000L, h.call("PTTL", "a"));
            assertEquals(30_000L, h.call("PTTL", "b"));
            assertEquals(List.of("VALUE a 1 A 1", "END"), mc.run(Op.GATS, 0, 0, 0, "a"));
            assertEquals(-1L, h.call("PTTL", "a"));
            assertEquals(List.of("VALUE b 2 B 2", "END"), mc.run(Op.GAT, 0, -1, 0, "b"));
            assertNull(mc.get("b"), "gat with a negative exptime sends the item, then it is gone");
        }
    }

    @Test
    void aStoreWithAnExpiredExptimeStoresNothingAndRemovesTheOldValue() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            mc.set("k", 0, 0, "old");
            assertEquals("STORED", mc.set("k", 0, -1, "new"));
            assertNull(mc.get("k"));
            assertEquals(0L, h.call("EXISTS", "k"));
            assertEquals("STORED", mc.set("j", 0, Memcached.MAX_RELATIVE_EXPTIME + 1, "v"), "1970: in the past");
            assertNull(mc.get("j"));
            assertEquals(0L, h.call("DBSIZE"));
        }
    }

    @Test
    void anItemExpiresOnTheClock() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            mc.set("k", 0, 10, "v");
            h.clock.advance(10_000);
            assertEquals(item("k", 0, "v", 1), mc.get("k"), "still there at its expiry");
            h.clock.advance(1);
            assertNull(mc.get("k"));
            mc.set("n", 0, 10, "1");
            h.clock.advance(10_001);
            assertEquals("NOT_FOUND", mc.incr("n", 1));
            long absolute = h.clock.millis() / 1000 + 100;
            mc.set("abs", 0, (int) absolute, "v");
            assertEquals(absolute * 1000 - h.clock.millis(), h.call("PTTL", "abs"));
        }
    }

    // ---- append, prepend ----

    @Test
    void appendAndPrependKeepFlagsAndExpiryAndGetANewCas() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            assertEquals("NOT_STORED", mc.store(Op.APPEND, "k", 0, 0, "x"));
            assertEquals("NOT_STORED", mc.store(Op.PREPEND, "k", 0, 0, "x"));
            assertEquals(0L, h.call("EXISTS", "k"));
            mc.set("k", 7, 100, "mid");
            assertEquals("STORED", mc.store(Op.APPEND, "k", 9, 0, "end"));
            assertEquals(item("k", 7, "midend", 2), mc.get("k"));
            assertEquals(100_000L, h.call("PTTL", "k"));
            assertEquals("STORED", mc.store(Op.PREPEND, "k", 9, 5, "start"));
            assertEquals(item("k", 7, "startmidend", 3), mc.get("k"));
            assertEquals(100_000L, h.call("PTTL", "k"));
        }
    }

    @Test
    void appendToARedisStringOrIntJoinsItsTextWithFlagsZero() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            h.call("SET", "s", "abc", "PX", "5000");
            h.call("SET", "n", "12");
            assertEquals("STORED", mc.store(Op.APPEND, "s", 3, 0, "d"));
            assertEquals("STORED", mc.store(Op.PREPEND, "n", 3, 0, "-"));
            assertEquals(item("s", 0, "abcd", 1), mc.get("s"));
            assertEquals(5000L, h.call("PTTL", "s"));
            assertEquals(item("n", 0, "-12", 2), mc.get("n"));
        }
    }

    // ---- incr, decr ----

    @Test
    void incrAndDecrOnAnItem() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            assertEquals("NOT_FOUND", mc.incr("k", 1));
            mc.set("k", 6, 100, "10");
            assertEquals("15", mc.incr("k", 5));
            assertEquals(item("k", 6, "15", 2), mc.get("k"), "flags stay, a new CAS");
            assertEquals(100_000L, h.call("PTTL", "k"), "expiry stays");
            assertEquals("100", mc.incr("k", 85));
            assertEquals(item("k", 6, "100", 3), mc.get("k"), "longer: the digits");
            assertEquals("5", mc.decr("k", 95));
            assertEquals(item("k", 6, "5  ", 4), mc.get("k"), "shorter: written over the old, space padded");
            assertEquals("0", mc.decr("k", 6));
            assertEquals(item("k", 6, "0  ", 5), mc.get("k"), "decr stops at 0");
            assertEquals("0", mc.decr("k", -1L));
            assertEquals("3", mc.incr("k", 3));
            assertEquals(item("k", 6, "3  ", 7), mc.get("k"), "padding parses: trailing spaces are fine");
        }
    }

    @Test
    void incrWrapsAt2To64() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            mc.set("k", 0, 0, "18446744073709551615");
            assertEquals("1", mc.incr("k", 2));
            assertEquals(item("k", 0, "1" + " ".repeat(19), 2), mc.get("k"));
            mc.set("m", 0, 0, "9223372036854775807");
            assertEquals("9223372036854775808", mc.incr("m", 1));
            assertEquals("18446744073709551615", mc.incr("m", Long.MAX_VALUE));
            assertEquals(item("m", 0, "18446744073709551615", 5), mc.get("m"));
            assertEquals("18446744073709551614", mc.decr("m", 1));
        }
    }

    @Test
    void incrOnSomethingThatIsNotANumber() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            for (String v : new String[] {"abc", "", "-5", "1a", "18446744073709551616", " "}) {
                mc.set("k", 0, 0, v);
                assertEquals(NON_NUMERIC, mc.incr("k", 1), "'" + v + "'");
                assertEquals(NON_NUMERIC, mc.decr("k", 1), "'" + v + "'");
                assertEquals(v, mc.get("k").value());
            }
            h.call("SET", "neg", "-3");
            assertEquals(NON_NUMERIC, mc.incr("neg", 1));
            assertEquals(-3L, h.call("GET", "neg") instanceof String s ? Long.parseLong(s) : null);
        }
    }

    @Test
    void incrOnARedisIntOrStringKeepsARedisInt() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            h.call("SET", "n", "10", "EX", "100");
            assertEquals("15", mc.incr("n", 5));
            assertEquals("15", h.call("GET", "n"));
            assertEquals("int", h.call("OBJECT", "ENCODING", "n"));
            assertEquals(100_000L, h.call("PTTL", "n"), "expiry stays");
            assertEquals(16L, h.call("INCR", "n"), "still a Redis counter");
            assertEquals(item("n", 0, "16", derived("16")), mc.get("n"));
            h.call("SET", "z", "0099");
            assertEquals("embstr", h.call("OBJECT", "ENCODING", "z"));
            assertEquals("98", mc.decr("z", 1));
            assertEquals("int", h.call("OBJECT", "ENCODING", "z"), "the digits alone, not padded");
            assertEquals(item("z", 0, "98", derived("98")), mc.get("z"));
            assertEquals(0, mc.lastCas(), "a Redis value gets no CAS unique of the counter");
            h.call("SET", "big", "9223372036854775807");
            assertEquals("9223372036854775808", mc.incr("big", 1));
            assertEquals("9223372036854775808", h.call("GET", "big"));
            assertEquals("embstr", h.call("OBJECT", "ENCODING", "big"), "past a signed long: a string");
        }
    }

    // ---- Redis values ----

    @Test
    void aRedisStringHasFlagsZeroAndACasDerivedFromItsBytes() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            h.call("SET", "s", "hello");
            long cas = derived("hello");
            assertTrue(cas < 0, "derived uniques have the top bit set");
            assertEquals(item("s", 0, "hello", cas), mc.get("s"));
            h.call("SET", "s", "hello");
            assertEquals(cas, mc.get("s").cas(), "the same bytes, the same unique");
            assertEquals("EXISTS", mc.cas("s", 0, 0, "x", cas + 1));
            assertEquals("STORED", mc.cas("s", 2, 0, "world", cas));
            assertEquals(item("s", 2, "world", 1), mc.get("s"));
            h.call("SET", "i", "42");
            assertEquals(item("i", 0, "42", derived("42")), mc.get("i"));
            assertEquals("STORED", mc.cas("i", 0, 0, "43", derived("42")));
            h.call("JSON.SET", "j", "$", "{\"a\":1}");
            assertEquals(item("j", 0, "{\"a\":1}", derived("{\"a\":1}")), mc.get("j"));
        }
    }

    @Test
    void collectionsAreAsTheClassCommentSays() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            h.call("HSET", "h", "f", "v");
            h.call("RPUSH", "l", "a");
            h.call("SADD", "s", "m");
            h.call("ZADD", "z", "1", "m");
            for (String k : new String[] {"h", "l", "s", "z"}) {
                assertEquals(List.of("END"), mc.run(Op.GET, 0, 0, 0, k), k + ": a read misses");
                assertEquals(List.of("END"), mc.run(Op.GAT, 0, 10, 0, k), k);
                assertEquals("NOT_STORED", mc.store(Op.ADD, k, 0, 0, "x"), k);
                assertEquals("NOT_STORED", mc.store(Op.APPEND, k, 0, 0, "x"), k);
                assertEquals("NOT_STORED", mc.store(Op.PREPEND, k, 0, 0, "x"), k);
                assertEquals(NON_NUMERIC, mc.incr(k, 1), k);
                assertEquals(NON_NUMERIC, mc.decr(k, 1), k);
                assertEquals("EXISTS", mc.cas(k, 0, 0, "x", 0), k);
                assertEquals(-1L, h.call("PTTL", k), k + ": gat of a collection does not touch it");
            }
            assertEquals("TOUCHED", mc.touch("z", 20));
            assertEquals(20_000L, h.call("PTTL", "z"));
            assertEquals("zset", h.call("TYPE", "z").toString().substring(1));
            assertEquals("DELETED", mc.delete("s"));
            assertEquals(0L, h.call("EXISTS", "s"));
            assertEquals("STORED", mc.set("h", 1, 0, "now"));
            assertEquals(item("h", 1, "now", 1), mc.get("h"));
            assertEquals("+string", h.call("TYPE", "h").toString());
            assertEquals("STORED", mc.store(Op.REPLACE, "l", 2, 0, "also"));
            assertEquals(item("l", 2, "also", 2), mc.get("l"));
            assertEquals(2, h.engine.stats().items());
        }
    }

    // ---- limits ----

    @Test
    void tooLongKeysAndTooLargeValuesAreRefused() {
        try (Harness h = new Harness(EngineConfig.defaults().withShards(4).withLimits(8, 40), 1_000_000_000_000L)) {
            Mc mc = new Mc(h);
            assertEquals("CLIENT_ERROR bad command line format", mc.set("123456789", 0, 0, "v"));
            assertEquals("STORED", mc.set("12345678", 0, 0, "v"));
            assertEquals("STORED", mc.set("k", 0, 0, "x".repeat(40 - EntryType.ITEM_HEAD)));
            assertEquals("SERVER_ERROR object too large for cache", mc.set("k", 0, 0, "x".repeat(41 - EntryType.ITEM_HEAD)));
            assertEquals("SERVER_ERROR object too large for cache", mc.store(Op.APPEND, "k", 0, 0, "y"));
            assertEquals(40 - EntryType.ITEM_HEAD, mc.get("k").value().length());
        }
    }

    // ---- expiry(), strtoull ----

    @Test
    void expiryReadsExptimeAsMemcachedDoes() {
        long now = 1_000_000_000_000L;
        assertEquals(0, Memcached.expiry(0, now));
        assertEquals(Memcached.EXPIRED, Memcached.expiry(-1, now));
        assertEquals(Memcached.EXPIRED, Memcached.expiry(Integer.MIN_VALUE, now));
        assertEquals(now + 1000, Memcached.expiry(1, now));
        assertEquals(now + 2_592_000_000L, Memcached.expiry(2_592_000, now), "exactly 30 days is relative");
        assertEquals(Memcached.EXPIRED, Memcached.expiry(2_592_001, now), "one more: a Unix time, in 1970");
        assertEquals(Memcached.EXPIRED, Memcached.expiry(1_000_000_000, now), "now itself has passed");
        assertEquals(1_000_000_001_000L, Memcached.expiry(1_000_000_001, now));
        assertEquals(Integer.MAX_VALUE * 1000L, Memcached.expiry(Integer.MAX_VALUE, now));
    }

    @Test
    void strtoullCases() {
        assertParses(" 12", 12);
        assertParses("12 ", 12);
        assertParses("\t12\r\n", 12);
        assertParses("+5", 5);
        assertParses("-0", 0);
        assertParses("0", 0);
        assertParses("18446744073709551615", -1L);
        assertParses("18446744073709551610", -6L);
        assertParses("12\0x", 12);
        assertParses("00000000000000000000000012", 12);
        assertRefused("-1");
        // glibc negates in unsigned arithmetic: 1; memcached refuses a '-' only when the result is negative
        assertParses("-18446744073709551615", 1);
        assertRefused("-18446744073709551616");
        assertRefused("18446744073709551616");
        assertRefused("18446744073709551620");
        assertRefused("99999999999999999999");
        assertRefused("");
        assertRefused(" ");
        assertRefused("+");
        assertRefused("-");
        assertRefused("1a");
        assertRefused("a1");
        assertParses("1 2", 1); // memcached checks only the character after the digits
        assertRefused("\0" + "12");
    }

    private static void assertParses(String s, long expected) {
        long[] out = new long[1];
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(Memcached.strtoull(new UnsafeBuffer(b), 0, b.length, out), "'" + s + "'");
        assertEquals(expected, out[0], "'" + s + "'");
    }

    private static void assertRefused(String s) {
        long[] out = new long[1];
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        assertFalse(Memcached.strtoull(new UnsafeBuffer(b), 0, b.length, out), "'" + s + "'");
    }

    // ---- effects ----

    /** The PUT ops of one record, as "type key value-bytes-hex @expiry". */
    static List<String> puts(byte[] record) {
        List<String> out = new ArrayList<>();
        EffectCodec.decode(new UnsafeBuffer(record), 0, record.length, new EffectVisitor() {
            @Override
            public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen,
                            long expiry) {
                StringBuilder hex = new StringBuilder();
                for (int i = 0; i < vlen; i++) {
                    hex.append(String.format("%02x", value.getByte(voff + i) & 0xff));
                }
                out.add(type + " " + Harness.str(key, koff, klen) + " " + hex + " @" + expiry);
            }

            @Override
            public void delete(DirectBuffer key, int koff, int klen) {
                out.add("DEL " + Harness.str(key, koff, klen));
            }

            @Override
            public void expire(DirectBuffer key, int koff, int klen, long expiry) {
                out.add("EXPIRE " + Harness.str(key, koff, klen) + " @" + expiry);
            }

            @Override
            public void clear() {
                out.add("CLEAR");
            }

            @Override
            public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                                   int elen, DirectBuffer payload, int poff, int plen) {
                out.add("ELEMENT");
            }

            @Override
            public void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element,
                                      int eoff, int elen) {
                out.add("ELEMENT DEL");
            }
        });
        return out;
    }

    private static byte[] lastRecord(Harness h) {
        List<byte[]> all = h.log.snapshot();
        return all.get(all.size() - 1);
    }

    @Test
    void everyStoreLogsAPutOfAnItemWithItsHead() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            assertEquals("STORED", mc.set("k", 0x01020305, 100, "abc"));
            assertEquals(h.log.lastLsn(), mc.lastLsn);
            long exp = h.clock.millis() + 100_000;
            // flags 0x01020305 LE, CAS 1 LE, "abc"
            assertEquals(List.of("8 k 05030201" + Mc.hex(mc.base + 1) + "616263 @" + exp), puts(lastRecord(h)));
            byte[] rec = lastRecord(h);
            assertEquals(EffectCodec.OP_PUT, rec[EffectCodec.HEADER_LENGTH]);
            assertEquals(EffectCodec.TYPE_ITEM, rec[EffectCodec.HEADER_LENGTH + EffectCodec.PUT_TYPE_OFFSET]);

            assertEquals("STORED", mc.store(Op.APPEND, "k", 0, 0, "d"));
            assertEquals(List.of("8 k 05030201" + Mc.hex(mc.base + 2) + "61626364 @" + exp), puts(lastRecord(h)));
            assertEquals("STORED", mc.store(Op.PREPEND, "k", 0, 0, "z"));
            assertEquals(List.of("8 k 05030201" + Mc.hex(mc.base + 3) + "7a61626364 @" + exp), puts(lastRecord(h)));

            mc.set("n", 0, 0, "99");
            assertEquals("100", mc.incr("n", 1));
            assertEquals(List.of("8 n 00000000" + Mc.hex(mc.base + 5) + "313030 @0"), puts(lastRecord(h)));
            assertEquals("1", mc.decr("n", 99));
            assertEquals(List.of("8 n 00000000" + Mc.hex(mc.base + 6) + "312020 @0"), puts(lastRecord(h)));

            assertEquals("TOUCHED", mc.touch("n", 5));
            assertEquals(List.of("EXPIRE n @" + (h.clock.millis() + 5000)), puts(lastRecord(h)));
            assertEquals("DELETED", mc.delete("n"));
            assertEquals(List.of("DEL n"), puts(lastRecord(h)));

            h.call("SET", "r", "7");
            assertEquals("8", mc.incr("r", 1));
            assertEquals(List.of("2 r 0800000000000000 @0"), puts(lastRecord(h)), "a Redis int stays an int");

            int before = h.log.snapshot().size();
            assertEquals("NOT_STORED", mc.store(Op.ADD, "k", 0, 0, "x"));
            assertEquals("EXISTS", mc.cas("k", 0, 0, "x", 1));
            assertEquals("NOT_FOUND", mc.incr("none", 1));
            assertEquals(NON_NUMERIC, mc.incr("k", 1));
            assertEquals(0, mc.lastLsn);
            assertEquals(before, h.log.snapshot().size(), "an unchanged key logs nothing");
        }
    }

    @Test
    void aLogThatRefusesMakesAServerError() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            h.log.failWith = "disk full";
            assertEquals("SERVER_ERROR disk full", mc.set("k", 0, 0, "v"));
            h.log.failWith = null;
            assertNull(mc.get("k"));
        }
    }

    @Test
    void theItemOnTheStoreIsHeadThenBytes() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            mc.set("k", 9, 0, "abc");
            byte[] head = new byte[EntryType.ITEM_HEAD];
            java.nio.ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putInt(9).putLong(mc.base + 1);
            assertEquals("memcached:" + new String(head, StandardCharsets.ISO_8859_1) + "abc@0",
                    Harness.dump(h.engine).get("k"));
            UnsafeBuffer b = new UnsafeBuffer(new byte[EntryType.ITEM_HEAD]);
            b.putInt(0, 9, ByteOrder.LITTLE_ENDIAN);
            assertEquals(9, b.getInt(0, EffectCodec.ORDER));
        }
    }
}
