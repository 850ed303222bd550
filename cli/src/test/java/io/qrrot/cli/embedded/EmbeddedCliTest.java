package io.qrrot.cli.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.testing.CliRun;
import io.qrrot.cli.testing.FakeGemini;
import io.qrrot.cli.testing.ReplDriver;
import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.server.QrrotServer;
import io.qrrot.server.ServerOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qrrot cli --embedded DIR} and {@code qrrot ai --embedded DIR}: the real command line on a data
 * directory opened in this process, compared byte for byte with the same commands sent to a qrrot server.
 */
class EmbeddedCliTest {
    /** Small WAL segments: a new segment is zero-filled and synced, which at 64 MiB dominates a short test. */
    static final QrrotOptions SMALL = QrrotOptions.defaults().withWal(1 << 20, 256L << 20, 3_600_000L);

    @TempDir
    Path tmp;

    private static Reply get(DurableQrrot db, String key) {
        try (EmbeddedClient c = new EmbeddedClient(db, 2)) {
            return c.call("GET", key);
        }
    }

    private static CliRun.Result run(List<String> target, String... command) {
        List<String> args = new ArrayList<>(List.of("cli"));
        args.addAll(target);
        args.addAll(List.of(command));
        return new CliRun().databases(dir -> DurableQrrot.open(dir, SMALL)).run(args.toArray(String[]::new));
    }

    /** The same commands, one process run each, on a server and embedded: identical output and exit status. */
    @Test
    void oneShotRepliesAreThoseOfAServerAndWritesAreDurable() throws Exception {
        Path local = tmp.resolve("local");
        List<String[]> commands = List.of(
                new String[] {"SET", "k", "v"}, new String[] {"GET", "k"}, new String[] {"GET", "nope"},
                new String[] {"SET", "n", "41"}, new String[] {"INCR", "n"}, new String[] {"INCRBYFLOAT", "f", "1.5"},
                new String[] {"MSET", "a", "1", "b", "2"}, new String[] {"MGET", "a", "nope", "b"},
                new String[] {"EXISTS", "a", "b", "c"}, new String[] {"DEL", "a"}, new String[] {"TYPE", "k"},
                new String[] {"JSON.SET", "j", "$", "{\"a\":[1,2],\"s\":\"x y\"}"}, new String[] {"JSON.GET", "j"},
                new String[] {"JSON.GET", "j", "$.a"}, new String[] {"TYPE", "j"},
                new String[] {"EXPIREAT", "k", "4102444800"}, new String[] {"EXPIRETIME", "k"},
                new String[] {"TTL", "nope"}, new String[] {"PERSIST", "k"}, new String[] {"SCAN", "0", "COUNT", "100"},
                new String[] {"KEYS", "*"}, new String[] {"DBSIZE"}, new String[] {"INCR", "k"},
                new String[] {"FOO", "bar"}, new String[] {"GET"}, new String[] {"SELECT", "0"},
                new String[] {"SELECT", "1"}, new String[] {"PING"}, new String[] {"PING", "hi"},
                new String[] {"ECHO", "caf\u00e9\n"}, new String[] {"APPEND", "k", "x"}, new String[] {"GETRANGE", "k", "0", "0"},
                new String[] {"RENAME", "b", "c"}, new String[] {"INFO", "keyspace"});
        try (DurableQrrot remoteDb = DurableQrrot.open(tmp.resolve("remote"), SMALL);
             QrrotServer server = new QrrotServer(remoteDb, ServerOptions.defaults().withPort(0)).start()) {
            List<String> remote = List.of("-p", Integer.toString(server.port()));
            List<String> embedded = List.of("--embedded", local.toString(), "--create");
            boolean first = true;
            for (String[] c : commands) {
                for (List<String> format : List.of(List.<String>of(), List.of("--raw"), List.of("--json"))) {
                    List<String> args = new ArrayList<>(format);
                    args.addAll(List.of(c));
                    String[] cmd = args.toArray(String[]::new);
                    CliRun.Result r = run(remote, cmd);
                    CliRun.Result e = run(embedded, cmd);
                    String what = String.join(" ", cmd);
                    assertEquals(r.out(), e.out(), what);
                    assertEquals(r.exit(), e.exit(), what);
                    assertEquals(first ? "qrrot cli: created a new data directory " + local + "\n" : "", e.err(), what);
                    first = false;
                    if (c[0].equals("SET") || c[0].equals("MSET") || c[0].equals("INCR") || c[0].equals("INCRBYFLOAT")
                            || c[0].equals("APPEND") || c[0].equals("RENAME") || c[0].equals("DEL")
                            || c[0].equals("JSON.SET") || c[0].equals("EXPIREAT") || c[0].equals("PERSIST")) {
                        break; // a write runs once, in the standard format
                    }
                }
            }
        }
        assertEquals("OK\n", run(List.of("--embedded", local.toString()), "SET", "last", "write").out());
        try (DurableQrrot db = DurableQrrot.open(local, SMALL)) {
            assertEquals(new Reply.BulkString("vx".getBytes()), get(db, "k"));
            assertEquals(new Reply.BulkString("write".getBytes()), get(db, "last"));
        }
    }

