package io.qrrot.server;

import io.qrrot.engine.CommandArgs;
import io.qrrot.recovery.Cluster;
import io.qrrot.recovery.Slots;
import io.qrrot.server.resp.RespEncoder;

/**
 * CLUSTER, READONLY, READWRITE, ASKING and ROLE: the replicated group described the way Redis Cluster
 * describes itself, so cluster clients (JedisCluster, Lettuce, redis-py's RedisCluster, {@code redis-cli -c})
 * find the leader and follow it. One group owns every slot; its leader is the group's only master, the
 * followers its replicas. A database of its own answers as a Redis without cluster support does.
 */
final class ClusterCommands {
    static final String DISABLED = "ERR This instance has cluster support disabled";
    private static final Subcommands SUBCOMMANDS = Subcommands.of("INFO", 2, "MYID", 2, "SLOTS", 2, "SHARDS", 2,
            "NODES", 2, "KEYSLOT", 3, "FAILOVER", -2, "HELP", 2);

    private ClusterCommands() {
    }

    static void run(ServerCommand cmd, ClientConnection c, RespEncoder r, CommandArgs a) {
        Cluster cluster = c.server.cluster;
        if (cmd == ServerCommand.ROLE) {
            role(cluster, r);
            return;
        }
        if (cluster == null) {
            r.error(DISABLED);
            return;
        }
        switch (cmd) {
            case READONLY -> {
                c.readOnly = true;
                r.simple("OK");
            }
            case READWRITE -> {
                c.readOnly = false;
                r.simple("OK");
            }
            case ASKING -> r.simple("OK");
            default -> cluster(cluster, r, a);
        }
    }

    private static void cluster(Cluster cluster, RespEncoder r, CommandArgs a) {
        String wrong = SUBCOMMANDS.refusal(a);
        if (wrong != null) {
            r.error(wrong);
            return;
        }
        Cluster.View v = cluster.view();
        if (a.is(1, "MYID")) {
            r.bulk(cluster.myId());
        } else if (a.is(1, "KEYSLOT")) {
            r.integer(Slots.of(a, 2));
        } else if (a.is(1, "INFO")) {
            r.verbatim(info(v));
        } else if (a.is(1, "SLOTS")) {
            slots(v, r);
        } else if (a.is(1, "SHARDS")) {
            shards(v, r);
        } else if (a.is(1, "NODES")) {
            r.verbatim(nodes(v));
        } else if (a.is(1, "FAILOVER")) {
            if (a.count() > 3 || a.count() == 3 && !a.is(2, "FORCE") && !a.is(2, "TAKEOVER")) {
                r.error("ERR syntax error");
                return;
            }
            String refused = cluster.failover();
            if (refused != null) {
                r.error(refused);
            } else {
                r.simple("OK");
            }
        } else {
            CommandReplies.help(r, "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "FAILOVER [FORCE|TAKEOVER]",
                    "    Promote current replica node to being a master.",
                    "INFO",
                    "    Return information about the cluster.",
                    "KEYSLOT <key>",
                    "    Return the hash slot for <key>.",
                    "MYID",
                    "    Return the node id.",
                    "NODES",
                    "    Return cluster configuration seen by node. Output format:",
                    "    <id> <ip:port@bus-port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
                    "SHARDS",
                    "    Return information about slot range mappings and the nodes associated with them.",
                    "SLOTS",
                    "    Return information about slots range mappings. Each range is made of:",
                    "    start, end, master and replicas IP addresses, ports and ids",
                    "HELP",
                    "    Prints this help.");
        }
    }

    static String info(Cluster.View v) {
        boolean ok = v.leader() != null;
        int assigned = ok ? Slots.COUNT : 0;
        return "cluster_state:" + (ok ? "ok" : "fail") + "\r\n"
                + "cluster_slots_assigned:" + assigned + "\r\n"
                + "cluster_slots_ok:" + assigned + "\r\n"
                + "cluster_slots_pfail:0\r\n"
                + "cluster_slots_fail:0\r\n"
                + "cluster_known_nodes:" + v.members().size() + "\r\n"
                + "cluster_size:" + (ok ? 1 : 0) + "\r\n"
                + "cluster_current_epoch:" + v.term() + "\r\n"
                + "cluster_my_epoch:" + v.term() + "\r\n"
                + "cluster_stats_messages_sent:0\r\n"
                + "cluster_stats_messages_received:0\r\n"
                + "total_cluster_links_buffer_limit_exceeded:0\r\n";
    }

