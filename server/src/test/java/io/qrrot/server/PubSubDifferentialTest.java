package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pub/Sub against a real redis-server 7.0: the same script of commands on two connections (a subscriber and a
 * publisher) must get the same bytes from qrrot and from Redis, in RESP2 and with the subscriber in RESP3.
 * The server runs two event loops, so the subscriber and the publisher are served by different loops.
 *
 * <p>Where Redis' order is its hash table's (UNSUBSCRIBE or PUNSUBSCRIBE without arguments, with several
 * subscriptions), a step compares its confirmations as a set of channels plus the sequence of counts.
 */
@Tag("integration")
class PubSubDifferentialTest {
    @TempDir
    static Path dir;
    private static SideBySide servers;

    @BeforeAll
    static void start() throws Exception {
        servers = SideBySide.start(dir, "the Pub/Sub differential test");
    }

    @AfterAll
    static void stop() throws Exception {
        if (servers != null) {
            servers.close();
        }
    }

    /** One command on the subscriber (S) or publisher (P), then how many replies to read from each. */
    private record Step(char on, String[] cmd, int subReads, int pubReads, boolean unordered, boolean compare) {
    }

    private static Step s(int subReads, String... cmd) {
        return new Step('S', cmd, subReads, 0, false, true);
    }

    private static Step sUnordered(int subReads, String... cmd) {
        return new Step('S', cmd, subReads, 0, true, true);
    }

    private static Step p(int subReads, String... cmd) {
        return new Step('P', cmd, subReads, 1, false, true);
    }

    private static Step hello3() {
        return new Step('S', new String[] {"HELLO", "3"}, 1, 0, false, false);
    }

    private static List<String> run(int port, List<Step> script) throws IOException {
        List<String> seen = new ArrayList<>();
        try (RawClient sub = new RawClient(port); RawClient pub = new RawClient(port)) {
            sub.timeout(5000);
            pub.timeout(5000);
            for (Step st : script) {
                (st.on == 'S' ? sub : pub).command(st.cmd);
                List<String> got = new ArrayList<>();
                for (int i = 0; i < st.pubReads; i++) {
                    got.add("P " + pub.read());
                }
                for (int i = 0; i < st.subReads; i++) {
                    got.add("S " + sub.read());
                }
                String step = String.join(" ", st.cmd) + " -> ";
                if (!st.compare) {
                    seen.add(step + "(not compared)");
                } else if (st.unordered) {
                    seen.add(step + canonical(got));
                } else {
                    seen.add(step + String.join("", got));
                }
            }
            // Nothing more may arrive on either connection.
            seen.add("S silent " + sub.silentFor(200));
            seen.add("P silent " + pub.silentFor(50));
        }
        return seen;
    }

    /** Confirmations whose order is a hash table's: the sorted frames without their counts, then the counts. */
    private static String canonical(List<String> frames) {
        List<String> names = new ArrayList<>();
        List<String> counts = new ArrayList<>();
        for (String f : frames) {
            int colon = f.lastIndexOf("\r\n:", f.length() - 3);
            names.add(f.substring(0, colon + 2));
            counts.add(f.substring(colon + 2));
        }
        names.sort(null);
        return String.join("", names) + " counts " + String.join("", counts);
    }

    private static void same(List<Step> script) throws IOException {
        List<String> expected = run(servers.redis.port, script);
        List<String> actual = run(servers.qrrot.port(), script);
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(show(expected.get(i)), show(actual.get(i)), "step " + i);
        }
        assertEquals(expected.size(), actual.size());
    }

    private static String show(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** The script, its names prefixed so that runs never share channels. */
    private static List<Step> script(String x, boolean resp3) {
        List<Step> l = new ArrayList<>();
        if (resp3) {
            l.add(hello3());
        }
        l.add(s(1, "SUBSCRIBE"));
        l.add(s(0 + 1, "UNSUBSCRIBE"));
        l.add(s(1, "PUNSUBSCRIBE"));
        l.add(s(2, "SUBSCRIBE", x + "news", x + "sport"));
        l.add(s(2, "PSUBSCRIBE", x + "n*", x + "?port"));
        l.add(s(1, "SUBSCRIBE", x + "news"));
        l.add(s(1, "PSUBSCRIBE", x + "n*"));
        l.add(p(2, "PUBLISH", x + "news", "hello"));
        l.add(p(2, "PUBLISH", x + "sport", "goal"));
        l.add(p(1, "PUBLISH", x + "nothing", "bin\r\n\u0000\u00ff"));
        l.add(p(0, "PUBLISH", "other" + x, "z"));
        l.add(p(0, "PUBSUB", "NUMSUB", x + "news", x + "sport", x + "none"));
        l.add(p(0, "PUBSUB", "NUMSUB"));
        l.add(p(0, "PUBSUB", "NUMPAT"));
        l.add(p(0, "PUBSUB", "CHANNELS", x + "new?"));
        l.add(p(0, "PUBSUB", "CHANNELS", "zz*"));
        l.add(p(0, "PUBSUB", "NUMPAT", "x"));
        l.add(p(0, "PUBSUB", "FOO"));
        l.add(p(0, "PUBSUB", "CHANNELS", "a", "b"));
        l.add(p(0, "PUBLISH", "a"));
        l.add(s(1, "GET", x + "k"));
        l.add(s(1, "SET", x + "k", "v"));
        if (!resp3) {
            l.add(s(1, "MULTI")); // refused in RESP2 subscribed mode; in RESP3 it would start a transaction
        }
        l.add(s(1, "ECHO", "e"));
        l.add(s(1, "PING"));
        l.add(s(1, "PING", "hi"));
        l.add(s(1, "UNSUBSCRIBE", x + "sport"));
        l.add(s(1, "UNSUBSCRIBE", x + "never"));
        l.add(s(1, "PUNSUBSCRIBE", x + "never*"));
        l.add(p(1, "PUBLISH", x + "sport", "pattern only"));
        l.add(s(2, "SUBSCRIBE", x + "a", x + "b"));
        l.add(sUnordered(3, "UNSUBSCRIBE"));
        l.add(sUnordered(2, "PUNSUBSCRIBE"));
        l.add(s(1, "UNSUBSCRIBE"));
        l.add(s(1, "PING"));
        l.add(s(1, "GET", x + "k"));
        l.add(s(1, "PSUBSCRIBE", x + "*"));
        l.add(s(1, "SUBSCRIBE", x + "r"));
        l.add(p(2, "PUBLISH", x + "r", "m"));
        if (resp3) {
            l.add(s(1, "SUBSCRIBE", x + "self"));
            // A subscriber publishing to itself gets the message (and the pattern's) before the PUBLISH reply.
            l.add(s(3, "PUBLISH", x + "self", "me"));
        }
        l.add(s(1, "RESET"));
        l.add(s(1, "GET", x + "k"));
        l.add(p(0, "PUBSUB", "NUMPAT"));
        l.add(p(0, "PUBSUB", "NUMSUB", x + "r"));
        l.add(p(0, "PUBLISH", x + "r", "m"));
        l.add(s(1, "UNSUBSCRIBE", x + "r"));
        return l;
    }

    @Test
    void resp2() throws IOException {
        same(script("r2.", false));
    }

    @Test
    void resp3() throws IOException {
        same(script("r3.", true));
    }
}
