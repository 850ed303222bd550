package io.qrrot.engine;

import static io.qrrot.engine.Script.expect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Exact replies of the string commands, edge cases included (texts as Redis 7.0 sends them). */
class StringCommandsTest {
    @Test
    void setOptionsAndErrors() {
        try (Harness h = new Harness()) {
            expect(h, "SET k v EX 0", "-ERR invalid expire time in 'set' command");
            expect(h, "SET k v PX -5", "-ERR invalid expire time in 'set' command");
            expect(h, "SET k v EXAT 0", "-ERR invalid expire time in 'set' command");
            expect(h, "SET k v EX abc", "-ERR value is not an integer or out of range");
            expect(h, "SET k v EX 9223372036854775", "-ERR invalid expire time in 'set' command");
            expect(h, "SET k v NX XX", "-ERR syntax error");
            expect(h, "SET k v EX 10 PX 10", "-ERR syntax error");
            expect(h, "SET k v KEEPTTL EX 10", "-ERR syntax error");
            expect(h, "SET k v EX", "-ERR syntax error");
            expect(h, "SET k v GET", "$nil");
            expect(h, "SET k w GET", "$v");
            expect(h, "SET k x NX", "$nil");
            expect(h, "SET k x NX GET", "$w");
            expect(h, "SET missing x XX", "$nil");
            expect(h, "SET k v2 XX EX 100", "+OK");
            expect(h, "TTL k", ":100");
            expect(h, "SET k v3 KEEPTTL", "+OK");
            expect(h, "TTL k", ":100");
            expect(h, "SET k v4", "+OK");
            expect(h, "TTL k", ":-1");
            expect(h, "SET k v EX 10 EX 20", "+OK");
            expect(h, "TTL k", ":20");
            expect(h, "set k v px 1500", "+OK");
            expect(h, "PTTL k", ":1500");
            expect(h, "TTL k", ":2");
            long at = h.clock.now / 1000 + 50;
            expect(h, "SET k v EXAT " + at, "+OK");
            expect(h, "EXPIRETIME k", ":" + at);
            expect(h, "SET k v PXAT 1", "+OK");
            expect(h, "GET k", "$nil");
        }
    }

    @Test
    void integersAreStoredAsIntsOnlyInCanonicalForm() {
        try (Harness h = new Harness()) {
            expect(h, "SET a 123", "+OK");
            expect(h, "SET b 0123", "+OK");
            expect(h, "SET c -0", "+OK");
            expect(h, "SET d +1", "+OK");
            expect(h, "SET e 9223372036854775808", "+OK");
            expect(h, "SET f -9223372036854775808", "+OK");
            assertEquals(Map.of("a", "int:123@0", "b", "string:0123@0", "c", "string:-0@0", "d", "string:+1@0",
                    "e", "string:9223372036854775808@0", "f", "int:-9223372036854775808@0"), Harness.dump(h.engine));
            expect(h, "GET b", "$0123");
            expect(h, "INCR a", ":124");
            expect(h, "INCR b", "-ERR value is not an integer or out of range");
            expect(h, "INCR c", "-ERR value is not an integer or out of range");
            expect(h, "DECR f", "-ERR increment or decrement would overflow");
            expect(h, "TYPE a", "+string");
        }
    }

    @Test
    void incrementFamily() {
        try (Harness h = new Harness()) {
            expect(h, "INCR n", ":1");
            expect(h, "INCRBY n 41", ":42");
            expect(h, "DECRBY n 2", ":40");
            expect(h, "DECR n", ":39");
            expect(h, "INCRBY n abc", "-ERR value is not an integer or out of range");
            expect(h, "INCRBY n 1.5", "-ERR value is not an integer or out of range");
            expect(h, "DECRBY n -9223372036854775808", "-ERR decrement would overflow");
            expect(h, "SET m 9223372036854775807", "+OK");
            expect(h, "INCR m", "-ERR increment or decrement would overflow");
            expect(h, "PUT s 10 string", "+OK");
            expect(h, "INCR s", ":11");
            expect(h, "SET t 5 EX 100", "+OK");
            expect(h, "INCR t", ":6");
            expect(h, "TTL t", ":100");
            expect(h, "INCRBYFLOAT f 0.1", "$0.1");
            expect(h, "INCRBYFLOAT f 0.2", "$0.3");
            expect(h, "INCRBYFLOAT f -0.3", "$0");
            expect(h, "INCRBYFLOAT f abc", "-ERR value is not a valid float");
            expect(h, "INCRBYFLOAT f inf", "-ERR increment would produce NaN or Infinity");
            expect(h, "SET g 5", "+OK");
            expect(h, "INCRBYFLOAT g 1.5", "$6.5");
            expect(h, "INCRBYFLOAT g 3.5", "$10");
            expect(h, "INCR g", ":11");
            expect(h, "SET h abc", "+OK");
            expect(h, "INCRBYFLOAT h 1", "-ERR value is not a valid float");
            expect(h, "INCRBYFLOAT i 3.0e0", "$3");
        }
    }

