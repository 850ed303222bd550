package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * A random workload of sorted-set commands (every writing form: ZADD's flags, ZINCRBY, ZREM, the pops, the range
 * removals, the STORE forms with weights and aggregates, ZMPOP, RENAME, COPY, DEL and expiries of zset keys,
 * MULTI/EXEC blocks) mixed with hashes and sets leaves a log whose replay on an empty engine rebuilds the same
 * keyspace: every key's type and TTL, and for every sorted set each member's score bits, the (score, member)
 * order that ZRANGE walks and the rank ZRANK gives each member, on the live engine and the replayed one alike.
 * Scores tie often and include ±inf and -0. Run with the default thresholds (the large encoding and its
 * ScoreIndex past 128 members or a member longer than 64 bytes), with tiny ones (conversions mid-workload) and
 * with sets that grow to thousands of members. Seeded: the seed is printed, {@code -Dseed=N} repeats a run.
 */
class ZSetReplayTest {
    private static final String[] ZKEYS = {"z1", "z2", "z3", "z4"};
    private static final String[] OTHER = {"h1", "s1"};
    private static final String[] SCORES = {"0", "-0", "1", "1", "2", "2.5", "-1", "+inf", "-inf", "3", "1e300",
        "-1e-300", "0.1", "7", "7", "7"};
    private static final String LONG_MEMBER = "m-" + "x".repeat(70);

    /** Small sets only: the packed encoding with default thresholds. */
    @Test
    void replayRebuildsTheSameSortedSets() {
        run(128, 64, 30, 4000, false, 1);
    }

    /** Thresholds of 3 members and 8 bytes: sets convert to the large encoding (and its index) mid-workload. */
    @Test
    void replayRebuildsTheSameSortedSetsAcrossConversions() {
        run(3, 8, 30, 4000, true, 1);
    }

    /** Default thresholds, sets growing past 128 members (to a few thousand) and members past 64 bytes. */
    @Test
    void replayRebuildsTheSameLargeSortedSets() {
        run(128, 64, 3000, 6000, true, 50);
    }

    /**
     * Seed 54960349864969 reduced. A sorted set whose expiry passed before the end of the run stays in the store
     * (expiry is lazy), and a replay of the log loads it all the same, at any clock: before its expiry, at it, or
     * long after. Only a lookup deletes it, and the lookup logs that DEL, so a replay of the log deletes it too.
     * (The random run once compared the live engine after its own ZRANKs had deleted such a key with their DELs
     * sent to a throwaway log, against a replay that never saw them.)
     */
    @Test
    void anExpiredSortedSetReplaysAsTheStoreHoldsItUntilALookupLogsItsDeletion() {
        try (Harness h = new Harness()) {
            limits(h.engine, 3, 8);
            long start = h.clock.millis();
            h.call("ZADD", "z2", "-0", "m20", "-0", "0", "-0", "m20", "6", "-4");
            assertEquals(3L, h.call("ZUNIONSTORE", "z3", "3", "z1", "z2", "z2", "WEIGHTS", "-1", "2", "1"));
            assertEquals(1L, h.call("PEXPIRE", "z3", "135"));
            h.clock.advance(1709);
            Map<String, String> live = Harness.dump(h.engine);
            assertTrue(live.get("z3").endsWith("@" + (start + 135)), "the expired set is still stored: " + live);
            long end = h.clock.millis();
            for (long at : new long[] {start, start + 135, start + 136, end, end + 86_400_000L}) {
                try (Engine once = replayAt(h, at)) {
                    assertEquals(live, Harness.dump(once), "replayed at " + at);
                }
            }
            // A lookup deletes the expired key and logs the deletion: the replay deletes it as well.
            int records = h.log.snapshot().size();
            assertEquals(null, h.call("ZRANK", "z3", "m20"));
            assertEquals(records + 1, h.log.snapshot().size(), "the lookup logged the deletion");
            Map<String, String> after = Harness.dump(h.engine);
            assertTrue(!after.containsKey("z3") && after.containsKey("z2"), after.toString());
            for (long at : new long[] {start, h.clock.millis()}) {
                try (Engine once = replayAt(h, at)) {
                    assertEquals(after, Harness.dump(once), "replayed at " + at);
                }
            }
            try (Engine once = replayAt(h, h.clock.millis())) {
                assertEquals(zsetDump(h.engine), zsetDump(once));
            }
        }
    }

