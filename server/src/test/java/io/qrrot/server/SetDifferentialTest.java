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
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sets against a real redis-server 7.0: the same commands go to both servers over real sockets, in RESP2 and
 * in RESP3 (HELLO 3), and the replies must be the same bytes. First edge-case scripts for every set command
 * (arity, types both ways, missing keys, duplicates, binary and integer-looking members, the intset encoding
 * and its conversion to a hashtable, SPOP and SRANDMEMBER counts, SINTERCARD, the STORE forms, SMOVE, SSCAN,
 * key lifecycle, transactions, WATCH), then a seeded random mix of set, hash and string commands over a few
 * keys ({@code -Dseed=N} replays a run; the seed is printed).
 *
 * <p>What is not compared byte for byte:
 * <ul>
 *   <li>The order of a reply listing a set where Redis' order is its hashtable's: SMEMBERS of a hashtable,
 *       SINTER whose smallest set is one, SUNION or SDIFF whose result Redis builds as one (not only
 *       integers, more than {@code set-max-intset-entries}, or an SDIFF whose first set is not an intset
 *       within the limit), SRANDMEMBER or SPOP of the whole set likewise. Those replies are compared as
 *       multisets: same RESP type, same length, same elements. Where Redis replies an intset (ascending
 *       order) they are compared exactly; OBJECT ENCODING and SCARD of every key involved are sent first, and
 *       compared exactly, to know which case it is.</li>
 *   <li>SPOP and SRANDMEMBER where Redis' answer is random: by shape (type, length), membership and, where
 *       the members must be distinct, distinctness; after a random SPOP, what each server has left must be
 *       its set less what it popped, in the encoding Redis' rules give it, and then the key is deleted on
 *       both, their contents having parted. Never inside a transaction.</li>
 *   <li>SSCAN of a hashtable: its cursors are the table's, so the members a full iteration returns are
 *       compared as a set (an intset comes whole in one reply, compared exactly).</li>
 *   <li>OBJECT ENCODING of a string that Redis calls {@code raw} after an APPEND ({@link #checkEncoding}).</li>
 *   <li>OBJECT ENCODING of a set RENAME or COPY made from an intset larger than a since lowered
 *       set-max-intset-entries: a hashtable in qrrot ({@link #moved}; {@code -Dsetdiff.strictEncoding=true}
 *       compares it too). Hence no RENAME or COPY inside a transaction.</li>
 *   <li>TTL and PTTL within a tolerance; the HELLO reply.</li>
 * </ul>
 *
 * <p>Never sent: SRANDMEMBER with a huge negative count: Redis 7.0 then builds a reply of that many members
 * and does not answer (qrrot refuses a count past 2^24). In a transaction, OBJECT with a wrong number of
 * arguments: Redis refuses a subcommand's arity when it queues it (and aborts the transaction), qrrot when it
 * runs it. An argument that is not ASCII where an error quotes it (EXPIRE's unsupported option): Redis copies
 * its bytes, qrrot writes its error text as UTF-8.
 */
@Tag("integration")
class SetDifferentialTest {
    @TempDir
    static Path dir;
    private static SideBySide servers;

    /** Random commands per protocol; {@code -Dsetdiff.commands=N} runs more (or fewer). */
    private static final int RANDOM_COMMANDS = Integer.getInteger("setdiff.commands", 10_000);
    /** Commands pipelined in one write: the WAL then syncs once per batch, which keeps the run short. */
    private static final int BATCH = 64;
    private static final int DEFAULT_MAX_INTSET = 512;
    /** set-max-intset-entries as last set on both servers, which decides how Redis orders some replies. */
    private static int maxIntset = DEFAULT_MAX_INTSET;

    /**
     * Whether a set that RENAME or COPY made must have the source's encoding, as in Redis, even an intset
     * larger than set-max-intset-entries ({@link #moved}); {@code -Dsetdiff.strictEncoding=true} requires it.
     */
    private static final boolean STRICT_ENCODING = Boolean.getBoolean("setdiff.strictEncoding");
    /** How many times {@link #moved} met that difference (reported by the random run). */
    private static int reencoded;

    /** Commands whose reply lists a set, in an order that may be a hashtable's. */
    private static final Set<String> LISTING = Set.of("SMEMBERS", "SINTER", "SUNION", "SDIFF");

    @BeforeAll
    static void start() throws Exception {
        servers = SideBySide.start(dir, "the set differential test");
    }

    @AfterAll
    static void stop() throws Exception {
        if (servers != null) {
            servers.close();
        }
    }

    @AfterEach
    void restoreIntsetLimit() throws IOException {
        if (servers != null) {
            try (Duo d = new Duo(servers, 2)) {
                setMaxIntset(d, DEFAULT_MAX_INTSET);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ edge cases

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void arityAndWrongTypes(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String k = d.key("k");
            String s = d.key("s");
            String h = d.key("h");
            String none = d.key("none");
            d.same("DEL", k, s, h, none);
            for (String[] c : new String[][] {{"SADD"}, {"SADD", k}, {"SREM"}, {"SREM", k}, {"SISMEMBER", k},
                    {"SISMEMBER", k, "m", "x"}, {"SMISMEMBER", k}, {"SMEMBERS"}, {"SMEMBERS", k, "x"}, {"SCARD"},
                    {"SCARD", k, "x"}, {"SPOP"}, {"SPOP", k, "1", "x"}, {"SRANDMEMBER"},
                    {"SRANDMEMBER", k, "1", "x"}, {"SMOVE", k, s}, {"SMOVE", k, s, "m", "x"}, {"SINTER"},
                    {"SINTERCARD"}, {"SINTERCARD", "1"}, {"SINTERSTORE", k}, {"SUNION"}, {"SUNIONSTORE", k},
                    {"SDIFF"}, {"SDIFFSTORE", k}, {"SSCAN"}, {"SSCAN", k}, {"sadd", k}, {"SaDd"}}) {
                d.same(c);
            }
            d.same("EXISTS", k);
            // Set commands on a string and on a hash.
            d.same("SET", s, "text");
            d.same("HSET", h, "f", "v");
            for (String w : new String[] {s, h}) {
                for (String[] c : new String[][] {{"SADD", w, "1"}, {"SREM", w, "1"}, {"SISMEMBER", w, "1"},
                        {"SMISMEMBER", w, "1", "2"}, {"SMEMBERS", w}, {"SCARD", w}, {"SPOP", w}, {"SPOP", w, "0"},
                        {"SPOP", w, "2"}, {"SPOP", w, "-1"}, {"SPOP", w, "x"}, {"SRANDMEMBER", w},
                        {"SRANDMEMBER", w, "0"}, {"SRANDMEMBER", w, "-2"}, {"SRANDMEMBER", w, "x"},
                        {"SMOVE", w, k, "1"}, {"SMOVE", w, none, "1"}, {"SMOVE", w, w, "1"}, {"SINTER", w},
                        {"SINTER", none, w}, {"SINTER", k, w}, {"SINTERCARD", "1", w}, {"SINTERCARD", "2", none, w},
                        {"SINTERCARD", "1", w, "LIMIT", "x"}, {"SUNION", w}, {"SUNION", none, w}, {"SDIFF", w},
                        {"SDIFF", none, w}, {"SDIFF", k, w}, {"SSCAN", w, "0"}, {"SSCAN", w, "x"},
                        {"SSCAN", w, "0", "COUNT", "0"}, {"SINTERSTORE", k, w}, {"SUNIONSTORE", k, none, w},
                        {"SDIFFSTORE", k, w}, {"TYPE", w}}) {
                    d.same(c);
                }
            }
            d.same("GET", s);
            d.same("HGETALL", h);
            // SMOVE into a key of another type: WRONGTYPE, whether or not the member is there.
            d.same("SADD", k, "1", "a");
            d.same("SMOVE", k, s, "1");
            d.same("SMOVE", k, h, "zz");
            d.same("SMOVE", none, s, "1");
            d.same("SCARD", k);
            // String and hash commands on a set.
            for (String[] c : new String[][] {{"GET", k}, {"SET", k, "x", "NX"}, {"SET", k, "x", "XX", "GET"},
                    {"GETSET", k, "x"}, {"APPEND", k, "x"}, {"STRLEN", k}, {"INCR", k}, {"INCRBYFLOAT", k, "1"},
                    {"GETRANGE", k, "0", "1"}, {"SETRANGE", k, "0", "x"}, {"GETDEL", k}, {"GETEX", k},
                    {"MGET", k, s}, {"SETNX", k, "x"}, {"HSET", k, "f", "v"}, {"HGET", k, "f"}, {"HGETALL", k},
                    {"HLEN", k}, {"HDEL", k, "f"}, {"HINCRBY", k, "f", "1"}, {"HSCAN", k, "0"},
                    {"HRANDFIELD", k}, {"TYPE", k}, {"TYPE", s}, {"TYPE", h}, {"TYPE", none}, {"SCARD", k},
                    {"SET", k, "now a string"}, {"TYPE", k}, {"SCARD", k}, {"GET", k}}) {
                d.same(c);
            }
            d.same("DEL", k, s, h);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void missingKeysDuplicatesEmptyAndBinary(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String k = d.key("k");
            String none = d.key("none");
            String b = d.key("bin\u0000\r\n\u00ff");
            d.same("DEL", k, none, b);
            for (String[] c : new String[][] {{"SISMEMBER", none, "m"}, {"SMISMEMBER", none, "a", "b"},
                    {"SMEMBERS", none}, {"SCARD", none}, {"SREM", none, "m"}, {"SPOP", none}, {"SPOP", none, "0"},
                    {"SPOP", none, "3"}, {"SRANDMEMBER", none}, {"SRANDMEMBER", none, "3"},
                    {"SRANDMEMBER", none, "-3"}, {"SRANDMEMBER", none, "0"}, {"SMOVE", none, k, "m"},
                    {"SMOVE", none, none, "m"}, {"SINTER", none}, {"SINTER", none, none}, {"SUNION", none},
                    {"SDIFF", none}, {"SINTERCARD", "1", none}, {"SINTERSTORE", k, none}, {"SUNIONSTORE", k, none},
                    {"SDIFFSTORE", k, none}, {"SSCAN", none, "0"}, {"SSCAN", none, "0", "COUNT", "0"},
                    {"SSCAN", none, "x"}, {"EXISTS", none}, {"EXISTS", k}, {"TYPE", none}}) {
                d.same(c);
            }
            // Duplicates in one command.
            d.same("SADD", k, "b", "a", "b", "a", "c");
            d.same("SADD", k, "a", "a", "d", "d");
            d.same("SCARD", k);
            d.same("SMISMEMBER", k, "a", "a", "zz", "d", "zz", "a");
            d.same("SREM", k, "a", "a", "zz", "d");
            d.same("SREM", k, "a");
            d.same("SCARD", k);
            list(d, "SMEMBERS", k);
            d.same("SADD", k, "1", "1", "01", "1");
            d.same("SCARD", k);
            // The empty member.
            d.same("SADD", k, "");
            d.same("SADD", k, "", "");
            d.same("SISMEMBER", k, "");
            d.same("SMISMEMBER", k, "", "x");
            d.same("SREM", k, "", "");
            d.same("SISMEMBER", k, "");
            d.same("DEL", k);
            d.same("SADD", k, "");
            d.same("OBJECT", "ENCODING", k);
            list(d, "SMEMBERS", k);
            d.same("SPOP", k);
            d.same("EXISTS", k);
            // Binary members and a binary key.
            String bin = "\u0000\r\n\u00ff\u0080 *$-1";
            d.same("SADD", b, bin, bin + bin, "\u00e9t\u00e9", "\u0000", "f", "\r\n");
            d.same("SISMEMBER", b, bin);
            d.same("SMISMEMBER", b, bin, "\u00e9t\u00e9", "\u0000", "\u0000\u0000");
            d.same("SCARD", b);
            list(d, "SMEMBERS", b);
            d.scanAll(new String[] {"SSCAN", b}, "MATCH", "\u00e9*");
            d.scanAll(new String[] {"SSCAN", b}, "MATCH", "\u0000*");
            list(d, "SUNION", b, none);
            list(d, "SINTER", b, b);
            d.same("SREM", b, bin, "\u00e9t\u00e9");
            list(d, "SMEMBERS", b);
            d.same("TYPE", b);
            d.same("OBJECT", "ENCODING", b);
            d.same("DEL", b, k);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void integerLookingMembers(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String i = d.key("ints");
            String t = d.key("table");
            d.same("DEL", i, t);
            String[] looking = {"1", "01", "-0", "+1", " 1", "1 ", "1.0", "0x1", "1e0", "9223372036854775808",
                "-9223372036854775809", "00", "-", "", "\u00001"};
            // One by one into an intset of canonical integers: each non-canonical one converts it.
            for (String m : looking) {
                d.same("DEL", i);
                d.same("SADD", i, "1", "-9223372036854775808", "9223372036854775807", "0");
                d.same("OBJECT", "ENCODING", i);
                d.same("SISMEMBER", i, m);
                d.same("SREM", i, m);
                d.same("OBJECT", "ENCODING", i);
                d.same("SADD", i, m);
                d.same("OBJECT", "ENCODING", i);
                d.same("SISMEMBER", i, m);
                d.same("SCARD", i);
                list(d, "SMEMBERS", i);
            }
            // All of them together, in a hashtable.
            String[] add = new String[looking.length + 2];
            add[0] = "SADD";
            add[1] = t;
            System.arraycopy(looking, 0, add, 2, looking.length);
            d.same(add);
            d.same("OBJECT", "ENCODING", t);
            d.same("SCARD", t);
            String[] mis = add.clone();
            mis[0] = "SMISMEMBER";
            d.same(mis);
            list(d, "SMEMBERS", t);
            // An intset at the edges of a long, as the first member of a new set and in a set of strings.
            d.same("DEL", i);
            d.same("SADD", i, "-9223372036854775808");
            d.same("OBJECT", "ENCODING", i);
            d.same("SADD", i, "9223372036854775807", "-1", "0");
            list(d, "SMEMBERS", i);
            d.same("SMISMEMBER", i, "-9223372036854775808", "9223372036854775807", "-9223372036854775809",
                    "9223372036854775808", "-0", "+0", "0");
            list(d, "SINTER", i, t);
            list(d, "SUNION", i, t);
            list(d, "SDIFF", i, t);
            list(d, "SDIFF", t, i);
            d.same("SINTERCARD", "2", i, t);
            d.same("SDIFFSTORE", d.key("dst"), t, i);
            d.same("OBJECT", "ENCODING", d.key("dst"));
            d.same("SINTERSTORE", d.key("dst"), t, i);
            d.same("OBJECT", "ENCODING", d.key("dst"));
            list(d, "SMEMBERS", d.key("dst"));
            d.same("DEL", i, t, d.key("dst"));
            // A member that starts a set decides nothing: "01" first makes a hashtable, "1" first an intset.
            d.same("SADD", i, "01", "1");
            d.same("OBJECT", "ENCODING", i);
            d.same("SADD", t, "1", "01");
            d.same("OBJECT", "ENCODING", t);
            d.same("DEL", i, t);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void intsetWidths(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String k = d.key("w");
            d.same("DEL", k);
            String[][] steps = {{"5", "1", "3"}, {"40000"}, {"-40000"}, {"2"}, {"3000000000"}, {"-3000000000"},
                {"-5"}, {"32767", "-32768", "32768", "-32769"}, {"2147483647", "-2147483648", "2147483648",
                "-2147483649"}, {"9223372036854775807", "-9223372036854775808"}, {"0"}};
            for (String[] add : steps) {
                String[] c = new String[add.length + 2];
                c[0] = "SADD";
                c[1] = k;
                System.arraycopy(add, 0, c, 2, add.length);
                d.same(c);
                d.same("OBJECT", "ENCODING", k);
                d.same("SCARD", k);
                list(d, "SMEMBERS", k);
                d.same("SSCAN", k, "0");
                d.same("SRANDMEMBER", k, "100");
            }
            d.same("SMISMEMBER", k, "5", "40000", "-40000", "3000000000", "-3000000000", "-5", "4", "40001",
                    "2147483648", "-2147483649", "9223372036854775807");
            // Removing the wide members does not narrow the set, and the set stays an intset.
            d.same("SREM", k, "3000000000", "-3000000000", "9223372036854775807", "-9223372036854775808",
                    "2147483648", "-2147483649");
            d.same("OBJECT", "ENCODING", k);
            list(d, "SMEMBERS", k);
            d.same("SADD", k, "7");
            list(d, "SMEMBERS", k);
            // Widening at the front (a negative member) and at the back (a positive one).
            for (String first : new String[] {"-70000", "70000", "-5000000000", "5000000000"}) {
                d.same("DEL", k);
                d.same("SADD", k, "1", "2", "3");
                d.same("SADD", k, first);
                list(d, "SMEMBERS", k);
                d.same("SISMEMBER", k, first);
                d.same("SREM", k, "2");
                list(d, "SMEMBERS", k);
            }
            d.same("DEL", k);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void intsetToHashtable(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String k = d.key("c");
            String k2 = d.key("c2");
            String dst = d.key("dst");
            d.same("DEL", k, k2, dst);
            d.same("CONFIG", "GET", "set-max-intset-entries");
            // A non-integer member.
            d.same("SADD", k, "3", "1", "2");
            d.same("OBJECT", "ENCODING", k);
            d.same("SADD", k, "x");
            d.same("OBJECT", "ENCODING", k);
            d.same("SREM", k, "x");
            d.same("OBJECT", "ENCODING", k); // no way back
            list(d, "SMEMBERS", k);
            // Its members, all integers again, make an intset when copied by a STORE, or popped whole.
            d.same("SUNIONSTORE", dst, k);
            d.same("OBJECT", "ENCODING", dst);
            list(d, "SMEMBERS", dst);
            list(d, "SUNION", k);
            list(d, "SDIFF", k);
            list(d, "SINTER", k);
            d.same("SINTERSTORE", dst, k, k);
            d.same("OBJECT", "ENCODING", dst);
            d.same("SDIFFSTORE", dst, k, d.key("none"));
            d.same("OBJECT", "ENCODING", dst);
            d.pipeline(List.of(moved(new String[] {"COPY", k, k2}))); // Redis' COPY keeps the encoding
            d.pipeline(List.of(moved(new String[] {"RENAME", k, d.key("c3")}))); // and so does RENAME
            d.same("DEL", k, k2, d.key("c3"));
            d.same("SADD", k2, "x", "3", "1", "2");
            d.same("SREM", k2, "x");
            pop(d, "SPOP", k2, "3"); // the whole of a hashtable of integers: replied as an intset
            d.same("EXISTS", k2);
            // More than 512 members: at once, and one past 512.
            List<String> args = new ArrayList<>(List.of("SADD", k2));
            for (int i = 0; i < 513; i++) {
                args.add(Integer.toString(i * 7 - 1000));
            }
            d.same(args.toArray(String[]::new));
            d.same("OBJECT", "ENCODING", k2);
            d.same("SCARD", k2);
            d.same("DEL", k2);
            d.same(args.subList(0, 514).toArray(String[]::new));
            d.same("OBJECT", "ENCODING", k2);
            list(d, "SMEMBERS", k2);
            d.same("SADD", k2, "-1000"); // already there: no change
            d.same("OBJECT", "ENCODING", k2);
            d.same("SADD", k2, "100000");
            d.same("OBJECT", "ENCODING", k2);
            d.same("SCARD", k2);
            list(d, "SUNION", k2, d.key("none"));
            d.same("SUNIONSTORE", dst, k2);
            d.same("OBJECT", "ENCODING", dst);
            d.same("SREM", k2, "100000", "-1000");
            d.same("SINTERSTORE", dst, k2, k2);
            d.same("OBJECT", "ENCODING", dst);
            d.same("SDIFFSTORE", dst, k2, d.key("none"));
            d.same("OBJECT", "ENCODING", dst);
            d.scanAll(new String[] {"SSCAN", k2}, "COUNT", "50");
            d.scanAll(new String[] {"SSCAN", k2}, "MATCH", "*5*");
            // A small set-max-intset-entries: the next write converts, existing intsets stay.
            d.same("DEL", k, k2, dst);
            d.same("SADD", k, "1", "2", "3", "4", "5", "6");
            setMaxIntset(d, 4);
            d.same("CONFIG", "GET", "set-max-intset-entries");
            d.same("OBJECT", "ENCODING", k);
            list(d, "SMEMBERS", k);
            d.pipeline(List.of(moved(new String[] {"COPY", k, k2}))); // Redis' copy: an intset still
            d.same("DEL", k2);
            d.same("SADD", k, "6");
            d.same("OBJECT", "ENCODING", k);
            d.same("SREM", k, "6");
            d.same("OBJECT", "ENCODING", k);
            list(d, "SUNION", k); // five integers: more than an intset may hold now
            list(d, "SDIFF", k, d.key("none"));
            list(d, "SINTER", k);
            d.same("SUNIONSTORE", dst, k);
            d.same("OBJECT", "ENCODING", dst);
            d.same("SADD", k, "7");
            d.same("OBJECT", "ENCODING", k);
            d.same("SADD", k2, "1", "2", "3", "4");
            d.same("OBJECT", "ENCODING", k2);
            d.same("SADD", k2, "5");
            d.same("OBJECT", "ENCODING", k2);
            d.same("DEL", k2);
            d.same("SADD", k2, "1", "2", "3", "4", "5");
            d.same("OBJECT", "ENCODING", k2);
            d.same("SINTERSTORE", dst, k, k2);
            d.same("OBJECT", "ENCODING", dst);
            d.same("SREM", k, "1", "2", "3");
            list(d, "SINTER", k, k2);
            d.same("SINTERSTORE", dst, k, k2);
            d.same("OBJECT", "ENCODING", dst);
            list(d, "SMEMBERS", dst);
            setMaxIntset(d, 0);
            d.same("DEL", k);
            d.same("SADD", k, "1");
            d.same("OBJECT", "ENCODING", k);
            d.same("SMOVE", k, k2, "1");
            d.same("SMOVE", k2, k, "1");
            d.same("OBJECT", "ENCODING", k);
            setMaxIntset(d, 1);
            d.same("DEL", k);
            d.same("SADD", k, "1");
            d.same("OBJECT", "ENCODING", k);
            d.same("SADD", k, "2");
            d.same("OBJECT", "ENCODING", k);
            for (String v : new String[] {"-1", "x", "", "1.5", "4294967296", "9223372036854775808"}) {
                d.same("CONFIG", "SET", "set-max-intset-entries", v);
            }
            d.same("CONFIG", "GET", "set-max-intset-entries");
            setMaxIntset(d, DEFAULT_MAX_INTSET);
            d.same("DEL", k, k2, dst);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void spopAndSrandmember(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String[][] sets = {{d.key("ints"), "5", "1", "4", "2", "3"}, {d.key("table"), "a", "b", "c", "1", "2"},
                {d.key("one"), "x"}, {d.key("oneint"), "7"}, {d.key("none")}};
            String[][] tails = {{}, {"0"}, {"1"}, {"2"}, {"4"}, {"5"}, {"6"}, {"100"}, {"9223372036854775807"},
                {"-1"}, {"-2"}, {"-5"}, {"-20"}, {"-1000"}, {"x"}, {"1.5"}, {""}, {" 1"}, {"+1"}, {"01"}, {"-0"},
                {"9223372036854775808"}, {"-9223372036854775808"}, {"-9223372036854775809"}, {"1", "x"},
                {"x", "y"}, {"0", "0"}};
            for (String[] set : sets) {
                for (String[] tail : tails) {
                    for (String command : new String[] {"SRANDMEMBER", "SPOP"}) {
                        if (command.equals("SPOP") && tail.length == 1 && tail[0].startsWith("-")
                                && tail[0].length() > 2) {
                            continue; // same error as -1
                        }
                        d.same("DEL", set[0]);
                        if (set.length > 1) {
                            String[] c = new String[set.length + 1];
                            c[0] = "SADD";
                            System.arraycopy(set, 0, c, 1, set.length);
                            d.same(c);
                        }
                        String[] c = new String[2 + tail.length];
                        c[0] = command;
                        c[1] = set[0];
                        System.arraycopy(tail, 0, c, 2, tail.length);
                        pop(d, c);
                    }
                }
            }
            // Many draws: every one must be a member.
            d.same("DEL", d.key("ints"));
            d.same("SADD", d.key("ints"), "1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
            d.same("DEL", d.key("table"));
            d.same("SADD", d.key("table"), "a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
            for (int i = 0; i < 20; i++) {
                for (String k : new String[] {d.key("ints"), d.key("table")}) {
                    pop(d, "SRANDMEMBER", k);
                    pop(d, "SRANDMEMBER", k, "3");
                    pop(d, "SRANDMEMBER", k, "8"); // most of the set: Redis' other strategy
                    pop(d, "SRANDMEMBER", k, "-15");
                }
            }
            // SPOP of most of a set (Redis' case 3: it keeps a new set of the rest) and of a few.
            List<String> twenty = new ArrayList<>(List.of("SADD", d.key("table"), "a"));
            for (int i = 1; i < 20; i++) {
                twenty.add(Integer.toString(i));
            }
            for (int i = 0; i < 10; i++) {
                d.same("DEL", d.key("table"));
                d.same(twenty.toArray(String[]::new));
                pop(d, "SPOP", d.key("table"), "17"); // 3 left: most likely integers only, an intset
            }
            // Either way, the key keeps its TTL.
            for (String count : new String[] {"9", "2"}) {
                String k = d.key("ints");
                d.same("DEL", k);
                d.same("SADD", k, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
                d.same("EXPIRE", k, "1000");
                String[] r = d.raw("SPOP", k, count);
                d.record(new String[] {"SPOP", k, count}, r);
                d.ttl("TTL", k);
                d.same("SCARD", k);
                d.same("OBJECT", "ENCODING", k);
            }
            for (String count : new String[] {"9", "8", "2", "1"}) {
                for (String[] set : new String[][] {{"SADD", d.key("ints"), "1", "2", "3", "4", "5", "6", "7", "8",
                    "9", "10"}, {"SADD", d.key("table"), "a", "b", "c", "1", "2", "3", "4", "5", "6", "7"}}) {
                    d.same("DEL", set[1]);
                    d.same(set);
                    pop(d, "SPOP", set[1], count);
                }
            }
            d.same("DEL", d.key("ints"), d.key("table"), d.key("one"), d.key("oneint"));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void sintercard(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String a = d.key("a");
            String b = d.key("b");
            String none = d.key("none");
            String s = d.key("s");
            d.same("DEL", a, b, none, s);
            d.same("SADD", a, "1", "2", "3", "4", "x");
            d.same("SADD", b, "2", "3", "4", "5");
            d.same("SET", s, "v");
            for (String[] c : new String[][] {{"SINTERCARD", "0", a}, {"SINTERCARD", "-1", a}, {"SINTERCARD", "x", a},
                    {"SINTERCARD", "1.5", a}, {"SINTERCARD", "", a}, {"SINTERCARD", "01", a},
                    {"SINTERCARD", "9223372036854775808", a}, {"SINTERCARD", "9223372036854775807", a},
                    {"SINTERCARD", "2", a}, {"SINTERCARD", "3", a, b}, {"SINTERCARD", "1", a},
                    {"SINTERCARD", "2", a, b}, {"SINTERCARD", "2", b, a}, {"SINTERCARD", "2", a, a},
                    {"SINTERCARD", "1", a, b}, {"SINTERCARD", "1", a, "LIMIT"}, {"SINTERCARD", "2", a, "LIMIT"},
                    {"SINTERCARD", "2", a, b, "LIMIT"}, {"SINTERCARD", "2", a, b, "LIMIT", "0"},
                    {"SINTERCARD", "2", a, b, "LIMIT", "1"}, {"SINTERCARD", "2", a, b, "LIMIT", "2"},
                    {"SINTERCARD", "2", a, b, "LIMIT", "3"}, {"SINTERCARD", "2", a, b, "LIMIT", "100"},
                    {"SINTERCARD", "2", a, b, "limit", "2"}, {"SINTERCARD", "2", a, b, "LIMIT", "-1"},
                    {"SINTERCARD", "2", a, b, "LIMIT", "x"}, {"SINTERCARD", "2", a, b, "LIMIT", "1.5"},
                    {"SINTERCARD", "2", a, b, "LIMIT", "9223372036854775807"},
                    {"SINTERCARD", "2", a, b, "LIMIT", "9223372036854775808"},
                    {"SINTERCARD", "2", a, b, "LIMIT", "1", "LIMIT", "3"},
                    {"SINTERCARD", "2", a, b, "LIMIT", "1", "LIMIT"}, {"SINTERCARD", "2", a, b, "LIMIT", "-1", "FOO"},
                    {"SINTERCARD", "2", a, b, "FOO", "1"}, {"SINTERCARD", "2", a, b, "FOO"},
                    {"SINTERCARD", "1", a, b, "LIMIT", "1"}, {"SINTERCARD", "2", a, none}, {"SINTERCARD", "1", none},
                    {"SINTERCARD", "2", none, s}, {"SINTERCARD", "2", a, s}, {"SINTERCARD", "2", s, a, "LIMIT", "x"},
                    {"SINTERCARD", "0", s}, {"SINTERCARD", "3", a, b, none, "LIMIT", "1"},
                    {"SINTERCARD", "3", a, b, a}}) {
                d.same(c);
            }
            d.same("SADD", d.key("LIMIT"), "2");
            d.same("SINTERCARD", "2", a, "LIMIT");
            d.same("SINTERCARD", "2", a, "LIMIT", "LIMIT", "5");
            d.same("DEL", a, b, s, d.key("LIMIT"));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void sinterSunionSdiff(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String a = d.key("a");
            String b = d.key("b");
            String c = d.key("c");
            String t = d.key("t");
            String none = d.key("none");
            d.same("DEL", a, b, c, t, none);
            d.same("SADD", a, "1", "2", "3", "4", "5", "6");
            d.same("SADD", b, "4", "5", "6", "7");
            d.same("SADD", c, "6", "5", "9", "1");
            d.same("SADD", t, "x", "5", "6", "1", "y");
            String[][] keyLists = {{a}, {a, b}, {b, a}, {a, b, c}, {c, b, a}, {a, a}, {a, none}, {none, a},
                {a, t}, {t, a}, {t, a, b}, {a, b, t}, {t}, {t, t}, {none}, {none, none}, {a, b, c, t, none},
                {t, c}, {c, t}, {a, t, b, c}};
            for (String[] keys : keyLists) {
                for (String op : new String[] {"SINTER", "SUNION", "SDIFF"}) {
                    String[] cmd = new String[keys.length + 1];
                    cmd[0] = op;
                    System.arraycopy(keys, 0, cmd, 1, keys.length);
                    list(d, cmd);
                }
            }
            // A hashtable of integers only.
            d.same("SADD", t, "z");
            d.same("SREM", t, "x", "y", "z");
            d.same("OBJECT", "ENCODING", t);
            for (String[][] c2 : new String[][][] {{{"SINTER", t, a}}, {{"SINTER", a, t}}, {{"SUNION", t}},
                    {{"SUNION", t, b}}, {{"SDIFF", t, b}}, {{"SDIFF", b, t}}, {{"SINTER", t}}, {{"SMEMBERS", t}}}) {
                list(d, c2[0]);
            }
            d.same("DEL", a, b, c, t);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void storeVariants(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String a = d.key("a");
            String b = d.key("b");
            String dst = d.key("dst");
            String none = d.key("none");
            d.same("DEL", a, b, dst, none);
            d.same("SADD", a, "1", "2", "3", "x");
            d.same("SADD", b, "2", "3", "4");
            for (String op : new String[] {"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}) {
                // A destination of another type is overwritten, and its TTL goes.
                d.same("SET", dst, "string");
                d.same("EXPIRE", dst, "1000");
                d.same(op, dst, a, b);
                d.same("TYPE", dst);
                d.same("TTL", dst);
                d.same("OBJECT", "ENCODING", dst);
                list(d, "SMEMBERS", dst);
                d.same("HSET", dst, "f", "v");
                d.same(op, dst, b, a);
                d.same("TYPE", dst);
                list(d, "SMEMBERS", dst);
                // A set destination with a TTL: replaced, TTL gone.
                d.same("EXPIRE", dst, "1000");
                d.same(op, dst, a);
                d.same("TTL", dst);
                list(d, "SMEMBERS", dst);
                // An empty result deletes the destination, whatever its type.
                for (String[] setup : new String[][] {{"SET", dst, "s"}, {"HSET", dst, "f", "v"},
                        {"SADD", dst, "1"}, {"DEL", dst}}) {
                    d.same(setup);
                    d.same(op, dst, none);
                    d.same("EXISTS", dst);
                    d.same(setup);
                    d.same(op, dst, none, a);
                    d.same("EXISTS", dst);
                    d.same(setup);
                    d.same(op, dst, a, a);
                    d.same("EXISTS", dst);
                }
                // The destination is also a source.
                d.same("DEL", dst);
                d.same("SADD", dst, "3", "4", "5");
                d.same(op, dst, dst, a);
                list(d, "SMEMBERS", dst);
                d.same("SADD", dst, "2", "9");
                d.same(op, dst, a, dst);
                list(d, "SMEMBERS", dst);
                d.same(op, dst, dst);
                list(d, "SMEMBERS", dst);
                // A wrong-typed source leaves the destination as it was.
                d.same("SET", d.key("s"), "v");
                d.same(op, dst, a, d.key("s"));
                d.same(op, dst, d.key("s"), none);
                list(d, "SMEMBERS", dst);
                d.same("DEL", d.key("s"));
                // Storing to a source: the source changes.
                d.same("SADD", d.key("a2"), "1", "2", "3");
                d.same(op, d.key("a2"), d.key("a2"), b);
                list(d, "SMEMBERS", d.key("a2"));
                d.same("DEL", d.key("a2"));
            }
            // SDIFFSTORE's result encoding. Redis picks its algorithm by the sets' sizes: with a first set much
            // larger than the others it copies the first set whole into the result and then removes the others'
            // members, so the result is a hashtable when the first set had a string, even if only integers stay.
            d.same("DEL", a, b, d.key("c"));
            d.same("SADD", a, "x", "1", "2", "3", "4", "5", "6", "7", "8", "9");
            d.same("SADD", b, "x");
            d.same("SADD", d.key("c"), "y");
            list(d, "SDIFF", a, b, d.key("c"));
            d.same("SDIFFSTORE", dst, a, b, d.key("c"));
            d.same("OBJECT", "ENCODING", dst);
            d.same("SDIFFSTORE", dst, a, b); // the other algorithm: only the members that stay are added
            d.same("OBJECT", "ENCODING", dst);
            d.same("DEL", a, b, d.key("c"), dst);
            d.same("SADD", a, "1", "2", "3");
            d.same("SADD", b, "2", "3", "4");
            // SDIFF with the first set repeated is empty; the first missing, empty.
            d.same("SDIFFSTORE", dst, a, b, a);
            d.same("EXISTS", dst);
            d.same("SDIFFSTORE", dst, none, a);
            d.same("EXISTS", dst);
            d.same("DEL", a, b, dst);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void smove(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String a = d.key("a");
            String b = d.key("b");
            String s = d.key("s");
            String none = d.key("none");
            d.same("DEL", a, b, s, none);
            d.same("SADD", a, "1", "2", "x");
            d.same("SET", s, "v");
            for (String[] c : new String[][] {{"SMOVE", a, a, "1"}, {"SMOVE", a, a, "zz"}, {"SMOVE", none, a, "1"},
                    {"SMOVE", none, s, "1"}, {"SMOVE", a, s, "1"}, {"SMOVE", a, s, "zz"}, {"SMOVE", s, a, "1"},
                    {"SMOVE", s, s, "1"}, {"SMOVE", a, b, "zz"}, {"EXISTS", b}, {"SMOVE", a, b, "1"},
                    {"OBJECT", "ENCODING", b}, {"SMOVE", a, b, "1"}, {"SMOVE", a, b, "x"}, {"OBJECT", "ENCODING", b},
                    {"SMEMBERS", a}, {"SMOVE", b, a, "1"}, {"SCARD", a}, {"SCARD", b}, {"SMOVE", b, a, "x"},
                    {"EXISTS", b}, {"OBJECT", "ENCODING", a}, {"SMOVE", a, a, "x"}, {"SCARD", a}}) {
                d.same(c);
            }
            list(d, "SMEMBERS", a);
            // The destination already has the member: it goes from the source all the same.
            d.same("SADD", b, "2", "7");
            d.same("SMOVE", a, b, "2");
            d.same("SISMEMBER", a, "2");
            d.same("SMOVE", a, b, "2");
            // The last member moved: the source goes; the destination's TTL stays.
            d.same("DEL", a, b);
            d.same("SADD", a, "only");
            d.same("SADD", b, "9");
            d.same("EXPIRE", b, "1000");
            d.same("EXPIRE", a, "500");
            d.same("SMOVE", a, b, "only");
            d.same("EXISTS", a);
            d.ttl("TTL", b);
            d.same("OBJECT", "ENCODING", b);
            list(d, "SMEMBERS", b);
            // An integer from a hashtable into an intset, a string into an intset, into a new key.
            d.same("DEL", a);
            d.same("SADD", a, "3", "4");
            d.same("SMOVE", b, a, "9");
            d.same("OBJECT", "ENCODING", a);
            d.same("SMOVE", b, a, "only");
            d.same("OBJECT", "ENCODING", a);
            d.same("SMOVE", a, none, "3");
            d.same("OBJECT", "ENCODING", none);
            d.same("SMOVE", a, d.key("new"), "only");
            d.same("OBJECT", "ENCODING", d.key("new"));
            d.same("SMOVE", a, b, "01");
            list(d, "SMEMBERS", a);
            d.same("DEL", a, b, s, none, d.key("new"));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void sscan(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String i = d.key("i");
            String t = d.key("t");
            String none = d.key("none");
            d.same("DEL", i, t, none);
            d.same("SADD", i, "10", "-3", "7", "100", "17", "1000000", "-9223372036854775808");
            List<String> args = new ArrayList<>(List.of("SADD", t, "a1", "b2", "a3", "[x]", "*", "\u00e9", "", "10"));
            for (int n = 0; n < 60; n++) {
                args.add("m" + n);
            }
            d.same(args.toArray(String[]::new));
            String[][] tails = {{}, {"MATCH", "1*"}, {"MATCH", "*7"}, {"match", "?0"}, {"MATCH", "[ab]?"},
                {"MATCH", "a*"}, {"MATCH", "\\[*"}, {"MATCH", "["}, {"MATCH", "\\"}, {"MATCH", ""}, {"MATCH", "*"},
                {"MATCH", "-*"}, {"MATCH", "m1?"}, {"MATCH", "[^m]*"}, {"COUNT", "1"}, {"COUNT", "5"},
                {"COUNT", "1000"}, {"count", "2", "MATCH", "m*"}, {"MATCH", "a*", "MATCH", "m*"},
                {"COUNT", "2", "COUNT", "7"}};
            for (String[] tail : tails) {
                for (String cursor : new String[] {"0", "7", "18446744073709551615"}) {
                    String[] c = new String[3 + tail.length];
                    c[0] = "SSCAN";
                    c[1] = i;
                    c[2] = cursor;
                    System.arraycopy(tail, 0, c, 3, tail.length);
                    d.same(c); // an intset comes whole, whatever the cursor
                    c[1] = none;
                    d.same(c);
                }
                d.scanAll(new String[] {"SSCAN", t}, tail);
            }
            for (String cursor : new String[] {"-1", "+7", "-18446744073709551615", "18446744073709551615", ""}) {
                d.same("SSCAN", i, cursor); // a cursor strtoul takes: an intset comes whole all the same
                d.same("SSCAN", none, cursor);
            }
            for (String[] bad : new String[][] {{"x"}, {" 0"}, {"0 "}, {"18446744073709551616"}, {"--1"},
                    {"0x10"}, {"0", "MATCH"},
                    {"0", "COUNT"}, {"0", "COUNT", "0"}, {"0", "COUNT", "-1"}, {"0", "COUNT", "x"},
                    {"0", "COUNT", "1.5"}, {"0", "COUNT", "9223372036854775808"}, {"0", "FOO", "bar"}, {"0", "FOO"},
                    {"0", "TYPE", "set"}, {"0", "NOVALUES"}, {"0", "MATCH", "*", "COUNT", "0"},
                    {"x", "COUNT", "0"}}) {
                for (String k : new String[] {i, t, none}) {
                    String[] c = new String[2 + bad.length];
                    c[0] = "SSCAN";
                    c[1] = k;
                    System.arraycopy(bad, 0, c, 2, bad.length);
                    d.same(c);
                }
            }
            d.same("DEL", i, t);
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
            // The last member removed removes the key.
            d.same("SADD", k, "1", "a");
            d.same("SREM", k, "1", "a", "zz");
            d.same("EXISTS", k);
            d.same("TYPE", k);
            d.same("SADD", k, "1");
            d.same("SPOP", k);
            d.same("EXISTS", k);
            d.same("SADD", k, "1", "2");
            d.same("SPOP", k, "2");
            d.same("EXISTS", k);
            // EXPIRE on a set; writes keep the TTL.
            d.same("SADD", k, "1", "2", "x");
            d.same("EXPIRE", k, "100");
            d.ttl("TTL", k);
            d.same("SADD", k, "3");
            d.same("SREM", k, "2");
            d.ttl("TTL", k);
            d.same("PERSIST", k);
            d.same("TTL", k);
            d.same("EXPIRE", k, "100");
            // RENAME and COPY carry the TTL and the members.
            d.same("RENAME", k, k2);
            d.same("EXISTS", k);
            d.ttl("PTTL", k2);
            d.same("TYPE", k2);
            d.same("OBJECT", "ENCODING", k2);
            list(d, "SMEMBERS", k2);
            d.same("COPY", k2, k);
            d.ttl("TTL", k);
            d.same("OBJECT", "ENCODING", k);
            list(d, "SMEMBERS", k);
            d.same("COPY", k2, k);
            d.same("SADD", k, "only in the copy");
            d.same("SISMEMBER", k2, "only in the copy");
            d.same("SCARD", k2);
            d.same("COPY", k2, k, "REPLACE");
            d.same("SISMEMBER", k, "only in the copy");
            d.same("COPY", k2, k2);
            d.same("COPY", k2, k2, "REPLACE");
            d.same("COPY", k2, k, "FOO");
            d.same("SET", s, "text");
            d.same("COPY", k2, s);
            d.same("COPY", k2, s, "REPLACE");
            d.same("TYPE", s);
            d.ttl("TTL", s);
            d.same("SADD", k3, "5", "1", "3");
            d.same("COPY", k3, k2, "REPLACE"); // an intset without TTL over a set with one
            d.same("TTL", k2);
            d.same("OBJECT", "ENCODING", k2);
            list(d, "SMEMBERS", k2);
            d.same("SET", s, "text");
            d.same("RENAMENX", k3, s);
            d.same("RENAME", k3, s);
            d.same("TYPE", s);
            list(d, "SMEMBERS", s);
            d.same("RENAME", s, s);
            d.same("RENAME", d.key("none"), s);
            // EXPIRE in the past deletes; an expired set is gone for every command.
            d.same("EXPIRE", s, "0");
            d.same("EXISTS", s);
            d.same("SADD", s, "1");
            d.same("PEXPIRE", s, "-1");
            d.same("SCARD", s);
            d.same("DEL", k, k2, k3, s);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void anExpiredSetIsGone(int protocol) throws Exception {
        try (Duo d = new Duo(servers, protocol)) {
            String[] keys = new String[16];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = d.key("exp" + i);
                d.same("DEL", keys[i]);
                d.same("SADD", keys[i], "1", "2", i % 2 == 0 ? "3" : "x");
                d.same("PEXPIRE", keys[i], "20");
            }
            String other = d.key("exp-other");
            d.same("DEL", other);
            d.same("SADD", other, "1", "2");
            Thread.sleep(150); // well past the TTL on both servers
            int i = 0;
            for (String[] c : new String[][] {{"SMEMBERS", keys[i++]}, {"SCARD", keys[i++]},
                    {"SISMEMBER", keys[i++], "1"}, {"SADD", keys[i++], "9"}, {"SREM", keys[i++], "1"},
                    {"SPOP", keys[i++]}, {"SRANDMEMBER", keys[i++], "-3"}, {"SMOVE", keys[i++], other, "1"},
                    {"SINTER", keys[i++], other}, {"SUNIONSTORE", keys[i++], keys[i - 1]},
                    {"SDIFF", other, keys[i++]}, {"SSCAN", keys[i++], "0"}, {"SINTERCARD", "1", keys[i++]},
                    {"RENAME", keys[i++], d.key("exp-renamed")}, {"TYPE", keys[i++]},
                    {"SMOVE", other, keys[i++], "2"}}) {
                d.same(c);
            }
            for (String k : keys) {
                list(d, "SMEMBERS", k);
                d.same("TTL", k);
            }
            list(d, "SMEMBERS", other);
            String[] del = new String[keys.length + 3];
            del[0] = "DEL";
            System.arraycopy(keys, 0, del, 1, keys.length);
            del[keys.length + 1] = d.key("exp-renamed");
            del[keys.length + 2] = other;
            d.same(del);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void scanType(int protocol) throws IOException {
        try (Duo d = new Duo(servers, protocol)) {
            String[] sets = {d.key("scan-s1"), d.key("scan-s2"), d.key("scan-s3")};
            d.same("SADD", sets[0], "1");
            d.same("SADD", sets[1], "a");
            d.same("SADD", sets[2], "b");
            d.same("SET", d.key("scan-str"), "v");
            d.same("HSET", d.key("scan-h"), "f", "v");
            d.same("SREM", sets[2], "b");
            String mine = d.key("scan-*");
            d.scanKeys("MATCH", mine, "TYPE", "set");
            d.scanKeys("MATCH", mine, "TYPE", "SET");
            d.scanKeys("MATCH", mine, "TYPE", "hash");
            d.scanKeys("MATCH", mine, "TYPE", "string");
            d.scanKeys("TYPE", "set", "MATCH", d.key("scan-s*"), "COUNT", "1");
            d.scanKeys("MATCH", mine);
            d.same("DEL", sets[0], sets[1], d.key("scan-str"), d.key("scan-h"));
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
            for (String[] c : new String[][] {{"SADD", t, "3", "1", "2"}, {"SCARD", t}, {"SMEMBERS", t},
                    {"SISMEMBER", t, "2"}, {"SREM", t, "2"}, {"SMISMEMBER", t, "1", "2", "3"}, {"SET", s, "v"},
                    {"SADD", s, "1"}, {"GET", t}, {"SADD", u, "3", "4"}, {"SINTER", t, u}, {"SUNION", t, u},
                    {"SDIFF", t, u}, {"SINTERCARD", "2", t, u}, {"SUNIONSTORE", t2, t, u}, {"SMEMBERS", t2},
                    {"SMOVE", t2, t, "4"}, {"SMEMBERS", t}, {"SRANDMEMBER", t, "10"}, {"SSCAN", t, "0"},
                    {"SPOP", t, "0"}, {"OBJECT", "ENCODING", t}, {"SADD", t, "x"}, {"OBJECT", "ENCODING", t},
                    {"SREM", t, "1", "3", "4"}, {"SMEMBERS", t}, {"EXPIRE", t, "100"}, {"RENAME", t, t2},
                    {"SMEMBERS", t2}, {"SCARD", t}, {"SPOP", t2}, {"EXISTS", t2}, {"TYPE", t2}}) {
                d.same(c);
            }
            d.same("EXEC");
            // A command refused at queue time aborts the transaction.
            d.same("MULTI");
            d.same("SADD", t, "1");
            d.same("SADD", t);
            d.same("SMEMBERS");
            d.same("EXEC");
            d.same("EXISTS", t);
            // Errors at run time do not.
            d.same("MULTI");
            d.same("SADD", t, "1");
            d.same("SPOP", t, "-1");
            d.same("SRANDMEMBER", t, "x");
            d.same("SINTERCARD", "0", t);
            d.same("SSCAN", t, "x");
            d.same("GET", t);
            d.same("HSET", t, "f", "v");
            d.same("SADD", t, "2");
            d.same("SMEMBERS", t);
            d.same("EXEC");
            d.same("MULTI");
            d.same("SREM", t, "1");
            d.same("SADD", t, "5");
            d.same("SMEMBERS", t);
            d.same("DISCARD");
            list(d, "SMEMBERS", t);
            d.same("DEL", t, t2, u, s);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void watchSeesChangesToASet(int protocol) throws IOException {
        String[][][] cases = {
            {{"SADD", "w", "1"}, {"SADD", "w", "1"}}, // no change: not touched
            {{"SADD", "w", "1"}, {"SADD", "w", "2"}},
            {{"SADD", "w", "1"}, {"SREM", "w", "9"}}, // no change
            {{"SADD", "w", "1", "2"}, {"SREM", "w", "1"}},
            {{"SADD", "w", "1"}, {"SREM", "w", "1"}}, // deletes the key
            {{"SADD", "w", "1"}, {"SPOP", "w", "0"}},
            {{"SADD", "w", "1"}, {"SPOP", "w"}},
            {{"SADD", "w", "1", "2"}, {"SPOP", "w", "5"}},
            {{"SADD", "w", "1"}, {"SRANDMEMBER", "w", "5"}},
            {{"SADD", "w", "1"}, {"SISMEMBER", "w", "1"}},
            {{"SADD", "w", "1"}, {"SMEMBERS", "w"}},
            {{"SADD", "w", "1"}, {"SCARD", "w"}},
            {{"SADD", "w", "1"}, {"SSCAN", "w", "0"}},
            {{"SADD", "w", "1"}, {"SINTERCARD", "1", "w"}},
            {{"SADD", "w", "1"}, {"SMOVE", "w", "w2", "1"}},
            {{"SADD", "w", "1"}, {"SMOVE", "w", "w2", "9"}},
            {{"SADD", "w", "1"}, {"SMOVE", "w", "w", "1"}}, // the same key: a no-op
            {{"SADD", "w2", "1"}, {"SMOVE", "w2", "w", "1"}},
            {{"SADD", "w2", "1"}, {"SADD", "w", "1"}, {"SMOVE", "w2", "w", "1"}}, // already in w
            {{"SADD", "w", "1"}, {"SADD", "w2", "2"}, {"SUNIONSTORE", "w", "w2"}},
            {{"SADD", "w", "1"}, {"SADD", "w2", "1"}, {"SINTERSTORE", "w", "w", "w2"}}, // same contents again
            {{"SADD", "w", "1"}, {"SDIFFSTORE", "w", "w"}}, // empty: deletes w
            {{"DEL", "w"}, {"SDIFFSTORE", "w", "w2"}}, // empty, nothing to delete
            {{"SADD", "w", "1"}, {"SUNIONSTORE", "w2", "w"}},
            {{"SET", "w", "x"}, {"SADD", "w", "1"}}, // WRONGTYPE
            {{"SET", "w", "x"}, {"SINTERSTORE", "w", "w2"}}, // deletes the string
            {{"SADD", "w", "1"}, {"DEL", "w"}},
            {{"SADD", "w", "1"}, {"EXPIRE", "w", "100"}},
            {{"SADD", "w", "1"}, {"RENAME", "w", "w2"}},
            {{"SADD", "w", "1"}, {"COPY", "w", "w2"}},
            {{"SADD", "w2", "1"}, {"COPY", "w2", "w"}},
            {{"SADD", "w", "1"}, {"SADD", "w2", "1"}, {"COPY", "w2", "w", "REPLACE"}},
        };
        String prefix = "r" + protocol + ".watch.";
        for (String[][] c : cases) {
            List<String> expected = Duo.watchRun(servers.redis.port, protocol, prefix, c, "SMEMBERS", "w");
            List<String> actual = Duo.watchRun(servers.qrrot.port(), protocol, prefix, c, "SMEMBERS", "w");
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
        System.out.println("SetDifferentialTest.randomCommands RESP" + protocol + " seed=" + seed
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
                    // until the batch is full or ends with a step that must be the last (a random SPOP)
                }
                sent += d.pipeline(batch);
                maxIntset = g.maxIntset;
                if (rnd.nextInt(4) == 0) {
                    sscan(d, g.key(), g.scanOptions());
                }
                if (rnd.nextInt(16) == 0) {
                    d.scanKeys("MATCH", g.prefix + "*", "TYPE", "set");
                }
            }
            d.same(g.allKeys("DEL"));
        }
        System.out.println("SetDifferentialTest.randomCommands RESP" + protocol + ": " + reencoded
                + " set(s) renamed or copied with another encoding than Redis' (deleted on both, see moved())");
        reencoded = 0;
    }

    /** Random commands over a few keys, with members from small alphabets so that they collide. */
    private static final class Generator {
        /** Mostly small numbers, so that intsets are common and sets meet; some wide ones. */
        private static final String[] SMALL = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "-1",
            "-2"};
        private static final String[] WIDE = {"40000", "-40000", "3000000000", "-3000000000", "9223372036854775807",
            "-9223372036854775808", "32767", "-32768", "2147483648"};
        private static final String[] STRINGS = {"a", "b", "c", "", "01", "-0", "+1", " 1", "1.0", "x\u0000y",
            "\u00e9", "9223372036854775808", "-9223372036854775809"};
        private static final String[] VALUES = {"", "0", "1", "-1", "abc", "7", "10", "x\u0000y", "1.5"};
        private static final String[] FIELDS = {"a", "b", "c", "1", ""};
        private static final String[] COUNTS = {"0", "1", "2", "3", "5", "8", "9", "12", "15", "20", "-1", "-2",
            "-5", "-30", "x", "9223372036854775807", "-9223372036854775808", "1.5"};
        private static final String[] LIMITS = {"0", "1", "2", "5", "-1", "x"};
        private static final String[] PATTERNS = {"*", "1*", "?", "[0-5]", "[^1]*", "-*", "a*", "", "*0"};
        /** Never a TTL that could run out during the run (the servers' clocks differ by a few ms). */
        private static final String[] SECONDS = {"100", "500", "1000", "0", "-1"};
        private static final String[] INTSET_LIMITS = {"512", "512", "4", "8", "16"};

        final Random rnd;
        final String prefix;
        final String[] keys;
        /** set-max-intset-entries after the commands generated so far. */
        int maxIntset = DEFAULT_MAX_INTSET;

        Generator(Random rnd, String prefix) {
            this.rnd = rnd;
            this.prefix = prefix;
            keys = new String[5];
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

        String key() {
            return pick(keys);
        }

        private String member() {
            int r = rnd.nextInt(100);
            return r < 78 ? pick(SMALL) : r < 90 ? pick(WIDE) : pick(STRINGS);
        }

        private String[] withMembers(String name, String key, int n) {
            String[] c = new String[2 + n];
            c[0] = name;
            c[1] = key;
            for (int i = 0; i < n; i++) {
                c[2 + i] = member();
            }
            return c;
        }

        private String[] withKeys(String name, int fixed, int n) {
            String[] c = new String[fixed + n];
            c[0] = name;
            for (int i = 1; i < c.length; i++) {
                c[i] = key();
            }
            return c;
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
            if (rnd.nextInt(250) == 0) {
                String v = pick(INTSET_LIMITS);
                maxIntset = Integer.parseInt(v);
                out.add(Step.exact("CONFIG", "SET", "set-max-intset-entries", v));
                return true;
            }
            String[] c = command(true);
            if (rnd.nextInt(60) == 0) {
                c = mutateArity(c);
            }
            String name = c[0];
            if ((name.equals("SPOP") || name.equals("SRANDMEMBER")) && c.length >= 2) {
                out.add(pop(c, maxIntset));
                return !name.equals("SPOP");
            }
            if (name.equals("TTL")) {
                out.add(Step.time(c));
            } else if (name.equals("OBJECT") && c.length == 3) {
                out.add(new Step(new String[][] {c}, (d, cmds, r) -> checkEncoding(d, cmds[0], r[0])));
            } else if ((name.equals("RENAME") || name.equals("RENAMENX") || name.equals("COPY")) && c.length >= 3) {
                out.add(moved(c));
                return false;
            } else if (LISTING.contains(name)) {
                out.add(listing(c, maxIntset));
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
                while (c[0].startsWith("RENAME") || c[0].equals("COPY")) {
                    c = command(false); // not in a transaction: see moved()
                }
                if (rnd.nextInt(30) == 0 && !c[0].equals("OBJECT")) {
                    // The transaction is then aborted. (Not OBJECT ENCODING: Redis checks a subcommand's
                    // arity when it queues it, qrrot when it runs it.)
                    c = mutateArity(c);
                }
                cmds.add(c);
            }
            cmds.add(new String[] {rnd.nextInt(10) == 0 ? "DISCARD" : "EXEC"});
            out.add(new Step(cmds.toArray(String[][]::new), SetDifferentialTest::checkTransaction));
        }

        /** One argument fewer or one more (an arity or syntax error, or sometimes still valid). */
        private String[] mutateArity(String[] c) {
            if (rnd.nextBoolean() && c.length > 1) {
                return Arrays.copyOf(c, c.length - 1);
            }
            String[] m = Arrays.copyOf(c, c.length + 1);
            // ASCII only: an error that quotes an argument (EXPIRE's "Unsupported option") shows qrrot's
            // error text as UTF-8, where Redis copies the bytes.
            m[c.length] = rnd.nextBoolean() ? pick(SMALL) : pick(new String[] {"x", "a", "01", ""});
            return m;
        }

        /** @param random whether SPOP, SRANDMEMBER and TTL may appear (not inside a transaction) */
        private String[] command(boolean random) {
            String k = key();
            int r = rnd.nextInt(1000);
            if (r < 220) {
                return withMembers("SADD", k, 1 + rnd.nextInt(5));
            } else if (r < 290) {
                return withMembers("SREM", k, 1 + rnd.nextInt(3));
            } else if (r < 320) {
                return withMembers("SISMEMBER", k, 1);
            } else if (r < 340) {
                return withMembers("SMISMEMBER", k, 1 + rnd.nextInt(4));
            } else if (r < 360) {
                return new String[] {"SCARD", k};
            } else if (r < 420) {
                return new String[] {"SMEMBERS", k};
            } else if (r < 500) {
                return withKeys(pick(new String[] {"SINTER", "SUNION", "SDIFF"}), 1, 1 + rnd.nextInt(3));
            } else if (r < 560) {
                return withKeys(pick(new String[] {"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}), 2,
                        1 + rnd.nextInt(3));
            } else if (r < 580) {
                int n = 1 + rnd.nextInt(3);
                List<String> c = new ArrayList<>(List.of("SINTERCARD", Integer.toString(n)));
                for (int i = 0; i < n; i++) {
                    c.add(key());
                }
                if (rnd.nextBoolean()) {
                    c.add("LIMIT");
                    c.add(pick(LIMITS));
                }
                return c.toArray(String[]::new);
            } else if (r < 620) {
                return new String[] {"SMOVE", k, key(), member()};
            } else if (r < 650 && random) {
                return rnd.nextInt(4) == 0 ? new String[] {"SPOP", k} : new String[] {"SPOP", k, pick(COUNTS)};
            } else if (r < 690 && random) {
                return rnd.nextInt(4) == 0 ? new String[] {"SRANDMEMBER", k}
                        : new String[] {"SRANDMEMBER", k, pick(COUNTS)};
            } else if (r < 720) {
                return new String[] {"OBJECT", "ENCODING", k};
            } else if (r < 735) {
                return new String[] {"HSET", k, pick(FIELDS), pick(VALUES)};
            } else if (r < 745) {
                return new String[] {"HDEL", k, pick(FIELDS)};
            } else if (r < 750) {
                return new String[] {"HGETALL", k};
            } else if (r < 765) {
                return new String[] {"SET", k, rnd.nextBoolean() ? member() : pick(VALUES)};
            } else if (r < 775) {
                return new String[] {"GET", k};
            } else if (r < 780) {
                return new String[] {rnd.nextBoolean() ? "INCR" : "APPEND", k, "1"};
            } else if (r < 800) {
                return rnd.nextBoolean() ? new String[] {"DEL", k} : new String[] {"DEL", k, key()};
            } else if (r < 830) {
                return new String[] {"EXPIRE", k, pick(SECONDS)};
            } else if (r < 840) {
                return new String[] {"PERSIST", k};
            } else if (r < 850 && random) {
                return new String[] {"TTL", k};
            } else if (r < 880) {
                return new String[] {rnd.nextInt(4) == 0 ? "RENAMENX" : "RENAME", k, key()};
            } else if (r < 910) {
                return rnd.nextBoolean() ? new String[] {"COPY", k, key()} : new String[] {"COPY", k, key(), "REPLACE"};
            } else if (r < 930) {
                return new String[] {"TYPE", k};
            } else if (r < 945) {
                return new String[] {"EXISTS", k, key()};
            } else if (r < 970) {
                return new String[] {"SCARD", k};
            } else {
                return new String[] {"SMEMBERS", k};
            }
        }
    }

    // --------------------------------------------------------------------------------- comparison rules

    private static void setMaxIntset(Duo d, int n) throws IOException {
        d.same("CONFIG", "SET", "set-max-intset-entries", Integer.toString(n));
        maxIntset = n;
    }

    /** A command whose reply lists a set, compared by {@link #listing}. */
    private static void list(Duo d, String... cmd) throws IOException {
        d.pipeline(List.of(listing(cmd, maxIntset)));
    }

    /** SPOP or SRANDMEMBER, compared by {@link #pop(String[], int)}. */
    private static void pop(Duo d, String... cmd) throws IOException {
        d.pipeline(List.of(pop(cmd, maxIntset)));
    }

    /** The keys a command reads: SMEMBERS' one, or SINTER's, SUNION's and SDIFF's all. */
    private static List<String> keysOf(String[] cmd) {
        String name = cmd[0].toUpperCase(Locale.ROOT);
        if (name.equals("SMEMBERS")) {
            return cmd.length == 2 ? List.of(cmd[1]) : List.of();
        }
        return Arrays.asList(cmd).subList(1, cmd.length);
    }

    /**
     * SMEMBERS, SINTER, SUNION or SDIFF, after OBJECT ENCODING and SCARD of each key it reads (compared
     * exactly): the reply exactly where Redis' order is defined, else as a multiset.
     *
     * @param max set-max-intset-entries when the command runs
     */
    private static Step listing(String[] cmd, int max) {
        List<String[]> cmds = new ArrayList<>();
        List<String> keys = keysOf(cmd);
        for (String k : keys) {
            cmds.add(new String[] {"OBJECT", "ENCODING", k});
            cmds.add(new String[] {"SCARD", k});
        }
        cmds.add(cmd);
        return new Step(cmds.toArray(String[][]::new), (d, c, r) -> {
            Map<String, String> encoding = new HashMap<>();
            Map<String, Long> card = new HashMap<>();
            int n = c.length - 1;
            for (int i = 0; i < n; i += 2) {
                checkEncoding(d, c[i], r[i]);
                d.check(c[i + 1], r[i + 1]);
                encoding.put(c[i][2], Node.parse(r[i][0]).text());
                card.put(c[i][2], integer(r[i + 1][0]));
            }
            if (ordered(c[n], encoding, card, r[n][0], max)) {
                d.check(c[n], r[n]);
            } else {
                d.checkUnordered(c[n], r[n]);
            }
        });
    }

    /** Whether Redis' reply to a command listing a set is in a defined order (its intset's, ascending). */
    private static boolean ordered(String[] cmd, Map<String, String> encoding, Map<String, Long> card, String reply,
                                   int max) {
        Node n = Node.parse(reply);
        if (!n.aggregate() || n.kids().size() <= 1) {
            return true;
        }
        switch (cmd[0].toUpperCase(Locale.ROOT)) {
            case "SMEMBERS" -> {
                return "intset".equals(encoding.get(cmd[1]));
            }
            case "SINTER" -> {
                // Redis walks the smallest set (the first of them when several are as small) and replies its
                // members in that set's order: defined when every set of that size is an intset.
                long min = Long.MAX_VALUE;
                for (int i = 1; i < cmd.length; i++) {
                    min = Math.min(min, card.getOrDefault(cmd[i], Long.MAX_VALUE));
                }
                for (int i = 1; i < cmd.length; i++) {
                    if (card.getOrDefault(cmd[i], -1L) == min && !"intset".equals(encoding.get(cmd[i]))) {
                        return false;
                    }
                }
                return true;
            }
            case "SUNION" -> {
                return intsetResult(n, max);
            }
            case "SDIFF" -> {
                // Redis builds the result from the first set, adding (and with its second algorithm removing):
                // an intset when the first set is one, small enough for the limit.
                return "intset".equals(encoding.get(cmd[1])) && card.getOrDefault(cmd[1], Long.MAX_VALUE) <= max;
            }
            default -> {
                return true;
            }
        }
    }

    /**
     * Whether a result Redis builds by adding members to a new intset (SUNION, SPOP of the whole set) stays an
     * intset, replied in ascending order: only integers, at most set-max-intset-entries of them.
     */
    private static boolean intsetResult(Node reply, int max) {
        if (reply.kids().size() > max) {
            return false;
        }
        for (Node m : reply.kids()) {
            if (!canonicalInteger(m.text())) {
                return false;
            }
        }
        return true;
    }

    /** Redis' test for an intset member (string2ll): a decimal long without sign, leading zero or space. */
    static boolean canonicalInteger(String s) {
        if (s == null || !s.matches("0|-?[1-9][0-9]{0,18}")) {
            return false;
        }
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Long integer(String reply) {
        return reply.startsWith(":") ? Long.valueOf(reply.substring(1).trim()) : null;
    }

    /**
     * SPOP or SRANDMEMBER, after OBJECT ENCODING and SMEMBERS of its key (and for SPOP, followed by SMEMBERS
     * again): exactly where Redis' answer is deterministic, else by shape and membership; after a random
     * SPOP, each server's set must be what it had less what it popped, and the key is then deleted on both
     * (so such a step must be the last of its batch).
     */
    private static Step pop(String[] cmd, int max) {
        String k = cmd[1];
        boolean spop = cmd[0].equalsIgnoreCase("SPOP");
        List<String[]> cmds = new ArrayList<>(List.of(new String[] {"OBJECT", "ENCODING", k},
                new String[] {"SMEMBERS", k}, cmd));
        if (spop) {
            cmds.add(new String[] {"OBJECT", "ENCODING", k});
            cmds.add(new String[] {"SMEMBERS", k});
        }
        return new Step(cmds.toArray(String[][]::new), (d, c, r) -> {
            checkEncoding(d, c[0], r[0]);
            String encoding = Node.parse(r[0][0]).text();
            boolean intset = "intset".equals(encoding);
            if (intset) {
                d.check(c[1], r[1]);
            } else {
                d.checkUnordered(c[1], r[1]);
            }
            Node before = Node.parse(r[1][0]);
            List<String> members = new ArrayList<>();
            for (Node m : before.kids()) {
                members.add(m.text());
            }
            String[] reply = r[2];
            d.record(cmd, reply);
            long count = countOf(cmd, reply[0]);
            boolean random = before.aggregate() && isRandom(spop, cmd, count, members.size());
            if (!random) {
                if (!reply[0].equals(reply[1])) {
                    boolean whole = cmd.length == 3 && count >= members.size() && count > 0;
                    boolean defined = !whole || (spop ? intsetResult(Node.parse(reply[0]), max) : intset);
                    if (defined || !Node.parse(reply[0]).form(true).equals(Node.parse(reply[1]).form(true))) {
                        d.mismatch(cmd, reply, defined ? "" : " (compared in any order)");
                    }
                }
                if (spop) {
                    checkEncoding(d, c[3], r[3]);
                    d.checkUnordered(c[4], r[4]);
                }
                return;
            }
            boolean distinct = spop || count > 0;
            String expected = randomShape(reply[0], members, distinct);
            String actual = randomShape(reply[1], members, distinct);
            if (!expected.equals(actual)) {
                d.mismatch(cmd, reply, " (random reply: compared by shape " + show(expected) + " vs "
                        + show(actual) + ")");
            }
            if (!spop) {
                return;
            }
            boolean rebuilt = cmd.length == 3 && (members.size() - count) * 5 <= count;
            if (rebuilt && intset) {
                // Redis then replies the popped members in the set's order: an intset's, ascending.
                for (int side = 0; side < 2; side++) {
                    long previous = Long.MIN_VALUE;
                    for (Node m : Node.parse(reply[side]).kids()) {
                        long v = Long.parseLong(m.text());
                        if (v < previous) {
                            d.mismatch(cmd, reply, " (" + (side == 0 ? "Redis'" : "qrrot's")
                                    + " members popped from an intset should be in ascending order)");
                        }
                        previous = v;
                    }
                }
            }
            d.record(c[3], r[3]);
            d.record(c[4], r[4]);
            for (int side = 0; side < 2; side++) {
                List<String> left = new ArrayList<>();
                for (Node m : Node.parse(r[4][side]).kids()) {
                    left.add(m.text());
                }
                // Redis keeps the set, less what it popped, unless it popped so many (the rest at most a fifth
                // of the count) that it built a new set of the rest: an intset when that can be one.
                String expectedEncoding = encoding;
                if (rebuilt) {
                    boolean ints = left.size() <= max;
                    for (String m : left) {
                        ints &= canonicalInteger(m);
                    }
                    expectedEncoding = ints ? "intset" : "hashtable";
                }
                String actualEncoding = Node.parse(r[3][side]).text();
                if (!expectedEncoding.equals(actualEncoding)) {
                    d.mismatch(c[3], r[3], " (after a random SPOP, " + (side == 0 ? "Redis'" : "qrrot's")
                            + " set should be " + expectedEncoding + ")");
                }
                Node popped = Node.parse(reply[side]);
                if (popped.type() == '$') {
                    left.add(popped.text());
                } else {
                    for (Node m : popped.kids()) {
                        left.add(m.text());
                    }
                }
                List<String> all = new ArrayList<>(members);
                Collections.sort(all);
                Collections.sort(left);
                if (!all.equals(left)) {
                    d.mismatch(c[4], r[4], " (after a random SPOP, " + (side == 0 ? "Redis'" : "qrrot's")
                            + " set is not what it had less what it popped)");
                }
            }
            d.same("DEL", k); // the two sets have parted: start again from nothing
        });
    }

    /**
     * OBJECT ENCODING, exactly, but for a string Redis reports {@code raw} and qrrot {@code embstr} or
     * {@code int}: Redis keeps a string APPEND (or SETRANGE) wrote as {@code raw} whatever its length and
     * text, qrrot names a string's encoding by its text and length only. Not a set matter.
     */
    private static void checkEncoding(Duo d, String[] cmd, String[] r) {
        d.record(cmd, r);
        if (!r[0].equals(r[1]) && !sameEncoding(Node.parse(r[0]).text(), Node.parse(r[1]).text())) {
            d.mismatch(cmd, r, "");
        }
    }

    /** Whether qrrot's OBJECT ENCODING answer matches Redis', as {@link #checkEncoding} compares them. */
    private static boolean sameEncoding(String redis, String qrrot) {
        return redis == null ? qrrot == null
                : redis.equals(qrrot) || redis.equals("raw") && ("embstr".equals(qrrot) || "int".equals(qrrot));
    }

    /**
     * RENAME, RENAMENX or COPY, then OBJECT ENCODING of the destination. Redis moves or duplicates the set
     * object with its encoding; qrrot logs the destination's members anew, which keeps a hashtable one but
     * makes an intset larger than a since lowered set-max-intset-entries a hashtable. Where that happens the
     * destination is deleted on both servers (so such a step must be the last of its batch), unless
     * {@link #STRICT_ENCODING}.
     */
    private static Step moved(String[] cmd) {
        String dst = cmd[2];
        return new Step(new String[][] {cmd, {"OBJECT", "ENCODING", dst}}, (d, c, r) -> {
            d.check(c[0], r[0]);
            String[] e = r[1];
            if (!STRICT_ENCODING && e[0].equals("$6\r\nintset\r\n") && e[1].equals("$9\r\nhashtable\r\n")) {
                d.record(c[1], e);
                d.same("DEL", dst); // a known difference: start again from nothing
                reencoded++;
                return;
            }
            checkEncoding(d, c[1], e);
        });
    }

    /** The count argument when Redis accepted it, else 0 (no count: 1). */
    private static long countOf(String[] cmd, String redisReply) {
        if (cmd.length == 2) {
            return 1;
        }
        if (cmd.length != 3 || redisReply.startsWith("-")) {
            return 0;
        }
        return Long.parseLong(cmd[2]);
    }

    /** Whether Redis' reply to this SPOP or SRANDMEMBER on a set of {@code size} members is random. */
    private static boolean isRandom(boolean spop, String[] cmd, long count, int size) {
        if (size <= 1 || count == 0) {
            return false; // one member (or none): every draw is the same
        }
        if (cmd.length == 2) {
            return true;
        }
        if (cmd.length != 3) {
            return false;
        }
        return count < 0 ? !spop : count < size;
    }

    /**
     * A random reply with each member replaced by a placeholder once checked against the set: the frame
     * headers stay as they are; a member that is not in the set, or a repeat where members must be distinct,
     * shows in the result.
     */
    private static String randomShape(String reply, List<String> members, boolean distinct) {
        Node n = Node.parse(reply);
        if (n.type() == '$' && n.text() != null) {
            return members.contains(n.text()) ? "$<member>" : "$<not a member: " + show(n.text()) + ">";
        }
        if (!n.aggregate()) {
            return reply;
        }
        StringBuilder sb = new StringBuilder().append(n.type()).append(n.kids().size()).append(' ');
        Set<String> seen = new HashSet<>();
        for (Node m : n.kids()) {
            if (m.type() != '$' || m.text() == null || !members.contains(m.text())) {
                sb.append("<not a member: ").append(show(m.form(false))).append('>');
                continue;
            }
            sb.append("<m>");
            if (distinct && !seen.add(m.text())) {
                sb.append("<repeated>");
            }
        }
        return sb.toString();
    }

    /**
     * MULTI, the queued commands, EXEC (or DISCARD): every reply exactly but for EXEC's elements that answer a
     * command listing a set, compared as multisets.
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
            boolean anyOrder = LISTING.contains(name);
            Node x = a.kids().get(j);
            Node y = b.kids().get(j);
            if (name.equals("OBJECT") && x.type() == '$' && y.type() == '$' && sameEncoding(x.text(), y.text())) {
                continue;
            }
            if (!x.form(anyOrder).equals(y.form(anyOrder))) {
                d.mismatch(c[last], exec, " (element " + (j + 1) + ", the reply to " + showCommand(c[j + 1])
                        + (anyOrder ? ", compared in any order)" : ")"));
            }
        }
    }

    /** SSCAN of a key: exactly for an intset (which comes whole), else a full iteration compared as a set. */
    private static void sscan(Duo d, String key, String... options) throws IOException {
        String[] enc = d.raw("OBJECT", "ENCODING", key);
        checkEncoding(d, new String[] {"OBJECT", "ENCODING", key}, enc);
        if (enc[0].contains("hashtable")) {
            d.scanAll(new String[] {"SSCAN", key}, options);
        } else {
            String[] c = new String[3 + options.length];
            c[0] = "SSCAN";
            c[1] = key;
            c[2] = "0";
            System.arraycopy(options, 0, c, 3, options.length);
            d.same(c);
        }
    }
}
