package io.qrrot.server;

import static io.qrrot.server.Duo.show;
import static io.qrrot.server.Duo.showCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qrrot.server.Duo.Step;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lists against a real redis-server 7.0: the same commands go to both servers over real sockets, in RESP2 and
 * in RESP3 (HELLO 3), and the replies must be the same bytes. First edge-case scripts for every list command
 * (arity, types both ways, pushes and pops with and without a count, index ranges, LINDEX and LSET, LINSERT,
 * LREM, LTRIM, LPOS with RANK, COUNT and MAXLEN, LMOVE and RPOPLPUSH in every direction, LMPOP, the blocking
 * commands where they answer at once, large lists and odd elements, key lifecycle, transactions, WATCH, SCAN
 * with TYPE), then a seeded random mix of list, string, hash, set and sorted-set commands over a few keys
 * ({@code -Dseed=N} replays a run; the seed is printed).
 *
 * <p>A list is fully ordered, so every reply is compared exactly (OBJECT ENCODING too: Redis 7.0 calls every
 * list {@code quicklist}, and the strings here are only ever written by SET), but for TTL and PTTL, within a
 * tolerance, and the HELLO reply.
 *
 * <p>The blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) are sent only where they answer at once:
 * a key has elements or is of another type, an argument is wrong, or inside MULTI (a null at once), plus a few
 * short timeouts (10 ms) on missing keys in the scripts. The random mix pushes onto one of a blocking
 * command's keys in the same step, just before it, so that it never waits. Blocking itself (wake-ups, order,
 * CLIENT UNBLOCK) is {@code BlockingPopsTest}'s. A timeout between about 9.2e12 and 9.2e15 seconds never goes
 * to a command that would wait: Redis 7.0 adds it to the clock in milliseconds, which overflows.
 */
@Tag("integration")
class ListDifferentialTest {
    @TempDir
    static Path dir;
    private static SideBySide servers;

    /** Random commands per protocol; {@code -Dlistdiff.commands=N} runs more (or fewer). */
    private static final int RANDOM_COMMANDS = Integer.getInteger("listdiff.commands", 10_000);
    /** Commands pipelined in one write: the WAL then syncs once per batch, which keeps the run short. */
    private static final int BATCH = 64;
    /** The longest list a push or LINSERT of the random run made (reported at its end). */
    private static long longest;

    private static final String WRONGTYPE_SAMPLE = "text";
    /** Elements of a few KB. */
    private static final String KB3 = "K".repeat(3000);
    private static final String KB8 = "x\u0000y".repeat(2731) + "!";
    /** Every byte value once. */
    private static final String BYTES;

