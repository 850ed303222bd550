package io.qrrot.crash.group;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Three {@code qrrot serve --cluster} processes on 127.0.0.1, 127.0.0.2 and 127.0.0.3 under clients that follow
 * the leader, and faults one after another: the leader or a follower killed with SIGKILL and started again,
 * the leader frozen with SIGSTOP for longer than an election and then let go (and, to show it is refused, a
 * follower restarted on an empty data directory: {@link Fault}). At the end every member is up; the final state is read through the
 * leader and checked ({@link GroupChecker}).
 */
public final class GroupFaultLoop {
    /**
     * The faults. {@code WIPE_FOLLOWER} (a member restarted as itself on an empty data directory) is kept to show
     * why it is not allowed: Raft assumes a member never forgets what it acknowledged. A leader that knows the
     * member matched index N keeps offering it entries after N, which its empty log refuses, for good (seen
     * here); worse, a member that forgot could vote a candidate without committed entries into office. A
     * member that lost its disk comes back as a new member, through a membership change.
     */
    public enum Fault { KILL_LEADER, KILL_FOLLOWER, PAUSE_LEADER, WIPE_FOLLOWER }

    /**
     * @param faults         how many faults
     * @param kinds          which faults to choose among
     * @param clients        client threads
     * @param electionMillis the members' shortest election timeout
     * @param seed           everything random derives from it
     */
    public record Config(int faults, List<Fault> kinds, int clients, long electionMillis, long seed) {
    }

    public record Report(long seed, int faults, long sent, long acked, long registerOps, List<String> violations,
                         List<Long> failoverMillis, List<String> log) {
        public String summary() {
            List<Long> f = new ArrayList<>(failoverMillis);
            Collections.sort(f);
            return String.format("seed=%d faults=%d ops sent=%d acknowledged=%d register ops checked=%d violations=%d"
                            + " failover ms (kill of the leader to the next acknowledged write) p50=%s max=%s%s",
                    seed, faults, sent, acked, registerOps, violations.size(),
                    f.isEmpty() ? "-" : f.get(f.size() / 2), f.isEmpty() ? "-" : f.get(f.size() - 1),
                    violations.isEmpty() ? "" : "\nviolations:\n  " + String.join("\n  ",
                            violations.subList(0, Math.min(20, violations.size()))));
        }
    }

    private GroupFaultLoop() {
    }

