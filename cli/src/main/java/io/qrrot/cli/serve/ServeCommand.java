package io.qrrot.cli.serve;

import io.netty.util.ResourceLeakDetector;
import io.qrrot.cli.CliContext;
import io.qrrot.cli.ops.Problems;
import io.qrrot.recovery.DataDirectory;
import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.metrics.MetricsEndpoint;
import io.qrrot.replication.ClusterConfig;
import io.qrrot.replication.ReplicatedQrrot;
import java.util.concurrent.atomic.AtomicReference;
import io.qrrot.server.QrrotServer;
import io.qrrot.server.ServerOptions;
import io.qrrot.wal.FsyncPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qrrot serve}: opens (recovers) a data directory and serves it over the Redis protocol until
 * SHUTDOWN, SIGTERM or SIGINT, which stop accepting, drain replies still waiting for the disk, sync the WAL
 * and close.
 */
@Command(name = "serve", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Start the database server (Redis protocol) on a data directory.")
public final class ServeCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Option(names = "--wal", paramLabel = "DIR", description = "Data directory (WAL, snapshots), made if it is not one "
            + "yet. Default: ${DEFAULT-VALUE}")
    Path dir = Path.of("data");

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on. Default: ${DEFAULT-VALUE}")
    String bind = "127.0.0.1";

    @Option(names = {"-p", "--port"}, description = "TCP port (0 picks a free one). Default: ${DEFAULT-VALUE}")
    int port = 6379;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://ADDR:PORT/metrics (same address and access rules as the"
                    + " main port; 0 picks a free port). Default: off")
    Integer metricsPort;

    @Option(names = "--memcached-port", paramLabel = "PORT",
            description = "Also serve the memcached text protocol on this port (0 picks a free one). The main port"
                    + " serves memcached clients too, told apart by their first line. Default: off")
    Integer memcachedPort;

    @Option(names = "--memcached-item-size", paramLabel = "SIZE",
            description = "Largest value a memcached client may store (memcached's -I). Default: ${DEFAULT-VALUE}")
    String memcachedItemSize = "1mb";

    @Option(names = "--fsync", paramLabel = "POLICY",
            description = "When a write is acknowledged: always (after fsync), everysec, no. Default: ${DEFAULT-VALUE}")
    String fsync = "always";

    @Option(names = "--maxmemory", paramLabel = "SIZE", description = "Refuse writes past this much data memory (e.g. 2gb); 0 = no limit. Default: ${DEFAULT-VALUE}")
    String maxMemory = "0";

    @Option(names = "--requirepass", paramLabel = "PASSWORD", description = "Clients must AUTH with this password.")
    String requirePass;

    @Option(names = "--maxclients", description = "Most concurrent clients. Default: ${DEFAULT-VALUE}")
    int maxClients = 10_000;

    @Option(names = "--client-memory-budget", paramLabel = "SIZE",
            description = "Memory all clients together may make the server hold for requests being received and"
                    + " MULTI queues (64 KiB per client is free); a client that would pass it gets an OOM error."
                    + " 0 = a quarter of the maximum heap. Default: ${DEFAULT-VALUE}")
    String clientMemoryBudget = "0";

    @Option(names = "--protected-mode", paramLabel = "yes|no",
            description = "Without a password, accept only loopback clients. Default: ${DEFAULT-VALUE}")
    String protectedMode = "yes";

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Close clients idle this long; 0 = never. Default: ${DEFAULT-VALUE}")
    int idleTimeout = 0;

    @Option(names = "--io-threads", paramLabel = "N",
            description = "Event-loop threads that read, execute and reply (0 = half the cores, at least one). Default: ${DEFAULT-VALUE}")
    int ioThreads = 0;

    @Option(names = "--fsync-thread", paramLabel = "auto|loop|writer",
            description = "With --fsync always, which thread fsyncs a batch of writes: loop (the event loop that read it,"
                    + " no thread hand-off), writer (the WAL's own thread, so the loop keeps reading during the fsync),"
                    + " auto (loop when the machine has no more than io-threads + 1 cores). Default: ${DEFAULT-VALUE}")
    String fsyncThread = "auto";

    @Option(names = "--shards", description = "Keyspace shards, a power of two. Default: ${DEFAULT-VALUE}")
    int shards = 64;

    @Option(names = "--wal-segment-bytes", paramLabel = "SIZE", description = "WAL segment size. Default: ${DEFAULT-VALUE}")
    String walSegment = "64mb";

    @Option(names = "--compact-wal-bytes", paramLabel = "SIZE",
            description = "Fold the WAL into a snapshot when it grows past this. Default: ${DEFAULT-VALUE}")
    String compactWal = "256mb";

    @Option(names = "--compact-after-seconds", description = "... or when the newest snapshot is this old and writes came since. Default: ${DEFAULT-VALUE}")
    long compactAfterSeconds = 3600;

    @Option(names = "--compact-memory", paramLabel = "SIZE",
            description = "Memory (outside the heap) a compaction sorts the WAL in; a larger backlog spills sorted runs to disk. Default: ${DEFAULT-VALUE}")
    String compactMemory = "16mb";

    @Option(names = "--cluster", description = "Serve as one member of a replicated group (Raft): a write is"
            + " acknowledged once a majority of members has it in its fsynced log. Needs --node-id and --peers (or"
            + " --cluster-config); see docs/operations.md, \"A replicated group\".")
    boolean cluster;

    @Option(names = "--node-id", paramLabel = "NAME", description = "With --cluster: this member's name, one of --peers.")
    String nodeId;

    @Option(names = "--peers", paramLabel = "LIST", description = "With --cluster: every member, this one included, as"
            + " name=host:port[@raftport],... (port: the one clients use; raftport: the one members replicate"
            + " over, port + 10000 by default). Every member is started with the same list.")
    String peers;

    @Option(names = "--cluster-config", paramLabel = "FILE", description = "With --cluster: a file of"
            + " 'option value' lines (node-id, peers or peer, election-timeout, leader-lease, cluster-name), # for"
            + " comments; options on"
            + " the command line win.")
    Path clusterConfig;

    @Option(names = "--election-timeout", paramLabel = "MS", description = "With --cluster: the shortest election"
            + " timeout (the longest is twice it). Default: " + ClusterConfig.DEFAULT_ELECTION_MILLIS)
    Long electionTimeout;

    @Option(names = "--leader-lease", paramLabel = "yes|no", description = "With --cluster: the leader answers reads"
            + " while its lease (recent acknowledgments from a majority) holds, instead of confirming its leadership"
            + " with a heartbeat round per batch of reads (the read index). Default: no")
    String leaderLease;

    @Option(names = "--cluster-name", paramLabel = "NAME", description = "With --cluster: names the group; every"
            + " member must use the same. Default: qrrot")
    String clusterName;

    @Spec
    CommandSpec spec;

    /** A deliberately broken build for the crash tests: replies before the write is in the WAL. Never use. */
    @Option(names = "--unsafe-ack-before-wal", hidden = true)
    boolean unsafeAckBeforeWal;

    /**
     * Whether the event loops fsync their own batches ({@code --fsync-thread}). A hand-off to the WAL's writer
     * thread lets a loop keep reading during the fsync, but the writer needs a free core to wake on at once:
     * with every core busy (the loops plus, on a small machine, the clients) it waits for one, longer than the
     * fsync itself. So {@code auto} picks the loop unless a core is left over (docs/decisions.md).
     */
    static boolean fsyncOnLoop(String choice, int ioThreads, int cores) {
        return switch (choice) {
            case "loop" -> true;
            case "writer" -> false;
            case "auto" -> cores <= ioThreads + 1;
            default -> throw new IllegalArgumentException("--fsync-thread must be auto, loop or writer, not '"
                    + choice + "'");
        };
    }

    public ServeCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    /** The group this node joins (with --cluster), or null. */
    private ClusterConfig group;

    private boolean matched(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** --cluster's settings: the command line, over the --cluster-config file. */
    private ClusterConfig clusterConfig() throws IOException {
        java.util.Map<String, String> file = clusterConfig == null ? java.util.Map.of() : ClusterFile.read(clusterConfig);
        String name = nodeId != null ? nodeId : file.get("node-id");
        String list = peers != null ? peers : file.get("peers");
        if (name == null || list == null) {
            throw new IllegalArgumentException("--cluster needs --node-id and --peers (or a --cluster-config file with"
                    + " them)");
        }
        long election = electionTimeout != null ? electionTimeout
                : file.containsKey("election-timeout") ? ClusterFile.number(file, "election-timeout")
                : ClusterConfig.DEFAULT_ELECTION_MILLIS;
        String groupName = clusterName != null ? clusterName : file.getOrDefault("cluster-name", "qrrot");
        boolean lease = yesNo("--leader-lease", leaderLease != null ? leaderLease : file.getOrDefault("leader-lease", "no"));
        return new ClusterConfig(name, ClusterConfig.parsePeers(list), dir, groupName, election, lease);
    }

    @Override
    public Integer call() throws Exception {
        QrrotOptions options;
        ServerOptions serverOptions;
        try {
            options = QrrotOptions.defaults()
                    .withFsync(FsyncPolicy.parse(fsync))
                    .withShards(shards)
                    .withMaxMemoryBytes(Sizes.parse("--maxmemory", maxMemory))
                    .withWal(Sizes.parse("--wal-segment-bytes", walSegment), Sizes.parse("--compact-wal-bytes", compactWal),
                            compactAfterSeconds * 1000)
                    .withCompactMemoryBytes(Sizes.parse("--compact-memory", compactMemory));
            serverOptions = ServerOptions.defaults().withBind(bind).withPort(port).withRequirePass(requirePass)
                    .withMaxClients(maxClients).withProtectedMode(yesNo("--protected-mode", protectedMode))
                    .withIdleTimeoutSeconds(idleTimeout)
                    .withClientMemoryBudget(clientMemoryBudget("--client-memory-budget", clientMemoryBudget))
                    .withMemcachedPort(memcachedPort == null ? -1 : memcachedPort)
                    .withMemcachedItemSize(Sizes.parse("--memcached-item-size", memcachedItemSize));
            if (ioThreads < 0) {
                throw new IllegalArgumentException("--io-threads must be 0 (half the cores) or more, not " + ioThreads);
            }
            if (ioThreads > 0) {
                serverOptions = serverOptions.withIoThreads(ioThreads);
            }
            options = options.withWalSyncOnFlush(
                    fsyncOnLoop(fsyncThread, serverOptions.ioThreads(), Runtime.getRuntime().availableProcessors()));
            if (cluster) {
                group = clusterConfig();
                ClusterConfig.Peer self = group.self();
                if (matched("--port") && port != self.port()) {
                    throw new IllegalArgumentException("--port " + port + " differs from this member's port in --peers ("
                            + self + ")");
                }
                serverOptions = serverOptions.withPort(self.port()).withBind(matched("--bind") ? bind : self.host());
            } else if (nodeId != null || peers != null || clusterConfig != null || electionTimeout != null
                    || clusterName != null || leaderLease != null) {
                throw new IllegalArgumentException("--node-id, --peers, --cluster-config, --election-timeout,"
                        + " --leader-lease and --cluster-name need --cluster");
            }
        } catch (IllegalArgumentException | IOException e) {
            // The spec's command line, not a new one: its error stream is the one the caller configured.
            throw new CommandLine.ParameterException(spec.commandLine(), "qrrot serve: " + e.getMessage());
        }

        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // Buffer leak tracking records a stack trace for a sample of allocations: a test-time tool (the
            // tests run with it on), measurable overhead on a server's request path.
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        // The port first: a port in use (or an address not of this machine) costs no recovery and makes no
        // data directory. Clients that connect meanwhile wait in the listen backlog until the database is open.
        QrrotServer server;
        try {
            server = QrrotServer.listen(serverOptions);
        } catch (IOException e) {
            ctx.err().println("qrrot serve: " + e.getMessage());
            return 1;
        }
        // The metrics port likewise; until the database is open a scrape gets the JVM's metrics only.
        AtomicReference<Qrrot> database = new AtomicReference<>();
        MetricsEndpoint metrics = null;
        if (metricsPort != null) {
            try {
                metrics = MetricsEndpoint.start(bind, metricsPort, server, database::get);
            } catch (IOException | RuntimeException e) {
                ctx.err().println("qrrot serve: cannot serve metrics on " + bind + ":" + metricsPort + " ("
                        + e.getMessage() + ")");
                server.close();
                return 1;
            }
        }
        Qrrot db;
        try {
            db = group != null ? ReplicatedQrrot.open(group, options) : DurableQrrot.open(dir, options);
        } catch (DataDirectory.NotADataDirectoryException e) {
            ctx.err().println("qrrot serve: " + Problems.notADataDirectory(e));
            closeQuietly(metrics, server);
            return 1;
        } catch (IOException e) {
            ctx.err().println("qrrot serve: cannot open " + dir + ": " + Problems.describeDirectory(e));
            closeQuietly(metrics, server);
            return 1;
        } catch (RuntimeException e) {
            closeQuietly(metrics, server);
            throw e;
        }
        Qrrot served = unsafeAckBeforeWal ? new UnsafeAckQrrot(db) : db;
        server.serve(served);
        database.set(served);
        MetricsEndpoint metricsEndpoint = metrics;
        Thread hook = new Thread(() -> stop(server, db, metricsEndpoint), "qrrot-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        StopSignals.install(server::close);
        String extras = (metrics == null ? "" : ", metrics on http://" + bind + ":" + metrics.port() + "/metrics")
                + (server.memcachedPort() < 0 ? "" : ", memcached on " + bind + ":" + server.memcachedPort());
        if (db instanceof DurableQrrot durable) {
            ctx.err().printf(Locale.ROOT, "qrrot ready on %s:%d (data %s, fsync %s%s%s); %s%n", bind, server.port(),
                    dir.toAbsolutePath(), options.fsync().name().toLowerCase(Locale.ROOT), extras,
                    unsafeAckBeforeWal ? ", UNSAFE: replies before the WAL write" : "", durable.recoverySummary());
        } else {
            ctx.err().printf(Locale.ROOT, "qrrot ready on %s:%d (cluster member %s of %d, raft port %d, data %s%s%s)%n",
                    serverOptions.bind(), server.port(), group.nodeName(), group.peers().size(), group.self().raftPort(),
                    dir.toAbsolutePath(), extras, unsafeAckBeforeWal ? ", UNSAFE: replies before the log write" : "");
        }
        server.awaitTermination();
        boolean clean = stop(server, db, metrics);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running
        }
        if (db instanceof DurableQrrot durable && durable.wal().failure() != null) {
            ctx.err().println("qrrot stopped; the write-ahead log had failed (" + durable.wal().failure().getMessage()
                    + "): writes sent after the failure were refused");
            return 1;
        }
        ctx.err().println("qrrot stopped");
        return clean ? 0 : 1;
    }

    /** Gives up the bound ports when the database could not be opened. */
    private static void closeQuietly(MetricsEndpoint metrics, QrrotServer server) {
        if (metrics != null) {
            metrics.close();
        }
        server.close();
    }

    /** Stops serving (metrics too) and closes the data directory; false if closing it failed (said on the error stream). */
    private boolean stop(QrrotServer server, Qrrot db, MetricsEndpoint metrics) {
        if (metrics != null) {
            metrics.close();
        }
        server.close();
        try {
            db.close();
            return true;
        } catch (IOException e) {
            ctx.err().println("qrrot serve: closing the data directory failed: " + e.getMessage());
            return false;
        }
    }

    /** A budget of 0 (the default: a quarter of the heap) or at least 64 KiB, as CONFIG SET takes it. */
    static long clientMemoryBudget(String option, String v) {
        long n = Sizes.parse(option, v);
        if (n != 0 && n < 64 * 1024) {
            throw new IllegalArgumentException(option + " must be 0 (a quarter of the heap) or at least 64kb, not '"
                    + v + "'");
        }
        return n;
    }

    private static boolean yesNo(String option, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new IllegalArgumentException(option + " must be yes or no, not '" + v + "'");
        };
    }
}
