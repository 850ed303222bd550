package io.qrrot.cli.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.cli.testing.RedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REPL in a real pseudo-terminal (tmux), in a separate JVM, as a person uses it: the system terminal,
 * hints drawn behind the cursor, completion menus, multi-line input. Skipped when tmux is not installed.
 */
@Tag("integration")
class TmuxReplTest {
    private final String socket = "qrrot-test-" + UUID.randomUUID().toString().substring(0, 8);
    private RedisServer redis;
    private Path tmux;

    @TempDir
    Path home;

    @BeforeEach
    void start() throws Exception {
        tmux = RedisServer.binary("tmux");
        Assumptions.assumeTrue(tmux != null, "tmux is not installed (apt-get install tmux); skipping");
        redis = RedisServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (tmux != null) {
            run("kill-server"); // only the server on this test's own socket
        }
        if (redis != null) {
            redis.close();
        }
    }

    private String run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(tmux.toString(), "-L", socket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    /** The shell words that run {@code qrrot} in a separate JVM, with {@code HOME} set to the test's directory. */
    private String qrrot() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return "HOME='" + home + "' TERM=xterm-256color '" + java + "' -cp '" + cp + "' io.qrrot.cli.Main";
    }

    private void open(int width) throws Exception {
        String command = qrrot() + " cli -p " + redis.port();
        run("new-session", "-d", "-s", "t", "-x", Integer.toString(width), "-y", "20", command);
        // capture-pane drops trailing spaces, so the idle prompt shows as "…:port>".
        await(s -> s.contains("127.0.0.1:" + redis.port() + ">"), false);
    }

    private void keys(String... keys) throws Exception {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "t"));
        args.addAll(List.of(keys));
        run(args.toArray(String[]::new));
    }

    /** Waits until the screen satisfies {@code condition}; returns it. */
    private String await(Predicate<String> condition, boolean escapes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String screen = "";
        while (System.nanoTime() < deadline) {
            screen = escapes ? run("capture-pane", "-t", "t", "-p", "-e") : run("capture-pane", "-t", "t", "-p");
            if (condition.test(screen)) {
                return screen;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("screen never matched; last screen:\n" + screen);
    }

    /** Waits until the REPL is idle at a fresh prompt (typing earlier would be echoed by the tty). */
    private String awaitIdle(String prompt) throws Exception {
        return await(s -> lastLine(s).equals(prompt.strip()), false);
    }

    private static String lastLine(String screen) {
        List<String> lines = screen.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    @Test
    void hintsCompletionAndMultiLineInARealTerminal() throws Exception {
        open(200);
        String prompt = "127.0.0.1:" + redis.port() + "> ";
        keys("SET k");
        await(s -> s.contains(prompt + "SET k\u001b[2m value [NX|XX] [GET] [EX seconds|PX milliseconds"), true);
        keys(" hello", "Enter");
        String after = awaitIdle(prompt);
        assertTrue(after.contains(prompt + "SET k hello\nOK\n"), "the hint is gone once the line is accepted:\n" + after);

        keys("PERSI", "Tab");
        await(s -> s.contains(prompt + "PERSIST"), false);
        keys("k", "Enter");
        assertTrue(awaitIdle(prompt).contains(prompt + "PERSIST k\n(integer) 0\n"));

        keys("ECHO {\"a\":", "Enter");
        await(s -> lastLine(s).equals("..."), false);
        keys("1}", "Enter");
        String json = awaitIdle(prompt);
        assertTrue(json.contains(prompt + "ECHO {\"a\":\n... 1}\n\"{\\\"a\\\":\\n1}\"\n"), json);

        keys("C-p");
        String recalled = await(s -> lastLine(s).equals("... 1}"), false);
        List<String> lines = recalled.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(prompt + "ECHO {\"a\":", lines.get(lines.size() - 2), recalled);
    }

    @Test
    void hintsNeverWrapOnANarrowTerminal() throws Exception {
        open(60);
        String prompt = "127.0.0.1:" + redis.port() + "> ";
        keys("SET k");
        String screen = await(s -> s.contains(prompt + "SET k value"), false);
        String line = screen.lines().filter(l -> l.startsWith(prompt)).findFirst().orElseThrow();
        assertTrue(line.length() < 60, line);
        assertTrue(line.endsWith("…"), line);
        assertEquals(line, lastLine(screen), "nothing wrapped onto the next line:\n" + screen);
        keys(" v", "Enter");
        String after = awaitIdle(prompt);
        assertTrue(after.contains(prompt + "SET k v\nOK\n"), after);
    }

    /**
     * One command at a real terminal prints quoted, into a pipe raw, as redis-cli does (its stdout decides);
     * INFO prints as it is either way.
     */
    @Test
    void oneShotOutputFollowsWhetherStdoutIsATerminal() throws Exception {
        redis.call("SET", "k", "hello");
        String p = " cli -p " + redis.port();
        String script = qrrot() + p + " GET k; echo \"[$?]\"; " + qrrot() + p + " GET k | cat; "
                + qrrot() + p + " --raw GET k; " + qrrot() + p + " --no-raw GET k | cat; "
                + qrrot() + p + " INFO keyspace; echo done; sleep 60";
        // A script file: the class path is long, and four copies of it would pass tmux's command size limit.
        Path file = java.nio.file.Files.writeString(home.resolve("one-shot.sh"), "q() { " + qrrot() + " \"$@\"; }\n"
                + script.replace(qrrot(), "q") + "\n");
        run("new-session", "-d", "-s", "t", "-x", "200", "-y", "20", "sh '" + file + "'");
        String screen = await(s -> s.contains("done"), false);
        assertEquals("\"hello\"\n[0]\nhello\nhello\n\"hello\"\n# Keyspace\ndb0:keys=1,expires=0,avg_ttl=0\ndone\n",
                screen.replaceAll("\n+$", "\n"), screen);
    }

    /** INFO in the REPL at a real terminal: its lines, not one quoted string. */
    @Test
    void infoInTheReplPrintsItsLines() throws Exception {
        redis.call("SET", "k", "hello");
        open(200);
        String prompt = "127.0.0.1:" + redis.port() + "> ";
        keys("INFO keyspace", "Enter");
        String screen = await(s -> s.contains("db0:") && lastLine(s).equals(prompt.strip()), false);
        assertTrue(screen.contains(prompt + "INFO keyspace\n# Keyspace\ndb0:keys=1,expires=0,avg_ttl=0\n" + prompt.strip()),
                screen);
    }

}