    /**
     * A sorted-set score is a RESP3 double of its "%.17g" text (ZSCORE, ZINCRBY): embedded, as from a server, it
     * prints as redis-cli prints a double ({@code (double) 0.10000000000000001}), and with --json as a number.
     * The data directory stays open across the runs (each run reopening it would replay its log).
     */
    @Test
    void scoresAreDoublesInRespThree() throws Exception {
        Path dir = tmp.resolve("data");
        try (DurableQrrot db = DurableQrrot.open(dir, SMALL);
             QrrotServer server = new QrrotServer(db, ServerOptions.defaults().withPort(0)).start()) {
            try (EmbeddedClient c = new EmbeddedClient(db, 2)) {
                assertEquals(new Reply.IntegerReply(2), c.call("ZADD", "z", "0.1", "a", "1.5", "b"));
            }
            io.qrrot.cli.testing.SharedQrrot shared = new io.qrrot.cli.testing.SharedQrrot(db);
            List<String> remote = List.of("-p", Integer.toString(server.port()));
            List<String> embedded = List.of("--embedded", dir.toString());
            List<List<String>> cases = List.of(
                    List.of("-3", "ZSCORE", "z", "a"), List.of("ZSCORE", "z", "a"), List.of("--json", "ZSCORE", "z", "b"),
                    List.of("-3", "ZRANGE", "z", "0", "-1", "WITHSCORES"), List.of("-3", "ZSCORE", "z", "nope"));
            List<String> shown = new ArrayList<>();
            for (List<String> cmd : cases) {
                List<String> r = new ArrayList<>(List.of("cli"));
                r.addAll(remote);
                r.addAll(cmd);
                List<String> e = new ArrayList<>(List.of("cli"));
                e.addAll(embedded);
                e.addAll(cmd);
                CliRun.Result fromServer = new CliRun().run(r.toArray(String[]::new));
                CliRun.Result inProcess = new CliRun().databases(shared.opener()).run(e.toArray(String[]::new));
                assertEquals(0, inProcess.exit(), inProcess.err());
                assertEquals(fromServer.out(), inProcess.out(), String.join(" ", cmd));
                shown.add(inProcess.out());
            }
            assertEquals(List.of("(double) 0.10000000000000001\n", "\"0.10000000000000001\"\n", "1.5\n",
                    "1) 1) \"a\"\n   2) (double) 0.10000000000000001\n2) 1) \"b\"\n   2) (double) 1.5\n", "(nil)\n"),
                    shown);
        }
    }

