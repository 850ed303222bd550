package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.recovery.Cluster;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a group describes itself to cluster clients, from a given view (no network, no Raft). */
class ClusterCommandsTest {
    private static final String A = "a".repeat(40);
    private static final String B = "b".repeat(40);
    private static final String C = "c".repeat(40);

    private static Cluster.View view(String leaderId, String ownerId) {
        return new Cluster.View(7, 10, 10, leaderId, ownerId, List.of(
                new Cluster.Member(A, "n1", "127.0.0.1", 7001, 8001, false, A.equals(leaderId), -1),
                new Cluster.Member(B, "n2", "127.0.0.1", 7002, 8002, true, B.equals(leaderId), -1),
                new Cluster.Member(C, "n3", "127.0.0.1", 7003, 8003, false, C.equals(leaderId), -1)));
    }

    @Test
    void theLeaderOwnsEverySlot() {
        assertEquals(A + " 127.0.0.1:7001@8001 master - 0 0 7 connected 0-16383\n"
                + B + " 127.0.0.1:7002@8002 myself,slave " + A + " 0 0 7 connected\n"
                + C + " 127.0.0.1:7003@8003 slave " + A + " 0 0 7 connected\n", ClusterCommands.nodes(view(A, A)));
        assertTrue(ClusterCommands.info(view(A, A)).startsWith("cluster_state:ok\r\n"));
    }

    /** As a failed Redis master keeps its slots until a replica takes over: never an empty topology. */
    @Test
    void duringAnElectionTheLastLeaderStillOwnsEverySlotAndTheClusterIsDown() {
        assertEquals(A + " 127.0.0.1:7001@8001 master - 0 0 7 connected 0-16383\n"
                + B + " 127.0.0.1:7002@8002 myself,slave " + A + " 0 0 7 connected\n"
                + C + " 127.0.0.1:7003@8003 slave " + A + " 0 0 7 connected\n", ClusterCommands.nodes(view(null, A)));
        assertTrue(ClusterCommands.info(view(null, A)).startsWith("cluster_state:fail\r\n"));
    }

    @Test
    void aNodeThatNeverKnewALeaderShowsNoSlots() {
        assertEquals(A + " 127.0.0.1:7001@8001 master - 0 0 7 connected\n"
                + B + " 127.0.0.1:7002@8002 myself,master - 0 0 7 connected\n"
                + C + " 127.0.0.1:7003@8003 master - 0 0 7 connected\n", ClusterCommands.nodes(view(null, null)));
    }
}
