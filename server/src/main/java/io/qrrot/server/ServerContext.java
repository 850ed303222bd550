package io.qrrot.server;

import io.qrrot.recovery.Cluster;
import io.qrrot.recovery.Qrrot;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What all connections share: the facade, the command table, the settings that CONFIG SET may change,
 * the client registry and the counters INFO reports. Thread-safe: settings are volatile, counters atomic,
 * the registry concurrent. Per-connection counters live in each connection and per-command ones in each event
 * loop's {@link CommandStats}; both are summed on demand, so the request path touches no shared cache line.
 */
final class ServerContext {
    static final String REDIS_COMPAT_VERSION = "7.0.15";
    static final String QRROT_VERSION = versionOrDefault();

    final Qrrot db;
    /** The database's replicated group; null for a database of its own. */
    final Cluster cluster;
    final ServerOptions options;
    final CommandTable commands;
    final ServerConfig config;

    volatile String requirePass;
    volatile int maxClients;
    volatile boolean protectedMode;
    volatile long queryBufferLimit;
    volatile long multiQueueLimit;
    /** The budget as configured: 0 means the default ({@link ClientMemory#defaultBudget()}). */
    volatile long clientMemoryBudget;
    final ClientMemory clientMemory;
    volatile long maxBulkLength;
    volatile long outputBufferLimit;
    /** {@code client-output-buffer-limit pubsub}: hard bytes, soft bytes, soft seconds (Redis' defaults). */
    volatile long pubsubHardLimit = 32L << 20;
    volatile long pubsubSoftLimit = 8L << 20;
    volatile int pubsubSoftSeconds = 60;
    final PubSub pubsub = new PubSub();
    final SlowLog slowLog = new SlowLog();
    final LatencyMonitor latency = new LatencyMonitor();
    volatile int idleTimeoutSeconds;
    volatile int port;
    volatile String transport = "";

    final long startMillis = System.currentTimeMillis();
    final AtomicLong nextClientId = new AtomicLong();
    final ConcurrentHashMap<Long, ClientConnection> clients = new ConcurrentHashMap<>();
    /** Clients waiting in a blocking pop (BLPOP, BZPOPMIN, ...); the database tells it of keys that got elements. */
    final BlockedClients blocking = new BlockedClients();
    final ConcurrentHashMap<io.netty.channel.EventLoop, LoopBatch> loopBatches = new ConcurrentHashMap<>();
    /** Per-command counters, one set per event loop (see {@link CommandStats}). */
    final ConcurrentHashMap<io.netty.channel.EventLoop, CommandStats> loopStats = new ConcurrentHashMap<>();
    /** What INFO subtracts from the command counters: their totals at the last CONFIG RESETSTAT (or null). */
    private volatile CommandStats.Totals statsBaseline;
    /** The engine's counters at the last CONFIG RESETSTAT (zeros before). */
    private volatile io.qrrot.engine.Engine.Counters engineBaseline = new io.qrrot.engine.Engine.Counters(0, 0, 0);
    /** Commands, input and output bytes at the last CONFIG RESETSTAT (zeros before): INFO subtracts them. */
    private volatile long[] trafficBaseline = new long[3];
    /** Rates and peaks sampled ten times a second (INFO's instantaneous_* and used_memory_peak). */
    final StatsSampler sampler = new StatsSampler(this);
    /** Random ids INFO reports as Redis does (run_id, master_replid): 40 hex digits, new each start. */
    final String runId = randomHex40();
    final String replicationId = randomHex40();
    final java.util.concurrent.atomic.AtomicInteger connected = new java.util.concurrent.atomic.AtomicInteger();
    final AtomicLong totalConnections = new AtomicLong();
    final AtomicLong rejectedConnections = new AtomicLong();
    final AtomicLong closedNetInput = new AtomicLong();
    final AtomicLong closedNetOutput = new AtomicLong();
    final AtomicLong protocolErrors = new AtomicLong();
    final AtomicLong outputLimitDisconnections = new AtomicLong();
    final AtomicLong queryLimitDisconnections = new AtomicLong();
    final AtomicLong multiQueueLimitRefusals = new AtomicLong();
    final AtomicLong clientMemoryRefusals = new AtomicLong();
    final AtomicLong connectionFailures = new AtomicLong();
    final AtomicLong durabilityFailures = new AtomicLong();
    /** Clients refused for a limit: one line per 10 s at most. */
    final RateLimitedLog limitLog = new RateLimitedLog(org.slf4j.LoggerFactory.getLogger(ClientConnection.class), 10_000);
    /** Connections closed for an unexpected error while serving them: one line per 10 s at most. */
    final RateLimitedLog failureLog = new RateLimitedLog(org.slf4j.LoggerFactory.getLogger(ClientConnection.class), 10_000);