    /**
     * A list as the command line shows it, embedded as from a server: ALL gives its qrrot type and its elements
     * in order, TYPE and OBJECT ENCODING name it as Redis does, and a pop's reply is its elements.
     */
    @Test
    void listsShowAsFromAServer() throws Exception {
        Path dir = tmp.resolve("data");
        try (DurableQrrot db = DurableQrrot.open(dir, SMALL);
             QrrotServer server = new QrrotServer(db, ServerOptions.defaults().withPort(0)).start()) {
            try (EmbeddedClient c = new EmbeddedClient(db, 2)) {
                assertEquals(new Reply.IntegerReply(3), c.call("RPUSH", "q", "a", "b c", ""));
                assertEquals(new Reply.IntegerReply(4), c.call("LPUSH", "q", "caf\u00e9"));
            }
            io.qrrot.cli.testing.SharedQrrot shared = new io.qrrot.cli.testing.SharedQrrot(db);
            List<String> remote = List.of("-p", Integer.toString(server.port()));
            List<String> embedded = List.of("--embedded", dir.toString());
            List<List<String>> cases = List.of(List.of("ALL"), List.of("--json", "ALL"), List.of("--raw", "ALL"),
                    List.of("TYPE", "q"), List.of("OBJECT", "ENCODING", "q"), List.of("LRANGE", "q", "1", "-1"));
            List<String> shown = new ArrayList<>();
            for (List<String> cmd : cases) {
                List<String> r = new ArrayList<>(List.of("cli"));
                r.addAll(remote);
                r.addAll(cmd);
                List<String> e = new ArrayList<>(List.of("cli"));
                e.addAll(embedded);
                e.addAll(cmd);
                CliRun.Result fromServer = new CliRun().run(r.toArray(String[]::new));
                CliRun.Result inProcess = new CliRun().databases(shared.opener()).run(e.toArray(String[]::new));
                assertEquals(0, inProcess.exit(), inProcess.err());
                assertEquals(fromServer.out(), inProcess.out(), String.join(" ", cmd));
                shown.add(inProcess.out());
            }
            assertEquals(List.of("""
                    1) "0"
                    2) 1) 1) "q"
                          2) list
                          3) 1) "caf\\xc3\\xa9"
                             2) "a"
                             3) "b c"
                             4) ""
                    """, "[\"0\",[[\"q\",\"list\",[\"caf\u00e9\",\"a\",\"b c\",\"\"]]]]\n",
                    "0\nq\nlist\ncaf\u00e9\na\nb c\n\n", "list\n", "\"quicklist\"\n",
                    "1) \"a\"\n2) \"b c\"\n3) \"\"\n"), shown);
            // A write runs once: embedded, then read from the server.
            CliRun.Result pop = new CliRun().databases(shared.opener()).run("cli", "--embedded", dir.toString(), "-3",
                    "LPOP", "q", "2");
            assertEquals("1) \"caf\\xc3\\xa9\"\n2) \"a\"\n", pop.out());
            assertEquals("1) \"b c\"\n2) \"\"\n",
                    new CliRun().run("cli", "-p", Integer.toString(server.port()), "LRANGE", "q", "0", "-1").out());
        }
    }

    @Test
    void aDirectoryAServerHoldsIsRefusedWithTheLockMessage() throws Exception {
        Path dir = tmp.resolve("held");
        try (DurableQrrot held = DurableQrrot.open(dir, SMALL)) {
            CliRun.Result r = new CliRun().run("cli", "--embedded", dir.toString(), "GET", "k");
            assertEquals(1, r.exit());
            assertEquals("", r.out());
            assertEquals("qrrot cli: cannot open " + dir + ": data directory " + dir + " is in use by another qrrot "
                    + "process (pid " + ProcessHandle.current().pid() + ") (lock file " + dir.resolve("LOCK")
                    + "); stop that process or choose another directory\n", r.err());
        }
    }

    @Test
    void aServerOptionWithEmbeddedIsAUsageError() {
        Path dir = tmp.resolve("data");
        CliRun.Result cli = new CliRun().run("cli", "--embedded", dir.toString(), "-p", "6380", "GET", "k");
        assertEquals(2, cli.exit());
        assertEquals("qrrot cli: --embedded opens a data directory, -p chooses a server: give one or the other",
                cli.err().lines().findFirst().orElse(""));
        CliRun.Result ai = new CliRun().env("GEMINI_API_KEY", "k").run("ai", "--embedded", dir.toString(), "-h",
                "db1", "hi");
        assertEquals(2, ai.exit());
        assertEquals("qrrot ai: --embedded opens a data directory, -h chooses a server: give one or the other",
                ai.err().lines().findFirst().orElse(""));
        assertFalse(java.nio.file.Files.exists(dir), "nothing was opened");
    }

