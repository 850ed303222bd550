package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same bytes sent to qrrot and to a real redis-server 7.0 must get the same reply bytes. Each script
 * runs on a fresh connection per server; a script may end in a protocol error (both must then close).
 * Both the server's own commands and the engine's data commands (the database is the real one).
 */
@Tag("integration")
class RedisDifferentialTest {
    @TempDir
    static Path dir;
    private static SideBySide servers;

    @BeforeAll
    static void start() throws Exception {
        servers = SideBySide.start(dir, "the differential test");
    }

    @AfterAll
    static void stop() throws Exception {
        if (servers != null) {
            servers.close();
        }
    }

    /** Replies of each request line (multibulk or inline), then "<closed>" if the server hung up. */
    private static List<String> run(int port, List<String> requests) throws IOException {
        List<String> replies = new ArrayList<>();
        try (RawClient c = new RawClient(port)) {
            c.timeout(5000);
            for (String r : requests) {
                c.send(r);
                try {
                    replies.add(c.read());
                } catch (java.io.EOFException e) {
                    replies.add("<closed>");
                    return replies;
                }
                if (replies.get(replies.size() - 1).startsWith("-ERR Protocol error")) {
                    replies.add(c.closedByServer() ? "<closed>" : "<open>");
                    return replies;
                }
            }
        }
        return replies;
    }

    private static void same(List<String> requests) throws IOException {
        same(servers.redis.port, servers.qrrot.port(), requests);
    }

