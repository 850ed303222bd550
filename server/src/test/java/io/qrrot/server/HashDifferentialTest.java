package io.qrrot.server;

import static io.qrrot.server.Duo.show;
import static io.qrrot.server.Duo.showCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qrrot.server.Duo.Node;
import io.qrrot.server.Duo.Step;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hashes against a real redis-server 7.0: the same commands go to both servers over real sockets, in RESP2
 * and in RESP3 (HELLO 3), and the replies must be the same bytes. First edge-case scripts for every hash
 * command (arity, types both ways, missing keys, duplicates, binary, numbers, HRANDFIELD, HSCAN, key
 * lifecycle, transactions, WATCH), then a seeded random mix of hash and string commands over a few keys
 * ({@code -Dseed=N} replays a run; the seed is printed).
 *
 * <p>What is not compared byte for byte: HRANDFIELD where Redis' answer is random (a count below the hash's
 * size, a negative count, no count on a hash of several fields) is compared by shape, length and membership
 * (each field is one of the hash's, with its value; distinct for a positive count); TTL and PTTL are compared
 * within a tolerance, the two servers' clocks being read at slightly different moments; SCAN's order is its
 * hash table's, so the keys a full SCAN iteration returns are compared as a set. The server's HELLO names
 * the server and the connection id, so its reply is not compared.
 *
 * <p>Every hash stays at 128 fields or fewer with fields and values of 64 bytes or fewer: Redis keeps such a
 * hash as a listpack, whose order (insertion order) HGETALL, HKEYS, HVALS, HSCAN and a whole-hash HRANDFIELD
 * follow, and so does qrrot's packed collection. Larger hashes need the element table.
 *
 * <p>Never sent: HRANDFIELD with a huge negative count ({@code -9223372036854775807}, or below
 * {@code -1000000} or so): Redis 7.0 then builds a reply of that many fields and does not answer.
 */
@Tag("integration")
class HashDifferentialTest {
    @TempDir
    static Path dir;
    private static SideBySide servers;

    /** Random commands per protocol; {@code -Dhashdiff.commands=N} runs more (or fewer). */
    private static final int RANDOM_COMMANDS = Integer.getInteger("hashdiff.commands", 10_000);
    /** Commands pipelined in one write: the WAL then syncs once per batch, which keeps the run short. */
    private static final int BATCH = 64;

    @BeforeAll
    static void start() throws Exception {
        servers = SideBySide.start(dir, "the hash differential test");
    }

    @AfterAll
    static void stop() throws Exception {
        if (servers != null) {
            servers.close();
        }
    }

    // ------------------------------------------------------------------------------------------ edge cases

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void arityAndWrongTypes(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String h = d.key("h");
            String s = d.key("s");
            d.same("DEL", h, s);
            for (String[] c : new String[][] {{"HSET"}, {"HSET", h}, {"HSET", h, "f"}, {"HSET", h, "f", "v", "x"},
                    {"HMSET", h}, {"HMSET", h, "f"}, {"HMSET", h, "f", "v", "g"}, {"HSETNX", h, "f"},
                    {"HSETNX", h, "f", "v", "x"}, {"HGET", h}, {"HGET", h, "f", "g"}, {"HMGET", h}, {"HGETALL"},
                    {"HGETALL", h, "x"}, {"HDEL", h}, {"HLEN"}, {"HLEN", h, "x"}, {"HEXISTS", h},
                    {"HEXISTS", h, "f", "g"}, {"HKEYS"}, {"HKEYS", h, "x"}, {"HVALS"}, {"HVALS", h, "x"},
                    {"HINCRBY", h, "f"}, {"HINCRBY", h, "f", "1", "2"}, {"HINCRBYFLOAT", h, "f"},
                    {"HINCRBYFLOAT", h, "f", "1", "2"}, {"HSTRLEN", h}, {"HSTRLEN", h, "f", "g"}, {"HRANDFIELD"},
                    {"HSCAN"}, {"HSCAN", h}, {"hset", h, "f"}, {"HsEt", h}}) {
                d.same(c);
            }
            // A hash command on a string.
            d.same("SET", s, "text");
            for (String[] c : new String[][] {{"HSET", s, "f", "v"}, {"HMSET", s, "f", "v"}, {"HSETNX", s, "f", "v"},
                    {"HGET", s, "f"}, {"HMGET", s, "f", "g"}, {"HGETALL", s}, {"HDEL", s, "f"}, {"HLEN", s},
                    {"HEXISTS", s, "f"}, {"HKEYS", s}, {"HVALS", s}, {"HINCRBY", s, "f", "1"},
                    {"HINCRBY", s, "f", "x"}, {"HINCRBYFLOAT", s, "f", "1.5"}, {"HINCRBYFLOAT", s, "f", "x"},
                    {"HINCRBYFLOAT", s, "f", "inf"}, {"HSTRLEN", s, "f"}, {"HRANDFIELD", s}, {"HRANDFIELD", s, "2"},
                    {"HRANDFIELD", s, "-2", "WITHVALUES"}, {"HRANDFIELD", s, "x"}, {"HRANDFIELD", s, "1", "foo"},
                    {"HSCAN", s, "0"}, {"HSCAN", s, "x"}, {"HSCAN", s, "0", "FOO"}, {"HSCAN", s, "0", "COUNT", "0"}}) {
                d.same(c);
            }
            d.same("GET", s);
            // A string command on a hash.
            d.same("HSET", h, "f", "1");
            for (String[] c : new String[][] {{"GET", h}, {"SET", h, "x", "NX"}, {"SET", h, "x", "XX", "GET"},
                    {"SET", h, "x", "GET"}, {"GETSET", h, "x"}, {"APPEND", h, "x"}, {"STRLEN", h}, {"INCR", h},
                    {"INCRBY", h, "2"}, {"DECR", h}, {"DECRBY", h, "2"}, {"INCRBYFLOAT", h, "1"},
                    {"GETRANGE", h, "0", "1"}, {"SETRANGE", h, "0", "x"}, {"GETDEL", h}, {"GETEX", h},
                    {"GETEX", h, "PERSIST"}, {"MGET", h, s}, {"SETNX", h, "x"}, {"MSETNX", h, "x", s, "y"},
                    {"TYPE", h}, {"TYPE", s}, {"HGETALL", h}, {"SET", h, "now a string"}, {"TYPE", h},
                    {"GET", h}, {"HGET", h, "f"}}) {
                d.same(c);
            }
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void missingKeysDuplicatesEmptyAndBinary(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String h = d.key("h");
            String none = d.key("none");
            String b = d.key("bin\u0000\r\n\u00ff");
            d.same("DEL", h, none, b);
            for (String[] c : new String[][] {{"HGET", none, "f"}, {"HMGET", none, "a", "b"}, {"HGETALL", none},
                    {"HKEYS", none}, {"HVALS", none}, {"HLEN", none}, {"HEXISTS", none, "f"}, {"HSTRLEN", none, "f"},
                    {"HDEL", none, "f", "g"}, {"HRANDFIELD", none}, {"HRANDFIELD", none, "3"},
                    {"HRANDFIELD", none, "-3", "WITHVALUES"}, {"HSCAN", none, "0"}, {"EXISTS", none},
                    {"TYPE", none}}) {
                d.same(c);
            }
            d.same("HSET", h, "f", "v");
            d.same("HSET", h, "f", "v2", "g", "w", "f", "v3"); // f counted once, its last value wins
            d.same("HGETALL", h);
            d.same("HMSET", h, "a", "1", "a", "2", "b", "3");
            d.same("HSETNX", h, "a", "9");
            d.same("HSETNX", h, "c", "9");
            d.same("HMGET", h, "a", "a", "zz", "b", "a");
            d.same("HDEL", h, "a", "a", "zz");
            d.same("HGETALL", h);
            d.same("HKEYS", h);
            d.same("HVALS", h);
            d.same("HLEN", h);
            d.same("HSET", h, "", "");
            d.same("HSET", h, "e", "");
            d.same("HGET", h, "");
            d.same("HSTRLEN", h, "");
            d.same("HSTRLEN", h, "e");
            d.same("HSTRLEN", h, "f");
            d.same("HEXISTS", h, "");
            d.same("HGETALL", h);
            d.same("HDEL", h, "");
            d.same("HEXISTS", h, "");
            String bin = "\u0000\r\n\u00ff\u0080 *$-1";
            d.same("HSET", b, bin, bin + bin, "\u00e9t\u00e9", "\u0000", "f", "v");
            d.same("HGET", b, bin);
            d.same("HMGET", b, bin, "\u00e9t\u00e9", "\u0000");
            d.same("HSTRLEN", b, bin);
            d.same("HGETALL", b);
            d.same("HSCAN", b, "0", "MATCH", "\u00e9*");
            d.same("HSCAN", b, "0", "MATCH", "\u0000*");
            d.same("HRANDFIELD", b, "10", "WITHVALUES");
            d.same("HINCRBY", b, "\u0000", "1");
            d.same("HSET", b, "\u0000", "41");
            d.same("HINCRBY", b, "\u0000", "1");
            d.same("HDEL", b, bin, "\u00e9t\u00e9");
            d.same("HKEYS", b);
            d.same("TYPE", b);
            d.same("DEL", b, h);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void hincrby(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String h = d.key("h");
            d.same("DEL", h);
            d.same("HINCRBY", h, "f", "1");
            d.same("HINCRBY", h, "f", "-1");
            d.same("HINCRBY", h, "f", "0");
            for (String bad : new String[] {"x", "1.5", " 1", "1 ", "+1", "", "-0", "00", "01", "0x10",
                    "9223372036854775808", "-9223372036854775809", "1e3"}) {
                d.same("HINCRBY", h, "f", bad);
            }
            d.same("HINCRBY", h, "max", "9223372036854775807");
            d.same("HINCRBY", h, "max", "1");
            d.same("HINCRBY", h, "max", "0");
            d.same("HINCRBY", h, "max", "-9223372036854775808");
            d.same("HSET", h, "min", "-9223372036854775808");
            d.same("HINCRBY", h, "min", "-1");
            d.same("HINCRBY", h, "min", "1");
            d.same("HINCRBY", h, "min", "9223372036854775807");
            d.same("HSET", h, "hi", "9223372036854775806");
            d.same("HINCRBY", h, "hi", "1");
            d.same("HINCRBY", h, "hi", "1");
            for (String v : new String[] {"abc", " 1", "1 ", "1.5", "01", "+1", "-0", "", "0x10", "1e3",
                    "99999999999999999999", "9223372036854775808", "\u00001"}) {
                d.same("HSET", h, "v", v);
                d.same("HINCRBY", h, "v", "1");
                d.same("HGET", h, "v");
            }
            d.same("HSET", h, "z", "-0000");
            d.same("HINCRBY", h, "z", "1");
            d.same("HGETALL", h);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void hincrbyfloat(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String h = d.key("h");
            d.same("DEL", h);
            for (String incr : new String[] {"10.5", "0.1", "0.2", "5.0e3", "-5.0e3", "1E2", ".5", "5.", "-1.5",
                    "00012.5000", "0x1p3", "0x10", "1e-30", "-0", "-0.0", "3.14159265358979323846264338327950288",
                    "1.0000000000000001", "9007199254740993", "12345678901234567890", "4.9e-324",
                    "2.2250738585072014e-308", "-12345678901234567890", "1e18", "-1e18"}) {
                d.same("HINCRBYFLOAT", h, "f", incr);
                d.same("HINCRBYFLOAT", h, "g" + incr, incr);
            }
            for (String bad : new String[] {"abc", "", " 1", "1 ", "1e", "1_0", "inf", "-inf", "+inf", "INF",
                    "Infinity", "nan", "-nan", "NaN", "1e5000", "-1e5000", "1e-5000", "1\u0000", "--1"}) {
                d.same("HINCRBYFLOAT", h, "f", bad);
                d.same("HINCRBYFLOAT", d.key("none"), "f", bad);
            }
            d.same("HGETALL", h);
            for (String v : new String[] {"abc", "  12", "12  ", "1.5e2", "inf", "-inf", "nan", "0x1A", "1e5000",
                    "1e-5000", "", "9223372036854775807", "-9223372036854775808", "1e3", "\u00001", "00.100"}) {
                d.same("HSET", h, "v", v);
                d.same("HINCRBYFLOAT", h, "v", "1");
                d.same("HGET", h, "v");
                d.same("HSET", h, "v", v);
                d.same("HINCRBYFLOAT", h, "v", "-0.5");
            }
            // Sums that a double would round differently from Redis' long double.
            d.same("HSET", h, "k", "3.0");
            for (String incr : new String[] {"0.1", "0.1", "0.1", "-0.3", "1e-17", "1e17", "-1e17", "0.7"}) {
                d.same("HINCRBYFLOAT", h, "k", incr);
            }
            // Redis adds in long double (x86-64: 64-bit mantissa, exponent to 4932), so 1e308 * 10 is no
            // error (its 310 digits would make the hash a hashtable, not compared here); the sum overflows
            // past about 1.19e4932, and only then is it refused.
            d.same("HSET", h, "huge", "1.1e4932");
            d.same("HINCRBYFLOAT", h, "huge", "1.1e4932");
            d.same("HINCRBYFLOAT", h, "huge", "-1.1e4932");
            d.same("HSET", h, "huge", "-1.1e4932");
            d.same("HINCRBYFLOAT", h, "huge", "-1.1e4932");
            d.same("HSET", h, "huge", "1.18973149535723176502e+4932");
            d.same("HINCRBYFLOAT", h, "huge", "1e4932");
            d.same("HINCRBYFLOAT", h, "huge", "1.2e4932");
            d.same("HINCRBYFLOAT", h, "huge", "1e-4960");
            d.same("HGET", h, "huge");
            d.same("HSET", h, "big", "1e60");
            d.same("HINCRBYFLOAT", h, "big", "1"); // 61 digits: still a listpack value
            d.same("HGETALL", h);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void hstrlenHexistsHlen(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String h = d.key("h");
            d.same("DEL", h);
            d.same("HSET", h, "a", "", "b", "12345", "c", "-9223372036854775808", "d", "\u0000\u00ff", "e",
                    "x".repeat(64));
            for (String f : new String[] {"a", "b", "c", "d", "e", "zz", ""}) {
                d.same("HSTRLEN", h, f);
                d.same("HEXISTS", h, f);
            }
            d.same("HINCRBY", h, "b", "-12346");
            d.same("HSTRLEN", h, "b");
            d.same("HLEN", h);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void hrandfield(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String h = d.key("h");
            String one = d.key("one");
            String none = d.key("none");
            d.same("DEL", h, one, none);
            d.same("HSET", h, "a", "1", "b", "2", "c", "3", "d", "4", "e", "5");
            d.same("HSET", one, "only", "v");
            for (String k : new String[] {h, one, none}) {
                for (String[] tail : new String[][] {{}, {"0"}, {"0", "WITHVALUES"}, {"1"}, {"1", "WITHVALUES"},
                        {"2"}, {"3", "withvalues"}, {"4", "WITHVALUES"}, {"5"}, {"5", "WITHVALUES"}, {"6"},
                        {"100", "WITHVALUES"}, {"9223372036854775807"}, {"-1"}, {"-1", "WITHVALUES"}, {"-3"},
                        {"-5", "WITHVALUES"}, {"-20"}, {"-20", "WITHVALUES"}, {"x"}, {"1.5"}, {""}, {" 1"},
                        {"9223372036854775808"}, {"-9223372036854775808"}, {"-9223372036854775808", "WITHVALUES"},
                        {"9223372036854775807", "WITHVALUES"}, {"-9223372036854775807", "WITHVALUES"},
                        {"4611686018427387903", "WITHVALUES"}, {"4611686018427387904", "WITHVALUES"},
                        {"-4611686018427387904", "WITHVALUES"}, {"-4611686018427387905", "WITHVALUES"},
                        {"1", "foo"}, {"1", "WITHVALUES", "foo"}, {"1", "WITHVALUES", "WITHVALUES"},
                        {"x", "WITHVALUES"}, {"x", "foo"}, {"0", "foo"}}) {
                    String[] c = new String[2 + tail.length];
                    c[0] = "HRANDFIELD";
                    c[1] = k;
                    System.arraycopy(tail, 0, c, 2, tail.length);
                    randfield(d, c);
                }
            }
            for (int i = 0; i < 20; i++) {
                randfield(d, "HRANDFIELD", h, "-8", "WITHVALUES");
                randfield(d, "HRANDFIELD", h, "3", "WITHVALUES");
                randfield(d, "HRANDFIELD", h);
            }
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void hscan(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String h = d.key("h");
            String none = d.key("none");
            d.same("DEL", h, none);
            d.same("HSET", h, "a1", "1", "b2", "2", "a3", "3", "[x]", "4", "*", "5", "\u00e9", "6", "", "7");
            for (String[] tail : new String[][] {{"0"}, {"1"}, {"7"}, {"-1"}, {"+0"}, {""}, {"18446744073709551615"},
                    {"18446744073709551616"}, {"x"}, {" 0"}, {"0 "}, {"0x0"}, {"0", "MATCH", "a*"},
                    {"0", "match", "[ab]?"}, {"0", "MATCH", "*3"}, {"0", "MATCH", "\\[*"}, {"0", "MATCH", "["},
                    {"0", "MATCH", "\\"}, {"0", "MATCH", ""}, {"0", "MATCH", "?"}, {"0", "MATCH", "\u00e9"},
                    {"0", "MATCH", "[^a]*"}, {"0", "MATCH", "[a-b]*"}, {"0", "MATCH"}, {"0", "COUNT", "0"},
                    {"0", "COUNT", "-1"}, {"0", "COUNT", "x"}, {"0", "COUNT", "1"}, {"0", "COUNT", "1.5"},
                    {"0", "COUNT", "9223372036854775807"}, {"0", "COUNT", "9223372036854775808"},
                    {"0", "COUNT", "1", "MATCH", "a*"}, {"0", "MATCH", "a*", "COUNT", "0"},
                    {"0", "MATCH", "a*", "MATCH", "b*"}, {"0", "COUNT", "2", "COUNT", "0"}, {"0", "FOO", "bar"},
                    {"0", "FOO"}, {"0", "TYPE", "hash"}, {"0", "NOVALUES"}, {"x", "COUNT", "0"}, {"x", "FOO"}}) {
                String[] c = new String[2 + tail.length];
                c[0] = "HSCAN";
                c[1] = h;
                System.arraycopy(tail, 0, c, 2, tail.length);
                d.same(c);
                c[1] = none;
                d.same(c);
            }
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void keyLifecycleRenameAndExpiry(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String h = d.key("h");
            String h2 = d.key("h2");
            String h3 = d.key("h3");
            String s = d.key("s");
            d.same("DEL", h, h2, h3, s);
            // HDEL of the last field removes the key.
            d.same("HSET", h, "a", "1", "b", "2");
            d.same("HDEL", h, "a");
            d.same("EXISTS", h);
            d.same("HDEL", h, "b", "zz");
            d.same("EXISTS", h);
            d.same("TYPE", h);
            d.same("HLEN", h);
            d.same("HGETALL", h);
            d.same("HSET", h, "a", "1");
            d.same("HKEYS", h);
            // EXPIRE, PERSIST and TTL on a hash.
            d.same("TTL", h);
            d.same("EXPIRE", h, "100");
            d.ttl("TTL", h);
            d.ttl("PTTL", h);
            d.ttl("EXPIRETIME", h);
            d.same("PERSIST", h);
            d.same("PERSIST", h);
            d.same("TTL", h);
            d.same("EXPIRE", h, "100", "NX");
            d.same("EXPIRE", h, "100", "NX");
            d.same("EXPIRE", h, "50", "GT");
            d.same("EXPIRE", h, "500", "GT");
            d.same("EXPIRE", h, "50", "LT");
            d.same("EXPIRE", h, "60", "XX");
            d.same("EXPIRE", h, "60", "FOO");
            d.ttl("TTL", h);
            d.same("HSET", h, "b", "2"); // a write keeps the TTL
            d.ttl("TTL", h);
            d.same("HDEL", h, "b");
            d.ttl("TTL", h);
            // RENAME and RENAMENX carry the TTL.
            d.same("RENAME", h, h2);
            d.same("EXISTS", h);
            d.same("TYPE", h2);
            d.same("HGETALL", h2);
            d.ttl("TTL", h2);
            d.same("RENAME", h2, h2);
            d.ttl("TTL", h2);
            d.same("SET", s, "text");
            d.same("RENAMENX", h2, s);
            d.same("RENAMENX", h2, h3);
            d.ttl("PTTL", h3);
            d.same("HGETALL", h3);
            d.same("RENAME", h3, s); // replaces a string with the hash
            d.same("TYPE", s);
            d.same("HGETALL", s);
            d.ttl("TTL", s);
            d.same("SET", h, "x");
            d.same("EXPIRE", h, "300");
            d.same("HSET", h3, "n", "1");
            d.same("RENAME", h3, h); // a hash without TTL over a string with one
            d.same("TTL", h);
            d.same("HGETALL", h);
            d.same("GET", h);
            d.same("RENAME", d.key("none"), h);
            d.same("RENAMENX", d.key("none"), h);
            // EXPIRE in the past deletes.
            d.same("EXPIRE", h, "0");
            d.same("EXISTS", h);
            d.same("HSET", h, "f", "v");
            d.same("PEXPIRE", h, "-1");
            d.same("HGET", h, "f");
            d.same("HSET", h, "f", "v");
            d.same("EXPIREAT", h, "1");
            d.same("TYPE", h);
            // DEL and EXISTS.
            d.same("HSET", h, "f", "v");
            d.same("EXISTS", h, h, s, d.key("none"));
            d.same("DEL", h, s, d.key("none"));
            d.same("EXISTS", h, s);
            d.same("HGET", s, "f");
            // SET over a hash replaces it (and drops its TTL).
            d.same("HSET", h, "f", "v");
            d.same("EXPIRE", h, "100");
            d.same("SET", h, "plain");
            d.same("TTL", h);
            d.same("GET", h);
            d.same("DEL", h);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void anExpiredHashIsGone(int protocol) throws Exception {
        try (Duo d = new Duo(servers, protocol)) {
            String[] keys = new String[12];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = d.key("exp" + i);
                d.same("DEL", keys[i]);
                d.same("HSET", keys[i], "a", "1", "b", "2");
                d.same("PEXPIRE", keys[i], "20");
            }
            Thread.sleep(150); // well past the TTL on both servers: every access below finds the key expired
            int i = 0;
            for (String[] c : new String[][] {{"HGETALL", keys[i++]}, {"HLEN", keys[i++]}, {"HGET", keys[i++], "a"},
                    {"HSET", keys[i++], "c", "3"}, {"HINCRBY", keys[i++], "a", "5"},
                    {"HINCRBYFLOAT", keys[i++], "a", "0.5"}, {"HDEL", keys[i++], "a"}, {"HRANDFIELD", keys[i++], "-3"},
                    {"HSCAN", keys[i++], "0"}, {"RENAME", keys[i++], d.key("exp-renamed")}, {"TYPE", keys[i++]},
                    {"SET", keys[i++], "x", "NX"}}) {
                d.same(c);
            }
            for (String k : keys) {
                d.same("HGETALL", k);
                d.same("TTL", k);
            }
            String[] del = new String[keys.length + 2];
            del[0] = "DEL";
            System.arraycopy(keys, 0, del, 1, keys.length);
            del[keys.length + 1] = d.key("exp-renamed");
            d.same(del);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void scanType(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String[] hashes = {d.key("scan-h1"), d.key("scan-h2"), d.key("scan-h3")};
            for (String k : hashes) {
                d.same("HSET", k, "f", "v");
            }
            d.same("SET", d.key("scan-s"), "v");
            d.same("HDEL", hashes[2], "f");
            String mine = d.key("scan-*"); // other tests' keys stay out of the comparison
            d.scanKeys("MATCH", mine, "TYPE", "hash");
            d.scanKeys("MATCH", mine, "TYPE", "HASH");
            d.scanKeys("MATCH", mine, "TYPE", "string");
            d.scanKeys("MATCH", mine, "TYPE", "nosuchtype");
            d.scanKeys("TYPE", "hash", "MATCH", d.key("scan-h*"), "COUNT", "1");
            d.scanKeys("MATCH", mine);
            d.same("SCAN", "0", "TYPE");
            d.same("SCAN", "x", "TYPE", "hash");
            d.same("DEL", hashes[0], hashes[1], d.key("scan-s"));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void transactions(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String t = d.key("t");
            String t2 = d.key("t2");
            String s = d.key("s");
            d.same("DEL", t, t2, s);
            d.same("MULTI");
            for (String[] c : new String[][] {{"HSET", t, "a", "1"}, {"HGET", t, "a"}, {"SET", s, "v"},
                    {"HSET", s, "a", "b"}, {"GET", t}, {"HINCRBY", t, "a", "5"}, {"HINCRBYFLOAT", t, "a", "0.5"},
                    {"HINCRBY", t, "a", "1"}, {"HGETALL", t}, {"HRANDFIELD", t, "5", "WITHVALUES"},
                    {"HSCAN", t, "0"}, {"HDEL", t, "a"}, {"EXISTS", t}, {"TYPE", t}, {"HSET", t, "x", "y"},
                    {"EXPIRE", t, "100"}, {"RENAME", t, t2}, {"HGETALL", t2}, {"HLEN", t}, {"APPEND", s, "w"},
                    {"HSETNX", t2, "x", "z"}, {"HSETNX", t2, "n", "z"}, {"HMGET", t2, "x", "n", "q"}}) {
                d.same(c);
            }
            d.same("EXEC");
            d.ttl("TTL", t2);
            d.same("HGETALL", t2);
            // A command refused at queue time aborts the transaction.
            d.same("MULTI");
            d.same("HSET", t, "a", "1");
            d.same("HSET", t, "b");
            d.same("HGET", t);
            d.same("EXEC");
            d.same("EXISTS", t);
            // Errors at run time do not.
            d.same("MULTI");
            d.same("HSET", t, "a", "x");
            d.same("HINCRBY", t, "a", "1");
            d.same("HINCRBYFLOAT", t, "a", "1");
            d.same("HINCRBY", t, "a", "x");
            d.same("HRANDFIELD", t, "1", "foo");
            d.same("HSCAN", t, "x");
            d.same("GET", t);
            d.same("HSET", t, "b", "2");
            d.same("DEL", t);
            d.same("HLEN", t);
            d.same("HSET", t, "z", "1");
            d.same("EXEC");
            d.same("HGETALL", t);
            d.same("MULTI");
            d.same("HDEL", t, "z");
            d.same("HSET", t, "z", "2");
            d.same("HGETALL", t);
            d.same("DISCARD");
            d.same("HGETALL", t);
            d.same("DEL", t, t2, s);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void watchSeesChangesToAHash(int protocol) throws IOException {
        String[][][] cases = {
            {{"HSET", "w", "f", "v"}, {"HSET", "w", "f", "v"}}, // the same value again still touches the key
            {{"HSET", "w", "f", "v"}, {"HSET", "w", "f", "v2"}},
            {{"HSET", "w", "f", "v"}, {"HMSET", "w", "g", "v"}},
            {{"HSET", "w", "f", "v"}, {"HSETNX", "w", "f", "x"}}, // no change
            {{"HSET", "w", "f", "v"}, {"HSETNX", "w", "g", "x"}},
            {{"HSET", "w", "f", "v"}, {"HDEL", "w", "zz"}}, // no change
            {{"HSET", "w", "f", "v"}, {"HDEL", "w", "f"}}, // deletes the key
            {{"HSET", "w", "f", "v"}, {"HINCRBY", "w", "f", "1"}}, // error: no change
            {{"HSET", "w", "f", "1"}, {"HINCRBY", "w", "f", "0"}},
            {{"HSET", "w", "f", "1"}, {"HINCRBYFLOAT", "w", "f", "abc"}},
            {{"HSET", "w", "f", "1"}, {"HINCRBYFLOAT", "w", "f", "0"}},
            {{"HSET", "w", "f", "1"}, {"HGET", "w", "f"}},
            {{"HSET", "w", "f", "1"}, {"HGETALL", "w"}},
            {{"HSET", "w", "f", "1"}, {"HRANDFIELD", "w", "3"}},
            {{"HSET", "w", "f", "1"}, {"EXPIRE", "w", "100"}},
            {{"HSET", "w", "f", "1"}, {"PERSIST", "w"}},
            {{"HSET", "w", "f", "1"}, {"RENAME", "w", "w2"}},
            {{"HSET", "w2", "f", "1"}, {"RENAME", "w2", "w"}},
            {{"SET", "w", "x"}, {"HSET", "w", "f", "1"}}, // WRONGTYPE
            {{"HSET", "w", "f", "1"}, {"SET", "w", "x"}},
            {{"HSET", "w", "f", "1"}, {"GET", "w"}},
            {{"HSET", "w", "f", "1"}, {"DEL", "w"}},
            {{"DEL", "w"}, {"HDEL", "w", "f"}},
            {{"DEL", "w"}, {"HSET", "w", "f", "1"}},
        };
        String prefix = "r" + protocol + ".watch.";
        for (String[][] c : cases) {
            List<String> expected = Duo.watchRun(servers.redis.port, protocol, prefix, c, "HGETALL", "w");
            List<String> actual = Duo.watchRun(servers.qrrot.port(), protocol, prefix, c, "HGETALL", "w");
            assertEquals(show(String.join(" | ", expected)), show(String.join(" | ", actual)),
                    "RESP" + protocol + " WATCH after " + showCommand(c[0]) + ", then another connection: "
                            + showCommand(c[1]));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void listpackLimits(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String h = d.key("h");
            String big = d.key("big");
            String dup = d.key("dup");
            d.same("DEL", h, big, dup);
            String f64 = "F".repeat(64);
            String v64 = "V".repeat(64);
            d.same("HSET", h, f64, v64);
            d.same("HSETNX", h, "g".repeat(64), "w".repeat(64));
            d.same("HINCRBY", h, "i".repeat(64), "-9223372036854775808");
            d.same("HGETALL", h);
            d.same("HSTRLEN", h, f64);
            List<String> args = new ArrayList<>(List.of("HSET", big));
            for (int i = 0; i < 128; i++) {
                args.add("field" + i);
                args.add("value" + i);
            }
            d.same(args.toArray(String[]::new));
            d.same("HLEN", big);
            d.same("HSET", big, "field0", "new");
            d.same("HDEL", big, "field5", "field77");
            d.same("HSET", big, "field77", "back");
            d.same("HSET", big, "field5", "back");
            d.same("HGETALL", big);
            d.same("HKEYS", big);
            d.same("HVALS", big);
            d.same("HSCAN", big, "0", "MATCH", "field1*", "COUNT", "3");
            d.same("HRANDFIELD", big, "128", "WITHVALUES");
            randfield(d, "HRANDFIELD", big, "127", "WITHVALUES");
            randfield(d, "HRANDFIELD", big, "-300");
            // More field arguments than a listpack holds, but no more than 128 distinct fields.
            args = new ArrayList<>(List.of("HSET", dup));
            for (int i = 0; i < 200; i++) {
                args.add("d" + (i % 100));
                args.add("v" + i);
            }
            d.same(args.toArray(String[]::new));
            d.same("HGETALL", dup);
            args = new ArrayList<>(List.of("HMGET", dup));
            for (int i = 0; i < 150; i++) {
                args.add("d" + i);
            }
            d.same(args.toArray(String[]::new));
            args = new ArrayList<>(List.of("HDEL", dup));
            for (int i = 0; i < 300; i++) {
                args.add("d" + (i % 100));
            }
            d.same(args.toArray(String[]::new));
            d.same("EXISTS", dup);
            d.same("DEL", h, big, dup);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void objectEncoding(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String h = d.key("h");
            d.same("HSET", h, "f", "v");
            String[] r = d.raw("OBJECT", "ENCODING", h);
            d.same("DEL", h);
            Assumptions.assumeFalse(r[1].startsWith("-ERR unknown command"),
                    "qrrot has no OBJECT command (Redis replies " + show(r[0]) + "): OBJECT ENCODING is not compared");
            d.check(new String[] {"OBJECT", "ENCODING", h}, r);
            d.same("OBJECT", "ENCODING", h);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void aHashtableStaysOneThroughRenameAndCopy(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String h = d.key("ht");
            String h2 = d.key("ht2");
            String h3 = d.key("ht3");
            d.same("DEL", h, h2, h3);
            d.same("HSET", h, "a", "1", "long", "x".repeat(65), "b", "2");
            d.same("HDEL", h, "long"); // two short fields left, in a hashtable all the same
            d.same("OBJECT", "ENCODING", h);
            d.same("COPY", h, h2);
            d.same("OBJECT", "ENCODING", h2);
            d.same("RENAME", h2, h3);
            d.same("OBJECT", "ENCODING", h3);
            d.same("HGET", h3, "a");
            d.same("HLEN", h3);
            d.same("HSET", h2, "c", "3");
            d.same("COPY", h2, h3, "REPLACE"); // a listpack stays one
            d.same("OBJECT", "ENCODING", h3);
            d.same("DEL", h, h2, h3);
        }
    }

    // ---------------------------------------------------------------------------------------- random mix

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void randomCommands(int protocol) throws IOException {
        long seed = Long.getLong("seed", Long.getLong("qrrot.seed", System.nanoTime()));
        System.out.println("HashDifferentialTest.randomCommands RESP" + protocol + " seed=" + seed
                + " (replay with -Dseed=" + seed + ")");
        Random rnd = new Random(seed);
        Generator g = new Generator(rnd, "r" + protocol + ".rnd.");
        try (Duo d = new Duo(servers, protocol)) {
            d.seed = seed;
            d.same(g.allKeys("DEL"));
            int sent = 0;
            while (sent < RANDOM_COMMANDS) {
                List<Step> batch = new ArrayList<>();
                while (batch.size() < BATCH) {
                    g.next(batch);
                }
                sent += d.pipeline(batch);
                if (rnd.nextInt(8) == 0) {
                    d.scanKeys("MATCH", g.prefix + "*", "TYPE", "hash");
                }
            }
            d.same(g.allKeys("DEL"));
        }
    }

    /** Random commands over a few keys, with fields and values from small alphabets so that they collide. */
    private static final class Generator {
        private static final String[] FIELDS = {"a", "b", "c", "d", "e", "f", "g", "", "\u0000\r\n\u00ff"};
        private static final String[] VALUES = {"", "0", "1", "-1", "7", "10", "-20", "abc", "1.5", "-0.5",
            "x\u0000y", "9223372036854775807", "-9223372036854775808", "01", " 1", "1e3", "3.0", "inf", "nan",
            "0.1", "\u00e9"};
        private static final String[] INCRS = {"1", "-1", "0", "5", "-100", "1000000", "9223372036854775807",
            "-9223372036854775808", "x", "1.5", "", " 1", "+1", "00", "-0", "9223372036854775808"};
        private static final String[] FLOAT_INCRS = {"1", "0.1", "-0.1", "1.5", "-2.5", "1e3", "5.0e3", "abc",
            "inf", "-inf", "nan", "0", "-0", "1e-3", ".5", " 1", "1e5000", "3", "-7", "0.25"};
        private static final String[] COUNTS = {"0", "1", "2", "3", "5", "8", "10", "-1", "-2", "-5", "-12",
            "x", "9223372036854775807", "-9223372036854775808"};
        private static final String[] PATTERNS = {"*", "a*", "?", "[a-c]", "[^a]", "\\*", "", "*\u00ff"};
        /** Never a TTL that could run out during the run (the servers' clocks differ by a few ms). */
        private static final String[] SECONDS = {"100", "200", "500", "1000", "0", "-1"};
        private static final String[] MILLIS = {"100000", "200000", "500000", "0", "-1"};

        final Random rnd;
        final String prefix;
        final String[] keys;

        Generator(Random rnd, String prefix) {
            this.rnd = rnd;
            this.prefix = prefix;
            keys = new String[6];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = prefix + "k" + i;
            }
        }

        String[] allKeys(String command) {
            String[] c = new String[keys.length + 1];
            c[0] = command;
            System.arraycopy(keys, 0, c, 1, keys.length);
            return c;
        }

        private String pick(String[] a) {
            return a[rnd.nextInt(a.length)];
        }

        private String key() {
            return pick(keys);
        }

        private String field() {
            return pick(FIELDS);
        }

        /** Appends one random command (with the HGETALL an HRANDFIELD needs, or a whole transaction). */
        void next(List<Step> out) {
            if (rnd.nextInt(40) == 0) {
                transaction(out);
                return;
            }
            String[] c = command(true);
            if (rnd.nextInt(60) == 0) {
                c = mutateArity(c);
            }
            add(out, c);
        }

        private void add(List<Step> out, String[] c) {
            String name = c[0];
            if (name.equals("HRANDFIELD") && c.length >= 2) {
                out.add(new Step(new String[][] {c, {"HGETALL", c[1]}},
                        (d, cmds, r) -> checkRandfield(d, cmds[0], r[0], r[1])));
            } else if (name.equals("TTL") || name.equals("PTTL")) {
                out.add(Step.time(c));
            } else {
                out.add(Step.exact(c));
            }
        }

        private void transaction(List<Step> out) {
            out.add(Step.exact("MULTI"));
            for (int i = 0, n = 1 + rnd.nextInt(5); i < n; i++) {
                String[] c = command(false);
                if (rnd.nextInt(30) == 0) {
                    c = mutateArity(c); // the transaction is then aborted
                }
                out.add(Step.exact(c));
            }
            out.add(Step.exact(rnd.nextInt(10) == 0 ? "DISCARD" : "EXEC"));
        }

        /** One argument fewer or one more (an arity or syntax error, or sometimes still valid). */
        private String[] mutateArity(String[] c) {
            if (rnd.nextBoolean() && c.length > 1) {
                return java.util.Arrays.copyOf(c, c.length - 1);
            }
            String[] m = java.util.Arrays.copyOf(c, c.length + 1);
            m[c.length] = rnd.nextBoolean() ? field() : "x";
            return m;
        }

        /** @param random whether HRANDFIELD and TTL may appear (not inside a transaction: EXEC compares exactly) */
        private String[] command(boolean random) {
            String k = key();
            int r = rnd.nextInt(100);
            if (r < 14) {
                int pairs = 1 + rnd.nextInt(3);
                String[] c = new String[2 + 2 * pairs];
                c[0] = rnd.nextInt(5) == 0 ? "HMSET" : "HSET";
                c[1] = k;
                for (int i = 0; i < pairs; i++) {
                    c[2 + 2 * i] = field();
                    c[3 + 2 * i] = pick(VALUES);
                }
                return c;
            } else if (r < 17) {
                return new String[] {"HSETNX", k, field(), pick(VALUES)};
            } else if (r < 23) {
                return new String[] {"HGET", k, field()};
            } else if (r < 26) {
                int n = 1 + rnd.nextInt(4);
                String[] c = new String[2 + n];
                c[0] = "HMGET";
                c[1] = k;
                for (int i = 0; i < n; i++) {
                    c[2 + i] = field();
                }
                return c;
            } else if (r < 30) {
                return new String[] {"HGETALL", k};
            } else if (r < 36) {
                int n = 1 + rnd.nextInt(3);
                String[] c = new String[2 + n];
                c[0] = "HDEL";
                c[1] = k;
                for (int i = 0; i < n; i++) {
                    c[2 + i] = field();
                }
                return c;
            } else if (r < 38) {
                return new String[] {"HLEN", k};
            } else if (r < 40) {
                return new String[] {"HEXISTS", k, field()};
            } else if (r < 42) {
                return new String[] {rnd.nextBoolean() ? "HKEYS" : "HVALS", k};
            } else if (r < 47) {
                return new String[] {"HINCRBY", k, field(), pick(INCRS)};
            } else if (r < 52) {
                return new String[] {"HINCRBYFLOAT", k, field(), pick(FLOAT_INCRS)};
            } else if (r < 54) {
                return new String[] {"HSTRLEN", k, field()};
            } else if (r < 58 && random) {
                return switch (rnd.nextInt(4)) {
                    case 0 -> new String[] {"HRANDFIELD", k};
                    case 1 -> new String[] {"HRANDFIELD", k, pick(COUNTS)};
                    case 2 -> new String[] {"HRANDFIELD", k, pick(COUNTS), "WITHVALUES"};
                    default -> new String[] {"HRANDFIELD", k, pick(COUNTS), rnd.nextBoolean() ? "withvalues" : "x"};
                };
            } else if (r < 61) {
                List<String> c = new ArrayList<>(List.of("HSCAN", k, rnd.nextInt(8) == 0 ? "7" : "0"));
                if (rnd.nextBoolean()) {
                    c.add("MATCH");
                    c.add(pick(PATTERNS));
                }
                if (rnd.nextInt(3) == 0) {
                    c.add("COUNT");
                    c.add(pick(new String[] {"1", "2", "10", "0", "-1", "x"}));
                }
                return c.toArray(String[]::new);
            } else if (r < 66) {
                return new String[] {"SET", k, pick(VALUES)};
            } else if (r < 70) {
                return new String[] {"GET", k};
            } else if (r < 72) {
                return new String[] {"APPEND", k, pick(VALUES)};
            } else if (r < 75) {
                return new String[] {rnd.nextBoolean() ? "INCR" : "DECR", k};
            } else if (r < 78) {
                return rnd.nextBoolean() ? new String[] {"DEL", k} : new String[] {"DEL", k, key()};
            } else if (r < 81) {
                return rnd.nextInt(4) == 0 ? new String[] {"PEXPIRE", k, pick(MILLIS)}
                        : new String[] {"EXPIRE", k, pick(SECONDS)};
            } else if (r < 82) {
                return new String[] {"PERSIST", k};
            } else if (r < 84 && random) {
                return new String[] {rnd.nextBoolean() ? "TTL" : "PTTL", k};
            } else if (r < 88) {
                return new String[] {rnd.nextInt(4) == 0 ? "RENAMENX" : "RENAME", k, key()};
            } else if (r < 92) {
                return new String[] {"TYPE", k};
            } else if (r < 95) {
                return new String[] {"EXISTS", k, key()};
            } else {
                return new String[] {"HGETALL", k};
            }
        }
    }

    // ------------------------------------------------------------------------------------------- HRANDFIELD

    /** HRANDFIELD, exactly where Redis' reply is deterministic, else by shape and membership. */
    private static void randfield(Duo d, String... cmd) throws IOException {
        String[] r = d.raw(cmd);
        String[] state = d.raw("HGETALL", cmd[1]);
        checkRandfield(d, cmd, r, state);
    }

    /** @param state the replies to the HGETALL of the hash, sent right after the HRANDFIELD */
    private static void checkRandfield(Duo d, String[] cmd, String[] r, String[] state) {
        d.record(cmd, r);
        if (!state[0].equals(state[1])) {
            d.record(new String[] {"HGETALL", cmd[1]}, state);
            d.mismatch(new String[] {"HGETALL", cmd[1]}, state, " (the hash HRANDFIELD drew from)");
        }
        if (r[0].equals(r[1])) {
            return;
        }
        Map<String, String> hash = hashOf(state[0]);
        if (hash == null || !randomCase(cmd, hash.size())) {
            d.mismatch(cmd, r, "");
        }
        boolean withValues = cmd.length == 4 && cmd[3].equalsIgnoreCase("WITHVALUES");
        boolean distinct = cmd.length > 2 && !cmd[2].startsWith("-");
        String expected = randomShape(r[0], hash, withValues, distinct);
        String actual = randomShape(r[1], hash, withValues, distinct);
        if (!expected.equals(actual)) {
            d.mismatch(cmd, r, " (random reply: compared by shape " + show(expected) + " vs " + show(actual) + ")");
        }
    }

    /** Whether Redis' reply to this HRANDFIELD on a hash of {@code size} fields is random. */
    private static boolean randomCase(String[] cmd, int size) {
        if (size <= 1) {
            return false; // one field (or none): every draw is the same
        }
        if (cmd.length == 2) {
            return true;
        }
        long count;
        try {
            count = Long.parseLong(cmd[2]);
        } catch (NumberFormatException e) {
            return false;
        }
        return count < 0 || (count > 0 && count < size);
    }

    /** HGETALL's reply (RESP2 array or RESP3 map) as an ordered map, or null when it is not one. */
    private static Map<String, String> hashOf(String reply) {
        Node n = Node.parse(reply);
        if (n.type() != '*' && n.type() != '%') {
            return null;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < n.kids().size(); i += 2) {
            m.put(n.kids().get(i).text(), n.kids().get(i + 1).text());
        }
        return m;
    }

    /**
     * A random HRANDFIELD reply with each field and value replaced by a placeholder once checked against the
     * hash: the frame headers (lengths, RESP3's nested pairs) stay as they are, a field that is not in the
     * hash, a value that is not the field's or a repeat where fields must be distinct shows in the result.
     */
    private static String randomShape(String reply, Map<String, String> hash, boolean withValues, boolean distinct) {
        Node n = Node.parse(reply);
        if (n.type() == '$' && n.text() != null) {
            return hash.containsKey(n.text()) ? "$<field>" : "$<not a field: " + show(n.text()) + ">";
        }
        if (n.type() != '*') {
            return reply;
        }
        StringBuilder sb = new StringBuilder("*").append(n.kids().size()).append(' ');
        Set<String> seen = new HashSet<>();
        List<Node> flat = new ArrayList<>();
        boolean nested = !n.kids().isEmpty() && n.kids().get(0).type() == '*';
        for (Node k : n.kids()) {
            if (nested) {
                if (k.type() != '*' || k.kids().size() != 2) {
                    return sb.append("<not a pair>").toString();
                }
                sb.append("[2]");
                flat.addAll(k.kids());
            } else {
                flat.add(k);
            }
        }
        int step = withValues ? 2 : 1;
        if (flat.size() % step != 0) {
            return sb.append("<odd>").toString();
        }
        for (int i = 0; i < flat.size(); i += step) {
            String f = flat.get(i).text();
            if (f == null || !hash.containsKey(f)) {
                sb.append("<not a field: ").append(f == null ? "nil" : show(f)).append('>');
                continue;
            }
            sb.append("<f>");
            if (distinct && !seen.add(f)) {
                sb.append("<repeated>");
            }
            if (withValues) {
                String v = flat.get(i + 1).text();
                sb.append(hash.get(f).equals(v) ? "<v>" : "<wrong value: " + (v == null ? "nil" : show(v)) + ">");
            }
        }
        return sb.toString();
    }
}
