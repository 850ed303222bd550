package io.qrrot.cli.ai;

import static io.qrrot.cli.ai.AgentEndToEndTest.answerAfter;
import static io.qrrot.cli.ai.AgentEndToEndTest.functionResponses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.testing.CliRun;
import io.qrrot.cli.testing.FakeGemini;
import io.qrrot.cli.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code qrrot ai} end to end with hashes, sets, sorted sets and lists, in the style of {@link AgentEndToEndTest}:
 * the real command line and google-genai SDK against a local fake Gemini, the data in a real redis-server or an
 * embedded qrrot data directory. The agent reads hashes, sets, sorted sets and lists through bounded tools
 * ({@code hash_get}, {@code set_members}, {@code set_contains}, {@code zset_range}, {@code list_range}), proposes
 * HSET/HDEL/HINCRBY/SADD/SREM/ZADD/ZREM/ZINCRBY/LPUSH/RPUSH/LPOP/RPOP/LREM, and the confirmed plan runs in the
 * WATCHed transaction. Sorted sets stay small (at most 128 members of at most 64 bytes: the packed encoding).
 */
@Tag("integration")
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.Kind.class)
class AgentCollectionsEndToEndTest {
    static TestDatabase db;

    @Parameter
    TestDatabase.Kind kind;

    FakeGemini gemini;