    private static void same(int redisPort, int qrrotPort, List<String> requests) throws IOException {
        List<String> expected = run(redisPort, requests);
        List<String> actual = run(qrrotPort, requests);
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            String req = i < requests.size() ? requests.get(i) : "(after the last request)";
            assertEquals(expected.get(i), actual.get(i), "reply " + i + " to " + show(req));
        }
        assertEquals(expected.size(), actual.size(), "number of replies to " + requests.size() + " requests");
    }

    private static String show(String s) {
        return "'" + s.replace("\r", "\\r").replace("\n", "\\n") + "'";
    }

    private static String cmd(String... args) {
        return RawClient.multibulk(args);
    }

    @Test
    void connectionCommands() throws IOException {
        same(List.of(cmd("PING"), cmd("PING", "hello"), cmd("PING", "a", "b"), cmd("ECHO", "x"), cmd("ECHO"),
                cmd("ECHO", "a", "b"), cmd("SELECT", "0"), cmd("SELECT", "16"), cmd("SELECT", "x"), cmd("SELECT", "-1"),
                cmd("SELECT"), cmd("TIME", "x"), cmd("QUIT", "x")));
        same(List.of(cmd("AUTH", "x"), cmd("AUTH", "a", "b"), cmd("AUTH", "default", "x"), cmd("AUTH", "a", "b", "c"),
                cmd("AUTH")));
        same(List.of(cmd("HELLO", "4"), cmd("HELLO", "x"), cmd("HELLO", "2", "SETNAME"), cmd("HELLO", "2", "FOO"),
                cmd("HELLO", "1"), cmd("HELLO", "3", "AUTH", "a"), cmd("HELLO", "2", "SETNAME", "a b")));
        same(List.of(cmd("quit")));
        same(List.of(cmd("MULTI"), cmd("FOO"), cmd("RESET"), cmd("EXEC"), cmd("MULTI"), cmd("EXEC")));
    }

    @Test
    void unknownCommandsAndArity() throws IOException {
        same(List.of(cmd("foo"), cmd("foo", "bar", "baz"), cmd("FOO", "x".repeat(300), "y"),
                cmd("f", "a".repeat(100), "b".repeat(100), "c"), cmd("f", "a\r\nb"), cmd("GET"), cmd("SET", "k"),
                cmd("client"), cmd("config"), cmd("Ping", "a", "b"), cmd("")));
    }

    @Test
    void clientConfigCommand() throws IOException {
        same(List.of(cmd("CLIENT", "SETNAME", "n1"), cmd("CLIENT", "GETNAME"), cmd("CLIENT", "SETNAME", "a b"),
                cmd("CLIENT", "SETNAME", "a\nb"), cmd("CLIENT", "SETNAME", ""), cmd("CLIENT", "GETNAME"),
                cmd("CLIENT", "FOO"), cmd("CLIENT", "SETNAME"), cmd("CLIENT", "GETNAME", "x"), cmd("CLIENT", "ID", "x"),
                cmd("CLIENT", "KILL", "1.2.3.4:5"), cmd("CLIENT", "KILL", "ID", "99999"), cmd("CLIENT", "KILL", "FOO", "x"),
                cmd("CLIENT", "KILL", "ID", "x"), cmd("CLIENT", "KILL", "ID"), cmd("CLIENT", "KILL", "SKIPME", "maybe")));
        same(List.of(cmd("CONFIG", "GET", "save"), cmd("CONFIG", "GET", "nosuch"), cmd("CONFIG", "GET"),
                cmd("CONFIG", "FOO"), cmd("CONFIG", "SET", "foo", "bar"), cmd("CONFIG", "SET", "maxmemory", "abc"),
                cmd("CONFIG", "SET", "maxmemory"), cmd("CONFIG", "SET", "databases", "3"),
                cmd("CONFIG", "SET", "appendfsync", "foo"), cmd("CONFIG", "GET", "maxmemory-policy"),
                cmd("CONFIG", "REWRITE", "x")));
        // Deliberate differences, covered by ServerCommandsTest instead: qrrot has one database (SELECT 1
        // and CONFIG GET databases), its WAL is always on (appendonly yes), and HELLO names qrrot.
        same(List.of(cmd("COMMAND", "FOO"), cmd("COMMAND", "COUNT", "x"),
                cmd("COMMAND", "INFO", "nosuch"), cmd("INFO", "nosuch"), cmd("SHUTDOWN", "FOO"), cmd("LASTSAVE", "x"),
                cmd("SAVE", "x"), cmd("BGSAVE", "FOO"), cmd("DBSIZE", "x")));
    }

    @Test
    void inlineCommands() throws IOException {
        same(List.of("PING\r\n", "ECHO hello\r\n", "  ECHO   spaced  \n", "ECHO \"a b\"\r\n", "ECHO 'a b'\r\n",
                "ECHO \"\\x41\\x4a\\n\\t\\\\\"\r\n", "ECHO 'it\\'s'\r\n", "ECHO \"\\xZZ\"\r\n", "ECHO a\"b\"\r\n",
                "ECHO \"\"\r\n", "\r\n\r\nPING\r\n", "ECHO \"\\q\\\"\"\r\n", "ECHO a'b'\r\n", "echo \u00e9\r\n"));
        same(List.of("ECHO \"a\"b\r\n"));
        same(List.of("ECHO 'a\r\n"));
        same(List.of("ECHO \"a\\\"\r\n"));
    }

    @Test
    void randomInlineLinesParseAsRedisParsesThem() throws IOException {
        long seed = Long.getLong("qrrot.seed", System.nanoTime());
        Random rnd = new Random(seed);
        String alphabet = "ab \"'\\x4Fz\t";
        for (int i = 0; i < 150; i++) {
            StringBuilder line = new StringBuilder("ECHO ");
            for (int k = 0, n = rnd.nextInt(12); k < n; k++) {
                line.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            List<String> req = List.of(line + "\r\n", "PING\r\n");
            List<String> expected = run(servers.redis.port, req);
            List<String> actual = run(servers.qrrot.port(), req);
            assertEquals(expected, actual, "seed=" + seed + " line=" + line);
        }
    }

    @Test
    void protocolErrors() throws IOException {
        for (String bad : new String[] {"*1\r\nx3\r\n", "*x\r\n", "*1\r\n$-1\r\n", "*1\r\n$999999999999\r\n",
                "*1\r\n$x\r\n", "*2147483648\r\n", "*0\r\n*-5\r\nPING\r\n", "*1\r\n$4\r\nPINGxx", "*1\r\n$ 4\r\n"}) {
            same(List.of(bad));
        }
    }

    @Test
    void requestsBeforeAuthenticationAreLimitedAsInRedis() throws Exception {
        Path d = dir.resolve("requirepass");
        java.nio.file.Files.createDirectories(d);
        try (RedisServerProcess secured = RedisServerProcess.start(d, "--requirepass", "pw");
             QrrotServer q = TestBackends.start(servers.db, TestBackends.options().withRequirePass("pw"))) {
            String arg16k = "a".repeat(16384);
            String arg100k = "b".repeat(100_000);
            String tenArgs = cmd("PING", "1", "2", "3", "4", "5", "6", "7", "8", "9");
            for (List<String> script : List.of(List.of("*1\r\n$100000000\r\n"), List.of("*11\r\n"),
                    List.of("*1\r\n$16385\r\n"), List.of("*2\r\n$4\r\nECHO\r\n$16385\r\n"),
                    List.of(cmd("ECHO", arg16k), tenArgs, "*11\r\n"),
                    List.of(cmd("AUTH", "pw"), cmd("ECHO", arg100k), cmd("ECHO", "1", "2", "3", "4", "5", "6", "7",
                            "8", "9", "10")),
                    List.of("PING " + "x".repeat(20_000) + "\r\n"))) {
                same(secured.port, q.port(), script);
            }
        }
    }

    @Test
    void dataCommands() throws IOException {
        same(List.of(cmd("DEL", "d:k", "d:n"), cmd("SET", "d:k", "v"), cmd("GET", "d:k"), cmd("GET", "d:none"),
                cmd("INCR", "d:n"), cmd("INCR", "d:k"), cmd("EXISTS", "d:k", "d:n", "d:x"), cmd("MULTI"),
                cmd("SET", "d:k", "w"), cmd("INCR", "d:n"), cmd("EXEC"), cmd("MGET", "d:k", "d:n", "d:x"),
                cmd("DEL", "d:k", "d:n"), cmd("EXEC"), cmd("DISCARD"), cmd("COMMAND", "INFO", "nosuch", "get")));
    }
}