    /** A fresh engine (with the run's tiny thresholds) that replays the whole log with its clock at {@code at}. */
    private static Engine replayAt(Harness h, long at) {
        Engine e = new Engine(EngineConfig.defaults().withShards(4), new FakeClock(at));
        limits(e, 3, 8);
        for (byte[] rec : h.log.snapshot()) {
            e.applyEffect(new UnsafeBuffer(rec), 0, rec.length);
        }
        return e;
    }

    private static void run(int maxEntries, int maxValue, int members, int commands, boolean longMembers,
                            int compareEvery) {
        long seed = Long.getLong("seed", System.nanoTime());
        System.out.println("ZSetReplayTest seed=" + seed + " (-Dseed=" + seed + " to repeat), thresholds "
                + maxEntries + "/" + maxValue + ", " + members + " members");
        Random r = new Random(seed);
        try (Harness h = new Harness()) {
            limits(h.engine, maxEntries, maxValue);
            List<String> history = new ArrayList<>();
            Gen gen = new Gen(r, members, longMembers);
            // A second engine follows the log record by record, so that the first command whose records replay
            // differently is the one named; at the end a third replays the whole log on an empty store.
            int biggest = 0;
            try (Engine follower = h.replay(0)) {
                limits(follower, maxEntries, maxValue);
                int applied = 0;
                for (int i = 0; i <= commands; i++) {
                    String[] cmd = i < commands ? gen.command() : new String[] {"EXEC"}; // an open MULTI runs
                    history.add(String.join(" ", cmd));
                    Object reply = h.call(cmd);
                    List<byte[]> recs = h.log.snapshot();
                    String where = "seed=" + seed + ", command " + i + ", last commands:\n  "
                            + String.join("\n  ", history.subList(Math.max(0, history.size() - 12), history.size()));
                    if (String.valueOf(reply).contains("could not apply")) { // the live store refused its own effect
                        throw new AssertionError(where + "\nreply: " + reply + "\nrecord: "
                                + describe(recs.get(recs.size() - 1)));
                    }
                    for (; applied < recs.size(); applied++) {
                        byte[] rec = recs.get(applied);
                        try {
                            follower.applyEffect(new UnsafeBuffer(rec), 0, rec.length);
                        } catch (RuntimeException e) {
                            throw new AssertionError(where + "\nreplaying record " + applied + " " + describe(rec)
                                    + ": " + e, e);
                        }
                    }
                    if (i % compareEvery == 0 || i == commands) {
                        assertEquals(Harness.dump(h.engine), Harness.dump(follower), where);
                        biggest = Math.max(biggest, largest(h.engine));
                    }
                    if (r.nextInt(80) == 0) {
                        h.clock.advance(r.nextInt(3000));
                    }
                }
                System.out.println("  the largest sorted set seen had " + biggest + " members");
                if (members > 1000) {
                    assertTrue(biggest > 128, "the sets grew past the packed encoding: " + biggest);
                }
            }
            String where = "seed=" + seed + ", last commands: "
                    + history.subList(Math.max(0, history.size() - 20), history.size());
            Engine once = h.replay(0);
            limits(once, maxEntries, maxValue);
            try (once) {
                int n = 0;
                for (byte[] rec : h.log.snapshot()) {
                    once.applyEffect(new UnsafeBuffer(rec), 0, rec.length);
                    n++;
                }
                // The stores as they are, before anything reads them: zsetDump's and checkOrder's commands delete
                // keys whose expiry has passed (their DELs go to a log of their own, not to h.log), so the raw
                // comparison comes first, then the reads on both engines at the same clock, then the raw one again.
                assertEquals(Harness.dump(h.engine), Harness.dump(once), where);
                Map<String, String> live = zsetDump(h.engine);
                assertEquals(live, zsetDump(once), where);
                assertEquals(Harness.dump(h.engine), Harness.dump(once), where + " (after the reads)");
                long zsets = live.values().stream().filter(v -> v.startsWith("zset")).count();
                // A run may end with its sorted sets deleted; the comparisons along the way saw them.
                assertTrue(zsets > 0 || biggest > 0, "the workload made sorted sets");
                checkOrder(h.engine, where + " (live)");
                checkOrder(once, where + " (replayed)");
                System.out.println("  " + n + " records replayed, " + zsets + " sorted sets compared, largest "
                        + largest(h.engine) + " members");
            }
        }
    }

