package io.qrrot.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.resp.RespConfig;
import io.qrrot.cli.resp.RespConnection;
import io.qrrot.cli.resp.RespException;
import io.qrrot.cli.testing.CliRun;
import io.qrrot.cli.testing.ReplDriver;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.replication.ClusterConfig;
import io.qrrot.replication.ReplicatedQrrot;
import io.qrrot.server.QrrotServer;
import io.qrrot.server.ServerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qrrot cli -c} and {@code qrrot cluster status} against a real group of three replicated servers in this
 * JVM (on 127.0.0.1, free ports). The tests run in order: the last one stops a follower.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterCliTest {
    /** The slot of key "k" (CLUSTER KEYSLOT k, as in Redis Cluster). */
    private static final int SLOT_K = 7629;

    @TempDir
    static Path dir;

    static final List<ClusterConfig.Peer> peers = new ArrayList<>();
    static final ReplicatedQrrot[] dbs = new ReplicatedQrrot[3];
    static final QrrotServer[] servers = new QrrotServer[3];
    static final String[] ids = new String[3];
    static int leader;
    static int follower;

    @BeforeAll
    static void startGroup() throws Exception {
        for (int i = 0; i < 3; i++) {
            peers.add(new ClusterConfig.Peer("n" + (i + 1), "127.0.0.1", freePort(), freePort()));
        }
        for (int i = 0; i < 3; i++) {
            ClusterConfig config = new ClusterConfig(peers.get(i).name(), peers, dir.resolve(peers.get(i).name()),
                    "test", 1000, false);
            dbs[i] = ReplicatedQrrot.open(config, QrrotOptions.defaults().withShards(2));
            servers[i] = new QrrotServer(dbs[i], ServerOptions.defaults().withBind("127.0.0.1")
                    .withPort(peers.get(i).port())).start();
        }
        leader = awaitLeader();
        follower = (leader + 1) % 3;
        for (int i = 0; i < 3; i++) {
            try (RespConnection c = RespConnection.open(RespConfig.of("127.0.0.1", port(i)))) {
                ids[i] = ((Reply.BulkString) c.call("CLUSTER", "MYID")).utf8();
            }
        }
    }

    /** The leader of the moment, and a running follower to send commands to. */
    @BeforeEach
    void settle() throws Exception {
        leader = awaitLeader();
        if (follower == leader || servers[follower] == null) {
            follower = servers[(leader + 1) % 3] != null ? (leader + 1) % 3 : (leader + 2) % 3;
        }
    }

    @AfterAll
    static void stopGroup() throws IOException {
        for (int i = 0; i < 3; i++) {
            stop(i);
        }
    }

    private static void stop(int i) throws IOException {
        if (servers[i] != null) {
            servers[i].close();
            servers[i] = null;
        }
        if (dbs[i] != null) {
            dbs[i].close();
            dbs[i] = null;
        }
    }

    /**
     * Polls ROLE on every running node until one answers master and the others answer slave of it (so that
     * they redirect to it rather than answer CLUSTERDOWN); the leader's index.
     */
    private static int awaitLeader() throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            List<Reply> roles = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                if (servers[i] == null) {
                    roles.add(null);
                    continue;
                }
                try (RespConnection c = RespConnection.open(RespConfig.of("127.0.0.1", port(i)))) {
                    roles.add(c.call("ROLE"));
                } catch (RespException e) {
                    roles.add(Reply.NULL); // not listening yet
                }
            }
            for (int i = 0; i < 3; i++) {
                if (roles.get(i) != null && word(roles.get(i), 0).equals("master")) {
                    int leader = i;
                    boolean followed = true;
                    for (int j = 0; j < 3; j++) {
                        followed &= j == leader || roles.get(j) == null || word(roles.get(j), 0).equals("slave")
                                && roles.get(j).elements().get(2).equals(new Reply.IntegerReply(port(leader)));
                    }
                    // ROLE says master as soon as Ratis elected it; it takes writes once it applied its log
                    if (followed && dbs[leader] != null && dbs[leader].leading()) {
                        return leader;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no leader followed by the other running nodes within 60 s");
    }

    private static String word(Reply r, int i) {
        return r.elements().size() > i && r.elements().get(i) instanceof Reply.BulkString b ? b.utf8() : "";
    }

    private static int port(int i) {
        return peers.get(i).port();
    }

    private static String address(int i) {
        return "127.0.0.1:" + port(i);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static CliRun.Result cli(int node, String... args) {
        List<String> a = new ArrayList<>(List.of("cli", "-h", "127.0.0.1", "-p", Integer.toString(port(node))));
        a.addAll(List.of(args));
        return new CliRun().run(a.toArray(String[]::new));
    }

    @Test
    @Order(1)
    void clusterModeFollowsTheFollowersRedirection() {
        String redirected = "-> Redirected to slot [" + SLOT_K + "] located at " + address(leader) + "\n";
        assertEquals(new CliRun.Result(0, "OK\n", redirected), cli(follower, "-c", "SET", "k", "v"));
        assertEquals(new CliRun.Result(0, "\"v\"\n", redirected), cli(follower, "--cluster", "GET", "k"));
        // The leader serves it: no redirection.
        assertEquals(new CliRun.Result(0, "\"v\"\n", ""), cli(leader, "-c", "GET", "k"));
    }

    @Test
    @Order(2)
    void withoutClusterModeMovedIsAnError() {
        assertEquals(new CliRun.Result(1, "(error) MOVED " + SLOT_K + " " + address(leader) + "\n", ""),
                cli(follower, "GET", "k"));
    }

    @Test
    @Order(3)
    void replFollowsRedirectionsAndMovesThePrompt(@TempDir Path home) throws Exception {
        ReplDriver.Session s = new ReplDriver(home).type("SET k v2\rGET k\r", "cli", "-c", "-h", "127.0.0.1", "-p",
                Integer.toString(port(follower)));
        assertEquals(List.of("-> Redirected to slot [" + SLOT_K + "] located at " + address(leader) + "\nOK\n",
                "\"v2\"\n"), s.outputs().subList(0, 2));
        assertEquals(List.of(address(follower) + "> ", address(leader) + "> ", address(leader) + "> "),
                s.prompts().subList(0, 3));
    }

    @Test
    @Order(4)
    void statusOfAHealthyGroup() throws Exception {
        CliRun.Result r = statusUntilAsExpected(0, () -> statusLines(-1),
                "cluster", "status", "-h", "127.0.0.1", "-p", Integer.toString(port(follower)));
        assertEquals("", r.err());
        assertEquals(0, r.exit());
    }

    @Test
    @Order(5)
    void statusWithAFollowerDown() throws Exception {
        int down = follower != leader ? 3 - follower - leader : (leader + 1) % 3; // neither queried nor leading
        stop(down);
        CliRun.Result r = statusUntilAsExpected(1, () -> statusLines(down),
                "cluster", "status", "-p", Integer.toString(port(follower)));
        assertEquals("", r.err());
        assertEquals(1, r.exit());
    }

    /**
     * Runs {@code qrrot cluster status} until its exit status and output are as expected, at most 10 times:
     * on a busy machine an election may be under way (the expected lines name the leader of the moment).
     * Asserts the last run's output.
     */
    private static CliRun.Result statusUntilAsExpected(int exit, java.util.function.Supplier<List<String>> expected,
                                                       String... args) throws Exception {
        CliRun.Result r = null;
        List<String> lines = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            leader = awaitLeader();
            r = new CliRun().run(args);
            lines = expected.get();
            if (r.exit() == exit && linesMatch(r.out(), lines)) {
                break;
            }
            Thread.sleep(500);
        }
        System.out.println(r.out());
        assertLines(r.out(), lines.toArray(String[]::new));
        return r;
    }

    /** What status prints, seen from {@code follower}, with node {@code down} stopped (-1: none). */
    private static List<String> statusLines(int down) {
        List<String> lines = new ArrayList<>(List.of(
                "group of 3 members, as seen from " + address(follower),
                "leader: " + name(leader) + " at " + address(leader),
                "term: <n>",
                "commit: <n>",
                "snapshots: none yet",
                "",
                "NAME ADDRESS ROLE STATE APPLIED LAG ID"));
        for (int i = 0; i < 3; i++) {
            lines.add(row(i, i == down ? "unreachable" : "reachable", i != down));
        }
        if (down < 0) {
            lines.addAll(List.of("", "status: ok (a leader, all 3 members reachable)"));
        } else {
            lines.addAll(List.of("", "status: 1 of 3 members unreachable",
                    " could not connect to " + address(down) + ": <any>"));
        }
        return lines;
    }

    @Test
    @Order(6)
    void statusOfAServerThatIsNotInAGroup() throws Exception {
        try (var db = io.qrrot.recovery.DurableQrrot.open(dir.resolve("single"), QrrotOptions.defaults().withShards(2));
             QrrotServer server = new QrrotServer(db, ServerOptions.defaults().withPort(0)).start()) {
            CliRun.Result r = new CliRun().run("cluster", "status", "-p", Integer.toString(server.port()));
            assertEquals(new CliRun.Result(1, "", "qrrot cluster status: 127.0.0.1:" + server.port()
                    + " is not a member of a replicated group (CLUSTER NODES: ERR This instance has cluster support "
                    + "disabled)\n"), r);
        }
        assertEquals(2, new CliRun().run("cluster", "status", "--bogus").exit());
        assertEquals(2, new CliRun().run("cluster").exit());
    }

    @Test
    @Order(7)
    void redirectionsEndAfterFiveHops() throws Exception {
        try (ServerSocket loop = new ServerSocket(0)) {
            Thread t = new Thread(() -> movedForever(loop), "moved-forever");
            t.setDaemon(true);
            t.start();
            CliRun.Result r = new CliRun().run("cli", "-c", "-p", Integer.toString(loop.getLocalPort()), "GET", "k");
            String line = "-> Redirected to slot [" + SLOT_K + "] located at 127.0.0.1:" + loop.getLocalPort() + "\n";
            assertEquals(new CliRun.Result(1, "", line.repeat(5) + "too many cluster redirections: gave up after 5, "
                    + "the last one was MOVED " + SLOT_K + " 127.0.0.1:" + loop.getLocalPort() + "\n"), r);
        }
    }

    @Test
    @Order(8)
    void askIsFollowedWithAsking() throws Exception {
        try (ServerSocket target = new ServerSocket(0); ServerSocket asker = new ServerSocket(0)) {
            List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread t = new Thread(() -> serveOnce(target, seen), "ask-target");
            t.setDaemon(true);
            t.start();
            byte[] ask = ("-ASK " + SLOT_K + " 127.0.0.1:" + target.getLocalPort() + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            Thread a = new Thread(() -> answerAll(asker, ask), "asker");
            a.setDaemon(true);
            a.start();
            CliRun.Result r = new CliRun().run("cli", "-c", "-p", Integer.toString(asker.getLocalPort()), "GET", "k");
            assertEquals(new CliRun.Result(0, "\"v\"\n", "-> Redirected to slot [" + SLOT_K + "] located at 127.0.0.1:"
                    + target.getLocalPort() + "\n"), r);
            assertEquals(List.of("ASKING", "GET"), seen);
        }
    }

    /** One connection: answers ASKING with +OK and anything else with "v"; records the command names. */
    private static void serveOnce(ServerSocket server, List<String> seen) {
        try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                String[] parts = new String(buf, 0, n, StandardCharsets.UTF_8).split("\r\n");
                String name = parts.length > 2 ? parts[2] : "";
                seen.add(name);
                out.write((name.equals("ASKING") ? "+OK\r\n" : "$1\r\nv\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            // the test ended
        }
    }

    /** Answers every command on every connection with {@code reply}. */
    private static void answerAll(ServerSocket server, byte[] reply) {
        while (!server.isClosed()) {
            try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                byte[] buf = new byte[4096];
                while (in.read(buf) > 0) {
                    out.write(reply);
                    out.flush();
                }
            } catch (IOException e) {
                // the client went away, or the test ended
            }
        }
    }

    /** A server that answers every command with a MOVED to itself. */
    private static void movedForever(ServerSocket loop) {
        answerAll(loop, ("-MOVED " + SLOT_K + " 127.0.0.1:" + loop.getLocalPort() + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static String name(int i) {
        return peers.get(i).name();
    }

    /** A table row with runs of spaces collapsed; {@code <n>} stands for a number. */
    private static String row(int i, String state, boolean reachable) {
        String role = i == leader ? "leader" : "follower";
        String applied = reachable ? "<n>" : "-";
        String lag = i == leader ? "-" : "<n>";
        return (reachable ? name(i) : "?") + " " + address(i) + " " + role + " " + state + " " + applied + " " + lag
                + " " + ids[i];
    }

    /**
     * The output, with runs of spaces collapsed, is these lines: {@code <n>} matches a number, {@code <any>} the
     * rest of a line.
     */
    private static boolean linesMatch(String out, List<String> expected) {
        try {
            assertLines(out, expected.toArray(String[]::new));
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    private static void assertLines(String out, String... expected) {
        String[] actual = out.replaceAll(" +", " ").split("\n", -1);
        assertEquals(expected.length + 1, actual.length, out);
        for (int i = 0; i < expected.length; i++) {
            String regex = Pattern.quote(expected[i]).replace("<n>", "\\E\\d+\\Q").replace("<any>", "\\E.*\\Q");
            assertTrue(actual[i].matches(regex), "line " + (i + 1) + ": expected \"" + expected[i] + "\", got \""
                    + actual[i] + "\"\n" + out);
        }
        assertEquals("", actual[expected.length]);
    }
}