    @Test
    void replOnADataDirectory() throws Exception {
        Path dir = tmp.resolve("data");
        ReplDriver.Session s = new ReplDriver(tmp).type("SET k \"a b\"\rGET k\rMULTI\rINCR n\rGET k\rEXEC\rPING\r"
                + "SELECT 1\rHSET h a b\rHGETALL h\r", "cli", "--embedded", dir.toString(), "--create");
        assertEquals(0, s.exit(), s.err());
        List<String> out = s.outputs();
        assertEquals(List.of("OK\n", "\"a b\"\n", "OK\n", "QUEUED\n", "QUEUED\n", "1) (integer) 1\n2) \"a b\"\n", "PONG\n",
                "(error) ERR DB index is out of range\n",
                "(integer) 1\n", "1) \"a\"\n2) \"b\"\n", ""), out);
        String p = "embedded:" + dir + "> ";
        String tx = "embedded:" + dir + "(TX)> ";
        assertEquals(List.of(p, p, p, tx, tx, tx, p, p, p, p, p), s.prompts());
        try (DurableQrrot db = DurableQrrot.open(dir, SMALL)) {
            assertEquals(new Reply.BulkString("a b".getBytes()), get(db, "k"));
            assertEquals(new Reply.BulkString("1".getBytes()), get(db, "n"));
        }
    }

    @Test
    void agentInsideTheEmbeddedRepl() throws Exception {
        Path dir = tmp.resolve("data");
        try (DurableQrrot db = DurableQrrot.open(dir, SMALL);
             EmbeddedClient c = new EmbeddedClient(db, 2)) {
            c.call("SET", "ivan", "{\"name\":\"Ivan\",\"age\":25}");
        }
        try (FakeGemini gemini = FakeGemini.start()) {
            gemini.then(FakeGemini.call("get", Map.of("key", "ivan")))
                    .then(FakeGemini.call("propose_writes", Map.of("commands",
                            List.of(Map.of("command", "DEL", "args", List.of("ivan"))), "explanation", "Ivan is under 30.")));
            ReplDriver.Session s = new ReplDriver(tmp).env("GEMINI_API_KEY", "k").type(
                    "ai delete ivan if he is under 30\ryes\rGET ivan\r",
                    "cli", "--embedded", dir.toString(), "--ai-base-url", gemini.baseUrl());
            assertEquals(0, s.exit(), s.err());
            List<String> out = s.outputs();
            assertEquals("1. DEL ivan -> (integer) 1\ndone: 1 command ran atomically\n", out.get(1));
            assertEquals("(nil)\n", out.get(2));
        }
        try (DurableQrrot db = DurableQrrot.open(dir, SMALL)) {
            assertEquals(Reply.NULL, get(db, "ivan"));
        }
    }

    @Test
    void agentOneShotWithTheRealOpener() throws Exception {
        Path dir = tmp.resolve("data");
        try (DurableQrrot db = DurableQrrot.open(dir, SMALL);
             EmbeddedClient c = new EmbeddedClient(db, 2)) {
            c.call("SET", "ivan", "{\"name\":\"Ivan\",\"age\":25}");
        }
        try (FakeGemini gemini = FakeGemini.start()) {
            gemini.then(FakeGemini.call("propose_writes", Map.of("commands",
                    List.of(Map.of("command", "INCRBY", "args", List.of("visits", "5"))), "explanation", "Counting.")));
            CliRun.Result r = new CliRun().env("GEMINI_API_KEY", "k").run("ai", "--embedded", dir.toString(),
                    "--ai-base-url", gemini.baseUrl(), "--yes", "count 5 visits");
            assertEquals(0, r.exit(), r.err());
            assertEquals("1. INCRBY visits 5 -> (integer) 5\ndone: 1 command ran atomically\n", r.out());
            assertTrue(r.err().startsWith("model: Counting.\n+ Proposed writes"), r.err());
        }
        try (DurableQrrot db = DurableQrrot.open(dir, SMALL)) {
            assertEquals(new Reply.BulkString("5".getBytes()), get(db, "visits"));
        }
    }
}