    private static void limits(Engine e, int maxEntries, int maxValue) {
        e.setHashMaxListpackEntries(maxEntries);
        e.setHashMaxListpackValue(maxValue);
        e.setEncodingLimit("set-max-intset-entries", maxEntries);
        e.setEncodingLimit("zset-max-listpack-entries", maxEntries);
        e.setEncodingLimit("zset-max-listpack-value", maxValue);
    }

    /** The workload's commands. */
    static final class Gen {
        final Random r;
        final int members;
        final boolean longMembers;

        Gen(Random r, int members, boolean longMembers) {
            this.r = r;
            this.members = members;
            this.longMembers = longMembers;
        }

        String zkey() {
            return ZKEYS[r.nextInt(ZKEYS.length)];
        }

        String anyKey() {
            return r.nextInt(4) == 0 ? OTHER[r.nextInt(OTHER.length)] : zkey();
        }

        String member() {
            if (longMembers && r.nextInt(200) == 0) {
                return LONG_MEMBER + r.nextInt(3);
            }
            switch (r.nextInt(8)) {
                case 0:
                    return "";
                case 1:
                    return Integer.toString(r.nextInt(20) - 10);
                default:
                    return "m" + r.nextInt(members);
            }
        }

        String score() {
            switch (r.nextInt(4)) {
                case 0:
                    return SCORES[r.nextInt(SCORES.length)];
                case 1:
                    return Integer.toString(r.nextInt(10));
                case 2:
                    return Double.toString((r.nextInt(2000) - 1000) / 8.0);
                default:
                    return Double.toString(r.nextGaussian() * 1e6);
            }
        }

        String lexBound() {
            switch (r.nextInt(5)) {
                case 0:
                    return "-";
                case 1:
                    return "+";
                case 2:
                    return "[" + member();
                default:
                    return "(" + member();
            }
        }

        String scoreBound() {
            String s = SCORES[r.nextInt(SCORES.length)];
            if (r.nextBoolean() && !s.endsWith("inf")) {
                return "(" + s;
            }
            return r.nextBoolean() ? s : Integer.toString(r.nextInt(12) - 2);
        }

        /** A ZADD with random flags (a few invalid combinations too: they are refused and log nothing). */
        String[] zadd(String key) {
            List<String> a = new ArrayList<>(List.of("ZADD", key));
            if (r.nextInt(4) == 0) {
                a.add(r.nextBoolean() ? "NX" : "XX");
            }
            if (r.nextInt(4) == 0) {
                a.add(r.nextBoolean() ? "GT" : "LT");
            }
            if (r.nextInt(3) == 0) {
                a.add("CH");
            }
            boolean incr = r.nextInt(6) == 0;
            if (incr) {
                a.add("INCR");
            }
            int pairs = incr ? 1 : 1 + (r.nextInt(4) == 0 ? r.nextInt(40) : r.nextInt(4));
            for (int i = 0; i < pairs; i++) {
                a.add(score());
                a.add(member());
            }
            return a.toArray(String[]::new);
        }

        String[] keys(int n) {
            String[] k = new String[n];
            for (int i = 0; i < n; i++) {
                k[i] = anyKey();
            }
            return k;
        }

