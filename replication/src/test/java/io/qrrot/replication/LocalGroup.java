package io.qrrot.replication;

import io.qrrot.engine.CommandArgs;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.testkit.TextReply;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Three (or more) replicated nodes in this JVM on 127.0.0.1, each with its own directory and ports. */
final class LocalGroup implements AutoCloseable {
    final List<ClusterConfig.Peer> peers = new ArrayList<>();
    final ReplicatedQrrot[] nodes;
    private final Path root;
    private final long electionMillis;

    LocalGroup(Path root, int size, long electionMillis) throws IOException {
        this(root, freePeers(size), electionMillis);
    }

    /** A group of the given peers (client and Raft ports chosen by the caller), every node started. */
    LocalGroup(Path root, List<ClusterConfig.Peer> peers, long electionMillis) throws IOException {
        this.root = root;
        this.electionMillis = electionMillis;
        this.peers.addAll(peers);
        int size = peers.size();
        nodes = new ReplicatedQrrot[size];
        for (int i = 0; i < size; i++) {
            start(i);
        }
    }

    ClusterConfig config(int i) {
        return new ClusterConfig(peers.get(i).name(), peers, root.resolve(peers.get(i).name()), "test", electionMillis,
                false);
    }

    void start(int i) throws IOException {
        nodes[i] = ReplicatedQrrot.open(config(i), QrrotOptions.defaults().withShards(4));
    }

    void stop(int i) throws IOException {
        nodes[i].close();
        nodes[i] = null;
    }

    /** The node that leads and takes writes, waiting up to {@code seconds} for one. */
    int awaitLeader(int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            for (int i = 0; i < nodes.length; i++) {
                if (nodes[i] != null && nodes[i].leading()) {
                    return i;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no leader within " + seconds + " s");
    }

    /** Runs one command on node {@code i} and waits for its reply to be released; the reply's text. */
    static String run(Qrrot db, Qrrot.Session s, String... args) throws Exception {
        TextReply out = new TextReply();
        long lsn = s.execute(CommandArgs.of(args), out);
        db.endOfBatch();
        CompletableFuture<String> released = new CompletableFuture<>();
        db.whenDurable(lsn, new Qrrot.DurabilityListener() {
            @Override
            public void onDurable() {
                released.complete(out.text());
            }

            @Override
            public void onFailure(String message) {
                released.complete("(error) " + message);
            }
        });
        return released.get(30, TimeUnit.SECONDS);
    }

    /** Peers n1, n2, … on 127.0.0.1 with ports that were free a moment ago. */
    static List<ClusterConfig.Peer> freePeers(int size) throws IOException {
        List<ClusterConfig.Peer> peers = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            peers.add(new ClusterConfig.Peer("n" + (i + 1), "127.0.0.1", freePort(), freePort()));
        }
        return peers;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null) {
                nodes[i].close();
            }
        }
    }
}