    @BeforeParameterizedClassInvocation
    static void startDatabase(TestDatabase.Kind kind) throws Exception {
        db = TestDatabase.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stopDatabase() throws Exception {
        if (db != null) {
            db.close();
            db = null;
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        gemini = FakeGemini.start();
        db.call("FLUSHALL");
        db.call("HSET", "user:ivan", "name", "Ivan", "age", "25");
        db.call("SADD", "team:ops", "maria", "olga");
        db.call("SADD", "team:dev", "ivan");
        db.call("SET", "ivan", "{\"name\":\"Ivan\",\"age\":25}");
        db.call("ZADD", "board", "10", "ann", "25.5", "bob", "7", "cy", "0.1", "dee");
        db.call("RPUSH", "queue", "job1", "job2", "job3", "job2");
    }

    /** LRANGE key 0 -1, as another client reads it. */
    private static List<String> elements(String key) throws Exception {
        List<String> out = new ArrayList<>();
        for (Reply e : db.call("LRANGE", key, "0", "-1").elements()) {
            out.add(((Reply.BulkString) e).utf8());
        }
        return out;
    }

    private static String score(String key, String member) throws Exception {
        Reply r = db.call("ZSCORE", key, member);
        return r instanceof Reply.BulkString b ? b.utf8() : null;
    }

    @AfterEach
    void tearDown() {
        gemini.close();
    }

    private CliRun cli() {
        return db.cli().env("GEMINI_API_KEY", "test-key");
    }

    private String[] ai(String request, String... extra) {
        List<String> args = new ArrayList<>(List.of("ai"));
        args.addAll(db.target());
        args.addAll(List.of("--ai-base-url", gemini.baseUrl()));
        args.addAll(List.of(extra));
        args.add(request);
        return args.toArray(String[]::new);
    }

    private static String field(String key, String field) throws Exception {
        Reply r = db.call("HGET", key, field);
        return r instanceof Reply.BulkString b ? b.utf8() : null;
    }

    private static boolean member(String key, String member) throws Exception {
        return db.call("SISMEMBER", key, member).equals(new Reply.IntegerReply(1));
    }

    /** Another client writes while the user reads the plan. */
    private static Runnable meanwhile(String... command) {
        return () -> {
            try {
                db.call(command);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static final String HASH_PLAN = """
              read: HLEN user:ivan, HSCAN user:ivan (at most 50 fields)
            model: Ivan's age in user:ivan is 25; this sets it to 31.
            + Proposed writes (1 command, run atomically) --------------+
            | 1. HSET user:ivan age 31                                  |
            + Aborts if any of these keys changed since read: user:ivan +
            Run this write? Type yes to confirm:\s""";

    private void scriptHashUpdate() {
        gemini.then(FakeGemini.call("hash_get", Map.of("key", "user:ivan")))
                .then(FakeGemini.call("propose_writes", Map.of(
                        "commands", List.of(Map.of("command", "HSET", "args", List.of("user:ivan", "age", "31"))),
                        "explanation", "Ivan's age in user:ivan is 25; this sets it to 31.")));
    }

    @Test
    void hashFieldUpdateConfirmedRunsInTheTransaction() throws Exception {
        scriptHashUpdate();
        db.resetCalls();
        CliRun.Result r = cli().interactive().stdin("yes\n").run(ai("set ivan's age to 31 in user:ivan"));
        assertEquals(0, r.exit(), r.err());
        assertEquals(HASH_PLAN, r.err());
        assertEquals("""
                1. HSET user:ivan age 31 -> (integer) 0
                done: 1 command ran atomically
                """, r.out());
        assertEquals("31", field("user:ivan", "age"));
        assertEquals("Ivan", field("user:ivan", "name"));
        assertEquals(1, db.calls("exec"));
        assertEquals(1, db.calls("hset"));

        // What the model was sent: the whole (small) hash, its size, and that this is all of it.
        JsonNode read = functionResponses(gemini.requests().get(1).body()).get(0);
        assertEquals("hash_get", read.get("name").asText());
        JsonNode res = read.get("response");
        assertEquals("user:ivan", res.get("key").asText());
        assertTrue(res.get("exists").asBoolean());
        assertEquals(2, res.get("field_count").asInt());
        assertEquals("Ivan", res.at("/fields/name").asText());
        assertEquals("25", res.at("/fields/age").asText());
        assertEquals(2, res.get("returned").asInt());
        assertTrue(res.get("complete").asBoolean());
        assertFalse(res.has("note"));
    }

    @Test
    void hashChangedBeforeConfirmAbortsThePlan() throws Exception {
        // The model reads only the field it needs (HMGET); another client then changes a field of the hash.
        gemini.then(FakeGemini.call("hash_get", Map.of("key", "user:ivan", "fields", List.of("age"))))
                .then(FakeGemini.call("propose_writes", Map.of(
                        "commands", List.of(Map.of("command", "HINCRBY", "args", List.of("user:ivan", "age", "6"))),
                        "explanation", "Ivan is 25; adding 6 makes him 31.")));
        CliRun.Result r = cli().interactive().stdin(answerAfter("yes", meanwhile("HSET", "user:ivan", "email", "i@x")))
                .run(ai("set ivan's age to 31 in user:ivan"));
        assertEquals(5, r.exit(), r.err());
        assertEquals("", r.out());
        assertEquals("""
                  read: HMGET user:ivan age
                model: Ivan is 25; adding 6 makes him 31.
                + Proposed writes (1 command, run atomically) --------------+
                | 1. HINCRBY user:ivan age 6                                |
                + Aborts if any of these keys changed since read: user:ivan +
                Run this write? Type yes to confirm: Nothing was written: data the agent read (user:ivan) changed \
                before the plan ran; run the request again to plan on the current data.
                """, r.err());
        assertEquals("25", field("user:ivan", "age"));
        assertEquals("i@x", field("user:ivan", "email"));
        JsonNode values = functionResponses(gemini.requests().get(1).body()).get(0).at("/response/values");
        assertEquals(1, values.size());
        assertEquals("age", values.get(0).get("field").asText());
        assertTrue(values.get(0).get("exists").asBoolean());
        assertEquals("25", values.get(0).get("value").asText());
        assertEquals(2, values.get(0).get("bytes").asInt());
    }

    @Test
    void deletingAFieldOfTheReadHashAbortsThePlan() throws Exception {
        scriptHashUpdate();
        CliRun.Result r = cli().interactive().stdin(answerAfter("yes", meanwhile("HDEL", "user:ivan", "name")))
                .run(ai("set ivan's age to 31 in user:ivan"));
        assertEquals(5, r.exit(), r.err());
        assertTrue(r.err().endsWith("Nothing was written: data the agent read (user:ivan) changed before the plan "
                + "ran; run the request again to plan on the current data.\n"), r.err());
        assertEquals("25", field("user:ivan", "age"));
        assertEquals(null, field("user:ivan", "name"));
    }

    @Test
    void setMembershipCheckThenSaddConfirmed() throws Exception {
        Map<String, Map<String, ?>> reads = new LinkedHashMap<>();
        reads.put("set_contains", Map.of("key", "team:ops", "members", List.of("ivan", "maria")));
        reads.put("set_members", Map.of("key", "team:ops"));
        gemini.then(FakeGemini.calls(reads))
                .then(FakeGemini.call("propose_writes", Map.of(
                        "commands", List.of(Map.of("command", "SADD", "args", List.of("team:ops", "ivan"))),
                        "explanation", "ivan is not in team:ops yet; this adds him.")));
        CliRun.Result r = cli().interactive().stdin("yes\n").run(ai("add ivan to the ops team unless he is in it"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                  read: SMISMEMBER team:ops ivan maria
                  read: SCARD team:ops, SSCAN team:ops (at most 50 members)
                model: ivan is not in team:ops yet; this adds him.
                + Proposed writes (1 command, run atomically) -------------+
                | 1. SADD team:ops ivan                                    |
                + Aborts if any of these keys changed since read: team:ops +
                Run this write? Type yes to confirm:\s""", r.err());
        assertEquals("""
                1. SADD team:ops ivan -> (integer) 1
                done: 1 command ran atomically
                """, r.out());
        assertTrue(member("team:ops", "ivan"));
        assertEquals(new Reply.IntegerReply(3), db.call("SCARD", "team:ops"));

        List<JsonNode> res = functionResponses(gemini.requests().get(1).body());
        assertEquals(2, res.size());
        JsonNode contains = res.get(0).get("response");
        assertEquals("team:ops", contains.get("key").asText());
        assertFalse(contains.at("/members/ivan").asBoolean());
        assertTrue(contains.at("/members/maria").asBoolean());
        JsonNode members = res.get(1).get("response");
        assertTrue(members.get("exists").asBoolean());
        assertEquals(2, members.get("member_count").asInt());
        Set<String> listed = new TreeSet<>();
        members.get("members").forEach(m -> listed.add(m.asText()));
        assertEquals(Set.of("maria", "olga"), listed);
        assertEquals(2, members.get("returned").asInt());
        assertTrue(members.get("complete").asBoolean());
    }

    @Test
    void moveBetweenSetsAbortsWhenASetChanged() throws Exception {
        gemini.then(FakeGemini.calls(Map.of("set_contains", Map.of("key", "team:dev", "members", List.of("ivan")))))
                .then(FakeGemini.calls(Map.of("set_contains", Map.of("key", "team:ops", "members", List.of("ivan")))))
                .then(FakeGemini.call("propose_writes", Map.of("commands", List.of(
                                Map.of("command", "SREM", "args", List.of("team:dev", "ivan")),
                                Map.of("command", "SADD", "args", List.of("team:ops", "ivan"))),
                        "explanation", "Moving ivan from dev to ops.")));
        CliRun.Result r = cli().interactive().stdin(answerAfter("yes", meanwhile("SADD", "team:ops", "ivan")))
                .run(ai("move ivan from dev to ops"));
        assertEquals(5, r.exit(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("""
                  read: SMISMEMBER team:dev ivan
                  read: SMISMEMBER team:ops ivan
                model: Moving ivan from dev to ops.
                + Proposed writes (2 commands, run atomically) ----------------------+
                | 1. SREM team:dev ivan                                              |
                | 2. SADD team:ops ivan                                              |
                + Aborts if any of these keys changed since read: team:dev, team:ops +
                """), r.err());
        assertTrue(r.err().endsWith("Nothing was written: data the agent read (team:dev, team:ops) changed before the "
                + "plan ran; run the request again to plan on the current data.\n"), r.err());
        assertTrue(member("team:dev", "ivan"), "the SREM did not run either");
    }

    @Test
    void hdelAndSremRunTogether() throws Exception {
        gemini.then(FakeGemini.call("propose_writes", Map.of("commands", List.of(
                        Map.of("command", "HDEL", "args", List.of("user:ivan", "age", "nickname")),
                        Map.of("command", "SREM", "args", List.of("team:ops", "olga", "nobody")),
                        Map.of("command", "HINCRBY", "args", List.of("user:ivan", "visits", "3"))),
                "explanation", "Cleaning up.")));
        CliRun.Result r = cli().run(ai("clean up", "--yes"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                1. HDEL user:ivan age nickname -> (integer) 1
                2. SREM team:ops olga nobody -> (integer) 1
                3. HINCRBY user:ivan visits 3 -> (integer) 3
                done: 3 commands ran atomically
                """, r.out());
        assertEquals(null, field("user:ivan", "age"));
        assertEquals("3", field("user:ivan", "visits"));
        assertFalse(member("team:ops", "olga"));
    }

    @Test
    void malformedHashAndSetProposalsAreRefused() throws Exception {
        gemini.then(FakeGemini.call("propose_writes", Map.of("commands", List.of(
                        Map.of("command", "HSET", "args", List.of("user:ivan", "age")),
                        Map.of("command", "LTRIM", "args", List.of("queue", "0", "1")),
                        Map.of("command", "HINCRBY", "args", List.of("user:ivan", "age", "a lot"))),
                "explanation", "x")))
                .then(FakeGemini.text("I could not."));
        CliRun.Result r = cli().interactive().stdin("yes\n").run(ai("make ivan older"));
        assertEquals(3, r.exit(), r.err());
        assertEquals("", r.out());
        String reason = "command 1: HSET takes a key and field value pairs; command 2: LTRIM is not allowed; the agent "
                + "may only propose SET, DEL, INCR, INCRBY, DECR, DECRBY, EXPIRE, PERSIST, APPEND, JSON.SET, MSET, "
                + "RENAME, HSET, HDEL, HINCRBY, SADD, SREM, ZADD, ZREM, ZINCRBY, LPUSH, RPUSH, LPOP, RPOP, LREM; "
                + "command 3: HINCRBY amount 'a lot' is not an integer";
        assertEquals("  refused proposal: " + reason + "\nNothing was written: the plan was refused (" + reason + ").\n",
                r.err());
        assertEquals("25", field("user:ivan", "age"));
    }

    @Test
    void readsOfMissingKeysWrongTypesAndBadArguments() throws Exception {
        Map<String, Map<String, ?>> calls = new LinkedHashMap<>();
        calls.put("type", Map.of("key", "user:ivan"));
        gemini.then(FakeGemini.calls(calls))
                .then(FakeGemini.call("type", Map.of("key", "team:ops")))
                .then(FakeGemini.call("hash_get", Map.of("key", "user:nobody")))
                .then(FakeGemini.call("set_members", Map.of("key", "team:nobody")))
                .then(FakeGemini.call("hash_get", Map.of("key", "user:nobody", "fields", List.of("age"))))
                .then(FakeGemini.call("hash_get", Map.of("key", "ivan")))
                .then(FakeGemini.call("set_contains", Map.of("key", "user:ivan", "members", List.of("x"))))
                .then(FakeGemini.call("set_contains", Map.of("key", "team:ops")))
                .then(FakeGemini.call("hash_get", Map.of("key", "user:ivan", "fields", List.of())))
                .then(FakeGemini.text("ok"));
        CliRun.Result r = cli().run(ai("look", "--ai-max-steps", "10"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                  read: TYPE user:ivan
                  read: TYPE team:ops
                  read: HLEN user:nobody, HSCAN user:nobody (at most 50 fields)
                  read: SCARD team:nobody, SSCAN team:nobody (at most 50 members)
                  read: HMGET user:nobody age
                  read: HLEN ivan, HSCAN ivan (at most 50 fields)
                  read: SMISMEMBER user:ivan x
                  refused set_contains: 'members' must be an array of member names
                  read: HLEN user:ivan, HSCAN user:ivan (at most 50 fields)
                """, r.err());
        List<FakeGemini.Request> reqs = gemini.requests();
        assertEquals("hash", last(reqs, 1).at("/response/type").asText());
        assertEquals("set", last(reqs, 2).at("/response/type").asText());
        JsonNode noHash = last(reqs, 3).get("response");
        assertFalse(noHash.get("exists").asBoolean());
        assertEquals(0, noHash.get("field_count").asInt());
        assertEquals(0, noHash.get("fields").size());
        assertTrue(noHash.get("complete").asBoolean());
        JsonNode noSet = last(reqs, 4).get("response");
        assertFalse(noSet.get("exists").asBoolean());
        assertEquals(0, noSet.get("member_count").asInt());
        assertTrue(noSet.get("complete").asBoolean());
        assertFalse(last(reqs, 5).at("/response/values/0/exists").asBoolean());
        String wrongType = "the database refused the read: WRONGTYPE Operation against a key holding the wrong kind of "
                + "value";
        assertEquals(wrongType, last(reqs, 6).at("/response/error").asText());
        assertEquals(wrongType, last(reqs, 7).at("/response/error").asText());
        assertEquals("'members' must be an array of member names", last(reqs, 8).at("/response/error").asText());
        assertEquals(2, last(reqs, 9).at("/response/field_count").asInt(), "an empty 'fields' lists the hash");
    }

    /** The last function response in request {@code i}. */
    private static JsonNode last(List<FakeGemini.Request> reqs, int i) {
        List<JsonNode> all = functionResponses(reqs.get(i).body());
        return all.get(all.size() - 1);
    }

    @Test
    void tooManyFieldsOrMembersInOneCallAreRefused() throws Exception {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add("f" + i);
        }
        gemini.then(FakeGemini.call("hash_get", Map.of("key", "user:ivan", "fields", many)))
                .then(FakeGemini.call("set_contains", Map.of("key", "team:ops", "members", many)))
                .then(FakeGemini.text("ok"));
        CliRun.Result r = cli().run(ai("look"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                  refused hash_get: 'fields' holds 101 fields; at most 100 per call
                  refused set_contains: 'members' holds 101 members; at most 100 per call
                """, r.err());
    }

    @Test
    void bigHashesAndSetsAreReadInBoundsAndValuesAreCut() throws Exception {
        for (int from = 0; from < 5000; from += 1000) {
            List<String> hset = new ArrayList<>(List.of("HSET", "big"));
            List<String> sadd = new ArrayList<>(List.of("SADD", "bigset"));
            for (int i = from; i < from + 1000; i++) {
                hset.add("f" + i);
                hset.add("v" + i);
                sadd.add("m" + i);
            }
            db.call(hset.toArray(String[]::new));
            db.call(sadd.toArray(String[]::new));
        }
        List<String> wide = new ArrayList<>(List.of("HSET", "wide"));
        for (int i = 100; i < 400; i++) {
            wide.add("w" + i);
            wide.add("x".repeat(1000));
        }
        db.call(wide.toArray(String[]::new));
        db.call("HSET", "profile", "name", "Ivan", "bio", "b".repeat(100_000));
        db.resetCalls();

        gemini.then(FakeGemini.call("hash_get", Map.of("key", "big")))
                .then(FakeGemini.call("hash_get", Map.of("key", "big", "bound", 5000)))
                .then(FakeGemini.call("set_members", Map.of("key", "bigset", "bound", 20)))
                .then(FakeGemini.call("hash_get", Map.of("key", "wide", "bound", 200)))
                .then(FakeGemini.call("hash_get", Map.of("key", "profile", "fields", List.of("bio", "name", "nofield"))))
                .then(FakeGemini.text("done"));
        CliRun.Result r = cli().run(ai("look at the big ones"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                  read: HLEN big, HSCAN big (at most 50 fields)
                  read: HLEN big, HSCAN big (at most 200 fields)
                  read: SCARD bigset, SSCAN bigset (at most 20 members)
                  read: HLEN wide, HSCAN wide (at most 200 fields)
                  read: HMGET profile bio name nofield
                """, r.err());
        List<FakeGemini.Request> reqs = gemini.requests();

        // The default bound: 50 of 5000 fields, and the model is told so.
        JsonNode first = last(reqs, 1).get("response");
        assertEquals(5000, first.get("field_count").asInt());
        assertEquals(50, first.get("fields").size());
        assertEquals(50, first.get("returned").asInt());
        assertFalse(first.get("complete").asBoolean());
        assertEquals("the hash has 5000 fields; 50 are shown (bound 50); read the fields you need with 'fields'",
                first.get("note").asText());
        first.get("fields").fields().forEachRemaining(e -> assertEquals("v" + e.getKey().substring(1),
                e.getValue().asText()));

        // A bound above the maximum is the maximum.
        JsonNode second = last(reqs, 2).get("response");
        assertEquals(200, second.get("returned").asInt());
        assertEquals(200, second.get("fields").size());
        assertFalse(second.get("complete").asBoolean());
        assertEquals("the hash has 5000 fields; 200 are shown (bound 200); read the fields you need with 'fields'",
                second.get("note").asText());

        JsonNode set = last(reqs, 3).get("response");
        assertEquals(5000, set.get("member_count").asInt());
        assertEquals(20, set.get("members").size());
        assertFalse(set.get("complete").asBoolean());
        assertEquals("the set has 5000 members; 20 are shown (bound 20); check the members you need with "
                + "set_contains", set.get("note").asText());

        // The step's data budget (16 KiB) stops the listing: 16 fields of 4 + 1000 bytes, then a 17th whose value
        // is cut to what is left.
        JsonNode cut = last(reqs, 4).get("response");
        assertEquals(300, cut.get("field_count").asInt());
        assertEquals(17, cut.get("returned").asInt());
        assertFalse(cut.get("complete").asBoolean());
        assertEquals("the hash has 300 fields; 17 are shown: this step's data budget is used up; read the fields you "
                + "need with 'fields', or read less per step", cut.get("note").asText());
        List<String> values = new ArrayList<>();
        cut.get("fields").forEach(v -> values.add(v.asText()));
        assertEquals(16, values.stream().filter(v -> v.equals("x".repeat(1000))).count());
        assertEquals("x".repeat(316) + "…[truncated: first 316 of 1000 bytes shown]", values.get(16));
        assertTrue(cut.toString().length() < 17_000, "response bytes " + cut.toString().length());

        // Named fields: each value is cut as get cuts it.
        JsonNode named = last(reqs, 5).at("/response/values");
        assertEquals("b".repeat(2048) + "…[truncated: first 2048 of 100000 bytes shown]",
                named.get(0).get("value").asText());
        assertEquals(100_000, named.get(0).get("bytes").asInt());
        assertEquals("Ivan", named.get(1).get("value").asText());
        assertEquals("nofield", named.get(2).get("field").asText());
        assertFalse(named.get(2).get("exists").asBoolean());
        assertTrue(reqs.get(5).bytes() < 40_000, "request bytes " + reqs.get(5).bytes());

        // Nothing read a collection whole; each listing took a few bounded HSCAN/SSCAN steps.
        for (String whole : List.of("hgetall", "hkeys", "hvals", "smembers")) {
            assertEquals(0, db.calls(whole), whole);
        }
        assertEquals(3, db.calls("hlen"));
        assertEquals(1, db.calls("scard"));
        assertEquals(1, db.calls("hmget"));
        long hscans = db.calls("hscan");
        // Each step asks for about the bound: redis-server took 5 and 2 here, qrrot 4 and 1.
        assertTrue(hscans >= 3 && hscans <= 8, "HSCAN calls " + hscans);
        long sscans = db.calls("sscan");
        assertTrue(sscans >= 1 && sscans <= 3, "SSCAN calls " + sscans);
    }

    @Test
    void zsetTopThenZincrbyConfirmed() throws Exception {
        gemini.then(FakeGemini.call("zset_range", Map.of("key", "board", "reverse", true, "start", 0, "stop", 1)))
                .then(FakeGemini.call("propose_writes", Map.of(
                        "commands", List.of(Map.of("command", "ZINCRBY", "args", List.of("board", "5", "cy"))),
                        "explanation", "bob and ann lead; this gives cy 5 points.")));
        db.resetCalls();
        CliRun.Result r = cli().interactive().stdin("yes\n").run(ai("give cy 5 points"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                  read: ZCARD board, ZRANGE board 0 1 REV WITHSCORES (at most 50 members)
                model: bob and ann lead; this gives cy 5 points.
                + Proposed writes (1 command, run atomically) ----------+
                | 1. ZINCRBY board 5 cy                                 |
                + Aborts if any of these keys changed since read: board +
                Run this write? Type yes to confirm:\s""", r.err());
        assertEquals("""
                1. ZINCRBY board 5 cy -> "12"
                done: 1 command ran atomically
                """, r.out());
        assertEquals("12", score("board", "cy"));
        assertEquals(1, db.calls("zcard"));
        assertEquals(1, db.calls("zrange"));

        JsonNode read = functionResponses(gemini.requests().get(1).body()).get(0);
        assertEquals("zset_range", read.get("name").asText());
        assertEquals("{\"key\":\"board\",\"exists\":true,\"member_count\":4,\"by\":\"rank\",\"start\":0,"
                + "\"stop\":1,\"in_range\":2,\"reverse\":true,\"members\":[{\"member\":\"bob\",\"score\":\"25.5\"},"
                + "{\"member\":\"ann\",\"score\":\"10\"}],\"returned\":2,\"complete\":true}",
                read.get("response").toString());
    }

    @Test
    void zsetScoreRangeChangedBeforeConfirmAbortsThePlan() throws Exception {
        gemini.then(FakeGemini.call("zset_range", Map.of("key", "board", "by", "score", "min", "(7", "max", 20)))
                .then(FakeGemini.call("propose_writes", Map.of("commands", List.of(
                                Map.of("command", "ZADD", "args", List.of("board", "11", "eve")),
                                Map.of("command", "ZREM", "args", List.of("board", "dee"))),
                        "explanation", "eve joins just above ann; dee leaves.")));
        CliRun.Result r = cli().interactive().stdin(answerAfter("yes", meanwhile("ZADD", "board", "12", "fay")))
                .run(ai("add eve above ann, remove dee"));
        assertEquals(5, r.exit(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("""
                  read: ZCARD board, ZCOUNT board (7 20, ZRANGE board (7 20 BYSCORE LIMIT 0 50 WITHSCORES
                model: eve joins just above ann; dee leaves.
                + Proposed writes (2 commands, run atomically) ---------+
                | 1. ZADD board 11 eve                                  |
                | 2. ZREM board dee                                     |
                + Aborts if any of these keys changed since read: board +
                """), r.err());
        assertTrue(r.err().endsWith("Nothing was written: data the agent read (board) changed before the plan ran; "
                + "run the request again to plan on the current data.\n"), r.err());
        assertEquals(null, score("board", "eve"));
        assertEquals("0.10000000000000001", score("board", "dee"), "the ZREM did not run either");
        JsonNode res = functionResponses(gemini.requests().get(1).body()).get(0).get("response");
        assertEquals("{\"key\":\"board\",\"exists\":true,\"member_count\":4,\"by\":\"score\",\"min\":\"(7\","
                + "\"max\":\"20\",\"in_range\":1,\"reverse\":false,\"members\":[{\"member\":\"ann\",\"score\":\"10\"}],"
                + "\"returned\":1,\"complete\":true}", res.toString());
    }

    @Test
    void zaddZremAndZincrbyRunTogether() throws Exception {
        gemini.then(FakeGemini.call("propose_writes", Map.of("commands", List.of(
                        Map.of("command", "ZADD", "args", List.of("board", "XX", "CH", "11", "ann", "3", "nobody")),
                        Map.of("command", "ZREM", "args", List.of("board", "dee", "nobody")),
                        Map.of("command", "ZINCRBY", "args", List.of("board", "0.1", "cy")),
                        Map.of("command", "zadd", "args", List.of("new", "-inf", "low"))),
                "explanation", "Updating the board.")));
        CliRun.Result r = cli().run(ai("update the board", "--yes"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                1. ZADD board XX CH 11 ann 3 nobody -> (integer) 1
                2. ZREM board dee nobody -> (integer) 1
                3. ZINCRBY board 0.1 cy -> "7.0999999999999996"
                4. ZADD new -inf low -> (integer) 1
                done: 4 commands ran atomically
                """, r.out());
        assertEquals("11", score("board", "ann"));
        assertEquals(null, score("board", "nobody"));
        assertEquals(null, score("board", "dee"));
        assertEquals("-inf", score("new", "low"));
    }

    @Test
    void malformedSortedSetProposalsAndReadsAreRefused() throws Exception {
        gemini.then(FakeGemini.call("zset_range", Map.of("key", "board", "start", 0, "min", "1")))
                .then(FakeGemini.call("zset_range", Map.of("key", "board", "by", "lex")))
                .then(FakeGemini.call("zset_range", Map.of("key", "board", "min", "soon")))
                .then(FakeGemini.call("zset_range", Map.of("key", "user:ivan")))
                .then(FakeGemini.call("zset_range", Map.of("key", "board:nobody")))
                .then(FakeGemini.call("propose_writes", Map.of("commands", List.of(
                                Map.of("command", "ZADD", "args", List.of("board", "ten", "ann")),
                                Map.of("command", "ZINCRBY", "args", List.of("board", "1", "ann", "bob")),
                                Map.of("command", "ZPOPMAX", "args", List.of("board"))),
                        "explanation", "x")))
                .then(FakeGemini.text("I could not."));
        CliRun.Result r = cli().interactive().stdin("yes\n").run(ai("fix the board", "--ai-max-steps", "10"));
        assertEquals(3, r.exit(), r.err());
        assertEquals("", r.out());
        String reason = "command 1: ZADD score 'ten' is not a number; command 2: ZINCRBY takes a key, an increment "
                + "and a member; command 3: ZPOPMAX is not allowed; the agent may only propose SET, DEL, INCR, INCRBY, "
                + "DECR, DECRBY, EXPIRE, PERSIST, APPEND, JSON.SET, MSET, RENAME, HSET, HDEL, HINCRBY, SADD, SREM, "
                + "ZADD, ZREM, ZINCRBY, LPUSH, RPUSH, LPOP, RPOP, LREM";
        assertEquals("""
                  refused zset_range: give either ranks (start, stop) or a score range (min, max, offset), not both
                  refused zset_range: 'by' must be rank or score, got 'lex'
                  read: ZCARD board, ZCOUNT board soon +inf, ZRANGE board soon +inf BYSCORE LIMIT 0 50 WITHSCORES
                  read: ZCARD user:ivan, ZRANGE user:ivan 0 -1 WITHSCORES (at most 50 members)
                  read: ZCARD board:nobody, ZRANGE board:nobody 0 -1 WITHSCORES (at most 50 members)
                """ + "  refused proposal: " + reason + "\nNothing was written: the plan was refused (" + reason
                + ").\n", r.err());
        List<FakeGemini.Request> reqs = gemini.requests();
        assertEquals("give either ranks (start, stop) or a score range (min, max, offset), not both",
                last(reqs, 1).at("/response/error").asText());
        assertEquals("the database refused the read: ERR min or max is not a float",
                last(reqs, 3).at("/response/error").asText());
        assertEquals("the database refused the read: WRONGTYPE Operation against a key holding the wrong kind of "
                + "value", last(reqs, 4).at("/response/error").asText());
        JsonNode none = last(reqs, 5).get("response");
        assertFalse(none.get("exists").asBoolean());
        assertEquals(0, none.get("member_count").asInt());
        assertEquals(0, none.get("members").size());
        assertTrue(none.get("complete").asBoolean());
        assertEquals("10", score("board", "ann"));
    }

    @Test
    void sortedSetRangesAreBoundedAndBudgeted() throws Exception {
        List<String> zadd = new ArrayList<>(List.of("ZADD", "scores"));
        List<String> wide = new ArrayList<>(List.of("ZADD", "wide"));
        for (int i = 0; i < 100; i++) {
            zadd.add(Integer.toString(i));
            zadd.add(String.format("m%03d", i));
            wide.add(Integer.toString(i));
            wide.add(String.format("%03d", i) + "x".repeat(57)); // 60 bytes: still packed
        }
        db.call(zadd.toArray(String[]::new));
        db.call(wide.toArray(String[]::new));
        db.resetCalls();
        gemini.then(FakeGemini.call("zset_range", Map.of("key", "scores", "bound", 20)))
                .then(FakeGemini.call("zset_range", Map.of("key", "scores", "start", -5, "bound", 500)))
                .then(FakeGemini.call("zset_range", Map.of("key", "scores", "min", "10", "offset", 85, "reverse", "true")))
                .then(FakeGemini.call("zset_range", Map.of("key", "scores", "by", "score", "min", "50", "offset", 40,
                        "bound", 3)))
                .then(FakeGemini.call("zset_range", Map.of("key", "wide", "bound", 200)))
                .then(FakeGemini.text("done"));
        CliRun.Result r = cli().run(ai("look at the scores", "--ai-max-bytes", "1000"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                  read: ZCARD scores, ZRANGE scores 0 -1 WITHSCORES (at most 20 members)
                  read: ZCARD scores, ZRANGE scores -5 -1 WITHSCORES (at most 200 members)
                  read: ZCARD scores, ZCOUNT scores 10 +inf, ZRANGE scores +inf 10 BYSCORE REV LIMIT 85 50 WITHSCORES
                  read: ZCARD scores, ZCOUNT scores 50 +inf, ZRANGE scores 50 +inf BYSCORE LIMIT 40 3 WITHSCORES
                  read: ZCARD wide, ZRANGE wide 0 -1 WITHSCORES (at most 200 members)
                """, r.err());
        List<FakeGemini.Request> reqs = gemini.requests();

        JsonNode first = last(reqs, 1).get("response");
        assertEquals(100, first.get("in_range").asInt());
        assertEquals(20, first.get("returned").asInt());
        assertEquals("m000", first.at("/members/0/member").asText());
        assertEquals("19", first.at("/members/19/score").asText());
        assertFalse(first.get("complete").asBoolean());
        assertEquals("the range holds 100 members; 20 are shown (bound 20); read the next ranks from 20, or a "
                + "narrower range", first.get("note").asText());

        JsonNode tail = last(reqs, 2).get("response");
        assertEquals(5, tail.get("returned").asInt());
        assertEquals("m095", tail.at("/members/0/member").asText());
        assertTrue(tail.get("complete").asBoolean());

        // From 99 down to 10 is 90 members; past the first 85, the last 5 (14 down to 10).
        JsonNode down = last(reqs, 3).get("response");
        assertEquals(90, down.get("in_range").asInt());
        assertEquals(85, down.get("offset").asInt());
        assertEquals(5, down.get("returned").asInt());
        assertEquals("m014", down.at("/members/0/member").asText());
        assertEquals("m010", down.at("/members/4/member").asText());
        assertTrue(down.get("complete").asBoolean());

        JsonNode page = last(reqs, 4).get("response");
        assertEquals(3, page.get("returned").asInt());
        assertEquals("m090", page.at("/members/0/member").asText());
        assertFalse(page.get("complete").asBoolean());
        assertEquals("the range holds 10 members after the offset; 3 are shown (bound 3); page on with offset 43, "
                + "or narrow min and max", page.get("note").asText());

        // 1000 bytes of data a step: 15 members of 60 bytes and their scores, then a 16th cut to what is left.
        JsonNode cut = last(reqs, 5).get("response");
        assertFalse(cut.get("complete").asBoolean());
        int returned = cut.get("returned").asInt();
        assertTrue(returned > 10 && returned < 20, cut.toString());
        assertTrue(cut.at("/members/" + (returned - 1) + "/member").asText().contains("truncated"), cut.toString());
        assertEquals("the range holds 100 members; " + returned + " are shown: this step's data budget is used up; "
                + "read the next ranks from " + returned + ", or a narrower range in a later step",
                cut.get("note").asText());

        // Nothing read a sorted set whole: one ZRANGE per call, each of at most the bound.
        assertEquals(5, db.calls("zrange"));
        assertEquals(5, db.calls("zcard"));
        assertEquals(2, db.calls("zcount"));
    }

    @Test
    void listHeadThenLpopConfirmed() throws Exception {
        gemini.then(FakeGemini.call("list_range", Map.of("key", "queue", "start", 0, "stop", 1)))
                .then(FakeGemini.call("propose_writes", Map.of(
                        "commands", List.of(Map.of("command", "LPOP", "args", List.of("queue")),
                                Map.of("command", "RPUSH", "args", List.of("done", "job1"))),
                        "explanation", "job1 is first in the queue; this takes it off and adds it to done.")));
        db.resetCalls();
        CliRun.Result r = cli().interactive().stdin("yes\n").run(ai("move the first job to done"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                  read: LLEN queue, LRANGE queue 0 1 (at most 50 elements)
                model: job1 is first in the queue; this takes it off and adds it to done.
                + Proposed writes (2 commands, run atomically) ---------+
                | 1. LPOP queue                                         |
                | 2. RPUSH done job1                                    |
                + Aborts if any of these keys changed since read: queue +
                Run these 2 writes? Type yes to confirm:\s""", r.err());
        assertEquals("""
                1. LPOP queue -> "job1"
                2. RPUSH done job1 -> (integer) 1
                done: 2 commands ran atomically
                """, r.out());
        assertEquals(1, db.calls("llen"));
        assertEquals(1, db.calls("lrange"));
        assertEquals(List.of("job2", "job3", "job2"), elements("queue"));
        assertEquals(List.of("job1"), elements("done"));

        JsonNode read = functionResponses(gemini.requests().get(1).body()).get(0);
        assertEquals("list_range", read.get("name").asText());
        assertEquals("{\"key\":\"queue\",\"exists\":true,\"length\":4,\"start\":0,\"stop\":1,\"in_range\":2,"
                + "\"first_index\":0,\"elements\":[\"job1\",\"job2\"],\"returned\":2,\"complete\":true}",
                read.get("response").toString());
    }

    @Test
    void listChangedBeforeConfirmAbortsThePlan() throws Exception {
        gemini.then(FakeGemini.call("list_range", Map.of("key", "queue", "start", -2)))
                .then(FakeGemini.call("propose_writes", Map.of("commands", List.of(
                                Map.of("command", "LREM", "args", List.of("queue", "0", "job2")),
                                Map.of("command", "RPOP", "args", List.of("queue"))),
                        "explanation", "This drops every job2, then the last job.")));
        CliRun.Result r = cli().interactive().stdin(answerAfter("yes", meanwhile("RPUSH", "queue", "job4")))
                .run(ai("drop job2 and the last job"));
        assertEquals(5, r.exit(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("""
                  read: LLEN queue, LRANGE queue -2 -1 (at most 50 elements)
                model: This drops every job2, then the last job.
                + Proposed writes (2 commands, run atomically) ---------+
                | 1. LREM queue 0 job2                                  |
                | 2. RPOP queue                                         |
                + Aborts if any of these keys changed since read: queue +
                """), r.err());
        assertTrue(r.err().endsWith("Nothing was written: data the agent read (queue) changed before the plan ran; "
                + "run the request again to plan on the current data.\n"), r.err());
        assertEquals(List.of("job1", "job2", "job3", "job2", "job4"), elements("queue"), "neither command ran");
        JsonNode res = functionResponses(gemini.requests().get(1).body()).get(0).get("response");
        assertEquals("{\"key\":\"queue\",\"exists\":true,\"length\":4,\"start\":-2,\"stop\":-1,\"in_range\":2,"
                + "\"first_index\":2,\"elements\":[\"job3\",\"job2\"],\"returned\":2,\"complete\":true}",
                res.toString());
    }

    @Test
    void pushesPopsAndLremRunTogether() throws Exception {
        gemini.then(FakeGemini.call("propose_writes", Map.of("commands", List.of(
                        Map.of("command", "RPUSH", "args", List.of("queue", "job5", "job6")),
                        Map.of("command", "LPUSH", "args", List.of("queue", "urgent")),
                        Map.of("command", "LPOP", "args", List.of("queue", "2")),
                        Map.of("command", "RPOP", "args", List.of("queue")),
                        Map.of("command", "LREM", "args", List.of("queue", "-1", "job2")),
                        Map.of("command", "lpush", "args", List.of("new", "a b", ""))),
                "explanation", "Reworking the queue.")));
        CliRun.Result r = cli().run(ai("rework the queue", "--yes"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                1. RPUSH queue job5 job6 -> (integer) 6
                2. LPUSH queue urgent -> (integer) 7
                3. LPOP queue 2 -> 1) "urgent" 2) "job1"
                4. RPOP queue -> "job6"
                5. LREM queue -1 job2 -> (integer) 1
                6. LPUSH new "a b" "" -> (integer) 2
                done: 6 commands ran atomically
                """, r.out());
        assertEquals(List.of("job2", "job3", "job5"), elements("queue"));
        assertEquals(List.of("", "a b"), elements("new"));
    }

    @Test
    void malformedListProposalsAndReadsAreRefused() throws Exception {
        gemini.then(FakeGemini.call("list_range", Map.of("key", "queue", "start", "first")))
                .then(FakeGemini.call("list_range", Map.of("key", "user:ivan")))
                .then(FakeGemini.call("list_range", Map.of("key", "queue:nobody")))
                .then(FakeGemini.call("type", Map.of("key", "queue")))
                .then(FakeGemini.call("list_range", Map.of("key", "queue", "start", 3, "stop", 1)))
                .then(FakeGemini.call("propose_writes", Map.of("commands", List.of(
                                Map.of("command", "LPOP", "args", List.of("queue", "-1")),
                                Map.of("command", "LREM", "args", List.of("queue", "all", "job2")),
                                Map.of("command", "RPUSH", "args", List.of("queue")),
                                Map.of("command", "LSET", "args", List.of("queue", "0", "x"))),
                        "explanation", "x")))
                .then(FakeGemini.text("I could not."));
        db.resetCalls();
        CliRun.Result r = cli().interactive().stdin("yes\n").run(ai("fix the queue", "--ai-max-steps", "10"));
        assertEquals(3, r.exit(), r.err());
        assertEquals("", r.out());
        String reason = "command 1: LPOP count '-1' is not an integer of at least 0; command 2: LREM count 'all' is "
                + "not an integer; command 3: RPUSH takes a key and at least one element; command 4: LSET is not "
                + "allowed; the agent may only propose SET, DEL, INCR, INCRBY, DECR, DECRBY, EXPIRE, PERSIST, APPEND, "
                + "JSON.SET, MSET, RENAME, HSET, HDEL, HINCRBY, SADD, SREM, ZADD, ZREM, ZINCRBY, LPUSH, RPUSH, LPOP, "
                + "RPOP, LREM";
        assertEquals("""
                  refused list_range: 'start' must be an integer, got 'first'
                  read: LLEN user:ivan, LRANGE user:ivan 0 -1 (at most 50 elements)
                  read: LLEN queue:nobody, LRANGE queue:nobody 0 -1 (at most 50 elements)
                  read: TYPE queue
                  read: LLEN queue, LRANGE queue 3 1 (at most 50 elements)
                """ + "  refused proposal: " + reason + "\nNothing was written: the plan was refused (" + reason
                + ").\n", r.err());
        List<FakeGemini.Request> reqs = gemini.requests();
        assertEquals("'start' must be an integer, got 'first'", last(reqs, 1).at("/response/error").asText());
        assertEquals("the database refused the read: WRONGTYPE Operation against a key holding the wrong kind of "
                + "value", last(reqs, 2).at("/response/error").asText());
        assertEquals("{\"key\":\"queue:nobody\",\"exists\":false,\"length\":0,\"start\":0,\"stop\":-1,"
                + "\"in_range\":0,\"elements\":[],\"returned\":0,\"complete\":true}",
                last(reqs, 3).get("response").toString());
        assertEquals("list", last(reqs, 4).at("/response/type").asText());
        assertEquals("{\"key\":\"queue\",\"exists\":true,\"length\":4,\"start\":3,\"stop\":1,"
                + "\"in_range\":0,\"elements\":[],\"returned\":0,\"complete\":true}",
                last(reqs, 5).get("response").toString());
        assertEquals(0, db.calls("lrange"), "an empty range is not read");
        assertEquals(List.of("job1", "job2", "job3", "job2"), elements("queue"));
    }

    @Test
    void listRangesAreBoundedAndBudgeted() throws Exception {
        List<String> big = new ArrayList<>(List.of("RPUSH", "big"));
        List<String> wide = new ArrayList<>(List.of("RPUSH", "wide"));
        for (int i = 0; i < 100; i++) {
            big.add(String.format("e%03d", i));
            wide.add(String.format("%03d", i) + "x".repeat(57));
        }
        db.call(big.toArray(String[]::new));
        db.call(wide.toArray(String[]::new));
        db.resetCalls();
        gemini.then(FakeGemini.call("list_range", Map.of("key", "big", "bound", 20)))
                .then(FakeGemini.call("list_range", Map.of("key", "big", "start", -5, "bound", 500)))
                .then(FakeGemini.call("list_range", Map.of("key", "big", "start", 90, "stop", 1000)))
                .then(FakeGemini.call("list_range", Map.of("key", "big", "start", 40, "stop", "59", "bound", 3)))
                .then(FakeGemini.call("list_range", Map.of("key", "wide", "bound", 200)))
                .then(FakeGemini.text("done"));
        CliRun.Result r = cli().run(ai("look at the lists", "--ai-max-bytes", "1000"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                  read: LLEN big, LRANGE big 0 -1 (at most 20 elements)
                  read: LLEN big, LRANGE big -5 -1 (at most 200 elements)
                  read: LLEN big, LRANGE big 90 1000 (at most 50 elements)
                  read: LLEN big, LRANGE big 40 59 (at most 3 elements)
                  read: LLEN wide, LRANGE wide 0 -1 (at most 200 elements)
                """, r.err());
        List<FakeGemini.Request> reqs = gemini.requests();

        JsonNode first = last(reqs, 1).get("response");
        assertEquals(100, first.get("in_range").asInt());
        assertEquals(20, first.get("returned").asInt());
        assertEquals("e000", first.at("/elements/0").asText());
        assertEquals("e019", first.at("/elements/19").asText());
        assertFalse(first.get("complete").asBoolean());
        assertEquals("the range holds 100 elements; 20 are shown (bound 20); read the next indexes from 20, or a "
                + "narrower range", first.get("note").asText());

        JsonNode tail = last(reqs, 2).get("response");
        assertEquals(95, tail.get("first_index").asInt());
        assertEquals(5, tail.get("returned").asInt());
        assertEquals("e095", tail.at("/elements/0").asText());
        assertTrue(tail.get("complete").asBoolean());

        JsonNode end = last(reqs, 3).get("response");
        assertEquals(10, end.get("in_range").asInt());
        assertEquals(90, end.get("first_index").asInt());
        assertEquals("e099", end.at("/elements/9").asText());
        assertTrue(end.get("complete").asBoolean());

        JsonNode page = last(reqs, 4).get("response");
        assertEquals(20, page.get("in_range").asInt());
        assertEquals(List.of("e040", "e041", "e042"), List.of(page.at("/elements/0").asText(),
                page.at("/elements/1").asText(), page.at("/elements/2").asText()));
        assertFalse(page.get("complete").asBoolean());
        assertEquals("the range holds 20 elements; 3 are shown (bound 3); read the next indexes from 43, or a "
                + "narrower range", page.get("note").asText());

        // 1000 bytes of data a step: 16 elements of 60 bytes, then a 17th cut to what is left.
        JsonNode cut = last(reqs, 5).get("response");
        assertFalse(cut.get("complete").asBoolean());
        int returned = cut.get("returned").asInt();
        assertEquals(17, returned, cut.toString());
        assertEquals("016" + "x".repeat(37) + "…[truncated: first 40 of 60 bytes shown]",
                cut.at("/elements/16").asText());
        assertEquals("the range holds 100 elements; " + returned + " are shown: this step's data budget is used "
                + "up; read the next indexes from " + returned + ", or a narrower range in a later step",
                cut.get("note").asText());

        // Nothing read a list whole: one LRANGE per call, each of at most the bound.
        assertEquals(5, db.calls("lrange"));
        assertEquals(5, db.calls("llen"));
    }

    /** Runs a request as a person at a terminal sees it (stdout and stderr interleaved). */
    private String transcript(String request, String answer, Runnable meanwhile) {
        CliRun run = cli().merged();
        if (answer != null) {
            run.interactive().stdin(meanwhile == null ? new ByteArrayInputStream((answer + "\n")
                    .getBytes(StandardCharsets.UTF_8)) : answerAfter(answer, meanwhile));
        }
        CliRun.Result r = run.run(ai(request));
        String shown = answer == null ? r.out() : r.out().replace("Type yes to confirm: ", "Type yes to confirm: " + answer + "\n");
        return "$ qrrot ai \"" + request + "\"\n" + shown + (r.exit() == 0 ? "" : "$ echo $?\n" + r.exit() + "\n");
    }

    /** docs/ai.md shows these transcripts verbatim; this test produces them and checks the page still does. */
    @Test
    void transcriptsInTheDocsAreReal() throws Exception {
        List<String> transcripts = new ArrayList<>();
        scriptHashUpdate();
        transcripts.add(transcript("set ivan's age to 31 in user:ivan", "yes", null));

        db.call("HSET", "user:ivan", "age", "25");
        scriptHashUpdate();
        transcripts.add(transcript("set ivan's age to 31 in user:ivan", "yes", meanwhile("HSET", "user:ivan", "age", "26")));

        gemini.then(FakeGemini.call("set_contains", Map.of("key", "team:ops", "members", List.of("ivan"))))
                .then(FakeGemini.call("propose_writes", Map.of(
                        "commands", List.of(Map.of("command", "SADD", "args", List.of("team:ops", "ivan"))),
                        "explanation", "ivan is not in team:ops yet; this adds him.")));
        transcripts.add(transcript("add ivan to the ops team unless he is in it", "yes", null));

        String all = String.join("\n", transcripts);
        Files.writeString(Path.of("target", "ai-collection-transcripts.txt"), all);
        String doc = Files.readString(Path.of("..", "docs", "ai.md"));
        for (String t : transcripts) {
            assertTrue(doc.contains("```\n" + t + "```\n"), "docs/ai.md lacks this transcript (see "
                    + "target/ai-collection-transcripts.txt):\n" + t);
        }
    }
}
