package io.qrrot.server;

import static io.qrrot.server.Duo.show;
import static io.qrrot.server.Duo.showCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qrrot.server.Duo.Node;
import io.qrrot.server.Duo.Step;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sorted sets against a real redis-server 7.0: the same commands go to both servers over real sockets, in RESP2
 * and in RESP3 (HELLO 3), and the replies must be the same bytes. First edge-case scripts for every sorted-set
 * command (arity, types both ways, ZADD's options and their conflicts, score parsing and how scores are
 * printed, index, score and lex ranges with LIMIT and REV, the STORE forms, pops, ZMPOP, ZRANDMEMBER, ZUNION,
 * ZINTER and ZDIFF with WEIGHTS and AGGREGATE and plain sets as inputs, ZINTERCARD, ZSCAN, the listpack and
 * skiplist encodings and their limits, key lifecycle, transactions, WATCH), then a seeded random mix of
 * sorted-set, set, hash and string commands over a few keys ({@code -Dseed=N} replays a run; the seed is
 * printed).
 *
 * <p>Redis orders a sorted set by score, then by member bytes (memcmp), so every range, every pop and the
 * replies of ZUNION, ZINTER and ZDIFF (sorted the same way) are compared exactly. Lex ranges are only defined
 * where all scores are equal (on a skiplist they otherwise depend on its random levels): the random mix sends
 * lex commands only to keys that only ever get score 0.
 *
 * <p>What is not compared byte for byte:
 * <ul>
 *   <li>ZRANDMEMBER where Redis' answer is random (no count or a count below the size, on a zset of two or
 *       more members; any negative count there): by shape (RESP type, length, the RESP3 pairs), membership,
 *       each score as ZRANGE WITHSCORES prints it, and distinctness for a positive count. ZRANGE ... WITHSCORES
 *       of the key is sent first, and compared exactly. Never inside a transaction.</li>
 *   <li>ZSCAN of a skiplist: its cursors are its hash table's, so the member-score pairs a full iteration
 *       returns are compared as a set (a listpack comes whole in one reply, compared exactly; OBJECT ENCODING
 *       is sent first, and compared exactly, to know which). Never inside a transaction.</li>
 *   <li>OBJECT ENCODING of a string that Redis calls {@code raw} after an APPEND ({@link #checkEncoding}).</li>
 *   <li>OBJECT ENCODING of a zset just made by RENAME or COPY, where Redis kept the source's encoding and qrrot
 *       gives the one its limits give the contents ({@link #moved}; {@code -Dzsetdiff.strictEncoding=true}
 *       compares it too). Hence no RENAME or COPY inside a transaction.</li>
 *   <li>TTL and PTTL within a tolerance; the HELLO reply.</li>
 * </ul>
 *
 * <p>Never sent: ZRANDMEMBER with a huge negative count: Redis 7.0 then builds a reply of that many members and
 * does not answer (a count whose double overflows with WITHSCORES is an error, which is sent). In a
 * transaction, OBJECT with a wrong number of arguments: Redis refuses a subcommand's arity when it queues it
 * (and aborts the transaction), qrrot when it runs it. An argument that is not ASCII where an error quotes it.
 * The blocking pops are sent only where they answer at once or after a short timeout; blocking itself (wake-ups,
 * order, CLIENT UNBLOCK) is {@code BlockingPopsTest}'s.
 */
@Tag("integration")
class ZSetDifferentialTest {
    @TempDir
    static Path dir;
    private static SideBySide servers;

    /** Random commands per protocol; {@code -Dzsetdiff.commands=N} runs more (or fewer). */
    private static final int RANDOM_COMMANDS = Integer.getInteger("zsetdiff.commands", 10_000);
    /** Commands pipelined in one write: the WAL then syncs once per batch, which keeps the run short. */
    private static final int BATCH = 64;
    private static final String DEFAULT_ENTRIES = "128";
    private static final String DEFAULT_VALUE = "64";

    /**
     * Whether a zset that RENAME or COPY made must have the source's encoding, as in Redis ({@link #moved});
     * {@code -Dzsetdiff.strictEncoding=true} requires it.
     */
    private static final boolean STRICT_ENCODING = Boolean.getBoolean("zsetdiff.strictEncoding");
    /** How many times {@link #moved} met that difference (reported by the random run). */
    private static int reencoded;

    private static final String LONG = "L".repeat(65);

    @BeforeAll
    static void start() throws Exception {
        servers = SideBySide.start(dir, "the sorted set differential test");
    }

    @AfterAll
    static void stop() throws Exception {
        if (servers != null) {
            servers.close();
        }
    }

    @AfterEach
    void restoreLimits() throws IOException {
        if (servers != null) {
            try (Duo d = new Duo(servers, 2)) {
                d.same("CONFIG", "SET", "zset-max-listpack-entries", DEFAULT_ENTRIES);
                d.same("CONFIG", "SET", "zset-max-listpack-value", DEFAULT_VALUE);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ edge cases

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void arityAndWrongTypes(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String z = d.key("z");
            String s = d.key("s");
            String h = d.key("h");
            String set = d.key("set");
            String none = d.key("none");
            d.same("DEL", z, s, h, set, none);
            for (String[] c : new String[][] {{"ZADD"}, {"ZADD", z}, {"ZADD", z, "1"}, {"ZADD", z, "NX"},
                    {"ZADD", z, "INCR"}, {"ZINCRBY", z, "1"}, {"ZINCRBY", z, "1", "a", "b"}, {"ZREM", z},
                    {"ZCARD"}, {"ZCARD", z, "x"}, {"ZSCORE", z}, {"ZSCORE", z, "a", "b"}, {"ZMSCORE", z},
                    {"ZRANK", z}, {"ZRANK", z, "a", "b"}, {"ZREVRANK", z}, {"ZCOUNT", z, "0"},
                    {"ZCOUNT", z, "0", "1", "2"}, {"ZLEXCOUNT", z, "-"}, {"ZRANGE", z, "0"}, {"ZRANGESTORE", z, z, "0"},
                    {"ZRANGEBYSCORE", z, "0"}, {"ZREVRANGEBYSCORE", z, "0"}, {"ZRANGEBYLEX", z, "-"},
                    {"ZREVRANGEBYLEX", z, "+"}, {"ZREVRANGE", z, "0"}, {"ZREMRANGEBYRANK", z, "0"},
                    {"ZREMRANGEBYSCORE", z, "0"}, {"ZREMRANGEBYLEX", z, "-"}, {"ZPOPMIN"}, {"ZPOPMAX"},
                    {"ZMPOP"}, {"ZMPOP", "1"}, {"ZMPOP", "1", z}, {"ZRANDMEMBER"}, {"ZUNION"}, {"ZUNION", "1"},
                    {"ZINTER", "1"}, {"ZDIFF", "1"}, {"ZUNIONSTORE", z, "1"}, {"ZINTERSTORE", z},
                    {"ZDIFFSTORE", z, "1"}, {"ZINTERCARD"}, {"ZINTERCARD", "1"}, {"ZSCAN"}, {"ZSCAN", z},
                    {"zadd", z}, {"ZaDd"}, {"ZRANK", z, "a", "WITHSCORE"}}) {
                d.same(c);
            }
            d.same("EXISTS", z);
            // Sorted-set commands on a string, a hash and a set.
            d.same("SET", s, "text");
            d.same("HSET", h, "f", "v");
            d.same("SADD", set, "a", "b");
            for (String w : new String[] {s, h, set}) {
                for (String[] c : new String[][] {{"ZADD", w, "1", "a"}, {"ZADD", w, "XX", "1", "a"},
                        {"ZADD", w, "INCR", "1", "a"}, {"ZADD", w, "x", "a"}, {"ZINCRBY", w, "1", "a"},
                        {"ZREM", w, "a"}, {"ZCARD", w}, {"ZSCORE", w, "a"}, {"ZMSCORE", w, "a", "b"},
                        {"ZRANK", w, "a"}, {"ZREVRANK", w, "a"}, {"ZCOUNT", w, "-inf", "+inf"},
                        {"ZCOUNT", w, "x", "1"}, {"ZLEXCOUNT", w, "-", "+"}, {"ZLEXCOUNT", w, "x", "+"},
                        {"ZRANGE", w, "0", "-1"}, {"ZRANGE", w, "x", "-1"}, {"ZRANGE", w, "0", "-1", "FOO"},
                        {"ZRANGE", w, "0", "1", "BYSCORE", "WITHSCORES"}, {"ZRANGESTORE", none, w, "0", "-1"},
                        {"ZRANGEBYSCORE", w, "0", "1"}, {"ZREVRANGEBYSCORE", w, "1", "0"},
                        {"ZRANGEBYLEX", w, "-", "+"}, {"ZREVRANGEBYLEX", w, "+", "-"}, {"ZREVRANGE", w, "0", "-1"},
                        {"ZREMRANGEBYRANK", w, "0", "-1"}, {"ZREMRANGEBYSCORE", w, "-inf", "+inf"},
                        {"ZREMRANGEBYLEX", w, "-", "+"}, {"ZPOPMIN", w}, {"ZPOPMAX", w, "2"}, {"ZPOPMIN", w, "-1"},
                        {"ZMPOP", "1", w, "MIN"}, {"ZMPOP", "2", none, w, "MAX", "COUNT", "2"},
                        {"ZRANDMEMBER", w}, {"ZRANDMEMBER", w, "2", "WITHSCORES"}, {"ZRANDMEMBER", w, "x"},
                        {"ZUNION", "1", w}, {"ZUNION", "2", none, w, "WITHSCORES"}, {"ZINTER", "2", w, none},
                        {"ZDIFF", "1", w}, {"ZUNIONSTORE", none, "1", w}, {"ZINTERSTORE", none, "2", none, w},
                        {"ZDIFFSTORE", none, "1", w}, {"ZINTERCARD", "1", w}, {"ZINTERCARD", "2", none, w},
                        {"ZSCAN", w, "0"}, {"ZSCAN", w, "x"}, {"TYPE", w}, {"EXISTS", none}}) {
                    d.same(c);
                }
            }
            // A set is a valid input to ZUNION, ZINTER, ZDIFF (score 1) and ZINTERCARD, never to the others.
            d.same("ZADD", z, "2", "a", "3", "c");
            for (String[] c : new String[][] {{"ZUNION", "2", z, set, "WITHSCORES"}, {"ZINTER", "2", z, set,
                    "WITHSCORES"}, {"ZINTER", "2", set, z, "WITHSCORES", "AGGREGATE", "MAX"},
                    {"ZDIFF", "2", set, z, "WITHSCORES"}, {"ZDIFF", "2", z, set, "WITHSCORES"},
                    {"ZUNION", "1", set, "WITHSCORES"}, {"ZUNION", "2", set, set, "WEIGHTS", "2", "0.5",
                    "WITHSCORES"}, {"ZINTERCARD", "2", set, z}, {"ZUNIONSTORE", none, "1", set}, {"TYPE", none},
                    {"OBJECT", "ENCODING", none}, {"ZRANGE", none, "0", "-1", "WITHSCORES"},
                    {"ZRANGESTORE", none, set, "0", "-1"}, {"ZUNION", "2", z, h}, {"ZUNION", "2", z, s},
                    {"ZINTER", "2", none, s}, {"ZDIFF", "2", none, h}, {"ZDIFF", "2", z, s}}) {
                d.same(c);
            }
            d.same("DEL", none);
            // String, hash and set commands on a zset.
            for (String[] c : new String[][] {{"GET", z}, {"SET", z, "x", "NX"}, {"SET", z, "x", "XX", "GET"},
                    {"GETSET", z, "x"}, {"APPEND", z, "x"}, {"STRLEN", z}, {"INCR", z}, {"INCRBYFLOAT", z, "1"},
                    {"GETRANGE", z, "0", "1"}, {"SETRANGE", z, "0", "x"}, {"GETDEL", z}, {"GETEX", z},
                    {"MGET", z, s}, {"SETNX", z, "x"}, {"HSET", z, "f", "v"}, {"HGET", z, "f"}, {"HGETALL", z},
                    {"HLEN", z}, {"HSCAN", z, "0"}, {"SADD", z, "a"}, {"SMEMBERS", z}, {"SCARD", z},
                    {"SISMEMBER", z, "a"}, {"SINTER", z}, {"SUNIONSTORE", none, z}, {"SSCAN", z, "0"},
                    {"TYPE", z}, {"ZCARD", z}, {"SET", z, "now a string"}, {"TYPE", z},
                    {"ZCARD", z}, {"GET", z}}) {
                d.same(c);
            }
            d.same("DEL", z, s, h, set, none);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void zaddOptions(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String z = d.key("z");
            String none = d.key("none");
            d.same("DEL", z, none);
            String[][] options = {{}, {"NX"}, {"XX"}, {"GT"}, {"LT"}, {"CH"}, {"INCR"}, {"NX", "CH"}, {"XX", "CH"},
                {"GT", "CH"}, {"LT", "CH"}, {"XX", "GT"}, {"XX", "LT"}, {"XX", "GT", "CH"}, {"NX", "INCR"},
                {"XX", "INCR"}, {"GT", "INCR"}, {"LT", "INCR"}, {"XX", "GT", "INCR"}, {"CH", "INCR"},
                {"NX", "XX"}, {"GT", "LT"}, {"NX", "GT"}, {"NX", "LT"}, {"NX", "XX", "GT"}, {"nx", "ch"},
                {"Gt", "Ch", "xX"}, {"NX", "NX"}, {"GT", "GT", "CH", "CH"}, {"INCR", "INCR"}};
            String[][] tails = {{"5", "a"}, {"1", "a"}, {"9", "new"}, {"5", "a", "1", "b", "9", "c"},
                {"-3", "a", "3", "zz"}, {"0", "a"}, {"5", "a", "5", "a"}, {"1", "a", "2", "a"}, {"inf", "b"},
                {"-inf", "a"}, {"1"}, {"1", "a", "2"}, {"x", "a"}, {"1", "a", "x", "b"}};
            for (String[] opts : options) {
                for (String[] tail : tails) {
                    d.same("DEL", z);
                    d.same("ZADD", z, "5", "a", "2", "b", "7", "c");
                    String[] c = new String[2 + opts.length + tail.length];
                    c[0] = "ZADD";
                    c[1] = z;
                    System.arraycopy(opts, 0, c, 2, opts.length);
                    System.arraycopy(tail, 0, c, 2 + opts.length, tail.length);
                    d.same(c);
                    d.same("ZRANGE", z, "0", "-1", "WITHSCORES");
                    c[1] = none;
                    d.same(c);
                    d.same("ZRANGE", none, "0", "-1", "WITHSCORES");
                    d.same("EXISTS", none);
                    d.same("DEL", none);
                }
            }
            // An option after the first score is a member or a syntax error, never an option.
            d.same("DEL", z);
            d.same("ZADD", z, "1", "NX");
            d.same("ZADD", z, "1", "a", "NX", "b");
            d.same("ZADD", z, "1", "a", "2", "NX");
            d.same("ZADD", z, "NX", "NX", "1", "XX");
            d.same("ZRANGE", z, "0", "-1", "WITHSCORES");
            // ZINCRBY.
            for (String[] c : new String[][] {{"ZINCRBY", z, "1", "a"}, {"ZINCRBY", z, "1.5", "a"},
                    {"ZINCRBY", z, "-2.5", "new"}, {"ZINCRBY", z, "0", "zero"}, {"ZINCRBY", z, "x", "a"},
                    {"ZINCRBY", z, "", "a"}, {"ZINCRBY", z, "nan", "a"}, {"ZINCRBY", z, "inf", "a"},
                    {"ZINCRBY", z, "inf", "a"}, {"ZINCRBY", z, "-inf", "a"}, {"ZINCRBY", z, "1", "a"},
                    {"ZSCORE", z, "a"}, {"ZINCRBY", z, "-inf", "b"}, {"ZINCRBY", z, "+inf", "b"},
                    {"ZINCRBY", z, "0.1", "c"}, {"ZINCRBY", z, "0.2", "c"}, {"ZINCRBY", z, "1e308", "d"},
                    {"ZINCRBY", z, "1e308", "d"}, {"ZINCRBY", z, "-1e308", "d"}, {"ZINCRBY", none, "-inf", "m"},
                    {"ZINCRBY", z, "1 ", "a"}, {"ZINCRBY", z, "0x10", "e"}, {"ZADD", z, "INCR", "-inf", "a"},
                    {"ZADD", z, "INCR", "1", "c"}, {"ZADD", z, "XX", "INCR", "1", "missing"},
                    {"ZADD", z, "NX", "INCR", "1", "c"}, {"ZADD", z, "GT", "INCR", "-1", "c"},
                    {"ZADD", z, "LT", "INCR", "-1", "c"}, {"ZADD", z, "LT", "INCR", "1", "c"},
                    {"ZADD", z, "GT", "INCR", "0", "c"}, {"ZADD", z, "INCR", "1", "c", "2", "d"},
                    {"ZADD", z, "INCR", "nan", "c"}, {"ZRANGE", z, "0", "-1", "WITHSCORES"},
                    {"ZRANGE", none, "0", "-1", "WITHSCORES"}}) {
                d.same(c);
            }
            d.same("DEL", z, none);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void scoresParsedAndPrinted(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String z = d.key("z");
            String[] scores = {"0", "-0", "+0", "0.0", "-0.0", "1", "-1", "+1", "1.0", "1.5", "-1.5", "0.1", "0.2",
                "0.3", "0.30000000000000004", "1e-5", "1E-5", "0.00001", "1e-300", "5e-324", "4e-320", "1e-400",
                "1e15", "1e16", "1e17", "1e18", "1e19", "1e21", "123456789012345678", "12345678901234567",
                "9007199254740993", "4503599627370495", "4503599627370496", "4503599627370497",
                "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1e308",
                "1.7976931348623157e308", "1.8e308", "1e400", "-1e400", "3.14159265358979323846", "100", "1e2",
                "inf", "+inf", "-inf", "INF", "Inf", "infinity", "-Infinity", "nan", "NaN", "-nan", "x", "", " 1",
                "1 ", "\t1", "1\u0000", "0x10", "0X1p3", "-0x1", "1e", "e1", ".5", "5.", "-.5", "1_0", "(1",
                "[1", "1,5", "0b1", "010", "+-1", "--1", "1e+2", "1e-2"};
            for (String encoding : new String[] {"listpack", "skiplist"}) {
                d.same("CONFIG", "SET", "zset-max-listpack-entries", encoding.equals("listpack") ? "128" : "0");
                for (String sc : scores) {
                    d.same("DEL", z);
                    d.same("ZADD", z, sc, "m");
                    d.same("ZSCORE", z, "m");
                    d.same("ZADD", z, "INCR", sc, "n");
                    d.same("ZINCRBY", z, sc, "m");
                    d.same("ZMSCORE", z, "m", "n", "none");
                    d.same("ZRANGE", z, "0", "-1", "WITHSCORES");
                    d.same("ZCOUNT", z, sc, sc);
                    d.same("ZRANGE", z, sc, "+inf", "BYSCORE", "WITHSCORES");
                    d.same("ZRANGEBYSCORE", z, "-inf", sc);
                    zscan(d, z);
                }
                // All of them in one set: the order of ties, and how each is printed.
                List<String> add = new ArrayList<>(List.of("ZADD", z));
                int i = 0;
                for (String sc : scores) {
                    add.add(sc);
                    add.add("m" + (i++ % 7));
                }
                d.same("DEL", z);
                d.same(add.toArray(String[]::new));
                List<String> valid = new ArrayList<>(List.of("ZADD", z));
                i = 0;
                for (String sc : new String[] {"0", "-0", "1", "1.5", "0.1", "1e-5", "1e17", "123456789012345678",
                        "1e19", "-inf", "inf", "4503599627370497", "9223372036854775807", "1e308", "5e-324",
                        "100", "-1.5", "0x10", "1e2"}) {
                    valid.add(sc);
                    valid.add("v" + i++);
                    valid.add(sc);
                    valid.add("w" + i);
                }
                d.same(valid.toArray(String[]::new));
                d.same("OBJECT", "ENCODING", z);
                d.same("ZRANGE", z, "0", "-1", "WITHSCORES");
                d.same("ZREVRANGE", z, "0", "-1", "WITHSCORES");
                d.same("ZRANGEBYSCORE", z, "-inf", "+inf", "WITHSCORES");
                d.same("ZPOPMIN", z, "3");
                d.same("ZPOPMAX", z, "3");
                d.same("ZMPOP", "1", z, "MIN", "COUNT", "3");
                d.same("ZUNION", "1", z, "WITHSCORES");
                d.same("ZUNION", "1", z, "WEIGHTS", "0.5", "WITHSCORES");
                d.same("ZUNION", "1", z, "WEIGHTS", "-1", "WITHSCORES");
                d.same("ZUNION", "1", z, "WEIGHTS", "0", "WITHSCORES");
                d.same("ZINTER", "2", z, z, "WITHSCORES");
                d.same("ZRANDMEMBER", z, "1000", "WITHSCORES");
                d.same("ZUNIONSTORE", d.key("dst"), "2", z, z);
                d.same("ZRANGE", d.key("dst"), "0", "-1", "WITHSCORES");
                d.same("OBJECT", "ENCODING", d.key("dst"));
                zscan(d, z);
                zscan(d, d.key("dst"));
                for (String m : new String[] {"v0", "v1", "v4", "v6", "v7", "w13"}) {
                    d.same("ZSCORE", z, m);
                    d.same("ZRANK", z, m);
                    d.same("ZREVRANK", z, m);
                }
                d.same("DEL", z, d.key("dst"));
            }
            // -0 in a listpack turns 0; in a skiplist it stays -0, until the set is made a listpack again.
            d.same("CONFIG", "SET", "zset-max-listpack-entries", "128");
            d.same("ZADD", z, "-0", "a", "0", "b", "-0.0", "c");
            d.same("ZRANGE", z, "0", "-1", "WITHSCORES");
            d.same("ZADD", z, "-0", LONG);
            d.same("OBJECT", "ENCODING", z);
            d.same("ZADD", z, "-0", "a", "-0", "d");
            d.same("ZRANGE", z, "0", "-1", "WITHSCORES");
            d.same("ZSCORE", z, "d");
            d.same("ZINCRBY", z, "0", "d");
            d.same("ZINCRBY", z, "-0", "b");
            zscan(d, z);
            d.same("ZRANGESTORE", d.key("dst"), z, "0", "2");
            d.same("OBJECT", "ENCODING", d.key("dst"));
            d.same("ZRANGE", d.key("dst"), "0", "-1", "WITHSCORES");
            d.same("ZUNIONSTORE", d.key("dst"), "1", z, "WEIGHTS", "-1");
            d.same("OBJECT", "ENCODING", d.key("dst"));
            d.same("ZRANGE", d.key("dst"), "0", "-1", "WITHSCORES");
            d.same("DEL", z, d.key("dst"));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void readsAndMissingKeys(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String z = d.key("z");
            String none = d.key("none");
            String b = d.key("bin\u0000\r\n\u00ff");
            d.same("DEL", z, none, b);
            for (String[] c : new String[][] {{"ZCARD", none}, {"ZSCORE", none, "a"}, {"ZMSCORE", none, "a", "b"},
                    {"ZRANK", none, "a"}, {"ZREVRANK", none, "a"}, {"ZCOUNT", none, "-inf", "+inf"},
                    {"ZCOUNT", none, "x", "1"}, {"ZLEXCOUNT", none, "-", "+"}, {"ZLEXCOUNT", none, "a", "+"},
                    {"ZRANGE", none, "0", "-1"}, {"ZRANGE", none, "0", "-1", "WITHSCORES"},
                    {"ZRANGE", none, "x", "1", "BYSCORE"}, {"ZRANGE", none, "a", "b", "BYLEX"},
                    {"ZREM", none, "a"}, {"ZREMRANGEBYRANK", none, "0", "-1"}, {"ZREMRANGEBYSCORE", none, "x", "1"},
                    {"ZREMRANGEBYLEX", none, "-", "+"}, {"ZPOPMIN", none}, {"ZPOPMAX", none, "3"},
                    {"ZPOPMIN", none, "-1"}, {"ZMPOP", "1", none, "MIN"}, {"ZRANDMEMBER", none},
                    {"ZRANDMEMBER", none, "3"}, {"ZRANDMEMBER", none, "-3", "WITHSCORES"},
                    {"ZRANDMEMBER", none, "x"}, {"ZSCAN", none, "0"}, {"ZSCAN", none, "x"},
                    {"ZUNION", "1", none}, {"ZINTER", "1", none, "WITHSCORES"}, {"ZDIFF", "1", none},
                    {"ZINTERCARD", "1", none}, {"ZUNIONSTORE", z, "1", none}, {"ZRANGESTORE", z, none, "0", "-1"},
                    {"EXISTS", z}, {"TYPE", none}}) {
                d.same(c);
            }
            // Duplicates, the empty member, binary members, memcmp order of ties.
            d.same("ZADD", z, "1", "b", "1", "a", "1", "b", "2", "a", "1", "", "1", "B", "1", "\u00e9", "1", "\u0000",
                    "1", "a\u0000", "1", "10", "1", "9", "1", "\u00ff");
            d.same("ZCARD", z);
            d.same("ZRANGE", z, "0", "-1", "WITHSCORES");
            d.same("ZMSCORE", z, "a", "a", "zz", "", "\u0000", "\u00e9");
            for (String m : new String[] {"a", "b", "", "\u0000", "\u00ff", "9", "zz"}) {
                d.same("ZRANK", z, m);
                d.same("ZREVRANK", z, m);
                d.same("ZSCORE", z, m);
            }
            d.same("ZREM", z, "a", "a", "zz", "");
            d.same("ZREM", z, "a");
            d.same("ZRANGE", z, "0", "-1");
            d.same("ZADD", b, "3", "\u0000\r\n\u00ff\u0080 *$-1", "2", "x\r\ny");
            d.same("ZRANGE", b, "0", "-1", "WITHSCORES");
            d.same("ZSCAN", b, "0", "MATCH", "\u0000*");
            d.same("DEL", z, b);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void ranges(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String z = d.key("z");
            String l = d.key("lex");
            String dst = d.key("dst");
            d.same("DEL", z, l, dst);
            d.same("ZADD", z, "1", "a", "1", "b", "2", "c", "2.5", "d", "3", "e", "-inf", "f", "inf", "g", "0", "h",
                    "-1", "i", "1", "aa");
            d.same("ZADD", l, "0", "a", "0", "b", "0", "c", "0", "bb", "0", "", "0", "d", "0", "\u00ff", "0", "B",
                    "0", "[x", "0", "(y", "0", "-", "0", "+");
            for (String encoding : new String[] {"listpack", "skiplist"}) {
                if (encoding.equals("skiplist")) {
                    d.same("ZADD", z, "5", LONG);
                    d.same("ZREM", z, LONG);
                    d.same("ZADD", l, "0", LONG);
                    d.same("ZREM", l, LONG);
                }
                d.same("OBJECT", "ENCODING", z);
                d.same("OBJECT", "ENCODING", l);
                String[] idx = {"0", "1", "-1", "-2", "3", "-11", "-100", "100", "9", "10", "11",
                    "9223372036854775807", "-9223372036854775808", "x", "1.5", ""};
                for (String a : new String[] {"0", "-1", "2", "-3", "-100", "100", "x"}) {
                    for (String e : idx) {
                        d.same("ZRANGE", z, a, e);
                        d.same("ZRANGE", z, a, e, "REV", "WITHSCORES");
                        d.same("ZREVRANGE", z, a, e, "WITHSCORES");
                        d.same("ZRANGE", z, e, a, "WITHSCORES");
                    }
                }
                String[] sb = {"-inf", "+inf", "inf", "0", "1", "(1", "(0", "2.5", "(2.5", "-1", "(-inf", "(inf",
                    "3", "(3", "x", "(x", "(", "", " 1", "1e400", "-1e400", "nan", "((1", "[1", "0x1", "1.0"};
                for (String a : sb) {
                    for (String e : new String[] {"+inf", "(inf", "2", "(2.5", "1", "(1", "-inf", "0", "(x", "("}) {
                        d.same("ZRANGE", z, a, e, "BYSCORE");
                        d.same("ZRANGE", z, e, a, "BYSCORE", "REV", "WITHSCORES");
                        d.same("ZRANGEBYSCORE", z, a, e, "WITHSCORES");
                        d.same("ZREVRANGEBYSCORE", z, e, a);
                        d.same("ZCOUNT", z, a, e);
                    }
                }
                String[] lb = {"-", "+", "[a", "(a", "[b", "(b", "[bb", "(c", "[", "(", "[\u00ff", "(\u00ff", "a",
                    "", "-a", "+a", "[-", "[+", "([x", "[(y", "[B", "[\u0000"};
                for (String a : lb) {
                    for (String e : new String[] {"+", "-", "[c", "(c", "[bb", "(", "[", "b", "[\u00ff"}) {
                        d.same("ZRANGE", l, a, e, "BYLEX");
                        d.same("ZRANGE", l, e, a, "BYLEX", "REV");
                        d.same("ZRANGEBYLEX", l, a, e);
                        d.same("ZREVRANGEBYLEX", l, e, a);
                        d.same("ZLEXCOUNT", l, a, e);
                    }
                }
                String[][] limits = {{"0", "1"}, {"0", "0"}, {"1", "2"}, {"2", "-1"}, {"0", "-5"}, {"-1", "1"},
                    {"-1", "-1"}, {"100", "1"}, {"0", "100"}, {"5", "3"}, {"x", "1"}, {"0", "x"}, {"0"}, {},
                    {"0", "9223372036854775807"}, {"9223372036854775807", "1"}, {"1.5", "1"}};
                for (String[] lim : limits) {
                    String[] limit = new String[1 + lim.length];
                    limit[0] = "LIMIT";
                    System.arraycopy(lim, 0, limit, 1, lim.length);
                    d.same(cat(new String[] {"ZRANGE", z, "-inf", "+inf", "BYSCORE"}, limit));
                    d.same(cat(new String[] {"ZRANGE", z, "+inf", "-inf", "BYSCORE", "REV", "WITHSCORES"}, limit));
                    d.same(cat(new String[] {"ZRANGE", z, "(1", "3", "BYSCORE"}, limit, new String[] {"WITHSCORES"}));
                    d.same(cat(new String[] {"ZRANGE", l, "-", "+", "BYLEX"}, limit));
                    d.same(cat(new String[] {"ZRANGE", l, "+", "(a", "BYLEX", "REV"}, limit));
                    d.same(cat(new String[] {"ZRANGE", z, "0", "-1"}, limit));
                    d.same(cat(new String[] {"ZRANGEBYSCORE", z, "-inf", "+inf"}, limit));
                    d.same(cat(new String[] {"ZREVRANGEBYSCORE", z, "+inf", "-inf", "WITHSCORES"}, limit));
                    d.same(cat(new String[] {"ZRANGEBYLEX", l, "-", "+"}, limit));
                    d.same(cat(new String[] {"ZREVRANGEBYLEX", l, "+", "-"}, limit));
                    d.same(cat(new String[] {"ZRANGESTORE", dst, z, "-inf", "+inf", "BYSCORE"}, limit));
                    d.same("ZRANGE", dst, "0", "-1", "WITHSCORES");
                }
                // Option combinations and their errors.
                for (String[] c : new String[][] {{"ZRANGE", z, "0", "-1", "BYSCORE", "BYLEX"},
                        {"ZRANGE", z, "0", "-1", "BYLEX", "BYSCORE"}, {"ZRANGE", l, "-", "+", "BYLEX", "WITHSCORES"},
                        {"ZRANGE", l, "-", "+", "WITHSCORES", "BYLEX"}, {"ZRANGE", z, "0", "-1", "REV", "REV"},
                        {"ZRANGE", z, "0", "-1", "WITHSCORES", "WITHSCORES"}, {"ZRANGE", z, "0", "-1", "LIMIT", "0",
                        "1"}, {"ZRANGE", z, "0", "-1", "LIMIT", "0", "1", "BYSCORE"},
                        {"ZRANGE", z, "0", "-1", "BYSCORE", "LIMIT", "0", "1", "LIMIT", "1", "1"},
                        {"ZRANGE", z, "0", "-1", "FOO"}, {"ZRANGE", z, "0", "-1", "rev", "withscores"},
                        {"ZRANGE", z, "0", "-1", "REV", "LIMIT", "0", "1"}, {"ZRANGE", z, "a", "b", "BYSCORE"},
                        {"ZRANGE", l, "0", "-1", "BYLEX"}, {"ZRANGE", l, "x", "+", "BYLEX"},
                        {"ZRANGEBYSCORE", z, "0", "1", "REV"}, {"ZRANGEBYSCORE", z, "0", "1", "BYSCORE"},
                        {"ZRANGEBYSCORE", z, "0", "1", "WITHSCORES", "WITHSCORES"}, {"ZRANGEBYSCORE", z, "0", "1",
                        "FOO"}, {"ZRANGEBYLEX", l, "-", "+", "WITHSCORES"}, {"ZRANGEBYLEX", l, "-", "+", "REV"},
                        {"ZREVRANGE", z, "0", "-1", "REV"}, {"ZREVRANGE", z, "0", "-1", "LIMIT", "0", "1"},
                        {"ZREVRANGE", z, "0", "-1", "BYSCORE"}, {"ZREVRANGEBYLEX", l, "-", "+"},
                        {"ZREVRANGEBYSCORE", z, "-inf", "+inf"}, {"ZRANGESTORE", dst, z, "0", "-1", "WITHSCORES"},
                        {"ZRANGESTORE", dst, l, "-", "+", "BYLEX", "REV"}, {"ZRANGESTORE", dst, l, "+", "-", "BYLEX",
                        "REV", "LIMIT", "1", "3"}, {"ZRANGE", dst, "0", "-1"}, {"ZRANGESTORE", dst, z, "5", "1"},
                        {"EXISTS", dst}, {"ZRANGESTORE", dst, z, "0", "-1", "REV"}, {"ZRANGE", dst, "0", "-1",
                        "WITHSCORES"}, {"OBJECT", "ENCODING", dst}, {"ZRANGESTORE", dst, dst, "1", "2"},
                        {"ZRANGE", dst, "0", "-1", "WITHSCORES"}, {"ZRANGESTORE", dst, z, "0", "-1", "FOO"},
                        {"ZRANGESTORE", dst, z, "(1", "x", "BYSCORE"}}) {
                    d.same(c);
                }
                for (String m : new String[] {"a", "aa", "b", "f", "g", "h", "i", "zz", ""}) {
                    d.same("ZRANK", z, m);
                    d.same("ZREVRANK", z, m);
                }
            }
            d.same("DEL", z, l, dst);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void removals(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String z = d.key("z");
            String l = d.key("lex");
            d.same("DEL", z, l);
            String[] zadd = {"ZADD", z, "1", "a", "1", "b", "2", "c", "2.5", "d", "3", "e", "-inf", "f", "inf", "g"};
            String[] ladd = {"ZADD", l, "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"};
            for (String encoding : new String[] {"128", "0"}) {
                d.same("CONFIG", "SET", "zset-max-listpack-entries", encoding);
                for (String[] c : new String[][] {{"ZREMRANGEBYRANK", z, "0", "0"}, {"ZREMRANGEBYRANK", z, "1", "2"},
                        {"ZREMRANGEBYRANK", z, "-2", "-1"}, {"ZREMRANGEBYRANK", z, "5", "1"},
                        {"ZREMRANGEBYRANK", z, "-100", "100"}, {"ZREMRANGEBYRANK", z, "100", "200"},
                        {"ZREMRANGEBYRANK", z, "x", "1"}, {"ZREMRANGEBYRANK", z, "0", "1.5"},
                        {"ZREMRANGEBYSCORE", z, "1", "2"}, {"ZREMRANGEBYSCORE", z, "(1", "(2.5"},
                        {"ZREMRANGEBYSCORE", z, "-inf", "(-inf"}, {"ZREMRANGEBYSCORE", z, "-inf", "-inf"},
                        {"ZREMRANGEBYSCORE", z, "inf", "+inf"}, {"ZREMRANGEBYSCORE", z, "-inf", "+inf"},
                        {"ZREMRANGEBYSCORE", z, "3", "1"}, {"ZREMRANGEBYSCORE", z, "x", "1"},
                        {"ZREMRANGEBYSCORE", z, "(", "1"}, {"ZREM", z, "a", "b", "zz"},
                        {"ZREM", z, "a", "b", "c", "d", "e", "f", "g"}}) {
                    d.same("DEL", z);
                    d.same(zadd);
                    d.same(c);
                    d.same("ZRANGE", z, "0", "-1", "WITHSCORES");
                    d.same("EXISTS", z);
                    d.same("TYPE", z);
                }
                for (String[] c : new String[][] {{"ZREMRANGEBYLEX", l, "-", "+"}, {"ZREMRANGEBYLEX", l, "[b", "(d"},
                        {"ZREMRANGEBYLEX", l, "(a", "[c"}, {"ZREMRANGEBYLEX", l, "+", "-"},
                        {"ZREMRANGEBYLEX", l, "-", "[a"}, {"ZREMRANGEBYLEX", l, "a", "b"},
                        {"ZREMRANGEBYLEX", l, "[", "+"}, {"ZREMRANGEBYLEX", l, "(", "+"}}) {
                    d.same("DEL", l);
                    d.same(ladd);
                    d.same(c);
                    d.same("ZRANGE", l, "0", "-1");
                    d.same("EXISTS", l);
                }
                // The last member gone by any means: the key goes, with its TTL.
                for (String[] c : new String[][] {{"ZPOPMIN", z, "10"}, {"ZPOPMAX", z, "7"},
                        {"ZMPOP", "1", z, "MAX", "COUNT", "100"}, {"ZREMRANGEBYRANK", z, "0", "-1"},
                        {"ZREMRANGEBYSCORE", z, "-inf", "+inf"}, {"ZREM", z, "a", "b", "c", "d", "e", "f", "g"},
                        {"ZDIFFSTORE", z, "2", z, z}, {"ZINTERSTORE", z, "2", z, d.key("none")},
                        {"ZRANGESTORE", z, z, "5", "1"}, {"ZUNIONSTORE", z, "1", d.key("none")}}) {
                    d.same("DEL", z);
                    d.same(zadd);
                    d.same("EXPIRE", z, "1000");
                    d.same(c);
                    d.same("EXISTS", z);
                    d.same("TTL", z);
                }
                d.same("DEL", l);
                d.same(ladd);
                d.same("ZREMRANGEBYLEX", l, "-", "+");
                d.same("EXISTS", l);
            }
            d.same("DEL", z, l);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void pops(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String z = d.key("z");
            String y = d.key("y");
            String s = d.key("s");
            String none = d.key("none");
            d.same("DEL", z, y, s, none);
            d.same("SET", s, "v");
            String[] zadd = {"ZADD", z, "1", "a", "1", "b", "2", "c", "2.5", "d", "-inf", "e", "inf", "f"};
            String[][] tails = {{}, {"0"}, {"1"}, {"2"}, {"6"}, {"7"}, {"100"}, {"-1"}, {"-100"}, {"x"}, {"1.5"},
                {""}, {"9223372036854775807"}, {"-9223372036854775808"}, {"1", "2"}, {"01"}, {"+2"}, {" 2"}};
            for (String cmd : new String[] {"ZPOPMIN", "ZPOPMAX"}) {
                for (String[] tail : tails) {
                    d.same("DEL", z);
                    d.same(zadd);
                    d.same(cat(new String[] {cmd, z}, tail));
                    d.same("ZRANGE", z, "0", "-1", "WITHSCORES");
                    d.same(cat(new String[] {cmd, none}, tail));
                    d.same(cat(new String[] {cmd, s}, tail));
                }
            }
            d.same("DEL", z);
            d.same(zadd);
            d.same("ZADD", y, "5", "x", "6", "y");
            for (String[] c : new String[][] {{"ZMPOP", "1", z, "MIN"}, {"ZMPOP", "1", z, "MAX"},
                    {"ZMPOP", "1", z, "min", "count", "2"}, {"ZMPOP", "1", z, "MAX", "COUNT", "1"},
                    {"ZMPOP", "2", none, y, "MIN"}, {"ZMPOP", "2", y, z, "MAX", "COUNT", "5"},
                    {"ZMPOP", "3", none, none, z, "MIN", "COUNT", "1"}, {"ZMPOP", "2", none, none, "MIN"},
                    {"ZMPOP", "1", none, "MAX", "COUNT", "3"}, {"ZMPOP", "2", none, s, "MIN"},
                    {"ZMPOP", "2", s, z, "MIN"}, {"ZMPOP", "0", z, "MIN"}, {"ZMPOP", "-1", z, "MIN"},
                    {"ZMPOP", "x", z, "MIN"}, {"ZMPOP", "2", z, "MIN"}, {"ZMPOP", "3", z, "MIN"},
                    {"ZMPOP", "1", z, "FOO"}, {"ZMPOP", "1", z, "MIN", "COUNT"}, {"ZMPOP", "1", z, "MIN", "COUNT",
                    "0"}, {"ZMPOP", "1", z, "MIN", "COUNT", "-1"}, {"ZMPOP", "1", z, "MIN", "COUNT", "x"},
                    {"ZMPOP", "1", z, "MIN", "COUNT", "1", "COUNT", "1"}, {"ZMPOP", "1", z, "MIN", "FOO", "1"},
                    {"ZMPOP", "1", z, "MIN", "MAX"}, {"ZMPOP", "1", z, "MIN", "COUNT", "9223372036854775807"},
                    {"ZMPOP", "1", none, "MIN", "COUNT", "0"}, {"ZMPOP", "9223372036854775807", z, "MIN"},
                    {"ZMPOP", "1", z, "MIN", "COUNT", "1.5"}, {"EXISTS", z}, {"EXISTS", y}}) {
                d.same(c);
            }
            // The blocking pops when they need not block: a member at once, the errors, a timeout that passes
            // (10 ms), and inside a transaction (a null array at once).
            d.same("DEL", z, y);
            d.same(zadd);
            d.same("ZADD", y, "5", "x", "6", "y");
            for (String[] c : new String[][] {{"BZPOPMIN", z, "0"}, {"BZPOPMAX", z, "1"}, {"BZPOPMIN", none, z, "0"},
                    {"BZPOPMAX", none, y, z, "0.5"}, {"BZPOPMIN", none, "0.01"}, {"BZPOPMAX", none, none, ".01"},
                    {"BZPOPMIN", s, "0"}, {"BZPOPMIN", none, s, "0"}, {"BZPOPMIN", z, "-1"}, {"BZPOPMIN", z, "x"},
                    {"BZPOPMIN", z, "inf"}, {"BZPOPMIN", z, "-inf"}, {"BZPOPMIN", z, "1e30"}, {"BZPOPMIN", z, ""},
                    {"BZPOPMIN", z, "0x10"}, {"BZMPOP", "0", "1", z, "MIN"}, {"BZMPOP", "0", "2", none, y, "MAX",
                    "COUNT", "5"}, {"BZMPOP", "0.01", "1", none, "MIN"}, {"BZMPOP", "0", "1", s, "MIN"},
                    {"BZMPOP", "-1", "1", z, "MIN"}, {"BZMPOP", "x", "1", z, "MIN"}, {"BZMPOP", "0", "0", z, "MIN"},
                    {"BZMPOP", "x", "0", z, "MIN"}, {"BZMPOP", "0", "1", z, "FOO"}, {"BZMPOP", "0", "1", z, "MIN",
                    "COUNT", "0"}, {"BZMPOP", "0", "2", z, "MIN"}, {"EXISTS", y}, {"MULTI"}, {"BZPOPMIN", none, "0"},
                    {"BZPOPMAX", z, "0"}, {"BZMPOP", "0", "1", none, "MIN"}, {"EXEC"}}) {
                d.same(c);
            }
            // Ties popped in member order, from both ends; a big skiplist.
            d.same("DEL", z);
            List<String> big = new ArrayList<>(List.of("ZADD", z));
            for (int i = 0; i < 200; i++) {
                big.add(Integer.toString(i % 5));
                big.add("m" + (i * 7919 % 200));
            }
            d.same(big.toArray(String[]::new));
            d.same("OBJECT", "ENCODING", z);
            for (int i = 0; i < 6; i++) {
                d.same("ZPOPMIN", z, Integer.toString(i * 7));
                d.same("ZPOPMAX", z, Integer.toString(i * 5));
                d.same("ZMPOP", "1", z, i % 2 == 0 ? "MIN" : "MAX", "COUNT", Integer.toString(i + 3));
                d.same("ZCARD", z);
                d.same("OBJECT", "ENCODING", z);
            }
            d.same("ZPOPMIN", z, "1000");
            d.same("EXISTS", z);
            d.same("DEL", z, y, s, none);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void zrandmember(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String[][] sets = {{d.key("small"), "1", "a", "2", "b", "1.5", "c", "inf", "d", "-0", "e"},
                {d.key("one"), "3.5", "x"}, {d.key("none")}};
            String[][] tails = {{}, {"0"}, {"1"}, {"2"}, {"4"}, {"5"}, {"6"}, {"100"}, {"-1"}, {"-2"}, {"-5"},
                {"-20"}, {"x"}, {"1.5"}, {""}, {"01"}, {"-0"}, {"9223372036854775808"}, {"1", "x"},
                {"1", "WITHSCORES", "x"}, {"0", "WITHSCORES"}, {"1", "WITHSCORES"}, {"3", "WITHSCORES"},
                {"5", "withscores"}, {"10", "WITHSCORES"}, {"-1", "WITHSCORES"}, {"-7", "WITHSCORES"},
                {"x", "WITHSCORES"}, {"9223372036854775807", "WITHSCORES"}, {"-9223372036854775808"},
                {"-9223372036854775808", "WITHSCORES"}, {"4611686018427387904", "WITHSCORES"},
                {"-4611686018427387904", "WITHSCORES"}, {"9223372036854775807"}};
            for (String[] set : sets) {
                d.same("DEL", set[0]);
                if (set.length > 1) {
                    d.same(cat(new String[] {"ZADD"}, set));
                }
                for (String[] tail : tails) {
                    randmember(d, cat(new String[] {"ZRANDMEMBER", set[0]}, tail));
                }
            }
            // Many draws, from a listpack and from a skiplist.
            String k = d.key("many");
            for (String entries : new String[] {"128", "0"}) {
                d.same("CONFIG", "SET", "zset-max-listpack-entries", entries);
                d.same("DEL", k);
                List<String> add = new ArrayList<>(List.of("ZADD", k));
                for (int i = 0; i < 12; i++) {
                    add.add(new String[] {"1", "0.5", "1e17", "-inf", "2"}[i % 5]);
                    add.add("m" + i);
                }
                d.same(add.toArray(String[]::new));
                d.same("OBJECT", "ENCODING", k);
                for (int i = 0; i < 10; i++) {
                    randmember(d, "ZRANDMEMBER", k);
                    randmember(d, "ZRANDMEMBER", k, "3");
                    randmember(d, "ZRANDMEMBER", k, "10", "WITHSCORES"); // most of it: Redis' other strategy
                    randmember(d, "ZRANDMEMBER", k, "-15", "WITHSCORES");
                    randmember(d, "ZRANDMEMBER", k, "12", "WITHSCORES");
                }
            }
            d.same("DEL", k, d.key("small"), d.key("one"));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void unionInterDiff(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String a = d.key("a");
            String b = d.key("b");
            String c = d.key("c");
            String set = d.key("set");
            String iset = d.key("iset");
            String none = d.key("none");
            String dst = d.key("dst");
            d.same("DEL", a, b, c, set, iset, none, dst);
            d.same("ZADD", a, "1", "x", "2", "y", "3", "z", "0.1", "p", "inf", "i", "-inf", "n");
            d.same("ZADD", b, "10", "y", "0.2", "z", "1", "w", "0.3", "p", "-inf", "i", "inf", "n");
            d.same("ZADD", c, "5", "x", "5", "y", "5", "q", "0.3", "p");
            d.same("SADD", set, "x", "w", "v", "p");
            d.same("SADD", iset, "1", "2", "3");
            String[][] keyLists = {{a}, {a, b}, {b, a}, {a, b, c}, {c, b, a}, {a, a}, {a, none}, {none, a},
                {a, set}, {set, a}, {a, b, set, c}, {set}, {iset, a}, {iset, set}, {none}, {none, none}};
            String[][] options = {{}, {"WITHSCORES"}, {"AGGREGATE", "MIN", "WITHSCORES"}, {"AGGREGATE", "max",
                "WITHSCORES"}, {"AGGREGATE", "SUM", "WITHSCORES"}, {"AGGREGATE", "FOO"}, {"AGGREGATE"},
                {"WITHSCORES", "WITHSCORES"}, {"FOO"}, {"WEIGHTS"}};
            for (String[] keys : keyLists) {
                String n = Integer.toString(keys.length);
                List<String[]> weightSets = new ArrayList<>();
                weightSets.add(new String[0]);
                for (String w : new String[] {"2", "0", "-1", "0.5", "inf", "-inf", "x", "nan", "1e400", " 1"}) {
                    String[] ws = new String[keys.length + 1];
                    ws[0] = "WEIGHTS";
                    Arrays.fill(ws, 1, ws.length, "1");
                    ws[ws.length - 1] = w;
                    weightSets.add(ws);
                }
                weightSets.add(new String[] {"WEIGHTS", "1", "2", "3", "4", "5"});
                for (String op : new String[] {"ZUNION", "ZINTER", "ZDIFF"}) {
                    for (String[] o : options) {
                        d.same(cat(new String[] {op, n}, keys, o));
                    }
                    for (String[] ws : weightSets) {
                        d.same(cat(new String[] {op, n}, keys, ws, new String[] {"WITHSCORES"}));
                        d.same(cat(new String[] {op, n}, keys, ws, new String[] {"AGGREGATE", "MAX", "WITHSCORES"}));
                    }
                    String store = op + "STORE";
                    d.same(cat(new String[] {store, dst, n}, keys));
                    d.same("ZRANGE", dst, "0", "-1", "WITHSCORES");
                    d.same("OBJECT", "ENCODING", dst);
                    d.same(cat(new String[] {store, dst, n}, keys, new String[] {"AGGREGATE", "MIN"}));
                    d.same("ZRANGE", dst, "0", "-1", "WITHSCORES");
                    d.same(cat(new String[] {store, dst, n}, keys, new String[] {"WITHSCORES"}));
                    d.same("EXISTS", dst);
                }
                d.same(cat(new String[] {"ZINTERCARD", n}, keys));
                d.same(cat(new String[] {"ZINTERCARD", n}, keys, new String[] {"LIMIT", "1"}));
            }
            for (String[] cmd : new String[][] {{"ZUNION", "0", a}, {"ZUNION", "-1", a}, {"ZUNION", "x", a},
                    {"ZUNION", "3", a, b}, {"ZINTER", "0"}, {"ZDIFF", "2", a}, {"ZUNIONSTORE", dst, "0", a},
                    {"ZINTERSTORE", dst, "3", a}, {"ZDIFFSTORE", dst, "x", a}, {"ZUNION", "1", a, "WEIGHTS", "1",
                    "2"}, {"ZUNION", "2", a, b, "WEIGHTS", "1"}, {"ZUNION", "2", a, b, "WEIGHTS", "1", "x"},
                    {"ZUNION", "2", a, b, "AGGREGATE", "SUM", "AGGREGATE", "MIN", "WITHSCORES"},
                    {"ZUNION", "2", a, b, "WEIGHTS", "1", "2", "WEIGHTS", "3", "4", "WITHSCORES"},
                    {"ZDIFF", "2", a, b, "WEIGHTS", "1", "2"}, {"ZDIFF", "2", a, b, "AGGREGATE", "MIN"},
                    {"ZDIFFSTORE", dst, "2", a, b, "WITHSCORES"}, {"ZUNIONSTORE", dst, "1", a, "WITHSCORES"},
                    {"ZUNION", "9223372036854775807", a}, {"ZUNION", "2147483648", a},
                    {"ZINTERCARD", "0", a}, {"ZINTERCARD", "-1", a}, {"ZINTERCARD", "x", a},
                    {"ZINTERCARD", "3", a, b}, {"ZINTERCARD", "2", a, b, "LIMIT"}, {"ZINTERCARD", "2", a, b,
                    "LIMIT", "-1"}, {"ZINTERCARD", "2", a, b, "LIMIT", "x"}, {"ZINTERCARD", "2", a, b, "LIMIT",
                    "0"}, {"ZINTERCARD", "2", a, b, "LIMIT", "2"}, {"ZINTERCARD", "2", a, b, "limit", "100"},
                    {"ZINTERCARD", "2", a, b, "LIMIT", "1", "LIMIT", "3"}, {"ZINTERCARD", "2", a, b, "FOO"},
                    {"ZINTERCARD", "2", a, b, "FOO", "1"}, {"ZINTERCARD", "1", a, "LIMIT", "1.5"},
                    {"ZINTERCARD", "2", a, set}}) {
                d.same(cmd);
            }
            // Redis combines the inputs smallest first (by cardinality), whatever order they are named in:
            // where +inf meets -inf (NaN, made 0) and in the rounding of fractions, the order shows.
            String p = d.key("p");
            String q = d.key("q");
            String r = d.key("r");
            d.same("DEL", p, q, r);
            d.same("ZADD", p, "-inf", "m", "1", "x", "2", "y");
            d.same("ZADD", q, "inf", "m");
            d.same("ZUNION", "3", p, q, q, "WITHSCORES");
            d.same("ZUNIONSTORE", dst, "3", p, q, q);
            d.same("ZSCORE", dst, "m");
            d.same("ZADD", p, "0.1", "m");
            d.same("ZADD", q, "0.2", "m");
            d.same("ZADD", r, "0.3", "m", "5", "z");
            for (String[] keys : new String[][] {{p, q, r}, {p, r, q}, {r, q, p}}) {
                d.same(cat(new String[] {"ZUNION", "3"}, keys, new String[] {"WITHSCORES"}));
                d.same(cat(new String[] {"ZINTER", "3"}, keys, new String[] {"WITHSCORES"}));
                d.same(cat(new String[] {"ZINTERSTORE", dst, "3"}, keys));
                d.same("ZSCORE", dst, "m");
            }
            d.same("DEL", p, q, r);
            // NaN from inf - inf (a weight, or SUM) becomes 0; store into a source; store over other types.
            d.same("ZUNION", "2", a, b, "WITHSCORES");
            d.same("ZINTER", "2", a, b, "WEIGHTS", "inf", "inf", "WITHSCORES");
            d.same("ZUNION", "1", a, "WEIGHTS", "0", "WITHSCORES");
            d.same("SET", dst, "string");
            d.same("EXPIRE", dst, "1000");
            d.same("ZUNIONSTORE", dst, "2", a, b);
            d.same("TTL", dst);
            d.same("TYPE", dst);
            d.same("ZUNIONSTORE", a, "2", a, b, "WEIGHTS", "1", "-1");
            d.same("ZRANGE", a, "0", "-1", "WITHSCORES");
            d.same("ZINTERSTORE", set, "2", set, c);
            d.same("TYPE", set);
            d.same("ZRANGE", set, "0", "-1", "WITHSCORES");
            d.same("SET", dst, "string");
            d.same("ZINTERSTORE", dst, "2", d.key("none"), a);
            d.same("EXISTS", dst);
            d.same("SET", dst, "string");
            d.same("ZUNIONSTORE", dst, "2", a, dst);
            d.same("GET", dst);
            // Results past the listpack limits are skiplists; small ones listpacks, even from skiplists.
            List<String> big = new ArrayList<>(List.of("ZADD", b));
            for (int i = 0; i < 150; i++) {
                big.add(Integer.toString(i % 9));
                big.add("e" + i);
            }
            d.same(big.toArray(String[]::new));
            d.same("OBJECT", "ENCODING", b);
            d.same("ZUNIONSTORE", dst, "2", b, c);
            d.same("OBJECT", "ENCODING", dst);
            d.same("ZINTERSTORE", dst, "2", b, c);
            d.same("OBJECT", "ENCODING", dst);
            d.same("ZRANGE", dst, "0", "-1", "WITHSCORES");
            d.same("ZDIFFSTORE", dst, "2", b, c);
            d.same("OBJECT", "ENCODING", dst);
            d.same("ZRANGESTORE", dst, b, "0", "9");
            d.same("OBJECT", "ENCODING", dst);
            d.same("ZRANGESTORE", dst, b, "0", "-1");
            d.same("OBJECT", "ENCODING", dst);
            d.same("ZADD", c, "1", LONG);
            d.same("ZUNIONSTORE", dst, "1", c);
            d.same("OBJECT", "ENCODING", dst);
            d.same("ZUNION", "3", b, c, a, "WITHSCORES");
            d.same("ZINTER", "2", b, b, "WITHSCORES", "AGGREGATE", "MIN");
            d.same("ZDIFF", "2", b, a, "WITHSCORES");
            d.same("ZINTERCARD", "2", b, b);
            d.same("ZINTERCARD", "2", b, b, "LIMIT", "17");
            d.same("DEL", a, b, c, set, iset, none, dst);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void zscanBothEncodings(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String lp = d.key("lp");
            String sl = d.key("sl");
            String none = d.key("none");
            d.same("DEL", lp, sl, none);
            d.same("ZADD", lp, "1", "a1", "2", "b2", "1.5", "a3", "inf", "[x]", "-0", "*", "1e17", "\u00e9", "3",
                    "", "0.1", "10");
            List<String> add = new ArrayList<>(List.of("ZADD", sl));
            for (int n = 0; n < 200; n++) {
                add.add(new String[] {"1", "1.5", "-inf", "1e17", "123456789012345678", "0.1"}[n % 6]);
                add.add("m" + n);
            }
            d.same(add.toArray(String[]::new));
            d.same("OBJECT", "ENCODING", lp);
            d.same("OBJECT", "ENCODING", sl);
            String[][] tails = {{}, {"MATCH", "1*"}, {"MATCH", "*3"}, {"match", "?1"}, {"MATCH", "[ab]?"},
                {"MATCH", "\\[*"}, {"MATCH", "["}, {"MATCH", ""}, {"MATCH", "*"}, {"MATCH", "m1?"}, {"COUNT", "1"},
                {"COUNT", "5"}, {"COUNT", "1000"}, {"count", "2", "MATCH", "m*"}, {"MATCH", "a*", "MATCH", "m*"}};
            for (String[] tail : tails) {
                for (String cursor : new String[] {"0", "7", "18446744073709551615", "-1", "+3", ""}) {
                    d.same(cat(new String[] {"ZSCAN", lp, cursor}, tail)); // a listpack comes whole
                    d.same(cat(new String[] {"ZSCAN", none, cursor}, tail));
                }
                zscan(d, sl, tail);
            }
            for (String[] bad : new String[][] {{"x"}, {" 0"}, {"0 "}, {"18446744073709551616"}, {"0x10"}, {"0", "MATCH"},
                    {"0", "COUNT"}, {"0", "COUNT", "0"}, {"0", "COUNT", "-1"}, {"0", "COUNT", "x"},
                    {"0", "FOO", "bar"}, {"0", "TYPE", "zset"}, {"0", "NOVALUES"}}) {
                for (String k : new String[] {lp, sl, none}) {
                    d.same(cat(new String[] {"ZSCAN", k}, bad));
                }
            }
            d.same("DEL", lp, sl);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void encodings(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String z = d.key("z");
            String z2 = d.key("z2");
            String dst = d.key("dst");
            d.same("DEL", z, z2, dst);
            for (String name : new String[] {"zset-max-listpack-entries", "zset-max-listpack-value",
                    "zset-max-ziplist-entries", "zset-max-ziplist-value"}) {
                d.same("CONFIG", "GET", name);
            }
            // 128 members: a listpack; the 129th: a skiplist, which stays one when members go.
            List<String> add = new ArrayList<>(List.of("ZADD", z));
            for (int i = 0; i < 128; i++) {
                add.add(Integer.toString(i % 3));
                add.add("m" + i);
            }
            d.same(add.toArray(String[]::new));
            d.same("OBJECT", "ENCODING", z);
            d.same("ZADD", z, "1", "m0");
            d.same("OBJECT", "ENCODING", z);
            d.same("ZADD", z, "1", "m128");
            d.same("OBJECT", "ENCODING", z);
            d.same("ZREMRANGEBYRANK", z, "0", "100");
            d.same("OBJECT", "ENCODING", z);
            d.same("ZRANGE", z, "0", "-1", "WITHSCORES");
            d.same("DEL", z);
            add.add("5");
            add.add("m128");
            d.same(add.toArray(String[]::new)); // 129 at once
            d.same("OBJECT", "ENCODING", z);
            // A member of 64 bytes, then of 65; the first member decides the new key's encoding.
            d.same("DEL", z);
            d.same("ZADD", z, "1", "x".repeat(64));
            d.same("OBJECT", "ENCODING", z);
            d.same("ZADD", z, "1", "x".repeat(65));
            d.same("OBJECT", "ENCODING", z);
            d.same("DEL", z);
            d.same("ZADD", z, "1", LONG, "2", "a");
            d.same("OBJECT", "ENCODING", z);
            d.same("DEL", z);
            d.same("ZADD", z, "1", "a", "2", LONG);
            d.same("OBJECT", "ENCODING", z);
            d.same("ZREM", z, LONG);
            d.same("OBJECT", "ENCODING", z);
            d.same("DEL", z);
            d.same("ZINCRBY", z, "1", LONG);
            d.same("OBJECT", "ENCODING", z);
            d.same("DEL", z);
            d.same("ZADD", z, "XX", "1", LONG);
            d.same("EXISTS", z);
            // CONFIG SET of both limits: later writes follow them, existing keys stay.
            d.same("ZADD", z, "1", "a", "2", "b", "3", "c", "4", "d");
            for (String[] c : new String[][] {{"CONFIG", "SET", "zset-max-listpack-entries", "3"},
                    {"CONFIG", "GET", "zset-max-listpack-entries"}, {"OBJECT", "ENCODING", z},
                    {"ZRANGESTORE", dst, z, "0", "-1"}, {"OBJECT", "ENCODING", dst},
                    {"ZRANGESTORE", dst, z, "0", "2"}, {"OBJECT", "ENCODING", dst},
                    {"ZUNIONSTORE", dst, "1", z}, {"OBJECT", "ENCODING", dst}, {"ZADD", z, "5", "e"},
                    {"OBJECT", "ENCODING", z}, {"ZADD", z2, "1", "a", "2", "b", "3", "c"}, {"OBJECT", "ENCODING", z2},
                    {"ZADD", z2, "4", "d"}, {"OBJECT", "ENCODING", z2}, {"CONFIG", "SET", "zset-max-listpack-entries",
                    "0"}, {"DEL", z2}, {"ZADD", z2, "1", "a"}, {"OBJECT", "ENCODING", z2},
                    {"CONFIG", "SET", "zset-max-listpack-entries", "128"}, {"CONFIG", "SET",
                    "zset-max-listpack-value", "3"}, {"CONFIG", "GET", "zset-max-listpack-value"},
                    {"DEL", z2}, {"ZADD", z2, "1", "abc"}, {"OBJECT", "ENCODING", z2}, {"ZADD", z2, "1", "abcd"},
                    {"OBJECT", "ENCODING", z2}, {"DEL", z2}, {"ZADD", z2, "1", "abcd"}, {"OBJECT", "ENCODING", z2},
                    {"ZUNIONSTORE", dst, "1", z2}, {"OBJECT", "ENCODING", dst}, {"ZREM", z2, "abcd"},
                    {"ZADD", z2, "1", "abc"}, {"ZUNIONSTORE", dst, "1", z2}, {"OBJECT", "ENCODING", dst},
                    {"CONFIG", "SET", "zset-max-ziplist-value", "10"}, {"CONFIG", "GET", "zset-max-listpack-value"},
                    {"CONFIG", "SET", "zset-max-ziplist-entries", "7"}, {"CONFIG", "GET", "zset-max-listpack-entries"},
                    {"CONFIG", "GET", "zset-max-ziplist-entries"}}) {
                d.same(c);
            }
            for (String v : new String[] {"-1", "x", "", "1.5", "9223372036854775808", "1k"}) {
                d.same("CONFIG", "SET", "zset-max-listpack-entries", v);
                d.same("CONFIG", "SET", "zset-max-listpack-value", v);
            }
            d.same("CONFIG", "GET", "zset-max-listpack-entries");
            d.same("CONFIG", "GET", "zset-max-listpack-value");
            d.same("CONFIG", "SET", "zset-max-listpack-entries", DEFAULT_ENTRIES);
            d.same("CONFIG", "SET", "zset-max-listpack-value", DEFAULT_VALUE);
            d.same("DEL", z, z2, dst);
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
            d.same("DEL", k, k2, k3, s);
            d.same("ZADD", k, "1", "a", "2", "b");
            d.same("TYPE", k);
            d.same("EXISTS", k);
            d.same("EXPIRE", k, "100");
            d.ttl("TTL", k);
            d.same("ZADD", k, "3", "c");
            d.same("ZINCRBY", k, "1", "a");
            d.same("ZREM", k, "b");
            d.ttl("TTL", k);
            d.same("PERSIST", k);
            d.same("TTL", k);
            d.same("EXPIRE", k, "100");
            d.same("RENAME", k, k2);
            d.same("EXISTS", k);
            d.ttl("PTTL", k2);
            d.same("TYPE", k2);
            d.same("OBJECT", "ENCODING", k2);
            d.same("ZRANGE", k2, "0", "-1", "WITHSCORES");
            d.same("COPY", k2, k);
            d.ttl("TTL", k);
            d.same("ZRANGE", k, "0", "-1", "WITHSCORES");
            d.same("COPY", k2, k);
            d.same("ZADD", k, "9", "only in the copy");
            d.same("ZSCORE", k2, "only in the copy");
            d.same("COPY", k2, k, "REPLACE");
            d.same("ZSCORE", k, "only in the copy");
            d.same("COPY", k2, k2);
            d.same("SET", s, "text");
            d.same("COPY", k2, s);
            d.same("COPY", k2, s, "REPLACE");
            d.same("TYPE", s);
            d.same("ZRANGE", s, "0", "-1", "WITHSCORES");
            // A skiplist moved and copied: still a skiplist, with its members and scores.
            List<String> add = new ArrayList<>(List.of("ZADD", k3));
            for (int i = 0; i < 140; i++) {
                add.add(Integer.toString(i % 4));
                add.add("m" + i);
            }
            d.same(add.toArray(String[]::new));
            d.same("COPY", k3, k2, "REPLACE");
            d.same("TTL", k2);
            d.same("OBJECT", "ENCODING", k2);
            d.same("ZRANGE", k2, "0", "-1", "WITHSCORES");
            d.same("RENAME", k3, s);
            d.same("OBJECT", "ENCODING", s);
            d.same("ZCARD", s);
            d.same("RENAMENX", s, k);
            d.same("RENAME", s, s);
            d.same("RENAME", d.key("none"), s);
            // EXPIRE in the past deletes; an expired zset is gone for every command.
            d.same("EXPIRE", s, "0");
            d.same("EXISTS", s);
            d.same("ZADD", s, "1", "x");
            d.same("PEXPIRE", s, "-1");
            d.same("ZCARD", s);
            d.same("DEL", k, k2, k3, s);
            d.same("DEL", k);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void anExpiredZsetIsGone(int protocol) throws Exception {
        try (Duo d = new Duo(servers, protocol)) {
            String[] keys = new String[14];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = d.key("exp" + i);
                d.same("DEL", keys[i]);
                d.same("ZADD", keys[i], "1", "a", "2", "b");
                d.same("PEXPIRE", keys[i], "20");
            }
            String other = d.key("exp-other");
            d.same("DEL", other);
            d.same("ZADD", other, "1", "a");
            Thread.sleep(150); // well past the TTL on both servers
            int i = 0;
            for (String[] c : new String[][] {{"ZRANGE", keys[i++], "0", "-1"}, {"ZCARD", keys[i++]},
                    {"ZSCORE", keys[i++], "a"}, {"ZADD", keys[i++], "XX", "9", "a"}, {"ZREM", keys[i++], "a"},
                    {"ZPOPMIN", keys[i++]}, {"ZRANDMEMBER", keys[i++], "-3"}, {"ZMPOP", "1", keys[i++], "MIN"},
                    {"ZUNION", "2", keys[i++], other, "WITHSCORES"}, {"ZUNIONSTORE", keys[i++], "1", keys[i - 1]},
                    {"ZSCAN", keys[i++], "0"}, {"ZINTERCARD", "1", keys[i++]}, {"TYPE", keys[i++]},
                    {"ZINCRBY", keys[i++], "1", "a"}}) {
                d.same(c);
            }
            for (String k : keys) {
                d.same("ZRANGE", k, "0", "-1", "WITHSCORES");
                d.same("TTL", k);
            }
            d.same(cat(new String[] {"DEL", other}, keys));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void transactions(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String t = d.key("t");
            String t2 = d.key("t2");
            String u = d.key("u");
            String s = d.key("s");
            d.same("DEL", t, t2, u, s);
            d.same("MULTI");
            for (String[] c : new String[][] {{"ZADD", t, "3", "c", "1", "a", "2", "b"}, {"ZCARD", t},
                    {"ZRANGE", t, "0", "-1", "WITHSCORES"}, {"ZSCORE", t, "b"}, {"ZMSCORE", t, "a", "x"},
                    {"ZINCRBY", t, "1.5", "a"}, {"ZADD", t, "INCR", "1", "b"}, {"ZADD", t, "NX", "INCR", "1", "b"},
                    {"ZRANK", t, "a"}, {"ZREM", t, "c"}, {"SET", s, "v"}, {"ZADD", s, "1", "a"}, {"GET", t},
                    {"ZADD", u, "5", "a", "6", "z"}, {"ZUNION", "2", t, u, "WITHSCORES"}, {"ZINTER", "2", t, u},
                    {"ZDIFF", "2", t, u, "WITHSCORES"}, {"ZINTERCARD", "2", t, u}, {"ZUNIONSTORE", t2, "2", t, u},
                    {"ZRANGESTORE", t2, t2, "0", "1"}, {"ZRANGE", t2, "-inf", "+inf", "BYSCORE", "WITHSCORES"},
                    {"ZPOPMIN", t2}, {"ZPOPMAX", t2, "5"}, {"ZMPOP", "2", t2, u, "MAX", "COUNT", "1"},
                    {"ZRANDMEMBER", u, "0"}, {"OBJECT", "ENCODING", t}, {"ZADD", t, "1", LONG},
                    {"OBJECT", "ENCODING", t}, {"ZREMRANGEBYSCORE", t, "-inf", "+inf"}, {"EXISTS", t},
                    {"ZCOUNT", u, "-inf", "+inf"}, {"ZREMRANGEBYRANK", u, "0", "0"}, {"TYPE", u}}) {
                d.same(c);
            }
            d.same("EXEC");
            // A command refused at queue time aborts the transaction.
            d.same("MULTI");
            d.same("ZADD", t, "1", "a");
            d.same("ZADD", t, "1");
            d.same("ZCARD");
            d.same("EXEC");
            d.same("EXISTS", t);
            // Errors at run time do not.
            d.same("MULTI");
            d.same("ZADD", t, "1", "a");
            d.same("ZADD", t, "x", "a");
            d.same("ZADD", t, "NX", "XX", "1", "a");
            d.same("ZINCRBY", t, "inf", "a");
            d.same("ZINCRBY", t, "-inf", "a");
            d.same("ZPOPMIN", t, "-1");
            d.same("ZRANGE", t, "0", "-1", "LIMIT", "0", "1");
            d.same("ZRANGEBYLEX", t, "-", "+", "WITHSCORES");
            d.same("ZUNION", "0", t);
            d.same("ZMPOP", "1", t, "MIN", "COUNT", "0");
            d.same("GET", t);
            d.same("ZADD", t, "2", "b");
            d.same("ZRANGE", t, "0", "-1", "WITHSCORES");
            d.same("EXEC");
            d.same("MULTI");
            d.same("ZREM", t, "a");
            d.same("ZADD", t, "5", "e");
            d.same("DISCARD");
            d.same("ZRANGE", t, "0", "-1", "WITHSCORES");
            d.same("DEL", t, t2, u, s);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void watchSeesChangesToAZset(int protocol) throws IOException {
        String[][][] cases = {
            {{"ZADD", "w", "1", "a"}, {"ZADD", "w", "1", "a"}}, // no change: not touched
            {{"ZADD", "w", "1", "a"}, {"ZADD", "w", "2", "a"}},
            {{"ZADD", "w", "1", "a"}, {"ZADD", "w", "1", "b"}},
            {{"ZADD", "w", "1", "a"}, {"ZADD", "w", "NX", "2", "a"}}, // no change
            {{"ZADD", "w", "1", "a"}, {"ZADD", "w", "XX", "2", "b"}}, // no change
            {{"ZADD", "w", "1", "a"}, {"ZADD", "w", "GT", "0", "a"}}, // no change
            {{"ZADD", "w", "1", "a"}, {"ZADD", "w", "INCR", "0", "a"}},
            {{"ZADD", "w", "1", "a"}, {"ZINCRBY", "w", "0", "a"}},
            {{"ZADD", "w", "1", "a"}, {"ZINCRBY", "w", "1", "a"}},
            {{"ZADD", "w", "inf", "a"}, {"ZINCRBY", "w", "-inf", "a"}}, // NaN: an error
            {{"ZADD", "w", "1", "a"}, {"ZREM", "w", "b"}}, // no change
            {{"ZADD", "w", "1", "a", "2", "b"}, {"ZREM", "w", "a"}},
            {{"ZADD", "w", "1", "a"}, {"ZREM", "w", "a"}}, // deletes the key
            {{"ZADD", "w", "1", "a"}, {"ZPOPMIN", "w", "0"}},
            {{"ZADD", "w", "1", "a"}, {"ZPOPMIN", "w"}},
            {{"ZADD", "w", "1", "a", "2", "b"}, {"ZPOPMAX", "w"}},
            {{"ZADD", "w", "1", "a"}, {"ZMPOP", "1", "w", "MIN"}},
            {{"ZADD", "w", "1", "a"}, {"ZREMRANGEBYSCORE", "w", "5", "6"}}, // no change
            {{"ZADD", "w", "1", "a"}, {"ZREMRANGEBYRANK", "w", "0", "0"}},
            {{"ZADD", "w", "0", "a"}, {"ZREMRANGEBYLEX", "w", "-", "+"}},
            {{"ZADD", "w", "1", "a"}, {"ZRANDMEMBER", "w", "5"}},
            {{"ZADD", "w", "1", "a"}, {"ZRANGE", "w", "0", "-1"}},
            {{"ZADD", "w", "1", "a"}, {"ZSCORE", "w", "a"}},
            {{"ZADD", "w", "1", "a"}, {"ZSCAN", "w", "0"}},
            {{"ZADD", "w", "1", "a"}, {"ZRANGESTORE", "w2", "w", "0", "-1"}},
            {{"ZADD", "w2", "1", "a"}, {"ZRANGESTORE", "w", "w2", "0", "-1"}},
            {{"ZADD", "w", "1", "a"}, {"ZRANGESTORE", "w", "w2", "0", "-1"}}, // empty: deletes w
            {{"DEL", "w"}, {"ZRANGESTORE", "w", "w2", "0", "-1"}}, // empty, nothing to delete
            {{"ZADD", "w", "1", "a"}, {"ZADD", "w2", "2", "b"}, {"ZUNIONSTORE", "w", "1", "w2"}},
            {{"ZADD", "w", "1", "a"}, {"ZINTERSTORE", "w", "1", "w"}}, // same contents again
            {{"ZADD", "w", "1", "a"}, {"ZDIFFSTORE", "w", "2", "w", "w"}}, // empty: deletes w
            {{"ZADD", "w", "1", "a"}, {"ZUNIONSTORE", "w2", "1", "w"}},
            {{"SET", "w", "x"}, {"ZADD", "w", "1", "a"}}, // WRONGTYPE
            {{"ZADD", "w", "1", "a"}, {"DEL", "w"}},
            {{"ZADD", "w", "1", "a"}, {"EXPIRE", "w", "100"}},
            {{"ZADD", "w", "1", "a"}, {"RENAME", "w", "w2"}},
            {{"ZADD", "w2", "1", "a"}, {"COPY", "w2", "w"}},
        };
        String prefix = "r" + protocol + ".watch.";
        for (String[][] c : cases) {
            List<String> expected = Duo.watchRun(servers.redis.port, protocol, prefix, c, "ZRANGE", "w", "0", "-1",
                    "WITHSCORES");
            List<String> actual = Duo.watchRun(servers.qrrot.port(), protocol, prefix, c, "ZRANGE", "w", "0", "-1",
                    "WITHSCORES");
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
        System.out.println("ZSetDifferentialTest.randomCommands RESP" + protocol + " seed=" + seed
                + " (replay with -Dseed=" + seed + ")");
        Random rnd = new Random(seed);
        Generator g = new Generator(rnd, "r" + protocol + ".rnd.");
        try (Duo d = new Duo(servers, protocol)) {
            d.seed = seed;
            d.same(g.allKeys("DEL"));
            int sent = 0;
            while (sent < RANDOM_COMMANDS) {
                List<Step> batch = new ArrayList<>();
                while (batch.size() < BATCH && g.next(batch)) {
                    // until the batch is full or ends with a step that must be the last (RENAME, COPY)
                }
                sent += d.pipeline(batch);
                if (rnd.nextInt(4) == 0) {
                    zscan(d, g.anyKey(), g.scanOptions());
                }
            }
            d.same(g.allKeys("DEL"));
        }
        System.out.println("ZSetDifferentialTest.randomCommands RESP" + protocol + ": " + reencoded
                + " zset(s) renamed or copied with another encoding than Redis' (deleted on both, see moved())");
        reencoded = 0;
    }

    /**
     * Random commands over a few keys: general zsets, zsets that only ever get score 0 (for the lex commands),
     * and a string, a hash and a set. Scores come from a small pool with many ties, members from a small pool
     * with some binary ones, some of more than 64 bytes, and a larger pool that big ZADDs draw from, so that
     * keys cross 128 members.
     */
    private static final class Generator {
        private static final String[] SCORES = {"0", "1", "1", "2", "2", "3", "-1", "1.5", "2.5", "-2.5", "0.1",
            "0.2", "0.3", "10", "100", "1e17", "123456789012345678", "1e-5", "-0", "inf", "-inf", "+inf", "1e3",
            "0.5", "4503599627370497"};
        private static final String[] MEMBERS = {"a", "b", "c", "d", "e", "f", "g", "h", "aa", "ab", "1", "10", "2",
            "", "B"};
        private static final String[] ODD_MEMBERS = {"\u0000", "a\u0000b", "\u00e9", "\u00ff\u00fe", "x\r\ny",
            LONG, LONG + "b", "M".repeat(64)};
        private static final String[] INDEXES = {"0", "1", "2", "3", "-1", "-2", "-3", "5", "10", "50", "-100",
            "100", "200"};
        private static final String[] SCORE_BOUNDS = {"-inf", "+inf", "inf", "0", "1", "(1", "(0", "1.5", "(1.5",
            "-1", "2", "(2", "3", "(inf", "(-inf", "10", "1e17", "(2.5", "0.3"};
        private static final String[] LEX_BOUNDS = {"-", "+", "[a", "(a", "[b", "(b", "[c", "(d", "[e", "[aa",
            "(ab", "[", "(", "[m1", "(m5", "[\u0000", "[B", "[\u00ff"};
        private static final String[] OFFSETS = {"0", "0", "1", "2", "5", "-1"};
        private static final String[] LIMIT_COUNTS = {"0", "1", "2", "3", "10", "-1", "-5"};
        private static final String[] COUNTS = {"0", "1", "1", "2", "3", "5", "10", "200", "-1", "x"};
        private static final String[] RAND_COUNTS = {"0", "1", "2", "3", "5", "10", "150", "-1", "-2", "-5", "-20",
            "x"};
        private static final String[] WEIGHTS = {"1", "2", "0", "-1", "0.5", "1.5", "inf", "-inf"};
        private static final String[] VALUES = {"", "0", "1", "abc", "1.5", "x\u0000y"};
        private static final String[] SECONDS = {"100", "500", "1000", "0", "-1"};
        private static final String[] PATTERNS = {"*", "a*", "?", "m1*", "[a-c]*", "*0", "", "\u00e9*"};

        final Random rnd;
        final String prefix;
        /** General zsets. */
        final String[] zkeys;
        /** Zsets whose scores are all 0. */
        final String[] lkeys;
        final String string;
        final String hash;
        final String set;

        Generator(Random rnd, String prefix) {
            this.rnd = rnd;
            this.prefix = prefix;
            zkeys = new String[] {prefix + "z0", prefix + "z1", prefix + "z2", prefix + "z3"};
            lkeys = new String[] {prefix + "l0", prefix + "l1"};
            string = prefix + "str";
            hash = prefix + "hash";
            set = prefix + "set";
        }

        String[] allKeys(String command) {
            List<String> c = new ArrayList<>(List.of(command));
            c.addAll(List.of(zkeys));
            c.addAll(List.of(lkeys));
            c.addAll(List.of(string, hash, set));
            return c.toArray(String[]::new);
        }

        private String pick(String[] a) {
            return a[rnd.nextInt(a.length)];
        }

        /** A general key: mostly a zset, sometimes the string, the hash or the set. */
        private String zkey() {
            int r = rnd.nextInt(100);
            return r < 85 ? pick(zkeys) : r < 90 ? string : r < 95 ? hash : set;
        }

        /** A key of the lex commands: never a zset with another score than 0, nor another type. */
        private String lkey() {
            return pick(lkeys);
        }

        String anyKey() {
            return rnd.nextInt(4) == 0 ? lkey() : zkey();
        }

        /** A key that ZUNION, ZINTER, ZDIFF and ZINTERCARD read: a zset, a set, rarely another type. */
        private String inputKey() {
            int r = rnd.nextInt(100);
            return r < 65 ? pick(zkeys) : r < 80 ? pick(lkeys) : r < 95 ? set : pick(new String[] {string, hash});
        }

        private String member() {
            int r = rnd.nextInt(100);
            return r < 70 ? pick(MEMBERS) : r < 80 ? pick(ODD_MEMBERS) : "m" + rnd.nextInt(200);
        }

        private String score() {
            return pick(SCORES);
        }

        String[] scanOptions() {
            List<String> o = new ArrayList<>();
            if (rnd.nextBoolean()) {
                o.add("MATCH");
                o.add(pick(PATTERNS));
            }
            if (rnd.nextInt(3) == 0) {
                o.add("COUNT");
                o.add(pick(new String[] {"1", "2", "10", "0", "x"}));
            }
            return o.toArray(String[]::new);
        }

        /**
         * Appends one random command (with the commands its comparison needs, or a whole transaction).
         *
         * @return false when the step must be the last of its batch
         */
        boolean next(List<Step> out) {
            if (rnd.nextInt(40) == 0) {
                transaction(out);
                return true;
            }
            String[] c = command(true);
            if (rnd.nextInt(60) == 0) {
                c = mutateArity(c);
            }
            String name = c[0];
            if (name.equals("ZRANDMEMBER") && c.length >= 2) {
                out.add(randmember(c));
            } else if (name.equals("TTL")) {
                out.add(Step.time(c));
            } else if (name.equals("OBJECT") && c.length == 3) {
                out.add(new Step(new String[][] {c}, (d, cmds, r) -> checkEncoding(d, cmds[0], r[0])));
            } else if ((name.equals("RENAME") || name.equals("RENAMENX") || name.equals("COPY")) && c.length >= 3) {
                out.add(moved(c));
                return false;
            } else {
                out.add(Step.exact(c));
            }
            return true;
        }

        private void transaction(List<Step> out) {
            List<String[]> cmds = new ArrayList<>();
            cmds.add(new String[] {"MULTI"});
            for (int i = 0, n = 1 + rnd.nextInt(5); i < n; i++) {
                String[] c = command(false);
                if (rnd.nextInt(30) == 0 && !c[0].equals("OBJECT")) {
                    // The transaction is then aborted. (Not OBJECT ENCODING: Redis checks a subcommand's
                    // arity when it queues it, qrrot when it runs it.)
                    c = mutateArity(c);
                }
                cmds.add(c);
            }
            cmds.add(new String[] {rnd.nextInt(10) == 0 ? "DISCARD" : "EXEC"});
            out.add(new Step(cmds.toArray(String[][]::new), ZSetDifferentialTest::checkTransaction));
        }

        /** One argument fewer or one more (an arity or syntax error, or sometimes still valid). */
        private String[] mutateArity(String[] c) {
            if (rnd.nextBoolean() && c.length > 1) {
                return Arrays.copyOf(c, c.length - 1);
            }
            String[] m = Arrays.copyOf(c, c.length + 1);
            m[c.length] = pick(new String[] {"x", "a", "1", "0", "", "WITHSCORES", "LIMIT"});
            return m;
        }

        /** ZADD's options: a random, sometimes conflicting, subset. */
        private List<String> zaddOptions(boolean lex) {
            List<String> o = new ArrayList<>();
            if (rnd.nextInt(3) != 0) {
                return o;
            }
            for (String opt : new String[] {"NX", "XX", "GT", "LT", "CH", "INCR"}) {
                if (rnd.nextInt(5) == 0 && !(lex && opt.equals("INCR") && rnd.nextBoolean())) {
                    o.add(opt);
                }
            }
            return o;
        }

        private String[] zadd(String k, boolean lex) {
            List<String> c = new ArrayList<>(List.of("ZADD", k));
            List<String> opts = zaddOptions(lex);
            c.addAll(opts);
            int pairs = opts.contains("INCR") && rnd.nextInt(8) != 0 ? 1 : 1 + rnd.nextInt(4);
            if (!opts.contains("INCR") && rnd.nextInt(25) == 0) {
                pairs = 20 + rnd.nextInt(60); // grows the key past 128 members
            }
            for (int i = 0; i < pairs; i++) {
                c.add(lex ? "0" : score());
                c.add(pairs > 10 ? "m" + rnd.nextInt(300) : member());
            }
            if (rnd.nextInt(80) == 0) {
                c.add(lex ? "0" : score()); // an odd count of arguments
            }
            return c.toArray(String[]::new);
        }

        private String[] limit() {
            return rnd.nextInt(3) == 0 ? new String[] {"LIMIT", pick(OFFSETS), pick(LIMIT_COUNTS)} : new String[0];
        }

        private String[] withScores() {
            return rnd.nextBoolean() ? new String[] {"WITHSCORES"} : new String[0];
        }

        /** ZRANGE's arguments after the key (or ZRANGESTORE's after the source). */
        private String[] rangeArgs(boolean lex, boolean store) {
            int mode = lex ? rnd.nextInt(3) : rnd.nextInt(2); // 0 index, 1 score, 2 lex
            List<String> a = new ArrayList<>();
            boolean rev = rnd.nextInt(3) == 0;
            if (mode == 0) {
                a.add(pick(INDEXES));
                a.add(pick(INDEXES));
            } else if (mode == 1) {
                a.add(pick(SCORE_BOUNDS));
                a.add(pick(SCORE_BOUNDS));
                a.add("BYSCORE");
            } else {
                a.add(pick(LEX_BOUNDS));
                a.add(pick(LEX_BOUNDS));
                a.add("BYLEX");
            }
            if (rev) {
                a.add("REV");
            }
            if (mode != 0 || rnd.nextInt(20) == 0) {
                a.addAll(List.of(limit()));
            }
            if (!store && (mode != 2 || rnd.nextInt(20) == 0)) {
                a.addAll(List.of(withScores()));
            }
            return a.toArray(String[]::new);
        }

        private String[] setOp(String name) {
            boolean store = name.endsWith("STORE");
            int n = 1 + rnd.nextInt(3);
            List<String> c = new ArrayList<>(List.of(name));
            if (store) {
                c.add(zkey());
            }
            c.add(rnd.nextInt(80) == 0 ? pick(new String[] {"0", "-1", "x", "5"}) : Integer.toString(n));
            for (int i = 0; i < n; i++) {
                c.add(inputKey());
            }
            if (!name.startsWith("ZDIFF") && rnd.nextInt(3) == 0) {
                c.add("WEIGHTS");
                for (int i = 0; i < n; i++) {
                    c.add(pick(WEIGHTS));
                }
            }
            if (!name.startsWith("ZDIFF") && rnd.nextInt(3) == 0) {
                c.add("AGGREGATE");
                c.add(pick(new String[] {"SUM", "MIN", "MAX", "min"}));
            }
            if (!store && rnd.nextBoolean()) {
                c.add("WITHSCORES");
            }
            return c.toArray(String[]::new);
        }

        /** @param random whether ZRANDMEMBER, TTL, RENAME and COPY may appear (not inside a transaction) */
        private String[] command(boolean random) {
            boolean lex = rnd.nextInt(4) == 0;
            String k = lex ? lkey() : zkey();
            int r = rnd.nextInt(1000);
            if (r < 200) {
                return zadd(k, lex);
            } else if (r < 240) {
                return new String[] {"ZINCRBY", k, lex ? "0" : score(), member()};
            } else if (r < 300) {
                List<String> c = new ArrayList<>(List.of("ZREM", k));
                for (int i = 0, n = 1 + rnd.nextInt(3); i < n; i++) {
                    c.add(member());
                }
                return c.toArray(String[]::new);
            } else if (r < 315) {
                return new String[] {"ZCARD", k};
            } else if (r < 335) {
                return new String[] {"ZSCORE", k, member()};
            } else if (r < 345) {
                List<String> c = new ArrayList<>(List.of("ZMSCORE", k));
                for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) {
                    c.add(member());
                }
                return c.toArray(String[]::new);
            } else if (r < 365) {
                return new String[] {rnd.nextBoolean() ? "ZRANK" : "ZREVRANK", k, member()};
            } else if (r < 380) {
                return new String[] {"ZCOUNT", k, pick(SCORE_BOUNDS), pick(SCORE_BOUNDS)};
            } else if (r < 390) {
                return new String[] {"ZLEXCOUNT", lkey(), pick(LEX_BOUNDS), pick(LEX_BOUNDS)};
            } else if (r < 460) {
                return cat(new String[] {"ZRANGE", k}, rangeArgs(lex, false));
            } else if (r < 475) {
                String src = lex ? lkey() : zkey();
                String dst = lex ? lkey() : zkey();
                return cat(new String[] {"ZRANGESTORE", dst, src}, rangeArgs(lex, true));
            } else if (r < 495) {
                boolean rev = rnd.nextBoolean();
                return cat(new String[] {rev ? "ZREVRANGEBYSCORE" : "ZRANGEBYSCORE", k, pick(SCORE_BOUNDS),
                    pick(SCORE_BOUNDS)}, withScores(), limit());
            } else if (r < 510) {
                boolean rev = rnd.nextBoolean();
                return cat(new String[] {rev ? "ZREVRANGEBYLEX" : "ZRANGEBYLEX", lkey(), pick(LEX_BOUNDS),
                    pick(LEX_BOUNDS)}, limit());
            } else if (r < 525) {
                return cat(new String[] {"ZREVRANGE", k, pick(INDEXES), pick(INDEXES)}, withScores());
            } else if (r < 535) {
                return new String[] {"ZREMRANGEBYRANK", k, pick(INDEXES), pick(INDEXES)};
            } else if (r < 545) {
                return new String[] {"ZREMRANGEBYSCORE", k, pick(SCORE_BOUNDS), pick(SCORE_BOUNDS)};
            } else if (r < 552) {
                return new String[] {"ZREMRANGEBYLEX", lkey(), pick(LEX_BOUNDS), pick(LEX_BOUNDS)};
            } else if (r < 572) {
                String name = rnd.nextBoolean() ? "ZPOPMIN" : "ZPOPMAX";
                return rnd.nextInt(3) == 0 ? new String[] {name, k} : new String[] {name, k, pick(COUNTS)};
            } else if (r < 585) {
                int n = 1 + rnd.nextInt(3);
                List<String> c = new ArrayList<>(List.of("ZMPOP", Integer.toString(n)));
                for (int i = 0; i < n; i++) {
                    c.add(rnd.nextInt(4) == 0 ? lkey() : zkey());
                }
                c.add(pick(new String[] {"MIN", "MAX", "min", "max"}));
                if (rnd.nextBoolean()) {
                    c.add("COUNT");
                    c.add(pick(COUNTS));
                }
                return c.toArray(String[]::new);
            } else if (r < 615 && random) {
                String kk = rnd.nextInt(4) == 0 ? lkey() : zkey();
                return rnd.nextInt(4) == 0 ? new String[] {"ZRANDMEMBER", kk}
                        : cat(new String[] {"ZRANDMEMBER", kk, pick(RAND_COUNTS)}, withScores());
            } else if (r < 660) {
                return setOp(pick(new String[] {"ZUNION", "ZINTER", "ZDIFF"}));
            } else if (r < 690) {
                return setOp(pick(new String[] {"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"}));
            } else if (r < 700) {
                int n = 1 + rnd.nextInt(3);
                List<String> c = new ArrayList<>(List.of("ZINTERCARD", Integer.toString(n)));
                for (int i = 0; i < n; i++) {
                    c.add(inputKey());
                }
                if (rnd.nextBoolean()) {
                    c.add("LIMIT");
                    c.add(pick(new String[] {"0", "1", "2", "5", "-1", "x"}));
                }
                return c.toArray(String[]::new);
            } else if (r < 730) {
                return new String[] {"OBJECT", "ENCODING", anyKey()};
            } else if (r < 745) {
                return new String[] {"SET", string, pick(VALUES)};
            } else if (r < 755) {
                return new String[] {"HSET", hash, pick(new String[] {"f", "g", "a"}), pick(VALUES)};
            } else if (r < 770) {
                return new String[] {"SADD", set, member(), member()};
            } else if (r < 775) {
                return new String[] {"SREM", set, member()};
            } else if (r < 785) {
                return new String[] {"GET", anyKey()};
            } else if (r < 800) {
                return rnd.nextBoolean() ? new String[] {"DEL", anyKey()} : new String[] {"DEL", anyKey(), anyKey()};
            } else if (r < 820) {
                return new String[] {"EXPIRE", anyKey(), pick(SECONDS)};
            } else if (r < 825) {
                return new String[] {"PERSIST", anyKey()};
            } else if (r < 835 && random) {
                return new String[] {"TTL", anyKey()};
            } else if (r < 860 && random) {
                // Within the general keys, or within the lex keys: a lex key never gets another score.
                String src = lex ? lkey() : zkey();
                String dst = lex ? pick(lkeys) : zkey();
                return new String[] {rnd.nextInt(4) == 0 ? "RENAMENX" : "RENAME", src, dst};
            } else if (r < 880 && random) {
                String src = lex ? lkey() : zkey();
                String dst = lex ? pick(lkeys) : zkey();
                return rnd.nextBoolean() ? new String[] {"COPY", src, dst} : new String[] {"COPY", src, dst, "REPLACE"};
            } else if (r < 900) {
                return new String[] {"TYPE", anyKey()};
            } else if (r < 915) {
                return new String[] {"EXISTS", anyKey(), anyKey()};
            } else if (r < 960) {
                return new String[] {"ZRANGE", k, "0", "-1", "WITHSCORES"};
            } else {
                return new String[] {"ZCARD", k};
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

    /** ZRANDMEMBER, compared by {@link #randmember(String[])}. */
    private static void randmember(Duo d, String... cmd) throws IOException {
        d.pipeline(List.of(randmember(cmd)));
    }

    /**
     * ZRANDMEMBER after ZRANGE key 0 -1 WITHSCORES (compared exactly): exactly where Redis' answer is
     * deterministic (an error, no key, a count of 0, a count at least the size, a zset of one member), else by
     * shape: RESP type and length, each element one of the zset's members (with its score, as ZRANGE printed
     * it, for WITHSCORES; in RESP3 as a [member, score] pair), distinct for a positive count.
     */
    private static Step randmember(String[] cmd) {
        String k = cmd[1];
        return new Step(new String[][] {{"ZRANGE", k, "0", "-1", "WITHSCORES"}, cmd}, (d, c, r) -> {
            d.check(c[0], r[0]);
            String[] reply = r[1];
            d.record(cmd, reply);
            if (reply[0].equals(reply[1])) {
                return;
            }
            Node all = Node.parse(r[0][0]);
            Map<String, String> scores = new HashMap<>();
            if (all.aggregate()) {
                List<Node> kids = all.kids();
                if (d.protocol == 3) {
                    for (Node pair : kids) {
                        scores.put(pair.kids().get(0).text(), pair.kids().get(1).form(false));
                    }
                } else {
                    for (int i = 0; i + 1 < kids.size(); i += 2) {
                        scores.put(kids.get(i).text(), kids.get(i + 1).form(false));
                    }
                }
            }
            int size = scores.size();
            Long count = null;
            if (cmd.length >= 3) {
                try {
                    count = Long.parseLong(cmd[2]);
                } catch (NumberFormatException e) {
                    count = null;
                }
            }
            boolean random = !reply[0].startsWith("-") && size > 1
                    && (cmd.length == 2 || count != null && count != 0 && count < size);
            if (!random) {
                d.mismatch(cmd, reply, "");
            }
            boolean withScores = cmd.length >= 4 && cmd[3].equalsIgnoreCase("WITHSCORES");
            boolean distinct = cmd.length == 2 || count > 0;
            String expected = randomShape(reply[0], scores, withScores, distinct, d.protocol);
            String actual = randomShape(reply[1], scores, withScores, distinct, d.protocol);
            if (!expected.equals(actual)) {
                d.mismatch(cmd, reply, " (random reply: compared by shape " + show(expected) + " vs "
                        + show(actual) + ")");
            }
        });
    }

    /**
     * A random ZRANDMEMBER reply with each member (and score) replaced by a placeholder once checked against the
     * zset: the frame headers stay; a member not in the zset, a wrong score, or a repeat where members must be
     * distinct shows in the result.
     */
    private static String randomShape(String reply, Map<String, String> scores, boolean withScores,
                                       boolean distinct, int protocol) {
        Node n = Node.parse(reply);
        if (n.type() == '$' && n.text() != null) {
            return scores.containsKey(n.text()) ? "$<member>" : "$<not a member: " + show(n.text()) + ">";
        }
        if (!n.aggregate()) {
            return reply;
        }
        StringBuilder sb = new StringBuilder().append(n.type()).append(n.kids().size()).append(' ');
        Set<String> seen = new HashSet<>();
        List<Node> kids = n.kids();
        int step = withScores && protocol == 2 ? 2 : 1;
        for (int i = 0; i < kids.size(); i += step) {
            Node m;
            Node s = null;
            if (withScores && protocol == 3) {
                Node pair = kids.get(i);
                if (pair.type() != '*' || pair.kids().size() != 2) {
                    sb.append("<not a pair: ").append(show(pair.form(false))).append('>');
                    continue;
                }
                sb.append("*2");
                m = pair.kids().get(0);
                s = pair.kids().get(1);
            } else {
                m = kids.get(i);
                if (withScores) {
                    s = i + 1 < kids.size() ? kids.get(i + 1) : null;
                }
            }
            if (m.type() != '$' || m.text() == null || !scores.containsKey(m.text())) {
                sb.append("<not a member: ").append(show(m.form(false))).append('>');
                continue;
            }
            sb.append("<m>");
            if (withScores) {
                String expected = scores.get(m.text());
                sb.append(s != null && s.form(false).equals(expected) ? "<s>"
                        : "<score " + (s == null ? "missing" : show(s.form(false))) + " for " + show(expected) + ">");
            }
            if (distinct && !seen.add(m.text())) {
                sb.append("<repeated>");
            }
        }
        return sb.toString();
    }

    /**
     * ZSCAN of a key after OBJECT ENCODING of it (compared exactly): exactly for a listpack (which comes whole),
     * else a full iteration, its member-score pairs compared as a set.
     */
    private static void zscan(Duo d, String key, String... options) throws IOException {
        String[] encCmd = {"OBJECT", "ENCODING", key};
        String[] enc = d.raw(encCmd);
        checkEncoding(d, encCmd, enc);
        if (!enc[0].contains("skiplist")) {
            d.same(cat(new String[] {"ZSCAN", key, "0"}, options));
            return;
        }
        String[] cmd = cat(new String[] {"ZSCAN", key, "0"}, options);
        String[] pairs = new String[2];
        RawClient[] clients = {d.redis, d.qrrot};
        for (int side = 0; side < 2; side++) {
            Set<String> elements = new TreeSet<>();
            String cursor = "0";
            int rounds = 0;
            do {
                cmd[2] = cursor;
                String reply = clients[side].call(cmd);
                Node n = Node.parse(reply);
                if (n.type() != '*' || n.kids().size() != 2) {
                    elements.add("<reply " + show(reply) + ">");
                    break;
                }
                cursor = n.kids().get(0).text();
                List<Node> kids = n.kids().get(1).kids();
                for (int i = 0; i < kids.size(); i += 2) {
                    elements.add(show(kids.get(i).form(false)) + " => "
                            + (i + 1 < kids.size() ? show(kids.get(i + 1).form(false)) : "<no score>"));
                }
            } while (!cursor.equals("0") && ++rounds < 10_000);
            pairs[side] = elements.toString();
        }
        cmd[2] = "<cursor>";
        d.check(cmd, pairs);
    }

    /**
     * OBJECT ENCODING, exactly, but for a string Redis reports {@code raw} and qrrot {@code embstr} or
     * {@code int}: Redis keeps a string APPEND (or SETRANGE) wrote as {@code raw} whatever its length and
     * text, qrrot names a string's encoding by its text and length only. Not a zset matter.
     */
    private static void checkEncoding(Duo d, String[] cmd, String[] r) {
        d.record(cmd, r);
        if (!r[0].equals(r[1]) && !sameEncoding(Node.parse(r[0]).text(), Node.parse(r[1]).text())) {
            d.mismatch(cmd, r, "");
        }
    }

    private static boolean sameEncoding(String redis, String qrrot) {
        return redis == null ? qrrot == null
                : redis.equals(qrrot) || redis.equals("raw") && ("embstr".equals(qrrot) || "int".equals(qrrot));
    }

    /**
     * RENAME, RENAMENX or COPY, then OBJECT ENCODING of the destination. Redis moves or duplicates the zset
     * object with its encoding (a skiplist that members left stays one, a listpack larger than a since lowered
     * limit stays one); where qrrot reports the other encoding, the destination is deleted on both servers (so
     * such a step must be the last of its batch), unless {@link #STRICT_ENCODING}.
     */
    private static Step moved(String[] cmd) {
        String dst = cmd[2];
        return new Step(new String[][] {cmd, {"OBJECT", "ENCODING", dst}}, (d, c, r) -> {
            d.check(c[0], r[0]);
            String[] e = r[1];
            boolean zsets = (e[0].equals("$8\r\nskiplist\r\n") || e[0].equals("$8\r\nlistpack\r\n"))
                    && (e[1].equals("$8\r\nskiplist\r\n") || e[1].equals("$8\r\nlistpack\r\n"));
            if (!STRICT_ENCODING && zsets && !e[0].equals(e[1])) {
                d.record(c[1], e);
                d.same("DEL", dst); // a known difference: start again from nothing
                reencoded++;
                return;
            }
            checkEncoding(d, c[1], e);
        });
    }

    /**
     * MULTI, the queued commands, EXEC (or DISCARD): every reply exactly, but for OBJECT ENCODING of a string
     * ({@link #checkEncoding}).
     */
    private static void checkTransaction(Duo d, String[][] c, String[][] r) {
        int last = c.length - 1;
        for (int i = 0; i < last; i++) {
            d.check(c[i], r[i]);
        }
        String[] exec = r[last];
        d.record(c[last], exec);
        if (exec[0].equals(exec[1])) {
            return;
        }
        Node a = Node.parse(exec[0]);
        Node b = Node.parse(exec[1]);
        if (a.type() != '*' || b.type() != '*' || a.kids().size() != last - 1 || b.kids().size() != last - 1) {
            d.mismatch(c[last], exec, "");
        }
        for (int j = 0; j < last - 1; j++) {
            String name = c[j + 1][0].toUpperCase(Locale.ROOT);
            Node x = a.kids().get(j);
            Node y = b.kids().get(j);
            if (name.equals("OBJECT") && x.type() == '$' && y.type() == '$' && sameEncoding(x.text(), y.text())) {
                continue;
            }
            if (!x.form(false).equals(y.form(false))) {
                d.mismatch(c[last], exec, " (element " + (j + 1) + ", the reply to " + showCommand(c[j + 1]) + ")");
            }
        }
    }
}