    /** Unix seconds of the last successful SAVE/BGSAVE (start time until one happens, as Redis). */
    volatile long lastSaveSeconds = startMillis / 1000;
    volatile String lastSaveStatus = "ok";
    volatile Qrrot.SnapshotResult lastSnapshot;
    final AtomicBoolean saveInProgress = new AtomicBoolean();
    /** Runs what would block an event loop: SAVE, BGSAVE, SHUTDOWN's save. */
    final ExecutorService admin = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "qrrot-admin");
        t.setDaemon(true);
        return t;
    });
    /** Reads snapshot chunks for SNAPSHOT READ off the event loops (disk reads may be slow). */
    final ExecutorService fileReads = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "qrrot-snapshot-read");
        t.setDaemon(true);
        return t;
    });
    /** The memcached protocol's counters (its stats command). */
    final MemcachedStats memcachedStats = new MemcachedStats();
    /** A memcached flush_all with a delay, waiting for its time (a later flush_all replaces it). */
    volatile java.util.concurrent.ScheduledFuture<?> pendingFlush;
    /** Set by the server: starts a graceful shutdown on another thread (SHUTDOWN command). */
    volatile Runnable shutdownRequest = () -> { };

    ServerContext(Qrrot db, ServerOptions options) {
        this.db = db;
        this.cluster = db.cluster();
        this.options = options;
        db.setKeyReadyListener(blocking);
        db.setLatencyListener(latency);
        this.requirePass = options.requirePass();
        this.maxClients = options.maxClients();
        this.protectedMode = options.protectedMode();
        this.queryBufferLimit = options.queryBufferLimit();
        this.multiQueueLimit = options.multiQueueLimit();
        this.clientMemoryBudget = options.clientMemoryBudget();
        this.clientMemory = new ClientMemory(ClientMemory.effective(options.clientMemoryBudget()));
        this.maxBulkLength = options.maxBulkLength();
        this.outputBufferLimit = options.outputBufferLimit();
        this.idleTimeoutSeconds = options.idleTimeoutSeconds();
        this.port = options.port();
        this.commands = new CommandTable(db.commands());
        this.config = new ServerConfig(this);
    }

    /**
     * Commands run, as Redis' total_commands_processed counts them: every counted call (a command EXEC ran
     * included), not a refused or unknown one. Monotonic: the rates are sampled from it.
     */
    long totalCommands() {
        long n = memcachedStats.requests.sum();
        for (CommandStats s : loopStats.values()) {
            n += s.totalCalls();
        }
        return n;
    }

    /** Bytes read from clients, closed ones included. Monotonic. */
    long netInput() {
        long n = closedNetInput.get();
        for (ClientConnection c : clients.values()) {
            n += c.netInput;
        }
        return n;
    }

    /** Bytes written to clients, closed ones included. Monotonic. */
    long netOutput() {
        long n = closedNetOutput.get();
        for (ClientConnection c : clients.values()) {
            n += c.netOutput;
        }
        return n;
    }

    /** {@link #totalCommands()}, {@link #netInput()} and {@link #netOutput()} since the last CONFIG RESETSTAT. */
    long[] trafficSinceReset() {
        long[] base = trafficBaseline;
        return new long[] {totalCommands() - base[0], netInput() - base[1], netOutput() - base[2]};
    }

    /** Every loop's command counters summed: monotonic, for metrics. */
    CommandStats.Totals commandTotals() {
        return CommandStats.Totals.sum(commands.size(), loopStats.values());
    }

    /** The command counters since the last CONFIG RESETSTAT, for INFO. */
    CommandStats.Totals commandTotalsSinceReset() {
        CommandStats.Totals now = commandTotals();
        CommandStats.Totals base = statsBaseline;
        return base == null ? now : now.minus(base);
    }

    /** Keyspace hits and misses and expired keys since the last CONFIG RESETSTAT, from {@code d}, for INFO. */
    io.qrrot.engine.Engine.Counters engineCountersSinceReset(io.qrrot.recovery.DatabaseStats d) {
        if (d == null) {
            return new io.qrrot.engine.Engine.Counters(0, 0, 0);
        }
        io.qrrot.engine.Engine.Counters now = d.counters();
        io.qrrot.engine.Engine.Counters base = engineBaseline;
        return new io.qrrot.engine.Engine.Counters(now.keyspaceHits() - base.keyspaceHits(),
                now.keyspaceMisses() - base.keyspaceMisses(), now.expiredKeys() - base.expiredKeys());
    }

    void resetStats() {
        statsBaseline = commandTotals();
        io.qrrot.recovery.DatabaseStats d = db.stats();
        if (d != null) {
            engineBaseline = d.counters();
        }
        trafficBaseline = new long[] {totalCommands(), netInput(), netOutput()};
        sampler.reset();
        totalConnections.set(0);
        rejectedConnections.set(0);
        protocolErrors.set(0);
        outputLimitDisconnections.set(0);
        queryLimitDisconnections.set(0);
        multiQueueLimitRefusals.set(0);
        clientMemoryRefusals.set(0);
        connectionFailures.set(0);
        durabilityFailures.set(0);
    }

    private static String randomHex40() {
        byte[] b = new byte[20];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private static String versionOrDefault() {
        String v = ServerContext.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
