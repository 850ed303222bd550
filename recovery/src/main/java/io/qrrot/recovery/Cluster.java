package io.qrrot.recovery;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.CommandSpec;
import java.util.List;
import java.util.Map;

/**
 * A database that is one member of a replicated group ({@link Qrrot#cluster()}): what a server needs to
 * route commands the way Redis Cluster does, and to describe the group (CLUSTER, ROLE, INFO replication).
 */
public interface Cluster {
    /**
     * Whether this node runs the data command now. Null when it does; otherwise the error reply, code word
     * first: {@code MOVED <slot> <host>:<port>} (a key the leader serves), {@code READONLY …} (a write without
     * a key on a follower), {@code CLUSTERDOWN …} (no leader known), {@code TRYAGAIN …} (the leader is still
     * catching up).
     *
     * @param readOnlyClient the connection sent READONLY: a follower serves its reads (possibly stale)
     */
    String route(CommandSpec spec, CommandArgs args, boolean readOnlyClient);

    /**
     * As {@link #route} for a memcached request: memcached clients know nothing of redirections, so only the
     * leader serves them. Null on the leader; otherwise a memcached error line naming the leader.
     */
    String routeMemcached();

    /**
     * CLUSTER FAILOVER: make this follower the leader. Null when the handover started (it completes within an
     * election or two); otherwise the error reply, code word first.
     */
    String failover();

    /** This node's id as Redis Cluster shows it (40 hexadecimal characters). */
    String myId();

    /** The group now. */
    View view();

    /** INFO {@code replication} fields, in display order. */
    Map<String, String> replicationInfo();

    /**
     * The group as this node sees it.
     *
     * @param leaderId the leader's id; null while none is known (an election)
     * @param ownerId  the member that owns the slots as the group describes itself to cluster clients (CLUSTER
     *                 SLOTS, SHARDS, NODES): the leader, or while none is known the last leader this node knew, as
     *                 Redis Cluster keeps a failed master as the owner of its slots until a replica takes over;
     *                 null only when this node never knew a leader
     */
    record View(long term, long commitIndex, long appliedIndex, String leaderId, String ownerId,
                List<Member> members) {
        /** The leader, or null while none is known. */
        public Member leader() {
            return member(leaderId);
        }

        /** The member that owns the slots ({@code ownerId}), or null. */
        public Member owner() {
            return member(ownerId);
        }

        private Member member(String id) {
            if (id == null) {
                return null;
            }
            for (Member m : members) {
                if (m.id().equals(id)) {
                    return m;
                }
            }
            return null;
        }

        /** This node. */
        public Member self() {
            for (Member m : members) {
                if (m.self()) {
                    return m;
                }
            }
            throw new IllegalStateException("this node is not a member of its own view");
        }
    }

    /**
     * One member.
     *
     * @param id         the Redis Cluster id (40 hex characters)
     * @param name       the node name it was started with
     * @param matchIndex the member's commit index as the leader knows it (the leader's own: its applied index);
     *                   -1 when unknown (this node is not the leader)
     */
    record Member(String id, String name, String host, int port, int raftPort, boolean self, boolean leader,
                  long matchIndex) {
    }
}
