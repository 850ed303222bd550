package io.qrrot.replication;

import io.qrrot.server.QrrotServer;
import io.qrrot.server.ServerOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A {@link LocalGroup} whose every node is served over loopback by its own {@link QrrotServer}, listening on
 * the peer's client port: what a cluster client sees of a real three-node deployment. A node can be killed
 * (its server closed, then its database) and restarted on the same directory and ports.
 */
final class ServedGroup implements AutoCloseable {
    final LocalGroup group;
    final QrrotServer[] servers;

    ServedGroup(Path root, int size, long electionMillis) throws IOException {
        group = new LocalGroup(root, size, electionMillis);
        servers = new QrrotServer[size];
        try {
            for (int i = 0; i < size; i++) {
                serve(i);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void serve(int i) throws IOException {
        servers[i] = new QrrotServer(group.nodes[i],
                ServerOptions.defaults().withBind("127.0.0.1").withPort(port(i)).withIoThreads(1)).start();
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

    /** Starts node {@code i} again on its own directory and ports. */
    void restart(int i) throws IOException {
        group.start(i);
        serve(i);
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

    @Override
    public void close() throws IOException {
        for (int i = 0; i < servers.length; i++) {
            if (servers[i] != null) {
                servers[i].close();
                servers[i] = null;
            }
        }
        group.close();
    }
}