    @Test
    void rangesAndAppends() {
        try (Harness h = new Harness()) {
            expect(h, "SET s hello", "+OK");
            expect(h, "GETRANGE s 0 -1", "$hello");
            expect(h, "GETRANGE s 0 -100", "$h");
            expect(h, "GETRANGE s -100 100", "$hello");
            expect(h, "GETRANGE s -1 -5", "$");
            expect(h, "GETRANGE s 1 3", "$ell");
            expect(h, "GETRANGE s abc 1", "-ERR value is not an integer or out of range");
            expect(h, "GETRANGE nokey 0 1", "$");
            expect(h, "SET n 12345", "+OK");
            expect(h, "GETRANGE n 1 2", "$23");
            expect(h, "STRLEN n", ":5");
            expect(h, "APPEND n 6", ":6");
            expect(h, "INCR n", ":123457");
            expect(h, "APPEND n x", ":7");
            expect(h, "APPEND new ''", ":0");
            expect(h, "EXISTS new", ":1");
            expect(h, "SETRANGE s -1 x", "-ERR offset is out of range");
            expect(h, "SETRANGE s 536870912 x", "-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
            expect(h, "SETRANGE s 7 x", ":8");
            expect(h, "GET s", "$hello\0\0x");
            expect(h, "SETRANGE s 0 ''", ":8");
            expect(h, "SETRANGE nokey 0 ''", ":0");
            expect(h, "EXISTS nokey", ":0");
            expect(h, "SETRANGE z 2 ab", ":4");
            expect(h, "GET z", "$\0\0ab");
        }
    }

    @Test
    void multiKeyAndGetVariants() {
        try (Harness h = new Harness()) {
            expect(h, "MSET a", "-ERR wrong number of arguments for 'mset' command");
            expect(h, "MSET a 1 b", "-ERR wrong number of arguments for 'mset' command");
            expect(h, "MSET a 1 b 2", "+OK");
            expect(h, "MGET a b nokey", "[$1, $2, $nil]");
            expect(h, "MSETNX a 1 c 3", ":0");
            expect(h, "MSETNX c 3 d 4", ":1");
            expect(h, "MSETNX x 1 x 2", ":1");
            expect(h, "GET x", "$2");
            expect(h, "SETNX a 9", ":0");
            expect(h, "SETEX k 0 v", "-ERR invalid expire time in 'setex' command");
            expect(h, "PSETEX k -1 v", "-ERR invalid expire time in 'psetex' command");
            expect(h, "SETEX k 100 v", "+OK");
            expect(h, "GETSET k new", "$v");
            expect(h, "TTL k", ":-1");
            expect(h, "GETDEL k", "$new");
            expect(h, "GETDEL k", "$nil");
            expect(h, "SET k v", "+OK");
            expect(h, "GETEX k EX 10 PERSIST", "-ERR syntax error");
            expect(h, "GETEX k EXAT 0", "-ERR invalid expire time in 'getex' command");
            expect(h, "GETEX k NX", "-ERR syntax error");
            expect(h, "GETEX k EX 100", "$v");
            expect(h, "TTL k", ":100");
            expect(h, "GETEX k PERSIST", "$v");
            expect(h, "TTL k", ":-1");
            expect(h, "GETEX k PXAT 1", "$v");
            expect(h, "EXISTS k", ":0");
        }
    }

    @Test
    void valueSizeLimit() {
        try (Harness h = new Harness(EngineConfig.defaults().withShards(2).withLimits(8, 10), 1_000L)) {
            expect(h, "SET k 0123456789", "+OK");
            expect(h, "SET k 0123456789a", "-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
            expect(h, "APPEND k x", "-ERR string exceeds maximum allowed size (proto-max-bulk-len)");
            expect(h, "SET 123456789 v", "-ERR key is longer than the maximum of 8 bytes (max-key-bytes)");
            expect(h, "GET 123456789", "$nil");
            expect(h, "GET k", "$0123456789");
        }
    }
}
