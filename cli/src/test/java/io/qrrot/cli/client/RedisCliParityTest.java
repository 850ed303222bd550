package io.qrrot.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.cli.Version;
import io.qrrot.cli.testing.CliRun;
import io.qrrot.cli.testing.RedisServer;
import io.qrrot.cli.testing.ReplDriver;
import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.server.QrrotServer;
import io.qrrot.server.ServerOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@code qrrot cli} behaves as redis-cli 7.0 does and used not to: output into a pipe, INFO and
 * CLIENT LIST printed as they are, unknown options, SHUTDOWN, {@code -V} on every verb that lists it.
 * redis-cli runs here with its stdout a pipe, as a script sees it.
 */
@Tag("integration")
class RedisCliParityTest {
    static RedisServer redis;

    @TempDir
    Path tmp;

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
    void data() throws Exception {
        redis.call("FLUSHALL");
        redis.call("SET", "k", "hello");
        redis.call("RPUSH", "l", "a", "b c");
        redis.call("SET", "n", "41");
    }

    private static List<String> args(int port, String... args) {
        List<String> a = new ArrayList<>(List.of("cli", "-p", Integer.toString(port)));
        a.addAll(List.of(args));
        return a;
    }

    private static CliRun.Result piped(String... args) {
        return new CliRun().piped().run(args(redis.port(), args).toArray(String[]::new));
    }

    private static CliRun.Result atTerminal(String... args) {
        return new CliRun().run(args(redis.port(), args).toArray(String[]::new));
    }