        /** ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE with weights and aggregates (sets count as scores of 1). */
        String[] store() {
            String kind = new String[] {"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"}[r.nextInt(3)];
            int n = 1 + r.nextInt(3);
            List<String> a = new ArrayList<>(List.of(kind, zkey(), Integer.toString(n)));
            a.addAll(Arrays.asList(keys(n)));
            if (!kind.equals("ZDIFFSTORE")) {
                if (r.nextBoolean()) {
                    a.add("WEIGHTS");
                    for (int i = 0; i < n; i++) {
                        a.add(new String[] {"1", "2", "-1", "0", "0.5", "inf", "-inf"}[r.nextInt(7)]);
                    }
                }
                if (r.nextBoolean()) {
                    a.add("AGGREGATE");
                    a.add(new String[] {"SUM", "MIN", "MAX"}[r.nextInt(3)]);
                }
            }
            return a.toArray(String[]::new);
        }

        String[] command() {
            String k = zkey();
            // Large sets: one command in three is a burst of ZADDs, so that the sets outgrow the pops and removals.
            switch (members > 1000 && r.nextInt(3) == 0 ? 39 : r.nextInt(40)) {
                case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
                    return zadd(k);
                case 10: case 11: case 12:
                    return new String[] {"ZINCRBY", k, r.nextInt(5) == 0 ? score() : Integer.toString(r.nextInt(7) - 3),
                        member()};
                case 13: case 14:
                    return new String[] {"ZREM", k, member(), member()};
                case 15:
                    return new String[] {r.nextBoolean() ? "ZPOPMIN" : "ZPOPMAX", k};
                case 16:
                    return new String[] {r.nextBoolean() ? "ZPOPMIN" : "ZPOPMAX", k,
                        Integer.toString(r.nextInt(5) == 0 ? r.nextInt(200) : r.nextInt(4))};
                case 17:
                    return new String[] {"ZREMRANGEBYRANK", k, Integer.toString(r.nextInt(10) - 5),
                        Integer.toString(r.nextInt(10) - 3)};
                case 18:
                    return new String[] {"ZREMRANGEBYSCORE", k, scoreBound(), scoreBound()};
                case 19:
                    return new String[] {"ZREMRANGEBYLEX", k, lexBound(), lexBound()};
                case 20: {
                    String src = anyKey();
                    switch (r.nextInt(3)) {
                        case 0:
                            return new String[] {"ZRANGESTORE", k, src, Integer.toString(r.nextInt(6) - 2),
                                Integer.toString(r.nextInt(200) - 3)};
                        case 1:
                            return new String[] {"ZRANGESTORE", k, src, scoreBound(), scoreBound(), "BYSCORE",
                                "LIMIT", Integer.toString(r.nextInt(3)), Integer.toString(r.nextInt(50) - 1)};
                        default:
                            return new String[] {"ZRANGESTORE", k, src, "+", "-", "BYLEX", "REV"};
                    }
                }
                case 21: case 22:
                    return store();
                case 23: {
                    int n = 1 + r.nextInt(3);
                    List<String> a = new ArrayList<>(List.of("ZMPOP", Integer.toString(n)));
                    a.addAll(Arrays.asList(keys(n)));
                    a.add(r.nextBoolean() ? "MIN" : "MAX");
                    if (r.nextBoolean()) {
                        a.add("COUNT");
                        a.add(Integer.toString(1 + r.nextInt(r.nextInt(4) == 0 ? 100 : 5)));
                    }
                    return a.toArray(String[]::new);
                }
                case 24:
                    return new String[] {"RENAME", anyKey(), anyKey()};
                case 25:
                    return r.nextBoolean() ? new String[] {"COPY", anyKey(), anyKey(), "REPLACE"}
                            : new String[] {"COPY", anyKey(), anyKey()};
                case 26:
                    return new String[] {"DEL", r.nextInt(4) == 0 ? anyKey() : k};
                case 27:
                    return new String[] {"PEXPIRE", anyKey(), Integer.toString(r.nextInt(3000))};
                case 28:
                    return new String[] {"PERSIST", anyKey()};
                case 29:
                    return new String[] {"MULTI"};
                case 30:
                    return new String[] {"EXEC"};
                case 31:
                    return new String[] {"HSET", "h1", member(), score()};
                case 32:
                    return new String[] {"SADD", "s1", member(), member()};
                case 33:
                    return new String[] {"SREM", "s1", member()};
                case 34:
                    return new String[] {"HDEL", "h1", member()};
                case 35:
                    return new String[] {"ZRANGE", k, "0", "-1", "WITHSCORES"};
                case 36:
                    return new String[] {"SET", anyKey(), "v"};
                case 37:
                    return new String[] {"ZINCRBY", k, r.nextBoolean() ? "+inf" : "-inf", member()};
                default: {
                    // A burst of new members: sets grow past the thresholds.
                    List<String> a = new ArrayList<>(List.of("ZADD", k));
                    for (int i = 0; i < 20 + r.nextInt(members / 10 + 1); i++) {
                        a.add(Integer.toString(r.nextInt(10)));
                        a.add("m" + r.nextInt(members));
                    }
                    return a.toArray(String[]::new);
                }
            }
        }
    }

