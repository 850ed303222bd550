package io.qrrot.engine;

import static io.qrrot.engine.Script.expect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Exact replies of the generic, expiry and keyspace commands and of the dispatch gate. */
class KeyCommandsTest {
    @Test
    void gateErrors() {
        try (Harness h = new Harness()) {
            expect(h, "FOO a b", "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' ");
            expect(h, "foo", "-ERR unknown command 'foo', with args beginning with: ");
            expect(h, "GET", "-ERR wrong number of arguments for 'get' command");
            expect(h, "get a b", "-ERR wrong number of arguments for 'get' command");
            expect(h, "JSON.GET", "-ERR wrong number of arguments for 'json.get' command");
            expect(h, "gEt k", "$nil");
        }
    }

    @Test
    void unknownCommandTextIsCutLikeRedis() {
        try (Harness h = new Harness()) {
            String longArg = "x".repeat(200);
            expect(h, "FOO " + longArg + " y", "-ERR unknown command 'FOO', with args beginning with: '"
                    + "x".repeat(128) + "' ");
            expect(h, "FOO " + "a".repeat(120) + " bbbbbbbbbbbb c", "-ERR unknown command 'FOO', with args beginning with: '"
                    + "a".repeat(120) + "' 'bbbbb' ");
        }
    }

    @Test
    void delExistsTypeRename() {
        try (Harness h = new Harness()) {
            expect(h, "MSET a 1 b 2 c 3", "+OK");
            expect(h, "DEL a a nokey", ":1");
            expect(h, "EXISTS b b c nokey", ":3");
            expect(h, "UNLINK b", ":1");
            expect(h, "TYPE c", "+string");
            expect(h, "TYPE nokey", "+none");
            expect(h, "PUT j {\"x\":1} json", "+OK");
            expect(h, "TYPE j", "+ReJSON-RL");
            expect(h, "RENAME nokey x", "-ERR no such key");
            expect(h, "RENAMENX nokey x", "-ERR no such key");
            expect(h, "RENAME c c", "+OK");
            expect(h, "RENAMENX c c", ":0");
            expect(h, "PEXPIRE c 5000", ":1");
            expect(h, "RENAME c d", "+OK");
            expect(h, "PTTL d", ":5000");
            expect(h, "GET c", "$nil");
            expect(h, "SET e 5", "+OK");
            expect(h, "RENAMENX d e", ":0");
            expect(h, "RENAMENX d f", ":1");
            expect(h, "RENAME f e", "+OK");
            expect(h, "GET e", "$3");
            expect(h, "RENAME j j2", "+OK");
            expect(h, "JSON.GET j2", "${\"x\":1}");
        }
    }

    @Test
    void expireFamily() {
        try (Harness h = new Harness()) {
            expect(h, "SET k v", "+OK");
            expect(h, "EXPIRE k 10 NX XX", "-ERR NX and XX, GT or LT options at the same time are not compatible");
            expect(h, "EXPIRE k 10 GT LT", "-ERR GT and LT options at the same time are not compatible");
            expect(h, "EXPIRE k 10 FOO", "-ERR Unsupported option FOO");
            expect(h, "EXPIRE k abc FOO", "-ERR Unsupported option FOO");
            expect(h, "EXPIRE k abc", "-ERR value is not an integer or out of range");
            expect(h, "EXPIRE k 9223372036854775807", "-ERR invalid expire time in 'expire' command");
            expect(h, "PEXPIRE k 9223372036854775807", "-ERR invalid expire time in 'pexpire' command");
            expect(h, "EXPIREAT k 9223372036854775807", "-ERR invalid expire time in 'expireat' command");
            expect(h, "EXPIRE k 100 GT", ":0");
            expect(h, "EXPIRE k 100 XX", ":0");
            expect(h, "EXPIRE k 100 LT", ":1");
            expect(h, "TTL k", ":100");
            expect(h, "EXPIRE k 50 NX", ":0");
            expect(h, "EXPIRE k 200 GT", ":1");
            expect(h, "EXPIRE k 300 LT", ":0");
            expect(h, "PTTL k", ":200000");
            expect(h, "PERSIST k", ":1");
            expect(h, "PERSIST k", ":0");
            expect(h, "TTL k", ":-1");
            expect(h, "TTL nokey", ":-2");
            expect(h, "PTTL nokey", ":-2");
            expect(h, "EXPIRETIME nokey", ":-2");
            expect(h, "EXPIRETIME k", ":-1");
            expect(h, "PEXPIREAT k 99999999999500", ":1");
            expect(h, "EXPIRETIME k", ":100000000000");
            expect(h, "PEXPIRETIME k", ":99999999999500");
            expect(h, "EXPIRE k -1", ":1");
            expect(h, "EXISTS k", ":0");
            expect(h, "EXPIRE nokey 10", ":0");
        }
    }

    @Test
    void lazyExpiryOnAFakeClock() {
        try (Harness h = new Harness()) {
            expect(h, "SET k v PX 1000", "+OK");
            h.clock.advance(1000);
            expect(h, "GET k", "$v"); // expired only once now > expiry, as Redis
            expect(h, "PTTL k", ":0");
            h.clock.advance(1);
            expect(h, "DBSIZE", ":1"); // not reclaimed yet: DBSIZE counts it, as Redis does
            expect(h, "KEYS *", "[]");
            expect(h, "DBSIZE", ":1"); // KEYS filters without deleting
            expect(h, "GET k", "$nil");
            expect(h, "DBSIZE", ":0");
            int records = h.log.snapshot().size();
            expect(h, "GET k", "$nil");
            org.junit.jupiter.api.Assertions.assertEquals(records, h.log.snapshot().size(), "a missing key logs nothing");
        }
    }

    @Test
    void keyspaceCommands() {
        try (Harness h = new Harness()) {
            expect(h, "DBSIZE", ":0");
            expect(h, "RANDOMKEY", "$nil");
            expect(h, "SCAN 0", "[$0, []]");
            expect(h, "MSET a 1 b 2 c 3", "+OK");
            expect(h, "PUT j [1] json", "+OK");
            expect(h, "DBSIZE", ":4");
            expect(h, "SCAN abc", "-ERR invalid cursor");
            expect(h, "SCAN 18446744073709551616", "-ERR invalid cursor");
            expect(h, "SCAN 0 COUNT 0", "-ERR syntax error");
            expect(h, "SCAN 0 MATCH", "-ERR syntax error");
            expect(h, "SCAN 0 TYPE ReJSON-RL COUNT 100", "[$0, [$j]]");
            List<?> scan = (List<?>) h.call("SCAN", "0", "MATCH", "[ab]", "COUNT", "100", "TYPE", "string");
            assertEquals("0", scan.get(0));
            assertEquals(Set.of("a", "b"), new HashSet<>((List<?>) scan.get(1)));
            assertEquals(Set.of("a", "b", "c", "j"), new HashSet<>((List<?>) h.call("KEYS", "*")));
            assertEquals(Set.of("a", "b"), new HashSet<>((List<?>) h.call("KEYS", "[a-b]")));
            assertTrue(Set.of("a", "b", "c", "j").contains(h.call("RANDOMKEY")));
            expect(h, "FLUSHALL FOO", "-ERR syntax error");
            expect(h, "FLUSHALL ASYNC X", "-ERR syntax error");
            expect(h, "FLUSHDB SYNC", "+OK");
            expect(h, "DBSIZE", ":0");
        }
    }
}