    static {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 256; i++) {
            sb.append((char) i);
        }
        BYTES = sb.toString();
    }

    /** Elements that look like integers (or almost): a listpack stores some as integers. */
    private static final String[] NUMERIC = {"0", "-0", "+0", "00", "007", "7", "1", "-1", "01", "1.0", "1e3",
        " 1", "1 ", "0x10", "127", "128", "-128", "-129", "32767", "32768", "-32769", "8388607", "8388608",
        "2147483647", "2147483648", "-2147483649", "4294967296", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "12345678901234567890",
        "-", "+", "1-", "--1"};

    @BeforeAll
    static void start() throws Exception {
        servers = SideBySide.start(dir, "the list differential test");
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
            String l = d.key("l");
            String s = d.key("s");
            String h = d.key("h");
            String set = d.key("set");
            String z = d.key("z");
            String none = d.key("none");
            fresh(d, l, s, h, set, z, none);
            // Every one an arity error: none of the blocking ones may wait.
            for (String[] c : new String[][] {{"LPUSH"}, {"LPUSH", l}, {"RPUSH"}, {"RPUSH", l}, {"LPUSHX"},
                    {"LPUSHX", l}, {"RPUSHX"}, {"RPUSHX", l}, {"LPOP"}, {"LPOP", l, "1", "2"}, {"RPOP"},
                    {"RPOP", l, "1", "x"}, {"LLEN"}, {"LLEN", l, "x"}, {"LRANGE"}, {"LRANGE", l}, {"LRANGE", l, "0"},
                    {"LRANGE", l, "0", "1", "2"}, {"LINDEX"}, {"LINDEX", l}, {"LINDEX", l, "0", "1"}, {"LSET", l},
                    {"LSET", l, "0"}, {"LSET", l, "0", "x", "y"}, {"LINSERT", l, "BEFORE", "a"},
                    {"LINSERT", l, "BEFORE", "a", "b", "c"}, {"LINSERT", l}, {"LREM", l, "0"},
                    {"LREM", l, "0", "a", "b"}, {"LTRIM", l, "0"}, {"LTRIM", l, "0", "1", "2"}, {"LPOS"},
                    {"LPOS", l}, {"LMOVE", l, l, "LEFT"}, {"LMOVE", l, l, "LEFT", "RIGHT", "x"}, {"LMOVE"},
                    {"RPOPLPUSH", l}, {"RPOPLPUSH", l, l, l}, {"LMPOP"}, {"LMPOP", "1"}, {"LMPOP", "1", l},
                    {"BLPOP"}, {"BLPOP", l}, {"BRPOP"}, {"BRPOP", l}, {"BLMOVE", l, l, "LEFT", "RIGHT"},
                    {"BLMOVE", l, l, "LEFT", "RIGHT", "0", "x"}, {"BRPOPLPUSH", l, l},
                    {"BRPOPLPUSH", l, l, "0", "x"}, {"BLMPOP"}, {"BLMPOP", "0"}, {"BLMPOP", "0", "1"},
                    {"BLMPOP", "0", "1", l}, {"lpush", l}, {"LpUsH"}, {"lrange", l, "0"}, {"bLmPoP", "0"}}) {
                same(d, c);
            }
            same(d, "EXISTS", l);
            // List commands on a string, a hash, a set and a sorted set.
            same(d, "SET", s, WRONGTYPE_SAMPLE);
            same(d, "HSET", h, "f", "v");
            same(d, "SADD", set, "a", "b");
            same(d, "ZADD", z, "1", "a");
            for (String w : new String[] {s, h, set, z}) {
                // l has elements whenever a blocking command takes it as a source (LMPOP pops one of two).
                same(d, "DEL", l);
                same(d, "RPUSH", l, "x", "y");
                for (String[] c : new String[][] {{"LPUSH", w, "a"}, {"RPUSH", w, "a", "b"}, {"LPUSHX", w, "a"},
                        {"RPUSHX", w, "a", "b"}, {"LPOP", w}, {"RPOP", w}, {"LPOP", w, "2"}, {"RPOP", w, "0"},
                        {"LPOP", w, "-1"}, {"RPOP", w, "x"}, {"LLEN", w}, {"LRANGE", w, "0", "-1"},
                        {"LRANGE", w, "x", "-1"}, {"LRANGE", w, "0", "x"}, {"LINDEX", w, "0"}, {"LINDEX", w, "x"},
                        {"LSET", w, "0", "x"}, {"LSET", w, "x", "x"}, {"LINSERT", w, "BEFORE", "a", "b"},
                        {"LINSERT", w, "AFTER", "zz", "b"}, {"LINSERT", w, "MIDDLE", "a", "b"},
                        {"LREM", w, "0", "a"}, {"LREM", w, "x", "a"}, {"LTRIM", w, "0", "-1"},
                        {"LTRIM", w, "x", "1"}, {"LPOS", w, "a"}, {"LPOS", w, "a", "RANK", "0"},
                        {"LPOS", w, "a", "RANK", "1"}, {"LPOS", w, "a", "COUNT", "0"},
                        {"LPOS", w, "a", "COUNT", "-1"}, {"LPOS", w, "a", "MAXLEN", "1"},
                        {"LMOVE", w, none, "LEFT", "RIGHT"}, {"LMOVE", none, w, "LEFT", "LEFT"},
                        {"LMOVE", w, w, "RIGHT", "RIGHT"}, {"LMOVE", w, l, "LEFT", "UP"},
                        {"LMOVE", l, w, "LEFT", "RIGHT"}, {"RPOPLPUSH", w, none}, {"RPOPLPUSH", none, w},
                        {"RPOPLPUSH", l, w}, {"RPOPLPUSH", w, l}, {"LMPOP", "1", w, "LEFT"},
                        {"LMPOP", "2", none, w, "RIGHT", "COUNT", "2"}, {"LMPOP", "2", w, l, "LEFT"},
                        {"LMPOP", "2", l, w, "LEFT"}, {"LMPOP", "1", w, "LEFT", "COUNT", "0"},
                        {"BLPOP", w, "0"}, {"BRPOP", none, w, "0"}, {"BLPOP", w, l, "0"}, {"BLPOP", w, "x"},
                        {"BLMOVE", w, none, "LEFT", "RIGHT", "0"}, {"BLMOVE", l, w, "RIGHT", "LEFT", "0"},
                        {"BLMOVE", w, l, "LEFT", "LEFT", "-1"}, {"BRPOPLPUSH", w, none, "0"},
                        {"BRPOPLPUSH", l, w, "0"}, {"BLMPOP", "0", "1", w, "LEFT"},
                        {"BLMPOP", "0", "2", none, w, "RIGHT", "COUNT", "3"}, {"BLMPOP", "x", "1", w, "LEFT"},
                        {"TYPE", w}, {"LRANGE", l, "0", "-1"}, {"EXISTS", none}}) {
                    same(d, c);
                }
            }
            same(d, "GET", s);
            same(d, "HGET", h, "f");
            same(d, "SCARD", set);
            same(d, "ZRANGE", z, "0", "-1", "WITHSCORES");
            // String, hash, set and sorted-set commands on a list.
            same(d, "DEL", l);
            same(d, "RPUSH", l, "a", "b", "1");
            for (String[] c : new String[][] {{"GET", l}, {"SET", l, "x", "NX"}, {"SET", l, "x", "XX", "GET"},
                    {"SET", l, "x", "GET"}, {"GETSET", l, "x"}, {"APPEND", l, "x"}, {"STRLEN", l}, {"INCR", l},
                    {"DECRBY", l, "2"}, {"INCRBYFLOAT", l, "1"}, {"GETRANGE", l, "0", "1"},
                    {"SETRANGE", l, "0", "x"}, {"GETDEL", l}, {"GETEX", l}, {"GETEX", l, "PERSIST"},
                    {"MGET", l, s, none}, {"SETNX", l, "x"}, {"HSET", l, "f", "v"}, {"HGET", l, "f"},
                    {"HMGET", l, "f"}, {"HGETALL", l}, {"HLEN", l}, {"HDEL", l, "f"}, {"HEXISTS", l, "f"},
                    {"HINCRBY", l, "f", "1"}, {"HKEYS", l}, {"HSCAN", l, "0"}, {"SADD", l, "a"},
                    {"SREM", l, "a"}, {"SMEMBERS", l}, {"SCARD", l}, {"SISMEMBER", l, "a"}, {"SPOP", l},
                    {"SINTER", l}, {"SINTER", set, l}, {"SUNION", set, l}, {"SDIFF", l, set},
                    {"SUNIONSTORE", none, l}, {"SMOVE", l, set, "a"}, {"SMOVE", set, l, "a"}, {"SSCAN", l, "0"},
                    {"ZADD", l, "1", "a"}, {"ZINCRBY", l, "1", "a"}, {"ZSCORE", l, "a"}, {"ZCARD", l},
                    {"ZRANGE", l, "0", "-1"}, {"ZREM", l, "a"}, {"ZPOPMIN", l}, {"ZUNION", "1", l},
                    {"ZUNION", "2", z, l}, {"ZINTER", "2", l, z}, {"ZUNIONSTORE", none, "1", l},
                    {"ZINTERCARD", "1", l}, {"ZMPOP", "1", l, "MIN"}, {"ZSCAN", l, "0"}, {"TYPE", l},
                    {"OBJECT", "ENCODING", l}, {"EXISTS", none}, {"LRANGE", l, "0", "-1"},
                    {"SET", l, "now a string"}, {"TYPE", l}, {"LLEN", l}, {"LPUSH", l, "a"}, {"GET", l}}) {
                same(d, c);
            }
            same(d, "DEL", l, s, h, set, z, none);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void pushesAndPops(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String l = d.key("l");
            String s = d.key("s");
            String none = d.key("none");
            fresh(d, l, s, none);
            same(d, "SET", s, WRONGTYPE_SAMPLE);
            // Order of a multi-element push; duplicates; the X forms on a missing key create nothing.
            for (String[] c : new String[][] {{"LPUSH", l, "a", "b", "c"}, {"RPUSH", l, "d", "e", "d"},
                    {"LPUSH", l, "a"}, {"LRANGE", l, "0", "-1"}, {"LLEN", l}, {"LPUSHX", l, "x", "y"},
                    {"RPUSHX", l, "z"}, {"LRANGE", l, "0", "-1"}, {"LPUSHX", none, "a"}, {"RPUSHX", none, "a", "b"},
                    {"EXISTS", none}, {"LLEN", none}, {"TYPE", none}, {"lpush", l, ""}, {"rpush", l, "", ""},
                    {"LRANGE", l, "0", "-1"}, {"LLEN", l}, {"RPUSH", none, "only"}, {"TYPE", none},
                    {"OBJECT", "ENCODING", none}, {"LPOP", none}, {"EXISTS", none}}) {
                same(d, c);
            }
            // Every count form, on a list of six, on a missing key and on a string.
            String[] six = {"RPUSH", l, "a", "b", "c", "d", "e", "f"};
            String[][] tails = {{}, {"0"}, {"1"}, {"2"}, {"5"}, {"6"}, {"7"}, {"100"}, {"-1"}, {"-100"}, {"x"},
                {"1.5"}, {"1.0"}, {""}, {"9223372036854775807"}, {"-9223372036854775808"}, {"9223372036854775808"},
                {"01"}, {"+2"}, {" 2"}, {"2 "}, {"0x2"}, {"-0"}, {"00"}, {"1e1"}};
            for (String cmd : new String[] {"LPOP", "RPOP", "lpop"}) {
                for (String[] tail : tails) {
                    same(d, "DEL", l);
                    same(d, six);
                    same(d, cat(new String[] {cmd, l}, tail));
                    same(d, "LRANGE", l, "0", "-1");
                    same(d, "EXISTS", l);
                    same(d, cat(new String[] {cmd, none}, tail));
                    same(d, cat(new String[] {cmd, s}, tail));
                }
            }
            // Pops one at a time until the key is gone; a popped-out list answers like a missing key.
            same(d, "DEL", l);
            same(d, "RPUSH", l, "a", "b", "c");
            for (String[] c : new String[][] {{"LPOP", l}, {"RPOP", l}, {"LLEN", l}, {"RPOP", l}, {"EXISTS", l},
                    {"LPOP", l}, {"RPOP", l, "1"}, {"LPOP", l, "0"}, {"LLEN", l}, {"TYPE", l}}) {
                same(d, c);
            }
            same(d, "DEL", l, s, none);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void rangesIndexesAndLset(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String l = d.key("l");
            String s = d.key("s");
            String none = d.key("none");
            fresh(d, l, s, none);
            same(d, "SET", s, WRONGTYPE_SAMPLE);
            same(d, "RPUSH", l, "a", "b", "c", "d", "e", "f", "g");
            String[] idx = {"0", "1", "2", "-1", "-2", "-7", "-8", "6", "7", "8", "-100", "100", "3",
                "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "x",
                "1.5", "", " 1", "+1", "01", "-0"};
            for (String a : new String[] {"0", "-1", "2", "-3", "-100", "100", "6", "7", "-7", "x",
                    "-9223372036854775808", "9223372036854775807"}) {
                for (String e : idx) {
                    same(d, "LRANGE", l, a, e);
                    same(d, "LRANGE", l, e, a);
                }
                same(d, "LRANGE", none, a, "-1");
                same(d, "LRANGE", s, a, "-1");
            }
            for (String i : idx) {
                same(d, "LINDEX", l, i);
                same(d, "LINDEX", none, i);
                same(d, "LINDEX", s, i);
            }
            // LSET: the key first (no such key, WRONGTYPE), then the index.
            for (String i : idx) {
                same(d, "LSET", l, i, "set" + i);
                same(d, "LSET", none, i, "v");
                same(d, "LSET", s, i, "v");
            }
            same(d, "LRANGE", l, "0", "-1");
            same(d, "EXISTS", none);
            for (String v : new String[] {"", "007", "-0", "9223372036854775808", "1", KB3, "\u0000\r\n", "a"}) {
                same(d, "LSET", l, "3", v);
                same(d, "LINDEX", l, "3");
                same(d, "LSET", l, "-1", v);
                same(d, "LRANGE", l, "-2", "-1");
            }
            same(d, "LRANGE", l, "0", "-1");
            // A list of one element.
            same(d, "DEL", l);
            same(d, "RPUSH", l, "only");
            for (String[] c : new String[][] {{"LRANGE", l, "0", "0"}, {"LRANGE", l, "-1", "-1"},
                    {"LRANGE", l, "1", "1"}, {"LRANGE", l, "-2", "0"}, {"LRANGE", l, "0", "-2"}, {"LINDEX", l, "0"},
                    {"LINDEX", l, "-1"}, {"LINDEX", l, "1"}, {"LINDEX", l, "-2"}, {"LSET", l, "-1", "x"},
                    {"LSET", l, "1", "x"}, {"LSET", l, "-2", "x"}, {"LRANGE", l, "0", "-1"}}) {
                same(d, c);
            }
            same(d, "DEL", l, s, none);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void linsert(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String l = d.key("l");
            String s = d.key("s");
            String none = d.key("none");
            fresh(d, l, s, none);
            same(d, "SET", s, WRONGTYPE_SAMPLE);
            String[] base = {"RPUSH", l, "a", "b", "c", "a", "b", "", "1", "007"};
            String[][] cases = {{"BEFORE", "a", "X"}, {"AFTER", "a", "X"}, {"before", "b", "Y"}, {"after", "b", "Y"},
                {"BeFoRe", "c", "Z"}, {"AFTER", "007", "Z"}, {"BEFORE", "7", "Z"}, {"AFTER", "1", "Z"},
                {"AFTER", "01", "Z"}, {"BEFORE", "", "E"}, {"AFTER", "", ""}, {"BEFORE", "zz", "Q"},
                {"AFTER", "A", "Q"}, {"MIDDLE", "a", "Q"}, {"BEFOREX", "a", "Q"}, {"", "a", "Q"},
                {"BEFORE", "a", KB3}, {"AFTER", "007", "\u0000\u00ff"}};
            for (String[] c : cases) {
                same(d, "DEL", l);
                same(d, base);
                same(d, cat(new String[] {"LINSERT", l}, c));
                same(d, "LRANGE", l, "0", "-1");
                same(d, "LLEN", l);
                same(d, cat(new String[] {"LINSERT", none}, c));
                same(d, cat(new String[] {"LINSERT", s}, c));
                same(d, "EXISTS", none);
            }
            // Repeated inserts at the ends and next to what was just inserted.
            same(d, "DEL", l);
            same(d, "RPUSH", l, "m");
            for (int i = 0; i < 20; i++) {
                String where = i % 2 == 0 ? "BEFORE" : "AFTER";
                String pivot = i < 4 ? "m" : "i" + (i - 3);
                same(d, "LINSERT", l, where, pivot, "i" + i);
            }
            same(d, "LRANGE", l, "0", "-1");
            same(d, "DEL", l, s, none);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void lrem(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String l = d.key("l");
            String s = d.key("s");
            String none = d.key("none");
            fresh(d, l, s, none);
            same(d, "SET", s, WRONGTYPE_SAMPLE);
            String[] base = {"RPUSH", l, "a", "b", "a", "c", "a", "", "1", "01", "a", "b", ""};
            String[] counts = {"0", "1", "2", "3", "4", "5", "100", "-1", "-2", "-3", "-4", "-100", "x", "1.5", "",
                "9223372036854775807", "-9223372036854775808", "9223372036854775808", "+1", "-0", " 1"};
            for (String count : counts) {
                for (String e : new String[] {"a", "b", "", "1", "01", "zz", "A"}) {
                    same(d, "DEL", l);
                    same(d, base);
                    same(d, "LREM", l, count, e);
                    same(d, "LRANGE", l, "0", "-1");
                }
                same(d, "LREM", none, count, "a");
                same(d, "LREM", s, count, "a");
            }
            // Removing everything deletes the key, from either end.
            for (String count : new String[] {"0", "3", "-3", "10", "-10"}) {
                same(d, "DEL", l);
                same(d, "RPUSH", l, "x", "x", "x");
                same(d, "LREM", l, count, "x");
                same(d, "EXISTS", l);
                same(d, "LLEN", l);
            }
            same(d, "DEL", l, s, none);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void ltrim(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String l = d.key("l");
            String s = d.key("s");
            String none = d.key("none");
            fresh(d, l, s, none);
            same(d, "SET", s, WRONGTYPE_SAMPLE);
            String[] base = {"RPUSH", l, "a", "b", "c", "d", "e", "f", "g"};
            String[] idx = {"0", "1", "3", "-1", "-2", "-3", "6", "7", "-7", "-8", "100", "-100",
                "9223372036854775807", "-9223372036854775808", "x", "1.5", "9223372036854775808"};
            for (String a : idx) {
                for (String e : idx) {
                    same(d, "DEL", l);
                    same(d, base);
                    same(d, "EXPIRE", l, "1000");
                    same(d, "LTRIM", l, a, e);
                    same(d, "LRANGE", l, "0", "-1");
                    same(d, "TTL", l); // -2 where LTRIM removed everything: the key, and its TTL, are gone
                }
                same(d, "LTRIM", none, a, "-1");
                same(d, "LTRIM", s, a, "-1");
                same(d, "EXISTS", none);
            }
            same(d, "GET", s);
            same(d, "DEL", l, s, none);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void lpos(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String l = d.key("l");
            String s = d.key("s");
            String none = d.key("none");
            fresh(d, l, s, none);
            same(d, "SET", s, WRONGTYPE_SAMPLE);
            same(d, "RPUSH", l, "a", "b", "c", "a", "b", "c", "a", "", "1", "01", "a");
            String[] ranks = {null, "1", "2", "3", "4", "5", "-1", "-2", "-4", "-5", "0", "9223372036854775807",
                "-9223372036854775807", "-9223372036854775808", "9223372036854775808", "x", "1.5", ""};
            String[] counts = {null, "0", "1", "2", "4", "5", "9223372036854775807", "-1", "x",
                "9223372036854775808"};
            String[] maxlens = {null, "0", "1", "3", "4", "7", "11", "12", "9223372036854775807", "-1", "x"};
            for (String rank : ranks) {
                for (String count : counts) {
                    for (String maxlen : maxlens) {
                        List<String> opts = new ArrayList<>();
                        if (rank != null) {
                            opts.add("RANK");
                            opts.add(rank);
                        }
                        if (count != null) {
                            opts.add("COUNT");
                            opts.add(count);
                        }
                        if (maxlen != null) {
                            opts.add("MAXLEN");
                            opts.add(maxlen);
                        }
                        String[] o = opts.toArray(String[]::new);
                        same(d, cat(new String[] {"LPOS", l, "a"}, o));
                        if (maxlen == null || maxlen.equals("3")) {
                            same(d, cat(new String[] {"LPOS", l, "zz"}, o));
                            same(d, cat(new String[] {"LPOS", none, "a"}, o));
                            same(d, cat(new String[] {"LPOS", s, "a"}, o));
                        }
                    }
                }
            }
            // Option order, case, repeats (the last wins), and syntax errors.
            for (String[] c : new String[][] {{"LPOS", l, "a", "MAXLEN", "5", "COUNT", "0", "RANK", "-1"},
                    {"LPOS", l, "a", "count", "0", "rank", "2"}, {"LPOS", l, "a", "Rank", "1", "RANK", "-1"},
                    {"LPOS", l, "a", "COUNT", "1", "COUNT", "0"}, {"LPOS", l, "a", "MAXLEN", "1", "MAXLEN", "0"},
                    {"LPOS", l, "a", "RANK"}, {"LPOS", l, "a", "COUNT"}, {"LPOS", l, "a", "MAXLEN"},
                    {"LPOS", l, "a", "RANK", "1", "COUNT"}, {"LPOS", l, "a", "FOO"}, {"LPOS", l, "a", "FOO", "1"},
                    {"LPOS", l, "a", "RANK", "0", "FOO"}, {"LPOS", l, "a", "FOO", "1", "RANK", "0"},
                    {"LPOS", l, "a", "RANK", "0", "COUNT", "-1"}, {"LPOS", l, "a", "COUNT", "-1", "RANK", "0"},
                    {"LPOS", l, "a", "MAXLEN", "-1", "RANK", "0"}, {"LPOS", l, "a", "1"},
                    {"LPOS", l, "a", "RANK", "1", "1"}, {"LPOS", l, ""}, {"LPOS", l, "1"}, {"LPOS", l, "01"},
                    {"LPOS", l, "", "COUNT", "0"}, {"LPOS", l, "c", "RANK", "-1", "MAXLEN", "6"},
                    {"LPOS", l, "c", "RANK", "-1", "MAXLEN", "5"}, {"LPOS", l, "c", "RANK", "-2", "COUNT", "0",
                    "MAXLEN", "100"}, {"LPOS", none, "a", "RANK", "0"}, {"LPOS", s, "a", "RANK", "0"},
                    {"LPOS", s, "a", "FOO"}, {"LPOS", none, "a", "COUNT", "0", "MAXLEN", "-1"}}) {
                same(d, c);
            }
            // A long list: the matches, from both ends, within MAXLEN.
            same(d, "DEL", l);
            List<String> push = new ArrayList<>(List.of("RPUSH", l));
            for (int i = 0; i < 1000; i++) {
                push.add(i % 7 == 0 ? "hit" : i % 11 == 0 ? "7" : "e" + i);
            }
            same(d, push.toArray(String[]::new));
            for (String[] o : new String[][] {{}, {"COUNT", "0"}, {"COUNT", "10"}, {"RANK", "-1", "COUNT", "0"},
                    {"RANK", "50", "COUNT", "3"}, {"RANK", "-50", "COUNT", "3"}, {"RANK", "143"}, {"RANK", "-143"},
                    {"RANK", "144"}, {"COUNT", "0", "MAXLEN", "100"}, {"RANK", "-3", "COUNT", "0", "MAXLEN", "500"},
                    {"RANK", "-9223372036854775808", "COUNT", "2"}}) {
                same(d, cat(new String[] {"LPOS", l, "hit"}, o));
                same(d, cat(new String[] {"LPOS", l, "7"}, o));
            }
            same(d, "DEL", l, s, none);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void lmoveAndRpoplpush(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String src = d.key("src");
            String dst = d.key("dst");
            String s = d.key("s");
            String h = d.key("h");
            String none = d.key("none");
            fresh(d, src, dst, s, h, none);
            same(d, "SET", s, WRONGTYPE_SAMPLE);
            same(d, "HSET", h, "f", "v");
            String[] dirs = {"LEFT", "RIGHT", "left", "Right", "UP", "", "LEFTX"};
            for (String from : dirs) {
                for (String to : dirs) {
                    same(d, "DEL", src, dst);
                    same(d, "RPUSH", src, "a", "b", "c");
                    same(d, "RPUSH", dst, "x", "y");
                    same(d, "LMOVE", src, dst, from, to);
                    same(d, "LRANGE", src, "0", "-1");
                    same(d, "LRANGE", dst, "0", "-1");
                    same(d, "LMOVE", src, none, from, to);
                    same(d, "LRANGE", none, "0", "-1");
                    same(d, "DEL", none);
                    // src == dst: a rotation (or nothing, for LEFT LEFT and RIGHT RIGHT).
                    same(d, "LMOVE", src, src, from, to);
                    same(d, "LRANGE", src, "0", "-1");
                    same(d, "LMOVE", none, dst, from, to);
                    same(d, "LMOVE", src, s, from, to);
                    same(d, "LMOVE", s, dst, from, to);
                    same(d, "LMOVE", none, s, from, to);
                    same(d, "LRANGE", src, "0", "-1");
                }
            }
            // RPOPLPUSH is LMOVE RIGHT LEFT.
            same(d, "DEL", src, dst);
            same(d, "RPUSH", src, "a", "b", "c");
            for (String[] c : new String[][] {{"RPOPLPUSH", src, dst}, {"RPOPLPUSH", src, dst},
                    {"LRANGE", src, "0", "-1"}, {"LRANGE", dst, "0", "-1"}, {"RPOPLPUSH", dst, dst},
                    {"LRANGE", dst, "0", "-1"}, {"RPOPLPUSH", src, s}, {"RPOPLPUSH", src, h}, {"RPOPLPUSH", s, src},
                    {"RPOPLPUSH", none, src}, {"RPOPLPUSH", none, s}, {"RPOPLPUSH", none, none},
                    {"LRANGE", src, "0", "-1"}, {"RPOPLPUSH", src, none}, {"EXISTS", src},
                    {"LRANGE", none, "0", "-1"}, {"TYPE", none}, {"rpoplpush", none, none}}) {
                same(d, c);
            }
            // A single element moved onto its own list; the last one moved away deletes the source.
            for (String[] dir : new String[][] {{"LEFT", "LEFT"}, {"LEFT", "RIGHT"}, {"RIGHT", "LEFT"},
                    {"RIGHT", "RIGHT"}}) {
                same(d, "DEL", src, dst);
                same(d, "RPUSH", src, "only");
                same(d, "LMOVE", src, src, dir[0], dir[1]);
                same(d, "LRANGE", src, "0", "-1");
                same(d, "EXPIRE", src, "1000");
                same(d, "LMOVE", src, dst, dir[0], dir[1]);
                same(d, "EXISTS", src);
                same(d, "TTL", src);
                same(d, "TTL", dst);
                same(d, "LRANGE", dst, "0", "-1");
            }
            // Long rotations of a longer list.
            same(d, "DEL", src);
            List<String> push = new ArrayList<>(List.of("RPUSH", src));
            for (int i = 0; i < 50; i++) {
                push.add("e" + i);
            }
            same(d, push.toArray(String[]::new));
            for (int i = 0; i < 30; i++) {
                same(d, "LMOVE", src, src, i % 3 == 0 ? "RIGHT" : "LEFT", i % 2 == 0 ? "RIGHT" : "LEFT");
            }
            same(d, "LRANGE", src, "0", "-1");
            same(d, "DEL", src, dst, s, h, none);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void lmpop(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String a = d.key("a");
            String b = d.key("b");
            String s = d.key("s");
            String none = d.key("none");
            fresh(d, a, b, s, none);
            same(d, "SET", s, WRONGTYPE_SAMPLE);
            String[][] cases = {{"1", a, "LEFT"}, {"1", a, "RIGHT"}, {"1", a, "left", "count", "2"},
                {"1", a, "RIGHT", "COUNT", "1"}, {"1", a, "LEFT", "COUNT", "3"}, {"1", a, "LEFT", "COUNT", "4"},
                {"1", a, "LEFT", "COUNT", "100"}, {"2", none, b, "LEFT"}, {"2", b, a, "RIGHT", "COUNT", "5"},
                {"2", a, b, "LEFT", "COUNT", "5"}, {"3", none, none, a, "LEFT", "COUNT", "1"},
                {"2", none, none, "LEFT"}, {"1", none, "RIGHT", "COUNT", "3"}, {"2", none, s, "LEFT"},
                {"2", s, a, "LEFT"}, {"2", a, s, "LEFT"}, {"0", a, "LEFT"}, {"-1", a, "LEFT"}, {"x", a, "LEFT"},
                {"1.5", a, "LEFT"}, {"", a, "LEFT"}, {"2", a, "LEFT"}, {"3", a, "LEFT"},
                {"9223372036854775807", a, "LEFT"}, {"2147483648", a, "LEFT"}, {"1", a, "FOO"}, {"1", a, "UP"},
                {"1", a, "LEFT", "COUNT"}, {"1", a, "LEFT", "COUNT", "0"}, {"1", a, "LEFT", "COUNT", "-1"},
                {"1", a, "LEFT", "COUNT", "x"}, {"1", a, "LEFT", "COUNT", "1.5"},
                {"1", a, "LEFT", "COUNT", "1", "COUNT", "1"}, {"1", a, "LEFT", "FOO", "1"},
                {"1", a, "LEFT", "RIGHT"}, {"1", a, "LEFT", "COUNT", "9223372036854775807"},
                {"1", a, "LEFT", "COUNT", "9223372036854775808"}, {"1", none, "LEFT", "COUNT", "0"},
                {"1", s, "LEFT", "COUNT", "0"}, {"0", a, "FOO"}, {"x", a, "LEFT", "COUNT", "0"},
                {"1", a, "FOO", "COUNT", "0"}, {"2", a, b}, {"1", a, "LEFT", "1"}};
            for (String[] c : cases) {
                same(d, "DEL", a, b);
                same(d, "RPUSH", a, "a1", "a2", "a3");
                same(d, "RPUSH", b, "b1", "b2");
                same(d, cat(new String[] {"LMPOP"}, c));
                same(d, "LRANGE", a, "0", "-1");
                same(d, "LRANGE", b, "0", "-1");
                same(d, "EXISTS", a, b);
            }
            same(d, "DEL", a, b, s, none);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void blockingCommandsThatNeedNotBlock(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String l = d.key("l");
            String m = d.key("m");
            String s = d.key("s");
            String none = d.key("none");
            fresh(d, l, m, s, none);
            same(d, "SET", s, WRONGTYPE_SAMPLE);
            // Timeouts that parse (the key has elements), and those that do not.
            String[] timeouts = {"0", "1", "0.5", ".5", "1.5", "-0", "-0.0001", "0.0001", "1e10", "9.2e12", "1e15",
                "0x10", "00", "1e-3", "+1", "x", "", " 1", "1 ", "-1", "-0.001", "inf", "-inf", "+inf", "nan",
                "1e16", "1e30", "9223372036854775807", "1,5", "1e", "0x"};
            for (String t : timeouts) {
                same(d, "DEL", l, m);
                same(d, "RPUSH", l, "a", "b", "c", "d", "e", "f");
                same(d, "BLPOP", l, t);
                same(d, "BRPOP", none, l, t);
                same(d, "BLMOVE", l, m, "LEFT", "RIGHT", t);
                same(d, "BRPOPLPUSH", l, m, t);
                same(d, "BLMPOP", t, "1", l, "LEFT");
                same(d, "BLMPOP", t, "2", none, l, "RIGHT", "COUNT", "5");
                same(d, "BLPOP", s, t);
                same(d, "BLMOVE", s, m, "LEFT", "LEFT", t);
                same(d, "BLMPOP", t, "1", s, "LEFT");
                same(d, "LRANGE", l, "0", "-1");
                same(d, "LRANGE", m, "0", "-1");
            }
            // First non-empty key wins; WRONGTYPE where a key of another type comes first.
            same(d, "DEL", l, m);
            same(d, "RPUSH", l, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"); // never emptied below
            same(d, "RPUSH", m, "x", "y", "z");
            for (String[] c : new String[][] {{"BLPOP", none, m, l, "0"}, {"BRPOP", l, m, "0"},
                    {"BLPOP", none, none, l, "0"}, {"BLPOP", none, s, l, "0"}, {"BRPOP", l, s, "0"},
                    {"BLPOP", s, l, "0"}, {"BLPOP", l, l, "0"}, {"blpop", m, "0"}, {"BLMPOP", "0", "3", none, m, l,
                    "LEFT", "COUNT", "10"}, {"BLMPOP", "0", "2", s, l, "LEFT"}, {"BLMPOP", "0", "2", l, s, "RIGHT"},
                    {"LRANGE", l, "0", "-1"}, {"EXISTS", m}, {"BLMOVE", l, l, "LEFT", "RIGHT", "0"},
                    {"BLMOVE", l, l, "RIGHT", "LEFT", "0"}, {"BLMOVE", l, m, "RIGHT", "RIGHT", "0"},
                    {"BRPOPLPUSH", l, l, "0"}, {"BRPOPLPUSH", l, s, "0"}, {"BLMOVE", l, s, "LEFT", "LEFT", "0"},
                    {"LRANGE", l, "0", "-1"}, {"LRANGE", m, "0", "-1"}}) {
                same(d, c);
            }
            // Argument errors, checked before the keys (BLMPOP parses its timeout after its other arguments).
            for (String[] c : new String[][] {{"BLMOVE", l, m, "UP", "RIGHT", "0"}, {"BLMOVE", l, m, "LEFT", "X",
                    "x"}, {"BLMOVE", none, m, "UP", "RIGHT", "-1"}, {"BLMOVE", s, m, "LEFT", "RIGHT", "x"},
                    {"BRPOPLPUSH", s, m, "-1"}, {"BLPOP", s, "x"}, {"BLPOP", none, "-1"}, {"BLMPOP", "0", "0", l,
                    "LEFT"}, {"BLMPOP", "x", "0", l, "LEFT"}, {"BLMPOP", "0", "-1", l, "LEFT"},
                    {"BLMPOP", "0", "x", l, "LEFT"}, {"BLMPOP", "0", "1", l, "FOO"}, {"BLMPOP", "x", "1", l, "FOO"},
                    {"BLMPOP", "0", "1", l, "LEFT", "COUNT", "0"}, {"BLMPOP", "-1", "1", l, "LEFT", "COUNT", "x"},
                    {"BLMPOP", "0", "1", none, "LEFT", "COUNT", "-1"}, {"BLMPOP", "0", "2", l, "LEFT"},
                    {"BLMPOP", "0", "1", l, "LEFT", "COUNT"}, {"BLMPOP", "0", "1", l, "LEFT", "COUNT", "1", "COUNT",
                    "1"}, {"BLMPOP", "x", "1", none, "LEFT"}, {"BLMPOP", "-1", "1", s, "LEFT"},
                    {"BLMPOP", "0", "1", s, "LEFT"}, {"LRANGE", l, "0", "-1"}}) {
                same(d, c);
            }
            // Short timeouts on missing keys: a null, after them (Redis' null array, even for BLMOVE).
            for (String[] c : new String[][] {{"BLPOP", none, "0.01"}, {"BRPOP", none, none, ".01"},
                    {"BLMOVE", none, m, "LEFT", "RIGHT", "0.01"}, {"BRPOPLPUSH", none, m, "0.01"},
                    {"BLMPOP", "0.01", "1", none, "LEFT"}, {"BLMPOP", "0.01", "2", none, none, "RIGHT", "COUNT",
                    "2"}, {"EXISTS", none}}) {
                same(d, c);
            }
            // Inside MULTI: never a wait, a null at once (a null bulk string for BLMOVE and BRPOPLPUSH).
            same(d, "DEL", l, m);
            same(d, "RPUSH", l, "a", "b");
            same(d, "MULTI");
            for (String[] c : new String[][] {{"BLPOP", none, "0"}, {"BRPOP", none, none, "0"},
                    {"BLMOVE", none, m, "LEFT", "RIGHT", "0"}, {"BRPOPLPUSH", none, m, "0"},
                    {"BLMPOP", "0", "1", none, "LEFT"}, {"BLMPOP", "0", "2", none, none, "RIGHT", "COUNT", "3"},
                    {"BLPOP", l, "0"}, {"BLMOVE", l, m, "LEFT", "RIGHT", "0"}, {"BRPOPLPUSH", l, l, "0"},
                    {"BLMPOP", "0", "1", l, "RIGHT"}, {"BLPOP", l, "0"}, {"BRPOP", l, "0"},
                    {"BLMOVE", l, m, "LEFT", "RIGHT", "0"}, {"BLPOP", s, "0"}, {"BLPOP", none, "x"},
                    {"BLPOP", none, "-1"}, {"BLMPOP", "0", "1", none, "LEFT", "COUNT", "0"},
                    {"BLMOVE", none, m, "UP", "RIGHT", "0"}, {"BLMOVE", s, m, "LEFT", "RIGHT", "0"},
                    {"BLMPOP", "100", "1", none, "LEFT"}, {"BLPOP", none, "1e15"}, {"LRANGE", m, "0", "-1"}}) {
                same(d, c);
            }
            same(d, "EXEC");
            same(d, "EXISTS", l);
            same(d, "MULTI");
            same(d, "BLPOP", none);
            same(d, "BLPOP", none, "0");
            same(d, "EXEC");
            same(d, "DEL", l, m, s, none);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void largeListsAndOddElements(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String big = d.key("big");
            String odd = d.key("odd");
            String dst = d.key("dst");
            fresh(d, big, odd, dst);
            // Several thousand elements in one push, then more one by one at both ends.
            List<String> push = new ArrayList<>(List.of("RPUSH", big));
            for (int i = 0; i < 5000; i++) {
                push.add(i % 100 == 0 ? KB3 : i % 37 == 0 ? "" : i % 13 == 0 ? NUMERIC[i % NUMERIC.length]
                        : Integer.toString(i));
            }
            same(d, push.toArray(String[]::new));
            List<Step> steps = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                steps.add(Step.exact(i % 2 == 0 ? "LPUSH" : "RPUSH", big, "p" + i, NUMERIC[i % NUMERIC.length]));
            }
            d.pipeline(steps);
            for (String[] c : new String[][] {{"LLEN", big}, {"OBJECT", "ENCODING", big}, {"LRANGE", big, "0", "-1"},
                    {"LRANGE", big, "2990", "3010"}, {"LRANGE", big, "-3010", "-2990"}, {"LINDEX", big, "0"},
                    {"LINDEX", big, "1"}, {"LINDEX", big, "3000"}, {"LINDEX", big, "3001"}, {"LINDEX", big, "-1"},
                    {"LINDEX", big, "-6000"}, {"LINDEX", big, "5999"}, {"LINDEX", big, "6000"},
                    {"LINDEX", big, "-5001"}, {"LPOS", big, KB3}, {"LPOS", big, KB3, "COUNT", "0"},
                    {"LPOS", big, KB3, "RANK", "-3", "COUNT", "5"}, {"LPOS", big, "", "COUNT", "0", "MAXLEN", "1000"},
                    {"LPOS", big, "007", "COUNT", "0"}, {"LPOS", big, "7", "COUNT", "0"},
                    {"LPOS", big, "-0", "COUNT", "0"}, {"LPOS", big, "0", "COUNT", "0"},
                    {"LPOS", big, "9223372036854775808", "COUNT", "0"}, {"LPOS", big, "4999"},
                    {"LPOS", big, "4999", "MAXLEN", "4999"}, {"LPOS", big, "4999", "RANK", "-1", "MAXLEN", "1000"},
                    {"LSET", big, "2500", KB8}, {"LINDEX", big, "2500"}, {"LSET", big, "-2500", "\u0000"},
                    {"LINSERT", big, "BEFORE", "2600", KB8}, {"LINSERT", big, "AFTER", KB3, "after-kb3"},
                    {"LRANGE", big, "2495", "2505"}, {"LREM", big, "3", ""}, {"LREM", big, "-2", KB3},
                    {"LREM", big, "0", "007"}, {"LREM", big, "0", "-0"}, {"LREM", big, "0", "1"}, {"LLEN", big},
                    {"LPOP", big, "1000"}, {"RPOP", big, "1000"}, {"LMPOP", "1", big, "LEFT", "COUNT", "2000"},
                    {"LLEN", big}, {"LTRIM", big, "100", "-100"}, {"LLEN", big}, {"LRANGE", big, "0", "-1"}}) {
                same(d, c);
            }
            // Move the whole thing, element by element in pipelined batches, onto another list.
            steps.clear();
            for (int i = 0; i < 1500; i++) {
                steps.add(Step.exact("LMOVE", big, dst, i % 3 == 0 ? "LEFT" : "RIGHT", i % 2 == 0 ? "LEFT" : "RIGHT"));
            }
            d.pipeline(steps);
            same(d, "EXISTS", big);
            same(d, "LLEN", dst);
            same(d, "LRANGE", dst, "0", "-1");
            same(d, "LTRIM", dst, "1", "0");
            same(d, "EXISTS", dst);
            // Odd elements: every byte, CR LF, RESP-looking text, long ones, empty ones, numbers.
            List<String> elements = new ArrayList<>(Arrays.asList(NUMERIC));
            elements.addAll(List.of("", "", BYTES, "\r\n", "\n", "\r", "$-1", "*1\r\n$1\r\na", "\u0000", "a\u0000b",
                    "\u00e9", "\u00ff\u00fe", " ", "\t", KB3, KB8, "x".repeat(64), "x".repeat(65), "y".repeat(255),
                    "y".repeat(256), "z".repeat(8191), "z".repeat(8192), "z".repeat(8193)));
            same(d, cat(new String[] {"RPUSH", odd}, elements.toArray(String[]::new)));
            same(d, cat(new String[] {"LPUSH", odd}, elements.toArray(String[]::new)));
            same(d, "LLEN", odd);
            same(d, "LRANGE", odd, "0", "-1");
            for (String e : elements) {
                same(d, "LPOS", odd, e, "COUNT", "0");
                same(d, "LPOS", odd, e, "RANK", "-1");
            }
            for (int i = 0; i < elements.size(); i++) {
                same(d, "LINDEX", odd, Integer.toString(i));
                same(d, "LINDEX", odd, Integer.toString(-1 - i));
            }
            for (String e : new String[] {"0", "-0", "007", "9223372036854775808", "", BYTES, KB3, "1.0"}) {
                same(d, "LINSERT", odd, "BEFORE", e, "[" + e + "]");
                same(d, "LREM", odd, "1", e);
                same(d, "LPOS", odd, "[" + e + "]", "COUNT", "0");
            }
            same(d, "LRANGE", odd, "0", "-1");
            same(d, "LPOP", odd, "20");
            same(d, "RPOP", odd, "20");
            same(d, "LRANGE", odd, "0", "-1");
            same(d, "DEL", big, odd, dst);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void keyLifecycleRenameCopyAndExpiry(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String k = d.key("k");
            String k2 = d.key("k2");
            String k3 = d.key("k3");
            String s = d.key("s");
            String none = d.key("none");
            fresh(d, k, k2, k3, s, none);
            for (String[] c : new String[][] {{"RPUSH", k, "a", "b", "c"}, {"TYPE", k}, {"EXISTS", k},
                    {"EXISTS", k, k, none}, {"OBJECT", "ENCODING", k}, {"TTL", k}, {"EXPIRE", k, "100"}}) {
                same(d, c);
            }
            d.ttl("TTL", k);
            // Writes keep the TTL.
            for (String[] c : new String[][] {{"LPUSH", k, "x"}, {"RPUSHX", k, "y"}, {"LSET", k, "0", "z"},
                    {"LINSERT", k, "AFTER", "z", "w"}, {"LREM", k, "1", "w"}, {"LTRIM", k, "0", "-2"}, {"LPOP", k},
                    {"LMOVE", k, k, "LEFT", "RIGHT"}}) {
                same(d, c);
                d.ttl("TTL", k);
            }
            same(d, "LRANGE", k, "0", "-1");
            same(d, "PERSIST", k);
            same(d, "TTL", k);
            same(d, "EXPIRE", k, "100");
            // RENAME keeps the TTL; COPY copies it, and the copy is independent.
            same(d, "RENAME", k, k2);
            same(d, "EXISTS", k);
            d.ttl("PTTL", k2);
            same(d, "TYPE", k2);
            same(d, "OBJECT", "ENCODING", k2);
            same(d, "LRANGE", k2, "0", "-1");
            same(d, "COPY", k2, k);
            d.ttl("TTL", k);
            same(d, "LRANGE", k, "0", "-1");
            same(d, "COPY", k2, k);
            same(d, "RPUSH", k, "only in the copy");
            same(d, "LRANGE", k2, "0", "-1");
            same(d, "LPOP", k2);
            same(d, "LRANGE", k, "0", "-1");
            same(d, "COPY", k2, k, "REPLACE");
            same(d, "LRANGE", k, "0", "-1");
            same(d, "COPY", k2, k2);
            same(d, "SET", s, "text");
            same(d, "COPY", k2, s);
            same(d, "COPY", k2, s, "REPLACE");
            same(d, "TYPE", s);
            same(d, "LRANGE", s, "0", "-1");
            same(d, "RENAMENX", s, k);
            same(d, "RENAMENX", s, k3);
            same(d, "LRANGE", k3, "0", "-1");
            same(d, "RENAME", k3, k3);
            same(d, "RENAME", none, k3);
            same(d, "RENAMENX", none, k3);
            same(d, "COPY", none, k3);
            same(d, "SET", s, "text");
            same(d, "RENAME", s, k3);
            same(d, "TYPE", k3);
            same(d, "RENAME", k2, k3);
            same(d, "TYPE", k3);
            same(d, "LRANGE", k3, "0", "-1");
            d.ttl("TTL", k3);
            // A big list copied and renamed.
            List<String> push = new ArrayList<>(List.of("RPUSH", k2));
            for (int i = 0; i < 3000; i++) {
                push.add(i % 50 == 0 ? KB3 : "e" + i);
            }
            same(d, push.toArray(String[]::new));
            same(d, "COPY", k2, k, "REPLACE");
            same(d, "TTL", k);
            same(d, "LRANGE", k, "0", "-1");
            same(d, "RENAME", k2, s);
            same(d, "LLEN", s);
            same(d, "LRANGE", s, "-10", "-1");
            // EXPIRE in the past deletes; an expired list is gone for every command.
            same(d, "EXPIRE", s, "0");
            same(d, "EXISTS", s);
            same(d, "LPUSHX", s, "x");
            same(d, "RPUSH", s, "x");
            same(d, "PEXPIRE", s, "-1");
            same(d, "LLEN", s);
            same(d, "DEL", k, k2, k3, s, none);
            same(d, "DEL", k);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void anEmptiedListIsGone(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String k = d.key("k");
            String other = d.key("other");
            fresh(d, k, other);
            String[][] threeGone = {{"LPOP", k, "3"}, {"RPOP", k, "10"}, {"LREM", k, "0", "x"}, {"LREM", k, "-5", "x"},
                {"LTRIM", k, "5", "1"}, {"LTRIM", k, "3", "-1"}, {"LTRIM", k, "-1", "-2"}, {"LTRIM", k, "0", "-4"},
                {"LTRIM", k, "100", "200"}, {"LMPOP", "1", k, "LEFT", "COUNT", "3"},
                {"LMPOP", "2", other, k, "RIGHT", "COUNT", "100"}, {"BLMPOP", "0", "1", k, "LEFT", "COUNT", "3"}};
            String[][] oneGone = {{"LPOP", k}, {"RPOP", k}, {"LPOP", k, "1"}, {"LREM", k, "1", "x"},
                {"LMOVE", k, other, "LEFT", "RIGHT"}, {"LMOVE", k, other, "RIGHT", "LEFT"}, {"RPOPLPUSH", k, other},
                {"LMPOP", "1", k, "RIGHT"}, {"BLPOP", k, "0"}, {"BRPOP", other, k, "0"},
                {"BLMOVE", k, other, "LEFT", "LEFT", "0"}, {"BRPOPLPUSH", k, other, "0"},
                {"BLMPOP", "0", "1", k, "RIGHT"}};
            for (String[][] group : new String[][][] {threeGone, oneGone}) {
                for (String[] c : group) {
                    same(d, "DEL", k, other);
                    same(d, group == threeGone ? new String[] {"RPUSH", k, "x", "x", "x"} : new String[] {"RPUSH", k,
                        "x"});
                    same(d, "EXPIRE", k, "1000");
                    same(d, c);
                    same(d, "EXISTS", k);
                    same(d, "TTL", k);
                    same(d, "TYPE", k);
                    same(d, "LLEN", k);
                    same(d, "LRANGE", k, "0", "-1");
                    same(d, "LRANGE", other, "0", "-1");
                    same(d, "TTL", other);
                    same(d, "LPUSHX", k, "y");
                    same(d, "RPUSH", k, "z");
                    same(d, "TTL", k);
                }
            }
            same(d, "DEL", k, other);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void anExpiredListIsGone(int protocol) throws Exception {
        try (Duo d = new Duo(servers, protocol)) {
            String[] keys = new String[16];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = d.key("exp" + i);
                fresh(d, keys[i]);
                same(d, "RPUSH", keys[i], "a", "b");
                same(d, "PEXPIRE", keys[i], "20");
            }
            String other = d.key("exp-other");
            fresh(d, other);
            same(d, "RPUSH", other, "o1", "o2", "o3", "o4"); // LMPOP, BLPOP and RPOPLPUSH leave one
            Thread.sleep(150); // well past the TTL on both servers
            int i = 0;
            for (String[] c : new String[][] {{"LRANGE", keys[i++], "0", "-1"}, {"LLEN", keys[i++]},
                    {"LINDEX", keys[i++], "0"}, {"LPUSHX", keys[i++], "x"}, {"LPOP", keys[i++]},
                    {"RPOP", keys[i++], "2"}, {"LSET", keys[i++], "0", "x"}, {"LINSERT", keys[i++], "BEFORE", "a",
                    "x"}, {"LREM", keys[i++], "0", "a"}, {"LPOS", keys[i++], "a"}, {"LMOVE", keys[i++], other,
                    "LEFT", "LEFT"}, {"LMPOP", "2", keys[i++], other, "LEFT"}, {"BLPOP", keys[i++], other, "0"},
                    {"RPOPLPUSH", other, keys[i++]}, {"TYPE", keys[i++]}, {"RPUSH", keys[i++], "fresh"}}) {
                same(d, c);
            }
            for (String k : keys) {
                same(d, "LRANGE", k, "0", "-1");
                same(d, "TTL", k);
            }
            same(d, cat(new String[] {"DEL", other}, keys));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void scanWithTypeList(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String prefix = d.key("scan-");
            List<String> all = new ArrayList<>(List.of("DEL"));
            for (int i = 0; i < 30; i++) {
                String k = prefix + i;
                all.add(k);
                fresh(d, k);
                switch (i % 5) {
                    case 0, 1 -> same(d, "RPUSH", k, "a", "b");
                    case 2 -> same(d, "SET", k, "v");
                    case 3 -> same(d, "SADD", k, "m");
                    default -> same(d, "ZADD", k, "1", "m");
                }
            }
            d.scanKeys("MATCH", prefix + "*", "TYPE", "list");
            d.scanKeys("MATCH", prefix + "*", "TYPE", "LIST", "COUNT", "3");
            d.scanKeys("TYPE", "List", "MATCH", prefix + "1*");
            d.scanKeys("MATCH", prefix + "*", "TYPE", "string");
            d.scanKeys("MATCH", prefix + "*", "TYPE", "lists");
            // Emptied lists are no longer listed.
            for (int i = 0; i < 30; i += 5) {
                same(d, "LPOP", prefix + i, "5");
            }
            same(d, "RPUSH", prefix + "2", "x");
            same(d, "LMOVE", prefix + "1", prefix + "new", "LEFT", "RIGHT");
            d.scanKeys("MATCH", prefix + "*", "TYPE", "list");
            d.scanKeys("MATCH", prefix + "*");
            all.add(prefix + "new");
            same(d, all.toArray(String[]::new));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void transactions(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String t = d.key("t");
            String t2 = d.key("t2");
            String s = d.key("s");
            fresh(d, t, t2, s);
            same(d, "MULTI");
            for (String[] c : new String[][] {{"RPUSH", t, "a", "b", "c"}, {"LPUSH", t, "z"}, {"LLEN", t},
                    {"LRANGE", t, "0", "-1"}, {"LINDEX", t, "-1"}, {"LSET", t, "0", "y"}, {"LINSERT", t, "AFTER", "y",
                    "x"}, {"LPOS", t, "b"}, {"LREM", t, "0", "a"}, {"SET", s, "v"}, {"LPUSH", s, "a"}, {"GET", t},
                    {"LMOVE", t, t2, "LEFT", "RIGHT"}, {"RPOPLPUSH", t, t2}, {"LMPOP", "2", s, t, "LEFT"},
                    {"LMPOP", "2", t2, t, "RIGHT", "COUNT", "5"}, {"BLPOP", t, t2, "0"}, {"BLMPOP", "0", "1", t,
                    "LEFT"}, {"BLMOVE", t2, t, "RIGHT", "LEFT", "0"}, {"LRANGE", t, "0", "-1"}, {"LTRIM", t, "1", "0"},
                    {"EXISTS", t, t2}, {"OBJECT", "ENCODING", t}, {"TYPE", t}, {"RENAME", t, t2}, {"COPY", s, t2},
                    {"LRANGE", t2, "0", "-1"}}) {
                same(d, c);
            }
            same(d, "EXEC");
            // A command refused at queue time aborts the transaction.
            same(d, "MULTI");
            same(d, "RPUSH", t, "a");
            same(d, "RPUSH", t);
            same(d, "LLEN");
            same(d, "EXEC");
            same(d, "EXISTS", t);
            // Errors at run time do not.
            same(d, "MULTI");
            same(d, "RPUSH", t, "a");
            same(d, "LPOP", t, "-1");
            same(d, "LSET", t, "5", "x");
            same(d, "LSET", t2, "0", "x");
            same(d, "LINSERT", t, "MIDDLE", "a", "b");
            same(d, "LPOS", t, "a", "RANK", "0");
            same(d, "LPOS", t, "a", "COUNT", "-1");
            same(d, "LMPOP", "0", t, "LEFT");
            same(d, "LMOVE", t, t, "UP", "DOWN");
            same(d, "BLPOP", t, "-1");
            same(d, "GET", t);
            same(d, "LPUSH", t, "b");
            same(d, "LRANGE", t, "0", "-1");
            same(d, "EXEC");
            same(d, "MULTI");
            same(d, "LPOP", t);
            same(d, "RPUSH", t, "e");
            same(d, "DISCARD");
            same(d, "LRANGE", t, "0", "-1");
            same(d, "DEL", t, t2, s);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void watchSeesChangesToAList(int protocol) throws IOException {
        String[][][] cases = {
            {{"RPUSH", "w", "a"}, {"RPUSH", "w", "b"}},
            {{"RPUSH", "w", "a"}, {"LPUSHX", "w", "b"}},
            {{"DEL", "w"}, {"LPUSHX", "w", "b"}}, // no key: nothing
            {{"RPUSH", "w2", "a"}, {"RPUSHX", "w", "b"}},
            {{"RPUSH", "w", "a", "b"}, {"LPOP", "w"}},
            {{"RPUSH", "w", "a"}, {"LPOP", "w", "0"}},
            {{"RPUSH", "w", "a"}, {"LPOP", "w", "-1"}},
            {{"RPUSH", "w", "a"}, {"RPOP", "w", "5"}}, // emptied
            {{"RPUSH", "w", "a"}, {"LSET", "w", "0", "a"}}, // the same value
            {{"RPUSH", "w", "a"}, {"LSET", "w", "0", "b"}},
            {{"RPUSH", "w", "a"}, {"LSET", "w", "5", "a"}}, // an error
            {{"RPUSH", "w", "a"}, {"LINSERT", "w", "BEFORE", "zz", "x"}}, // pivot missing
            {{"RPUSH", "w", "a"}, {"LINSERT", "w", "AFTER", "a", "x"}},
            {{"RPUSH", "w", "a"}, {"LREM", "w", "0", "zz"}}, // nothing removed
            {{"RPUSH", "w", "a", "b"}, {"LREM", "w", "1", "a"}},
            {{"RPUSH", "w", "a", "b"}, {"LTRIM", "w", "0", "-1"}}, // keeps everything
            {{"RPUSH", "w", "a", "b"}, {"LTRIM", "w", "0", "0"}},
            {{"RPUSH", "w", "a", "b"}, {"LTRIM", "w", "5", "1"}}, // deletes
            {{"DEL", "w"}, {"LTRIM", "w", "0", "1"}},
            {{"RPUSH", "w", "a", "b"}, {"LMOVE", "w", "w", "LEFT", "RIGHT"}},
            {{"RPUSH", "w", "a"}, {"LMOVE", "w", "w", "LEFT", "LEFT"}}, // back where it was
            {{"RPUSH", "w2", "a"}, {"LMOVE", "w2", "w", "LEFT", "RIGHT"}},
            {{"RPUSH", "w", "a"}, {"RPOPLPUSH", "w", "w2"}},
            {{"RPUSH", "w", "a"}, {"RPOPLPUSH", "w2", "w"}}, // no source: nothing
            {{"RPUSH", "w", "a"}, {"SET", "w2", "x"}, {"LMOVE", "w", "w2", "LEFT", "RIGHT"}}, // WRONGTYPE
            {{"RPUSH", "w", "a"}, {"LMPOP", "2", "w2", "w", "LEFT"}},
            {{"RPUSH", "w", "a"}, {"LMPOP", "1", "w2", "LEFT"}},
            {{"RPUSH", "w", "a"}, {"BLPOP", "w", "0"}},
            {{"RPUSH", "w", "a", "b"}, {"BRPOP", "w", "0"}},
            {{"RPUSH", "w", "a"}, {"BLMPOP", "0", "1", "w", "RIGHT", "COUNT", "3"}},
            {{"RPUSH", "w", "a"}, {"BRPOPLPUSH", "w", "w", "0"}},
            {{"RPUSH", "w", "a"}, {"BLMOVE", "w", "w2", "RIGHT", "LEFT", "0"}},
            {{"RPUSH", "w", "a"}, {"LRANGE", "w", "0", "-1"}},
            {{"RPUSH", "w", "a"}, {"LPOS", "w", "a"}},
            {{"RPUSH", "w", "a"}, {"LLEN", "w"}},
            {{"SET", "w", "x"}, {"LPUSH", "w", "a"}}, // WRONGTYPE
            {{"RPUSH", "w", "a"}, {"DEL", "w"}},
            {{"RPUSH", "w", "a"}, {"EXPIRE", "w", "100"}},
            {{"RPUSH", "w", "a"}, {"RENAME", "w", "w2"}},
            {{"RPUSH", "w2", "a"}, {"COPY", "w2", "w"}},
            {{"RPUSH", "w", "a"}, {"SET", "w", "x"}},
        };
        String prefix = "r" + protocol + ".watch.";
        for (String[][] c : cases) {
            List<String> expected = Duo.watchRun(servers.redis.port, protocol, prefix, c, "LRANGE", "w", "0", "-1");
            List<String> actual = Duo.watchRun(servers.qrrot.port(), protocol, prefix, c, "LRANGE", "w", "0", "-1");
            StringBuilder what = new StringBuilder();
            for (String[] cmd : c) {
                what.append(what.length() == 0 ? "" : ", then ").append(showCommand(cmd));
            }
            assertEquals(show(String.join(" | ", expected)), show(String.join(" | ", actual)),
                    "RESP" + protocol + " WATCH w, on another connection: " + what);
        }
    }

    // ---------------------------------------------------------------------------------------- random mix

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void randomCommands(int protocol) throws IOException {
        long seed = Long.getLong("seed", Long.getLong("qrrot.seed", System.nanoTime()));
        System.out.println("ListDifferentialTest.randomCommands RESP" + protocol + " seed=" + seed
                + " (replay with -Dseed=" + seed + ")");
        Random rnd = new Random(seed);
        Generator g = new Generator(rnd, "r" + protocol + ".rnd.");
        longest = 0;
        try (Duo d = new Duo(servers, protocol)) {
            d.seed = seed;
            d.raw(g.allKeys("DEL")); // not compared: a failed run may have left keys
            int sent = 0;
            while (sent < RANDOM_COMMANDS) {
                List<Step> batch = new ArrayList<>();
                while (batch.size() < BATCH) {
                    g.next(batch);
                }
                sent += d.pipeline(batch);
                if (rnd.nextInt(16) == 0) {
                    d.scanKeys("MATCH", g.prefix + "*", "TYPE", "list");
                }
            }
            same(d, g.allKeys("DEL"));
        }
        System.out.println("ListDifferentialTest.randomCommands RESP" + protocol + ": the longest list had "
                + longest + " elements");
    }

    /**
     * Random commands over a few keys: mostly lists, and a string, a hash, a set and a sorted set, whose
     * commands also go to the list keys (and the list commands to theirs), so that types change and WRONGTYPE
     * comes up. Elements come from a small pool (so that LPOS, LREM and LINSERT find them), with numbers,
     * binary and empty ones, some of a few KB; now and then a push of tens or hundreds of elements.
     */
    private static final class Generator {
        private static final String[] ELEMENTS = {"a", "b", "c", "d", "a", "b", "", "1", "0"};
        private static final String[] ODD = {"-0", "007", "7", "10", "-1", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "1.5", " 1", "x\u0000y",
            "\u00e9", "\r\n", "\u00ff\u0000", "$-1"};
        private static final String[] LONGS = {KB3, KB8, "L".repeat(1000)};
        private static final String[] INDEXES = {"0", "0", "1", "2", "3", "-1", "-1", "-2", "-3", "5", "10", "-10",
            "50", "-50", "200", "-200", "500", "-500", "9223372036854775807", "-9223372036854775808"};
        private static final String[] POP_COUNTS = {"0", "1", "1", "2", "3", "5", "10", "50", "500", "-1", "x",
            "9223372036854775807"};
        private static final String[] REM_COUNTS = {"0", "0", "1", "2", "-1", "-2", "5", "-5", "100", "-100", "x"};
        private static final String[] RANKS = {"1", "1", "2", "3", "-1", "-1", "-2", "-3", "0", "10",
            "-9223372036854775808", "9223372036854775807", "x"};
        private static final String[] LPOS_COUNTS = {"0", "0", "1", "2", "3", "10", "-1"};
        private static final String[] MAXLENS = {"0", "1", "2", "5", "50", "-1"};
        private static final String[] DIRS = {"LEFT", "RIGHT", "LEFT", "RIGHT", "left", "right"};
        private static final String[] MPOP_COUNTS = {"1", "2", "3", "5", "100", "0", "-1", "x"};
        /** Never one that blocks for long: the command always finds an element (or an error) at once. */
        private static final String[] TIMEOUTS = {"0", "0", "0", "0.5", "1", "100", "0.01", "-1", "x"};
        private static final String[] VALUES = {"", "0", "1", "abc", "1.5", "x\u0000y", "007", "-0"};
        private static final String[] FIELDS = {"f", "g", "a"};
        private static final String[] MEMBERS = {"a", "b", "c", "1", "2"};
        private static final String[] SECONDS = {"100", "500", "1000", "0", "-1"};

        final Random rnd;
        final String prefix;
        final String[] lists;
        final String string;
        final String hash;
        final String set;
        final String zset;

        Generator(Random rnd, String prefix) {
            this.rnd = rnd;
            this.prefix = prefix;
            lists = new String[] {prefix + "l0", prefix + "l1", prefix + "l2", prefix + "l3"};
            string = prefix + "str";
            hash = prefix + "hash";
            set = prefix + "set";
            zset = prefix + "zset";
        }

        String[] allKeys(String command) {
            List<String> c = new ArrayList<>(List.of(command));
            c.addAll(List.of(lists));
            c.addAll(List.of(string, hash, set, zset));
            return c.toArray(String[]::new);
        }

        private String pick(String[] a) {
            return a[rnd.nextInt(a.length)];
        }

        /** Mostly a list key, sometimes the string, the hash, the set or the sorted set. */
        private String key() {
            int r = rnd.nextInt(100);
            return r < 90 ? pick(lists) : r < 93 ? string : r < 95 ? hash : r < 97 ? set : zset;
        }

        /** The key of another type's command: mostly its own key, sometimes a list key. */
        private String own(String k) {
            return rnd.nextInt(4) != 0 ? k : key();
        }

        private String element() {
            int r = rnd.nextInt(100);
            return r < 60 ? pick(ELEMENTS) : r < 88 ? pick(ODD) : r < 97 ? "e" + rnd.nextInt(40) : pick(LONGS);
        }

        private String[] push(String name, String k) {
            List<String> c = new ArrayList<>(List.of(name, k));
            int r = rnd.nextInt(200);
            int n = r == 0 ? 200 + rnd.nextInt(300) : r < 10 ? 20 + rnd.nextInt(60) : 1 + rnd.nextInt(4);
            for (int i = 0; i < n; i++) {
                c.add(n > 10 && rnd.nextInt(4) != 0 ? "e" + rnd.nextInt(40) : element());
            }
            return c.toArray(String[]::new);
        }

        /**
         * Appends one random command (with the commands its comparison needs, or a whole transaction).
         */
        void next(List<Step> out) {
            if (rnd.nextInt(40) == 0) {
                transaction(out);
                return;
            }
            int r = rnd.nextInt(1000);
            if (r >= 690 && r < 730) {
                out.add(blockingStep());
                return;
            }
            String[] c = command(r, true);
            if (rnd.nextInt(60) == 0) {
                c = mutateArity(c);
            }
            String name = c[0];
            if (name.equals("TTL") || name.equals("PTTL")) {
                out.add(Step.time(c));
            } else if (name.endsWith("PUSH") || name.endsWith("PUSHX") || name.equals("LINSERT")) {
                out.add(new Step(new String[][] {c}, (d, cmds, rr) -> {
                    d.check(brief(cmds[0]), rr[0]);
                    noteLength(rr[0][0]);
                }));
            } else {
                out.add(exact(c));
            }
        }

        /**
         * A blocking command that cannot wait: a push onto one of its keys first (in the same pipeline, so
         * nothing comes between), which leaves that key with an element or, if it holds another type, makes
         * the blocking command answer WRONGTYPE; any key before it in the command is either missing, a
         * non-empty list, or of another type.
         */
        private Step blockingStep() {
            String k = pick(lists);
            String[] push = {rnd.nextBoolean() ? "RPUSH" : "LPUSH", k, element()};
            String[] c = blocking(k);
            return new Step(new String[][] {push, c}, (d, cmds, r) -> {
                d.check(brief(cmds[0]), r[0]);
                d.check(brief(cmds[1]), r[1]);
            });
        }

        /** A blocking command that has {@code k} among its keys (a random key when null). */
        private String[] blocking(String k) {
            String key = k == null ? key() : k;
            String t = pick(TIMEOUTS);
            int r = rnd.nextInt(5);
            if (r == 0 || r == 1) {
                List<String> c = new ArrayList<>(List.of(r == 0 ? "BLPOP" : "BRPOP"));
                int n = 1 + rnd.nextInt(3);
                int at = rnd.nextInt(n);
                for (int i = 0; i < n; i++) {
                    c.add(i == at ? key : key());
                }
                c.add(t);
                return c.toArray(String[]::new);
            } else if (r == 2) {
                return new String[] {"BLMOVE", key, key(), pick(DIRS), pick(DIRS), t};
            } else if (r == 3) {
                return new String[] {"BRPOPLPUSH", key, key(), t};
            } else {
                int n = 1 + rnd.nextInt(3);
                int at = rnd.nextInt(n);
                List<String> c = new ArrayList<>(List.of("BLMPOP", t, Integer.toString(n)));
                for (int i = 0; i < n; i++) {
                    c.add(i == at ? key : key());
                }
                c.add(pick(DIRS));
                if (rnd.nextBoolean()) {
                    c.add("COUNT");
                    c.add(pick(MPOP_COUNTS));
                }
                return c.toArray(String[]::new);
            }
        }

        private void transaction(List<Step> out) {
            List<String[]> cmds = new ArrayList<>();
            cmds.add(new String[] {"MULTI"});
            for (int i = 0, n = 1 + rnd.nextInt(5); i < n; i++) {
                int r = rnd.nextInt(1000);
                // Inside MULTI a blocking command never waits: on missing keys it answers a null at once.
                String[] c = r >= 690 && r < 730 ? blocking(null) : command(r, false);
                if (rnd.nextInt(30) == 0 && !c[0].equals("OBJECT")) {
                    // The transaction is then aborted. (Not OBJECT ENCODING: Redis checks a subcommand's
                    // arity when it queues it, qrrot when it runs it.)
                    c = mutateArity(c);
                }
                cmds.add(c);
            }
            cmds.add(new String[] {rnd.nextInt(10) == 0 ? "DISCARD" : "EXEC"});
            out.add(new Step(cmds.toArray(String[][]::new), ListDifferentialTest::checkTransaction));
        }

        /** One argument fewer or one more (an arity or syntax error, or sometimes still valid). */
        private String[] mutateArity(String[] c) {
            if (rnd.nextBoolean() && c.length > 1) {
                return Arrays.copyOf(c, c.length - 1);
            }
            String[] m = Arrays.copyOf(c, c.length + 1);
            m[c.length] = pick(new String[] {"x", "a", "1", "0", "", "LEFT", "COUNT"});
            return m;
        }

        private String[] lpos(String k) {
            List<String> c = new ArrayList<>(List.of("LPOS", k, element()));
            if (rnd.nextInt(3) == 0) {
                c.add("RANK");
                c.add(pick(RANKS));
            }
            if (rnd.nextInt(3) == 0) {
                c.add("COUNT");
                c.add(pick(LPOS_COUNTS));
            }
            if (rnd.nextInt(4) == 0) {
                c.add("MAXLEN");
                c.add(pick(MAXLENS));
            }
            if (rnd.nextInt(50) == 0) {
                c.add(pick(new String[] {"FOO", "RANK", "COUNT"}));
            }
            if (c.size() > 5 && rnd.nextInt(4) == 0) {
                // The options in another order.
                List<String> tail = new ArrayList<>();
                for (int i = c.size() - 2; i >= 3; i -= 2) {
                    tail.add(c.get(i));
                    tail.add(c.get(i + 1));
                }
                c = new ArrayList<>(c.subList(0, 3));
                c.addAll(tail);
            }
            return c.toArray(String[]::new);
        }

        /** @param random whether TTL may appear (not inside a transaction) */
        private String[] command(int r, boolean random) {
            String k = key();
            if (r < 170) {
                return push(rnd.nextBoolean() ? "RPUSH" : "LPUSH", k);
            } else if (r < 200) {
                String[] c = push(rnd.nextBoolean() ? "RPUSHX" : "LPUSHX", k);
                return c.length > 6 ? Arrays.copyOf(c, 4) : c;
            } else if (r < 290) {
                String name = rnd.nextBoolean() ? "LPOP" : "RPOP";
                return rnd.nextInt(3) == 0 ? new String[] {name, k} : new String[] {name, k, pick(POP_COUNTS)};
            } else if (r < 310) {
                return new String[] {"LLEN", k};
            } else if (r < 380) {
                return new String[] {"LRANGE", k, pick(INDEXES), pick(INDEXES)};
            } else if (r < 410) {
                return new String[] {"LINDEX", k, pick(INDEXES)};
            } else if (r < 440) {
                return new String[] {"LSET", k, pick(INDEXES), element()};
            } else if (r < 480) {
                String where = rnd.nextInt(40) == 0 ? "MIDDLE" : pick(new String[] {"BEFORE", "AFTER", "before"});
                return new String[] {"LINSERT", k, where, element(), element()};
            } else if (r < 530) {
                return new String[] {"LREM", k, pick(REM_COUNTS), element()};
            } else if (r < 555) {
                return new String[] {"LTRIM", k, pick(INDEXES), pick(INDEXES)};
            } else if (r < 615) {
                return lpos(k);
            } else if (r < 665) {
                String dst = key();
                if (rnd.nextInt(4) == 0) {
                    return new String[] {"RPOPLPUSH", k, dst};
                }
                String from = rnd.nextInt(60) == 0 ? "UP" : pick(DIRS);
                return new String[] {"LMOVE", k, rnd.nextInt(4) == 0 ? k : dst, from, pick(DIRS)};
            } else if (r < 690) {
                int n = 1 + rnd.nextInt(3);
                String numkeys = rnd.nextInt(50) == 0 ? pick(new String[] {"0", "-1", "x", "5"})
                        : Integer.toString(n);
                List<String> c = new ArrayList<>(List.of("LMPOP", numkeys));
                for (int i = 0; i < n; i++) {
                    c.add(key());
                }
                c.add(rnd.nextInt(60) == 0 ? "UP" : pick(DIRS));
                if (rnd.nextBoolean()) {
                    c.add("COUNT");
                    c.add(pick(MPOP_COUNTS));
                }
                return c.toArray(String[]::new);
            } else if (r < 730) {
                throw new IllegalStateException("blocking commands are generated by next() and transaction()");
            } else if (r < 750) {
                return new String[] {"OBJECT", "ENCODING", k};
            } else if (r < 765) {
                return new String[] {"SET", own(string), pick(VALUES)};
            } else if (r < 775) {
                return new String[] {"HSET", own(hash), pick(FIELDS), pick(VALUES)};
            } else if (r < 785) {
                return new String[] {"SADD", own(set), pick(MEMBERS), pick(MEMBERS)};
            } else if (r < 795) {
                return new String[] {"ZADD", own(zset), pick(new String[] {"1", "2", "1.5"}), pick(MEMBERS)};
            } else if (r < 815) {
                return switch (rnd.nextInt(5)) {
                    case 0 -> new String[] {"GET", k};
                    case 1 -> new String[] {"HGET", k, pick(FIELDS)};
                    case 2 -> new String[] {"SISMEMBER", k, pick(MEMBERS)};
                    case 3 -> new String[] {"ZRANGE", k, "0", "-1", "WITHSCORES"};
                    default -> new String[] {"SREM", k, pick(MEMBERS)};
                };
            } else if (r < 840) {
                return rnd.nextBoolean() ? new String[] {"DEL", k} : new String[] {"DEL", k, key()};
            } else if (r < 855) {
                return new String[] {"EXPIRE", k, pick(SECONDS)};
            } else if (r < 860) {
                return new String[] {"PERSIST", k};
            } else if (r < 870 && random) {
                return new String[] {rnd.nextBoolean() ? "TTL" : "PTTL", k};
            } else if (r < 890) {
                return new String[] {rnd.nextInt(4) == 0 ? "RENAMENX" : "RENAME", k, key()};
            } else if (r < 905) {
                return rnd.nextBoolean() ? new String[] {"COPY", k, key()} : new String[] {"COPY", k, key(), "REPLACE"};
            } else if (r < 925) {
                return new String[] {"TYPE", k};
            } else if (r < 940) {
                return new String[] {"EXISTS", k, key()};
            } else {
                return new String[] {"LRANGE", k, "0", "-1"};
            }
        }
    }

    // --------------------------------------------------------------------------------- comparison rules

    static String[] cat(String[]... parts) {
        List<String> all = new ArrayList<>();
        for (String[] p : parts) {
            all.addAll(Arrays.asList(p));
        }
        return all.toArray(String[]::new);
    }

    /** Sends the command to both servers and compares the replies byte for byte ({@link #brief} in a failure). */
    private static void same(Duo d, String... cmd) throws IOException {
        d.check(brief(cmd), d.raw(cmd));
    }

    /**
     * A command as a failure shows it: an argument longer than 64 bytes, and the arguments after the 12th of
     * a command of more than 24, are cut short and say how long they were (the bytes sent are whole).
     */
    static String[] brief(String[] cmd) {
        int keep = cmd.length > 24 ? 12 : cmd.length;
        List<String> out = new ArrayList<>();
        for (int i = 0; i < keep; i++) {
            String a = cmd[i];
            out.add(a.length() > 64 ? a.substring(0, 16) + "...<" + a.length() + " bytes>" : a);
        }
        if (keep < cmd.length) {
            out.add("...<" + (cmd.length - keep) + " more arguments>");
        }
        return out.toArray(String[]::new);
    }

    /** One command of the random mix, compared exactly ({@link #brief} in a failure). */
    private static Step exact(String[] cmd) {
        return new Step(new String[][] {cmd}, (d, c, r) -> d.check(brief(c[0]), r[0]));
    }

    /**
     * Deletes keys on both servers at the start of a test, without comparing the counts: a test that failed
     * before may have left some behind on one of them, which must not fail this one too.
     */
    private static void fresh(Duo d, String... keys) throws IOException {
        d.raw(cat(new String[] {"DEL"}, keys));
    }

    /** Keeps the longest list seen, from Redis' reply to a push or an LINSERT. */
    private static void noteLength(String reply) {
        if (reply.startsWith(":")) {
            longest = Math.max(longest, Long.parseLong(reply.substring(1).trim()));
        }
    }

    /** MULTI, the queued commands, EXEC (or DISCARD): every reply exactly. */
    private static void checkTransaction(Duo d, String[][] c, String[][] r) {
        for (int i = 0; i < c.length; i++) {
            d.check(brief(c[i]), r[i]);
        }
    }
}