    // ---- what is compared ----

    private record Member(byte[] member, long bits) {
        double score() {
            return Double.longBitsToDouble(bits);
        }
    }

    /** Redis's order: score ({@code <}: -0 equals 0), then member bytes unsigned, a prefix first. */
    private static int order(Member a, Member b) {
        double x = a.score();
        double y = b.score();
        if (x < y) {
            return -1;
        }
        if (x > y) {
            return 1;
        }
        return Arrays.compareUnsigned(a.member, b.member);
    }

    /** Every sorted set's members (with score bits) in (score, member) order, read from the store's entries. */
    private static TreeMap<String, List<Member>> zsets(Engine e) {
        TreeMap<String, List<Member>> out = new TreeMap<>();
        e.forEachEntry(new EffectVisitor() {
            @Override
            public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen,
                            long expiry) {
            }

            @Override
            public void delete(DirectBuffer key, int koff, int klen) {
            }

            @Override
            public void expire(DirectBuffer key, int koff, int klen, long expiry) {
            }

            @Override
            public void clear() {
            }

            @Override
            public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                                   int elen, DirectBuffer payload, int poff, int plen) {
                if (type != 7) {
                    return;
                }
                assertEquals(8, plen, "a score is 8 bytes");
                byte[] m = new byte[elen];
                element.getBytes(eoff, m);
                out.computeIfAbsent(Harness.str(key, koff, klen), x -> new ArrayList<>())
                        .add(new Member(m, payload.getLong(poff, ByteOrder.LITTLE_ENDIAN)));
            }

            @Override
            public void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element,
                                      int eoff, int elen) {
            }
        });
        out.values().forEach(l -> l.sort(ZSetReplayTest::order));
        return out;
    }

    /**
     * key → type, TTL and, for a sorted set, "member=score-bits" in (score, member) order, each with its rank as
     * ZRANK answers it: compared between the live engine and the replayed one. Not read-only: ZRANK of a key whose
     * expiry has passed deletes it (lazy expiry), and that DEL goes to a throwaway log, so compare the raw
     * {@link Harness#dump}s before calling this.
     */
    private static Map<String, String> zsetDump(Engine e) {
        Map<String, String> out = new TreeMap<>();
        Map<String, String> all = Harness.dump(e);
        TreeMap<String, List<Member>> zs = zsets(e);
        try (Session s = e.newSession()) {
            for (String key : all.keySet()) {
                String v = all.get(key);
                String type = v.substring(0, v.indexOf(':'));
                String expiry = v.substring(v.lastIndexOf('@') + 1);
                StringBuilder sb = new StringBuilder(type).append(" @").append(expiry);
                if (type.equals("zset")) {
                    List<Member> ms = zs.get(key);
                    for (Member m : ms) {
                        sb.append(' ').append(new String(m.member, StandardCharsets.ISO_8859_1)).append('=')
                                .append(Long.toHexString(m.bits)).append('#')
                                .append(call(e, s, "ZRANK", key, new String(m.member, StandardCharsets.ISO_8859_1)));
                    }
                }
                out.put(key, sb.toString());
            }
        }
        return out;
    }

    /**
     * The store's order is Redis's: ZRANGE WITHSCORES walks the members in (score, member) order with their
     * scores, ZRANK of each is its index, ZCARD the count, and a member's ZSCORE reads its bits back.
     */
    @SuppressWarnings("unchecked")
    private static void checkOrder(Engine e, String where) {
        TreeMap<String, List<Member>> zs = zsets(e);
        try (Session s = e.newSession()) {
            for (Map.Entry<String, List<Member>> z : zs.entrySet()) {
                String key = z.getKey();
                List<Member> ms = z.getValue();
                List<Object> range = (List<Object>) call(e, s, "ZRANGE", key, "0", "-1", "WITHSCORES");
                assertEquals(2 * ms.size(), range.size(), where + ": ZRANGE of " + key);
                assertEquals((long) ms.size(), call(e, s, "ZCARD", key), where + ": ZCARD of " + key);
                for (int i = 0; i < ms.size(); i++) {
                    Member m = ms.get(i);
                    String member = new String(m.member, StandardCharsets.ISO_8859_1);
                    assertEquals(member, range.get(2 * i), where + ": member of rank " + i + " of " + key);
                    String score = (String) range.get(2 * i + 1);
                    assertEquals(m.score(), parseScore(score), where + ": score of " + member + " in " + key);
                    assertEquals((long) i, call(e, s, "ZRANK", key, member), where + ": ZRANK " + key + " " + member);
                    assertEquals((long) (ms.size() - 1 - i), call(e, s, "ZREVRANK", key, member),
                            where + ": ZREVRANK " + key + " " + member);
                }
            }
        }
    }

    private static Object call(Engine e, Session s, String... args) {
        CommandArgs a = new CommandArgs();
        for (String x : args) {
            a.add(x.getBytes(StandardCharsets.ISO_8859_1));
        }
        TreeSink sink = new TreeSink();
        e.execute(s, a, sink, new CapturingLog());
        return sink.take();
    }

    /** A record's ops as text, for failure messages. */
    static String describe(byte[] rec) {
        try {
            return describeValid(rec);
        } catch (EffectFormatException e) {
            return "(not decodable: " + e.getMessage() + ")";
        }
    }

    private static String describeValid(byte[] rec) {
        StringBuilder sb = new StringBuilder("[");
        EffectCodec.decode(new UnsafeBuffer(rec), 0, rec.length, new EffectVisitor() {
            @Override
            public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen,
                            long expiry) {
                sb.append(" PUT ").append(Harness.str(key, koff, klen)).append(" type ").append(type);
            }

            @Override
            public void delete(DirectBuffer key, int koff, int klen) {
                sb.append(" DEL ").append(Harness.str(key, koff, klen));
            }

            @Override
            public void expire(DirectBuffer key, int koff, int klen, long expiry) {
                sb.append(" EXPIRE ").append(Harness.str(key, koff, klen)).append(' ').append(expiry);
            }

            @Override
            public void clear() {
                sb.append(" CLEAR");
            }

            @Override
            public void createAsTable(byte type, DirectBuffer key, int koff, int klen) {
                sb.append(" AS_TABLE ").append(Harness.str(key, koff, klen));
            }

            @Override
            public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                                   int elen, DirectBuffer payload, int poff, int plen) {
                sb.append(" EPUT(").append(type).append(") ").append(Harness.str(key, koff, klen)).append(" '")
                        .append(Harness.str(element, eoff, elen)).append("'=").append(type == 7 && plen == 8
                                ? Double.toString(payload.getDouble(poff, ByteOrder.LITTLE_ENDIAN))
                                : Harness.str(payload, poff, plen));
            }

            @Override
            public void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element,
                                      int eoff, int elen) {
                sb.append(" EDEL(").append(type).append(") ").append(Harness.str(key, koff, klen)).append(" '")
                        .append(Harness.str(element, eoff, elen)).append('\'');
            }
        });
        return sb.append(" ]").toString();
    }

    private static double parseScore(String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        return Scores.parse(new UnsafeBuffer(b), 0, b.length);
    }

    private static int largest(Engine e) {
        return zsets(e).values().stream().mapToInt(List::size).max().orElse(0);
    }
}
