package io.qrrot.cli.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.testing.FakeGemini;
import io.qrrot.cli.testing.RedisServer;
import io.qrrot.cli.testing.ReplDriver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REPL driven keystroke by keystroke through a JLine terminal, against a real redis-server. */
@Tag("integration")
class ReplTest {
    static RedisServer redis;

    @TempDir
    Path home;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void flush() throws Exception {
        redis.call("FLUSHALL");
    }

    private String port() {
        return Integer.toString(redis.port());
    }

    private ReplDriver.Session type(String keys, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("cli", "-p", port()));
        args.addAll(List.of(extra));
        ReplDriver.Session s = new ReplDriver(home).type(keys, args.toArray(String[]::new));
        assertEquals(0, s.exit(), s.err());
        return s;
    }

    @Test
    void commandsRunAndRepliesRender() throws Exception {
        ReplDriver.Session s = type("SET k \"a b\"\rGET k\rGET nope\rINCR n\rRPUSH l x y\rLRANGE l 0 -1\rFOO\r"
                + "LRANGE nope 0 -1\r");
        assertEquals(List.of("OK\n", "\"a b\"\n", "(nil)\n", "(integer) 1\n", "(integer) 2\n", "1) \"x\"\n2) \"y\"\n",
                "(error) ERR unknown command 'FOO', with args beginning with: \n", "(empty array)\n", ""), s.outputs());
        String p = "127.0.0.1:" + port() + "> ";
        assertEquals(List.of(p, p, p, p, p, p, p, p, p), s.prompts());
    }

    @Test
    void everyReplyTypeRendersAsRedisCliRendersIt() throws Exception {
        redis.call("RPUSH", "l", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k");
        redis.call("HSET", "h", "f1", "v1", "f2", "v\n2");
        redis.call("SADD", "s", "only");
        redis.call("ZADD", "z", "0.1", "a", "1.5", "b");
        redis.call("SET", "bin", "caf\u00e9\t\"q\"\\");
        List<String> lines = List.of(
                "GET bin", "GET missing", "STRLEN bin", "LRANGE l 0 -1", "HGETALL h", "SMEMBERS s", "PING",
                "ZSCORE z a", "ZRANGE z 0 -1 WITHSCORES", "ZSCORE z nope",
                "EVAL \"return true\" 0",
                "EVAL \"return false\" 0",
                "EVAL \"redis.setresp(3); return {double=3.5}\" 0",
                "EVAL \"redis.setresp(3); return {map={a=1}}\" 0",
                "EVAL \"return {verbatim_string={format='txt', string='hello'}}\" 0",
                "EVAL \"return {1,{2,{3,'x'}},'y',{}}\" 0",
                "EVAL \"return redis.error_reply('MY custom error')\" 0",
                "COMMAND DOCS get",
                "HGETALL missing");
        StringBuilder keys = new StringBuilder();
        for (String l : lines) {
            keys.append(l).append('\r');
        }
        List<String> outputs = type(keys.toString(), "-3").outputs();
        for (int i = 0; i < lines.size(); i++) {
            List<String> argv = ArgSplitter.split(lines.get(i)).words();
            assertEquals(redisCli(argv), outputs.get(i), lines.get(i));
        }
    }

    /** What redis-cli (RESP3, terminal formatting) prints for the same command against the same server. */
    private String redisCli(List<String> argv) throws Exception {
        Path bin = RedisServer.binary("redis-cli");
        org.junit.jupiter.api.Assumptions.assumeTrue(bin != null, "redis-cli is not installed (apt-get install redis-tools)");
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "-p", port(), "-3", "--no-raw"));
        cmd.addAll(argv);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    @Test
    void rawAndJsonOutput() throws Exception {
        redis.call("HSET", "h", "f", "v");
        redis.call("SET", "n", "5");
        List<String> raw = type("HGETALL h\rGET n\rGET nope\r", "--raw").outputs();
        assertEquals(List.of("f\nv\n", "5\n", "\n", ""), raw);

        List<String> json = type("HGETALL h\rGET n\rGET nope\rINCR h\rEVAL \"return {1,'a',{true}}\" 0\r", "--json").outputs();
        ObjectMapper m = new ObjectMapper();
        assertEquals(m.readTree("{\"f\":\"v\"}"), m.readTree(json.get(0)));
        assertEquals(m.readTree("\"5\""), m.readTree(json.get(1)));
        assertTrue(m.readTree(json.get(2)).isNull());
        JsonNode err = m.readTree(json.get(3));
        assertEquals("WRONGTYPE Operation against a key holding the wrong kind of value", err.get("error").asText());
        assertEquals(m.readTree("[1,\"a\",[1]]"), m.readTree(json.get(4)));
    }

    @Test
    void historyIsKeptAcrossSessionsWithoutPasswords() throws Exception {
        type("SET a 1\rAUTH hunter2\rhello 3 auth default hunter2\rGET a\r");
        List<String> saved = Files.readAllLines(home.resolve(".qrrot_history"));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.resolve(".qrrot_history"))));
        assertEquals(2, saved.size(), saved.toString());
        assertTrue(saved.get(0).endsWith(":SET a 1"), saved.toString());
        assertTrue(saved.get(1).endsWith(":GET a"), saved.toString());
        // Ctrl-P recalls the last line of the previous session; twice goes one further back.
        ReplDriver.Session s = type("\u0010\r\u0010\u0010\r");
        assertEquals(List.of("\"1\"\n", "OK\n", ""), s.outputs());
    }

    @Test
    void historyFileFromTheEnvironment() throws Exception {
        Path custom = home.resolve("custom_history");
        new ReplDriver(home).env("QRROT_HISTFILE", custom.toString()).type("PING\r", "cli", "-p", port());
        assertTrue(Files.readString(custom).endsWith(":PING\n"));
        assertFalse(Files.exists(home.resolve(".qrrot_history")), "QRROT_HISTFILE wins over HOME");
    }

    /** The history goes to $HOME (here a directory of the test's own), not to the JVM's user.home. */
    @Test
    void historyFileInHomeFromTheEnvironment() throws Exception {
        Path other = Files.createDirectory(home.resolve("other-home"));
        new ReplDriver(home).env("HOME", other.toString()).type("PING\r", "cli", "-p", port());
        assertTrue(Files.readString(other.resolve(".qrrot_history")).endsWith(":PING\n"));
        assertFalse(Files.exists(home.resolve(".qrrot_history")));
    }

    @Test
    void tabCompletesCommandsInTheCaseTyped() throws Exception {
        redis.call("SET", "k", "v");
        // JLine adds the space after a completed word.
        ReplDriver.Session s = type("PERSI\tk\rpers\tk\rhelp pers\t\rSET k v NX KEEPT\t\r");
        assertEquals("(integer) 0\n", s.outputs().get(0));
        assertEquals("(integer) 0\n", s.outputs().get(1));
        assertTrue(s.outputs().get(2).contains("PERSIST key\n"), s.outputs().get(2));
        assertEquals("(nil)\n", s.outputs().get(3));
        List<String> history = Files.readAllLines(home.resolve(".qrrot_history"));
        assertTrue(history.get(0).endsWith(":PERSIST k"), history.toString());
        assertTrue(history.get(1).endsWith(":persist k"), history.toString());
        assertTrue(history.get(2).endsWith(":help persist"), history.toString());
        assertTrue(history.get(3).endsWith(":SET k v NX KEEPTTL"), history.toString());
    }

    @Test
    void hintsShowTheRestOfTheSyntax() throws Exception {
        String screen = type("GET\rSET k\r").screen();
        // Shown faint (ESC[2m) behind the cursor as the line is typed.
        assertTrue(screen.contains("GET\u001b[2m key\u001b[0m"), screen);
        assertTrue(screen.contains("\u001b[2m value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|"
                + "PXAT unix-time-milliseconds|KEEPTTL]\u001b[0m"), screen);
    }

    @Test
    void openJsonBracketsContinueOnTheNextLine() throws Exception {
        ReplDriver.Session s = type("ECHO {\"name\": \"Ivan\",\r \"tags\": [1,\r 2]}\rECHO [1, 2]\r");
        assertEquals("\"{\\\"name\\\": \\\"Ivan\\\",\\n \\\"tags\\\": [1,\\n 2]}\"\n", s.outputs().get(0));
        assertEquals("\"[1, 2]\"\n", s.outputs().get(1));
        assertTrue(s.plain().contains("... "), s.plain());
        List<String> history = Files.readAllLines(home.resolve(".qrrot_history"));
        assertTrue(history.get(0).endsWith(":ECHO {\"name\": \"Ivan\",\\n \"tags\": [1,\\n 2]}"), history.toString());
    }

    @Test
    void promptShowsDatabaseAndTransaction() throws Exception {
        ReplDriver.Session s = type("SELECT 2\rMULTI\rSET a 1\rEXEC\r");
        String base = "127.0.0.1:" + port();
        assertEquals(List.of(base + "> ", base + "[2]> ", base + "[2](TX)> ", base + "[2](TX)> ", base + "[2]> "),
                s.prompts());
        assertEquals(List.of("OK\n", "OK\n", "QUEUED\n", "1) OK\n", ""), s.outputs());
    }

    @Test
    void invalidQuotingAndHelpAndQuit() throws Exception {
        ReplDriver.Session s = type("SET k \"abc\rhelp\rhelp nosuch\rhelp @transactions\rquit\rGET k\r");
        List<String> out = s.outputs();
        assertEquals("Invalid argument(s)\n", out.get(0));
        assertTrue(out.get(1).contains("\"help <command>\" for help on <command>"), out.get(1));
        assertEquals("no help for 'nosuch': try \"help @<group>\" or \"help <tab>\"\n", out.get(2));
        assertTrue(out.get(3).contains("\n  WATCH key [key ...]\n"), out.get(3));
        assertEquals(5, out.size(), "quit ends the session: " + out);
    }

    @Test
    void streamingCommandsAreRefused() throws Exception {
        ReplDriver.Session s = type("subscribe ch\rMONITOR\rPING\r");
        assertEquals(List.of("(error) SUBSCRIBE streams replies without end, which this client does not support\n",
                "(error) MONITOR streams replies without end, which this client does not support\n", "PONG\n", ""),
                s.outputs());
    }

    @Test
    void serverDownShowsNotConnectedAndRetries() throws Exception {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        ReplDriver.Session s = new ReplDriver(home).type("GET k\r", "cli", "-p", Integer.toString(dead));
        assertEquals(0, s.exit());
        String msg = "could not connect to 127.0.0.1:" + dead + ": Connection refused\n";
        assertTrue(s.plain().startsWith(msg), s.plain());
        assertEquals(List.of("not connected> ", "not connected> "), s.prompts());
        assertEquals(List.of(msg, ""), s.outputs());
    }

    @Test
    void reconnectsAfterTheConnectionDrops() throws Exception {
        ReplDriver.Session s = type("CLIENT KILL TYPE normal SKIPME no\rPING\rPING\r");
        String base = "127.0.0.1:" + port() + "> ";
        assertEquals(List.of("(integer) 1\n", "connection to 127.0.0.1:" + port() + " lost: connection closed by the "
                + "server\n", "PONG\n", ""), s.outputs());
        assertEquals(List.of(base, base, "not connected> ", base), s.prompts());
    }

    @Test
    void aiInsideTheRepl() throws Exception {
        redis.call("SET", "ivan", "{\"name\":\"Ivan\",\"age\":25}");
        try (FakeGemini gemini = FakeGemini.start()) {
            gemini.then(FakeGemini.call("get", Map.of("key", "ivan")))
                    .then(FakeGemini.text("Ivan is 25."))
                    .then(FakeGemini.call("propose_writes", Map.of("commands",
                            List.of(Map.of("command", "DEL", "args", List.of("ivan"))), "explanation", "Ivan is under 30.")))
                    .then(FakeGemini.call("propose_writes", Map.of("commands",
                            List.of(Map.of("command", "DEL", "args", List.of("ivan"))), "explanation", "Ivan is under 30.")));
            ReplDriver.Session s = new ReplDriver(home).env("GEMINI_API_KEY", "k").type(
                    "ai how old is ivan?\rai delete ivan if he is under 30\rno\rai delete ivan if he is under 30\ryes\rai\r",
                    "cli", "-p", port(), "--ai-base-url", gemini.baseUrl());
            List<String> out = s.outputs();
            assertEquals("  read: GET ivan\nmodel: Ivan is 25.\n", out.get(0));
            assertEquals("""
                    model: Ivan is under 30.
                    + Proposed writes (1 command, run atomically) +
                    | 1. DEL ivan                                 |
                    + Runs as one MULTI/EXEC transaction. --------+
                    """, out.get(1));
            assertEquals("Nothing was written: you declined the plan.\n", out.get(2));
            assertEquals("1. DEL ivan -> (integer) 1\ndone: 1 command ran atomically\n", out.get(4));
            assertEquals("usage: ai <request in plain words>, e.g. ai how many keys start with user: ?\n", out.get(5));
            assertTrue(s.prompts().contains("Run this write? Type yes to confirm: "), s.prompts().toString());
            assertEquals(Reply.NULL, redis.call("GET", "ivan"));
            List<String> history = Files.readAllLines(home.resolve(".qrrot_history"));
            assertTrue(history.stream().noneMatch(h -> h.endsWith(":yes") || h.endsWith(":no")), history.toString());
        }
    }

    @Test
    void aiWithoutAKeySaysHowToSetIt() throws Exception {
        ReplDriver.Session s = type("ai hello\r");
        assertEquals("no Gemini API key: set GEMINI_API_KEY (or GOOGLE_API_KEY), e.g. export GEMINI_API_KEY=<your key> "
                + "(get one at https://aistudio.google.com/apikey)\n", s.outputs().get(0));
    }
}
