package io.qrrot.server;

import java.util.List;
import java.util.Map;

/**
 * The server's counters at one moment, as numbers, for metrics: every command's calls, time and latency
 * histogram, error replies by kind, connections and network bytes. The command counters only grow while the
 * server runs (CONFIG RESETSTAT does not touch them); the connection counters are INFO's and restart from 0 at
 * CONFIG RESETSTAT, which Prometheus reads as a counter reset.
 *
 * @param commands            every command that has been called, refused or has failed, by name
 * @param errorsByKind        error replies by their first word (ERR, WRONGTYPE, ...)
 * @param errorReplies        all error replies to commands
 * @param connectionsReceived connections accepted
 * @param connectedClients    clients connected now
 * @param blockedClients      clients waiting in a blocking command
 * @param rejectedConnections connections refused (maxclients, protected mode)
 * @param netInputBytes       bytes read from clients
 * @param netOutputBytes      bytes written to clients
 * @param clientMemoryBytes   memory clients' requests and MULTI queues hold
 * @param clientMemoryBudget  the limit of that
 * @param outputLimitDisconnections clients closed for their output buffer limit
 * @param pubsubChannels      channels with subscribers
 * @param pubsubPatterns      patterns with subscribers
 * @param startMillis         when the server started, epoch ms
 */
public record ServerStats(List<Command> commands, Map<String, Long> errorsByKind, long errorReplies,
                          long connectionsReceived, int connectedClients, int blockedClients,
                          long rejectedConnections, long netInputBytes, long netOutputBytes,
                          long clientMemoryBytes, long clientMemoryBudget, long outputLimitDisconnections,
                          int pubsubChannels, int pubsubPatterns, long startMillis) {

    /** This build's version (INFO's qrrot_version). */
    public static final String VERSION = ServerContext.QRROT_VERSION;
    /** The Redis version whose behaviour the server follows (INFO's redis_version). */
    public static final String REDIS_VERSION = ServerContext.REDIS_COMPAT_VERSION;

    /** Latency buckets of {@link Command#latency()}. */
    public static final int LATENCY_BUCKETS = CommandStats.BUCKETS;

    /**
     * One command's counters.
     *
     * @param name     lower case, as INFO commandstats names it
     * @param calls    calls that ran
     * @param rejected calls refused before they ran (arity, authentication, a limit)
     * @param failed   calls that ran and replied an error
     * @param nanos    time spent running them
     * @param latency  calls by duration: index b counts calls under {@link #latencyUpperSeconds}(b) and not under
     *                 the bound before it; the last bucket has no upper bound
     */
    public record Command(String name, long calls, long rejected, long failed, long nanos, long[] latency) {
    }

    /** The upper bound of latency bucket {@code b} in seconds ({@code +Inf} for the last). */
    public static double latencyUpperSeconds(int b) {
        return b == LATENCY_BUCKETS - 1 ? Double.POSITIVE_INFINITY : CommandStats.bucketUpperMicros(b) / 1e6;
    }

    static ServerStats of(ServerContext s) {
        CommandStats.Totals t = s.commandTotals();
        List<Command> commands = new java.util.ArrayList<>();
        for (CommandTable.Entry e : s.commands.all()) {
            int i = e.index();
            if (t.calls[i] == 0 && t.rejected[i] == 0 && t.failed[i] == 0) {
                continue;
            }
            long[] latency = java.util.Arrays.copyOfRange(t.latency, i * LATENCY_BUCKETS, (i + 1) * LATENCY_BUCKETS);
            commands.add(new Command(e.lowerName(), t.calls[i], t.rejected[i], t.failed[i], t.nanos[i], latency));
        }
        return new ServerStats(commands, new java.util.TreeMap<>(t.errors), t.errorReplies,
                s.totalConnections.get(), s.clients.size(), s.blocking.count(), s.rejectedConnections.get(),
                s.netInput(), s.netOutput(), s.clientMemory.used(), s.clientMemory.budget(),
                s.outputLimitDisconnections.get(), s.pubsub.channelCount(), s.pubsub.patternCount(), s.startMillis);
    }
}
