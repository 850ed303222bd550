package io.qrrot.replication;

import io.qrrot.server.QrrotServer;
import io.qrrot.server.ServerOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link LocalGroup} whose every node is served over loopback by its own {@link QrrotServer}, listening on
 * the peer's client port: what a cluster client sees of a real three-node deployment. A node can be killed
 * (its server closed, then its database) and restarted on the same directory and ports.
 *
 * <p>The client ports are bound (port 0, {@link QrrotServer#listen}) before the group is made, so no other
 * socket on this busy machine can take one between its choice and its use; the Raft ports are chosen as
 * {@link LocalGroup} chooses them.
 */
final class ServedGroup implements AutoCloseable {
    private static final int RESTART_BIND_ATTEMPTS = 50;
    final LocalGroup group;
    final QrrotServer[] servers;

    ServedGroup(Path root, int size, long electionMillis) throws IOException {
        servers = new QrrotServer[size];
        LocalGroup g = null;
        try {
            List<ClusterConfig.Peer> peers = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                servers[i] = QrrotServer.listen(options(0));
                peers.add(new ClusterConfig.Peer("n" + (i + 1), "127.0.0.1", servers[i].port(),
                        LocalGroup.freePort()));
            }
            g = new LocalGroup(root, peers, electionMillis);
            for (int i = 0; i < size; i++) {
                servers[i].serve(g.nodes[i]);
            }
        } catch (IOException | RuntimeException e) {
            closeServers();
            if (g != null) {
                g.close();
            }
            throw e;
        }
        group = g;
    }

    private static ServerOptions options(int port) {
        return ServerOptions.defaults().withBind("127.0.0.1").withPort(port).withIoThreads(1);
    }

    int size() {
        return servers.length;
    }

    /** The client (Redis protocol) port of node {@code i}. */
    int port(int i) {
        return group.peers.get(i).port();
    }

    /** Stops node {@code i} as a crash would look to its clients and peers: its server, then its database. */
    void kill(int i) throws IOException {
        QrrotServer s = servers[i];
        servers[i] = null;
        try {
            if (s != null) {
                s.close();
            }
        } finally {
            if (group.nodes[i] != null) {
                group.stop(i);
            }
        }
    }

    /**
     * Starts node {@code i} again on its own directory and ports. Its client port is bound first, retried for a
     * while in case a client's outgoing connection took it meanwhile.
     */
    void restart(int i) throws IOException, InterruptedException {
        QrrotServer s = null;
        for (int attempt = 1; s == null; attempt++) {
            try {
                s = QrrotServer.listen(options(port(i)));
            } catch (IOException e) {
                if (attempt >= RESTART_BIND_ATTEMPTS) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        try {
            group.start(i);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        servers[i] = s.serve(group.nodes[i]);
    }

    /** The node that leads and takes writes, waiting up to {@code seconds} for one. */
    int awaitLeader(int seconds) throws InterruptedException {
        return group.awaitLeader(seconds);
    }

    /** A leader other than {@code old}, waiting up to {@code seconds} for one. */
    int awaitLeaderOtherThan(int old, int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            int l = group.awaitLeader(seconds);
            if (l != old) {
                return l;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no leader other than node " + old + " within " + seconds + " s");
    }

    private void closeServers() {
        for (int i = 0; i < servers.length; i++) {
            if (servers[i] != null) {
                servers[i].close();
                servers[i] = null;
            }
        }
    }

    @Override
    public void close() throws IOException {
        closeServers();
        group.close();
    }
}
