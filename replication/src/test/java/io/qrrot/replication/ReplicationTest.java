package io.qrrot.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.CommandSpec;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.Slots;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicationTest {
    @TempDir
    Path dir;

    private static CommandSpec spec(Qrrot db, String name) {
        return db.commands().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static void awaitValue(ReplicatedQrrot node, String key, String expected) throws Exception {
        Qrrot.Session s = node.newSession();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String got = null;
        while (System.nanoTime() < end) {
            got = LocalGroup.run(node, s, "GET", key);
            if (got.equals(expected)) {
                return;
            }
            Thread.sleep(20);
        }
        assertEquals(expected, got, "GET " + key + " on " + node.myId());
    }

    @Test
    void writesOnTheLeaderReachEveryFollowerAndFollowersRedirect() throws Exception {
        try (LocalGroup g = new LocalGroup(dir, 3, 300)) {
            int l = g.awaitLeader(30);
            ReplicatedQrrot leader = g.nodes[l];
            Qrrot.Session s = leader.newSession();
            assertEquals("OK", LocalGroup.run(leader, s, "SET", "k", "v1"));
            assertEquals("(integer) 3", LocalGroup.run(leader, s, "RPUSH", "list", "a", "b", "c"));
            assertEquals("v1", LocalGroup.run(leader, s, "GET", "k"));
            for (int i = 0; i < 3; i++) {
                if (i != l) {
                    awaitValue(g.nodes[i], "k", "v1");
                    ReplicatedQrrot f = g.nodes[i];
                    ClusterConfig.Peer lp = g.peers.get(l);
                    assertEquals("MOVED " + Slots.of("k".getBytes()) + " 127.0.0.1:" + lp.port(),
                            f.route(spec(f, "SET"), CommandArgs.of("SET", "k", "v"), false));
                    assertEquals("MOVED " + Slots.of("k".getBytes()) + " 127.0.0.1:" + lp.port(),
                            f.route(spec(f, "GET"), CommandArgs.of("GET", "k"), false));
                    assertNull(f.route(spec(f, "GET"), CommandArgs.of("GET", "k"), true));
                    assertEquals("READONLY You can't write against a read only replica.",
                            f.route(spec(f, "FLUSHALL"), CommandArgs.of("FLUSHALL"), true));
                    assertEquals("(error) READONLY You can't write against a read only replica.",
                            LocalGroup.run(f, f.newSession(), "SET", "k", "x"));
                }
            }
            assertNull(leader.route(spec(leader, "SET"), CommandArgs.of("SET", "k", "v"), false));
        }
    }

    @Test
    void aNewLeaderHasEveryAcknowledgedWriteAndARestartedNodeCatchesUp() throws Exception {
        try (LocalGroup g = new LocalGroup(dir, 3, 300)) {
            int l = g.awaitLeader(30);
            Qrrot.Session s = g.nodes[l].newSession();
            for (int i = 0; i < 200; i++) {
                assertEquals("(integer) " + (i + 1), LocalGroup.run(g.nodes[l], s, "INCR", "counter"));
            }
            g.stop(l);
            int l2 = g.awaitLeader(30);
            assertTrue(l2 != l);
            Qrrot.Session s2 = g.nodes[l2].newSession();
            assertEquals("(integer) 201", LocalGroup.run(g.nodes[l2], s2, "INCR", "counter"));
            g.start(l);
            awaitValue(g.nodes[l], "counter", "201");
        }
    }

    @Test
    void clusterFailoverHandsTheLeadershipToTheFollowerItIsSentTo() throws Exception {
        try (LocalGroup g = new LocalGroup(dir, 3, 300)) {
            int l = g.awaitLeader(30);
            Qrrot.Session s = g.nodes[l].newSession();
            assertEquals("OK", LocalGroup.run(g.nodes[l], s, "SET", "k", "before"));
            assertEquals("ERR You should send CLUSTER FAILOVER to a replica", g.nodes[l].failover());
            int f = (l + 1) % 3;
            awaitValue(g.nodes[f], "k", "before");
            assertNull(g.nodes[f].failover());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!g.nodes[f].leading() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertTrue(g.nodes[f].leading(), "the follower did not take over within 30 s");
            Qrrot.Session s2 = g.nodes[f].newSession();
            assertEquals("before", LocalGroup.run(g.nodes[f], s2, "GET", "k"));
            assertEquals("OK", LocalGroup.run(g.nodes[f], s2, "SET", "k", "after"));
            awaitValue(g.nodes[l], "k", "after");
        }
    }
}