    /** redis-cli with its stdout a pipe; the exit status is not compared (redis-cli exits 0 on error replies). */
    private static String redisCli(String... args) throws Exception {
        Path bin = RedisServer.binary("redis-cli");
        Assumptions.assumeTrue(bin != null, "redis-cli is not installed (apt-get install redis-tools)");
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "-p", Integer.toString(redis.port())));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    @Test
    void intoAPipeRepliesAreRawAsRedisCliPrintsThem() throws Exception {
        assertEquals(new CliRun.Result(0, "hello\n", ""), piped("GET", "k"));
        assertEquals(new CliRun.Result(0, "a\nb c\n", ""), piped("LRANGE", "l", "0", "-1"));
        assertEquals(new CliRun.Result(0, "42\n", ""), piped("INCR", "n"));
        for (String[] cmd : List.of(new String[] {"GET", "k"}, new String[] {"LRANGE", "l", "0", "-1"},
                new String[] {"GET", "nope"}, new String[] {"EXISTS", "k", "l"}, new String[] {"INCR", "l"})) {
            assertEquals(redisCli(cmd), piped(cmd).out(), String.join(" ", cmd));
            List<String> noRaw = new ArrayList<>(List.of("--no-raw"));
            noRaw.addAll(List.of(cmd));
            assertEquals(redisCli(noRaw.toArray(String[]::new)), piped(noRaw.toArray(String[]::new)).out(),
                    "--no-raw " + String.join(" ", cmd));
        }
    }

    @Test
    void noRawQuotesIntoAPipeAndRawPrintsRawAtATerminal() {
        assertEquals(new CliRun.Result(0, "\"hello\"\n", ""), piped("--no-raw", "GET", "k"));
        assertEquals(new CliRun.Result(0, "\"hello\"\n", ""), atTerminal("GET", "k"));
        assertEquals(new CliRun.Result(0, "hello\n", ""), atTerminal("--raw", "GET", "k"));
        assertEquals(new CliRun.Result(1, "(error) WRONGTYPE Operation against a key holding the wrong kind of value\n", ""),
                piped("--no-raw", "INCR", "l"));
        CliRun.Result both = piped("--raw", "--no-raw", "GET", "k");
        assertEquals(2, both.exit(), both.toString());
    }

    @Test
    void infoAndClientListPrintAsTheyAre() throws Exception {
        String keyspace = "# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\n";
        assertEquals(new CliRun.Result(0, keyspace, ""), atTerminal("INFO", "keyspace"));
        assertEquals(new CliRun.Result(0, keyspace, ""), piped("INFO", "keyspace"));
        assertEquals(new CliRun.Result(0, keyspace, ""), atTerminal("--raw", "info", "keyspace"));
        assertEquals(redisCli("--no-raw", "INFO", "keyspace"), atTerminal("INFO", "keyspace").out());
        assertEquals(redisCli("--no-raw", "INFO", "nosuchsection"), atTerminal("INFO", "nosuchsection").out());
        assertEquals("", atTerminal("INFO", "nosuchsection").out());
        assertEquals(new CliRun.Result(1, "ERR syntax error\n", ""), atTerminal("CLIENT", "LIST", "x"));
        assertEquals(redisCli("--no-raw", "CLIENT", "LIST", "x"), atTerminal("CLIENT", "LIST", "x").out());
        String list = atTerminal("CLIENT", "LIST").out();
        assertTrue(list.matches("(?s)id=\\d+ addr=127\\.0\\.0\\.1:\\d+ .* cmd=client\\|list .*\n"), list);
        assertFalse(list.contains("\\n") || list.startsWith("\""), list);
        String info = atTerminal("CLIENT", "INFO").out();
        assertTrue(info.startsWith("id=") && info.endsWith("\n") && !info.contains("\""), info);
        // Other commands keep their format: an INFO-like text from GET is quoted.
        redis.call("SET", "text", "a\r\nb");
        assertEquals("\"a\\r\\nb\"\n", atTerminal("GET", "text").out());
    }

    @Test
    void infoInTheReplPrintsAsItIs() throws Exception {
        ReplDriver.Session s = new ReplDriver(tmp).type("INFO keyspace\rGET k\r", args(redis.port()).toArray(String[]::new));
        assertEquals(0, s.exit(), s.err());
        assertEquals(List.of("# Keyspace\ndb0:keys=3,expires=0,avg_ttl=0\n", "\"hello\"\n", ""), s.outputs());
    }

    @Test
    void unknownOptionsAreUsageErrors() {
        CliRun.Result r = atTerminal("-x", "PING");
        assertEquals(2, r.exit(), r.toString());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("Unknown option: '-x'\nUsage: qrrot cli "), r.err());
        CliRun.Result ai = new CliRun().run("ai", "--nope", "how many keys?");
        assertEquals(2, ai.exit(), ai.toString());
        assertTrue(ai.err().startsWith("Unknown option: '--nope'\nUsage: qrrot ai "), ai.err());
        // After the command name everything is the command's.
        assertEquals(new CliRun.Result(0, "OK\n", ""), atTerminal("SET", "opt", "-x"));
        assertEquals(new CliRun.Result(0, "\"-x\"\n", ""), atTerminal("GET", "opt"));
    }

    @Test
    void shutdownThatStopsTheServerSucceeds() throws Exception {
        try (RedisServer victim = RedisServer.start()) {
            CliRun.Result r = new CliRun().run("cli", "-p", Integer.toString(victim.port()), "SHUTDOWN", "NOSAVE");
            assertEquals(new CliRun.Result(0, "", ""), r);
            CliRun.Result after = new CliRun().run("cli", "-p", Integer.toString(victim.port()), "PING");
            assertEquals(1, after.exit());
            assertEquals("could not connect to 127.0.0.1:" + victim.port() + ": Connection refused\n", after.err());
        }
        try (DurableQrrot db = DurableQrrot.open(tmp.resolve("data"), QrrotOptions.defaults());
             QrrotServer server = new QrrotServer(db, ServerOptions.defaults().withPort(0)).start()) {
            CliRun.Result r = new CliRun().run("cli", "-p", Integer.toString(server.port()), "SHUTDOWN");
            assertEquals(new CliRun.Result(0, "", ""), r);
            server.termination().get(30, TimeUnit.SECONDS);
        }
        // A SHUTDOWN the server refuses is an error reply, and no server at all a connection failure.
        CliRun.Result refused = atTerminal("SHUTDOWN", "BOGUS");
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.out().startsWith("(error) ERR"), refused.out());
    }

    @Test
    void shutdownInTheReplLeavesANotConnectedPrompt() throws Exception {
        try (RedisServer victim = RedisServer.start()) {
            ReplDriver.Session s = new ReplDriver(tmp).type("SHUTDOWN NOSAVE\r", "cli", "-p",
                    Integer.toString(victim.port()));
            assertEquals(0, s.exit(), s.err());
            assertEquals(List.of("127.0.0.1:" + victim.port() + "> ", "not connected> "), s.prompts());
            assertEquals(List.of("", ""), s.outputs(), "nothing printed after SHUTDOWN:\n" + s.plain());
        }
    }

    @Test
    void versionWhereverItIsListed() {
        String version = "qrrot " + Version.VERSION + "\n";
        for (String[] verb : List.of(new String[] {"-V"}, new String[] {"serve", "-V"}, new String[] {"serve", "--version"},
                new String[] {"snapshot", "-V"}, new String[] {"snapshot", "verify", "-V"},
                new String[] {"snapshot", "status", "-V"}, new String[] {"snapshot", "restore", "-V"},
                new String[] {"snapshot", "dump", "-V"}, new String[] {"wal", "-V"}, new String[] {"wal", "check", "-V"},
                new String[] {"wal", "dump", "--version"})) {
            assertEquals(new CliRun.Result(0, version, ""), new CliRun().run(verb), String.join(" ", verb));
        }
    }
}
