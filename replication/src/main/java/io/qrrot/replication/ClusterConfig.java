package io.qrrot.replication;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * How one node of a replicated group is set up: its name, the group's members, where its Raft log lives and
 * the election timing.
 *
 * @param nodeName          this node's name: one of {@code peers}
 * @param peers             every member, this node included
 * @param dir               this node's data directory (the Raft log under {@code raft/})
 * @param groupName         names the Raft group: nodes of one group must agree on it
 * @param electionMinMillis the shortest election timeout; the longest is twice it. Ratis's 150 ms loses
 *                          leaders on a loaded 2-core machine, hence 1 s by default
 * @param leaderLease       serve linearizable reads from a leader lease instead of a read index round
 */
public record ClusterConfig(String nodeName, List<Peer> peers, Path dir, String groupName, long electionMinMillis,
                            boolean leaderLease) {
    public static final long DEFAULT_ELECTION_MILLIS = 1000;

    public ClusterConfig {
        peers = List.copyOf(peers);
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs its members: --peers name=host:port@raftport,...");
        }
        List<String> names = new ArrayList<>();
        for (Peer p : peers) {
            if (names.contains(p.name())) {
                throw new IllegalArgumentException("--peers names " + p.name() + " twice");
            }
            names.add(p.name());
        }
        if (!names.contains(nodeName)) {
            throw new IllegalArgumentException("--node-id " + nodeName + " is not one of --peers (" + String.join(", ",
                    names) + ")");
        }
        if (electionMinMillis < 50) {
            throw new IllegalArgumentException("--election-timeout must be at least 50 ms, not " + electionMinMillis);
        }
    }

    /** This node's own entry in {@link #peers}. */
    public Peer self() {
        for (Peer p : peers) {
            if (p.name().equals(nodeName)) {
                return p;
            }
        }
        throw new IllegalStateException(nodeName);
    }

    /** The Raft group's id: derived from the group name, so every node computes the same one. */
    public UUID groupId() {
        return UUID.nameUUIDFromBytes(("qrrot-group:" + groupName).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Parses {@code --peers}: comma-separated {@code name=host:port[@raftport]}, the port the one clients use;
     * the Raft port defaults to it plus 10000, as Redis Cluster's bus port does.
     */
    public static List<Peer> parsePeers(String spec) {
        List<Peer> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--peers: '" + p + "' is not name=host:port[@raftport]");
            }
            String name = p.substring(0, eq);
            String address = p.substring(eq + 1);
            int at = address.indexOf('@');
            String client = at < 0 ? address : address.substring(0, at);
            int colon = client.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--peers: '" + p + "' is not name=host:port[@raftport]");
            }
            String host = client.substring(0, colon);
            int port = port(client.substring(colon + 1), p);
            int raft = at < 0 ? port + 10000 : port(address.substring(at + 1), p);
            out.add(new Peer(name, host, port, raft));
        }
        return out;
    }

    private static int port(String s, String in) {
        try {
            int v = Integer.parseInt(s);
            if (v > 0 && v < 65536) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("--peers: '" + s + "' in '" + in + "' is not a port (1-65535)");
    }

    /**
     * One member.
     *
     * @param name     its node name ({@code --node-id})
     * @param host     the address clients and peers reach it at
     * @param port     the port clients use (RESP)
     * @param raftPort the port Raft uses
     */
    public record Peer(String name, String host, int port, int raftPort) {
        /** The Redis Cluster node id: 40 hex characters, the SHA-1 of the name. */
        public String redisId() {
            try {
                byte[] d = MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(d);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The origin this node writes into the batches it leads (the first 8 bytes of its id). */
        long origin() {
            return HexFormat.fromHexDigitsToLong(redisId().substring(0, 16));
        }

        @Override
        public String toString() {
            return name + "=" + host + ":" + port + "@" + raftPort;
        }
    }
}