    /**
     * The slot owner is {@link Cluster.View#owner()}: during an election the last leader still owns every slot,
     * as a failed Redis master does until a replica takes over. Clients keep a whole topology that way (redis-py
     * 4.3, given an empty CLUSTER SLOTS reply, finds no master and fails with an IndexError, not an error of its
     * own that it retries) and, sent to the old leader, get a connection error or CLUSTERDOWN, which they retry.
     */
    private static void slots(Cluster.View v, RespEncoder r) {
        Cluster.Member owner = v.owner();
        if (owner == null) {
            r.array(0);
            return;
        }
        r.array(1);
        r.array(2 + v.members().size());
        r.integer(0);
        r.integer(Slots.COUNT - 1);
        node(owner, r);
        for (Cluster.Member m : v.members()) {
            if (m != owner) {
                node(m, r);
            }
        }
    }

    private static void node(Cluster.Member m, RespEncoder r) {
        r.array(4);
        r.bulk(m.host());
        r.integer(m.port());
        r.bulk(m.id());
        r.map(0);
    }

    private static void shards(Cluster.View v, RespEncoder r) {
        Cluster.Member owner = v.owner();
        r.array(1);
        r.map(2);
        r.bulk("slots");
        if (owner == null) {
            r.array(0);
        } else {
            r.array(2);
            r.integer(0);
            r.integer(Slots.COUNT - 1);
        }
        r.bulk("nodes");
        r.array(v.members().size());
        for (Cluster.Member m : v.members()) {
            r.map(7);
            r.bulk("id");
            r.bulk(m.id());
            r.bulk("port");
            r.integer(m.port());
            r.bulk("ip");
            r.bulk(m.host());
            r.bulk("endpoint");
            r.bulk(m.host());
            r.bulk("role");
            r.bulk(m == owner ? "master" : "replica");
            r.bulk("replication-offset");
            r.integer(Math.max(0, m.self() ? v.appliedIndex() : m.matchIndex()));
            r.bulk("health");
            r.bulk("online");
        }
    }

    static String nodes(Cluster.View v) {
        Cluster.Member owner = v.owner();
        StringBuilder sb = new StringBuilder();
        for (Cluster.Member m : v.members()) {
            sb.append(m.id()).append(' ').append(m.host()).append(':').append(m.port()).append('@')
                    .append(m.raftPort()).append(' ');
            if (m.self()) {
                sb.append("myself,");
            }
            boolean master = m == owner || owner == null;
            sb.append(master ? "master" : "slave").append(' ');
            sb.append(master ? "-" : owner.id()).append(" 0 0 ").append(v.term()).append(" connected");
            if (m == owner) {
                sb.append(" 0-").append(Slots.COUNT - 1);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static void role(Cluster cluster, RespEncoder r) {
        if (cluster == null) {
            r.array(3);
            r.bulk("master");
            r.integer(0);
            r.array(0);
            return;
        }
        Cluster.View v = cluster.view();
        Cluster.Member leader = v.leader();
        Cluster.Member self = v.self();
        if (self == leader) {
            r.array(3);
            r.bulk("master");
            r.integer(Math.max(0, v.appliedIndex()));
            r.array(v.members().size() - 1);
            for (Cluster.Member m : v.members()) {
                if (m != self) {
                    r.array(3);
                    r.bulk(m.host());
                    r.bulk(Integer.toString(m.port()));
                    r.bulk(Long.toString(Math.max(0, m.matchIndex())));
                }
            }
            return;
        }
        r.array(5);
        r.bulk("slave");
        r.bulk(leader == null ? "" : leader.host());
        r.integer(leader == null ? 0 : leader.port());
        r.bulk(leader == null ? "connect" : "connected");
        r.integer(Math.max(0, v.appliedIndex()));
    }
}