    public static Report run(Path jar, Path root, Config cfg, List<String> extraArgs, PrintStream out) throws Exception {
        SplittableRandom random = new SplittableRandom(cfg.seed());
        List<GroupNode> nodes = new ArrayList<>();
        List<String> extra = new ArrayList<>(List.of("--election-timeout", Long.toString(cfg.electionMillis())));
        extra.addAll(extraArgs);
        for (int i = 0; i < 3; i++) {
            nodes.add(new GroupNode("n" + (i + 1), "127.0.0." + (i + 1), freePort(), freePort(), jar, root, extra));
        }
        String peers = String.join(",", nodes.stream().map(GroupNode::peerSpec).toList());
        List<HostAndPort> addresses = new ArrayList<>();
        for (GroupNode n : nodes) {
            n.peers(peers);
            addresses.add(new HostAndPort(n.host, n.port));
        }
        List<String> log = new ArrayList<>();
        List<Long> failovers = new ArrayList<>();
        GroupHistory h = new GroupHistory(cfg.clients());
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        try {
            for (GroupNode n : nodes) {
                n.start(120_000);
            }
            leader(nodes, 60_000);
            for (int c = 0; c < cfg.clients(); c++) {
                Thread t = new Thread(new GroupWorkload(h, c, random.nextLong(), stop, addresses), "group-client-" + c);
                t.start();
                threads.add(t);
            }
            for (int f = 0; f < cfg.faults(); f++) {
                Thread.sleep(800 + random.nextInt(1500));
                Fault kind = cfg.kinds().get(random.nextInt(cfg.kinds().size()));
                // One fault at a time: a member that is still catching up is as good as down (a member whose
                // log is empty cannot help elect a leader), and two members down is an outage, not a failover.
                awaitCaughtUp(nodes, 60_000);
                GroupNode leader = leader(nodes, 60_000);
                GroupNode follower = nodes.get(Math.floorMod(nodes.indexOf(leader) + 1 + random.nextInt(2), 3));
                long t0 = System.nanoTime();
                String what;
                switch (kind) {
                    case KILL_LEADER -> {
                        leader.kill();
                        Long next = awaitAckAfter(h, t0, 30_000);
                        if (next != null) {
                            failovers.add((next - t0) / 1_000_000);
                        }
                        Thread.sleep(random.nextInt(1500));
                        leader.start(120_000);
                        what = "killed the leader " + leader + (next == null ? ", no write acknowledged within 30 s"
                                : ", next write acknowledged after " + (next - t0) / 1_000_000 + " ms");
                    }
                    case KILL_FOLLOWER -> {
                        follower.kill();
                        Thread.sleep(500 + random.nextInt(1500));
                        follower.start(120_000);
                        what = "killed the follower " + follower;
                    }
                    case PAUSE_LEADER -> {
                        leader.pause();
                        Thread.sleep(3 * cfg.electionMillis() + random.nextInt(1500));
                        leader.resume();
                        what = "froze the leader " + leader + " for more than an election";
                    }
                    case WIPE_FOLLOWER -> {
                        follower.kill();
                        follower.wipe();
                        follower.start(120_000);
                        what = "killed the follower " + follower + " and deleted its data";
                    }
                    default -> throw new IllegalStateException();
                }
                GroupNode now = leader(nodes, 60_000);
                String line = "fault " + (f + 1) + "/" + cfg.faults() + ": " + what + "; leader now " + now + "; "
                        + h.acked.get() + " operations acknowledged";
                log.add(line);
                if (out != null) {
                    out.println(line);
                }
            }
            Thread.sleep(1000);
        } catch (Exception | Error e) {
            stop.set(true);
            closeAll(nodes); // no member may outlive a failed run
            throw e;
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(60_000);
            }
        }
        GroupChecker.Result r;
        try {
            leader(nodes, 60_000);
            r = GroupChecker.check(h, addresses);
        } finally {
            closeAll(nodes);
        }
        return new Report(cfg.seed(), cfg.faults(), h.sent.get(), h.acked.get(), r.registerOps(), r.violations(),
                failovers, log);
    }

    private static void closeAll(List<GroupNode> nodes) throws InterruptedException {
        for (GroupNode n : nodes) {
            n.close();
        }
    }

    private static Long awaitAckAfter(GroupHistory h, long t0, long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < end) {
            Long next = h.writeAcks.higher(t0);
            if (next != null) {
                return next;
            }
            Thread.sleep(10);
        }
        return null;
    }

    /**
     * The leader, waiting for one: of the members whose INFO says {@code role:master}, the one of the highest
     * term (a leader just let go after a freeze says master until it hears of the newer term).
     */
    static GroupNode leader(List<GroupNode> nodes, long timeoutMillis) throws InterruptedException, IOException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < end) {
            GroupNode best = null;
            long bestTerm = -1;
            for (GroupNode n : nodes) {
                if (!n.alive() || n.paused()) {
                    continue;
                }
                String info = info(n);
                if (info == null) {
                    continue; // not answering yet
                }
                long term = field(info, "raft_term");
                if (info.contains("role:master") && term > bestTerm) {
                    best = n;
                    bestTerm = term;
                }
            }
            if (best != null) {
                return best;
            }
            Thread.sleep(100);
        }
        StringBuilder sb = new StringBuilder("no leader within " + timeoutMillis + " ms; the members' logs:");
        for (GroupNode n : nodes) {
            sb.append("\n--- ").append(n).append(":\n").append(n.tail(30));
        }
        throw new IOException(sb.toString());
    }

    /** Waits until every running member has applied what the leader had committed when the wait began. */
    static void awaitCaughtUp(List<GroupNode> nodes, long timeoutMillis) throws InterruptedException, IOException {
        GroupNode leader = leader(nodes, timeoutMillis);
        long commit = field(info(leader), "raft_commit_index");
        long end = System.currentTimeMillis() + timeoutMillis;
        for (GroupNode n : nodes) {
            while (n.alive() && !n.paused()) {
                String info = info(n);
                if (info != null && field(info, "raft_applied_index") >= commit) {
                    break;
                }
                if (System.currentTimeMillis() > end) {
                    throw new IOException(n + " did not apply index " + commit + " within " + timeoutMillis
                            + " ms; its log:\n" + n.tail(30));
                }
                Thread.sleep(100);
            }
        }
    }

    /** The member's INFO replication, or null when it does not answer. */
    private static String info(GroupNode n) {
        try (Jedis j = new Jedis(new HostAndPort(n.host, n.port), DefaultJedisClientConfig.builder()
                .protocol(redis.clients.jedis.RedisProtocol.RESP2).autoNegotiateProtocol(false)
                .timeoutMillis(2000).build())) {
            return j.info("replication");
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static long field(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return Long.parseLong(line.substring(name.length() + 1).trim());
            }
        }
        return -1;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
