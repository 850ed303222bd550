package io.qrrot.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.qrrot.engine.EngineStats;
import io.qrrot.recovery.DatabaseStats;
import io.qrrot.recovery.Qrrot;
import io.qrrot.server.QrrotServer;
import io.qrrot.server.ServerStats;
import io.qrrot.wal.WalStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * qrrot's own metrics, read when Prometheus scrapes: the server's per-command counters and latency histograms,
 * connections, the keyspace, memory, the WAL, compaction and recovery. Nothing is recorded for Prometheus on the
 * request path: the server and the database count in their own plain counters (per event loop, allocation-free)
 * and this collector turns a reading of them into Prometheus' data model, once per scrape.
 */
public final class QrrotCollector implements MultiCollector {
    /** Latency buckets exported: upper bounds 2^2 µs to 2^24 µs, and +Inf. */
    private static final int FIRST_EXPONENT = 2;
    private static final int LAST_EXPONENT = 24;
    private final Supplier<ServerStats> server;
    private final Supplier<Qrrot> db;

    /**
     * @param server the server's counters; it supplies null while the server serves no database yet
     * @param db     the database; null until it is open
     */
    public QrrotCollector(Supplier<ServerStats> server, Supplier<Qrrot> db) {
        this.server = server;
        this.db = db;
    }

    public static QrrotCollector of(QrrotServer server, Qrrot db) {
        return new QrrotCollector(server::stats, () -> db);
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        ServerStats s = server.get();
        if (s != null) {
            server(s, out);
        }
        Qrrot open = db.get();
        DatabaseStats d = open == null ? null : open.stats();
        if (d != null) {
            keyspace(d, out);
            wal(d.wal(), out);
            compaction(d.compaction(), out);
            recovery(d.recovery(), out);
        }
        return new MetricSnapshots(out);
    }

    private static void server(ServerStats s, List<MetricSnapshot> out) {
        CounterSnapshot.Builder calls = counter("qrrot_commands", "Commands run, by command.");
        CounterSnapshot.Builder failed = counter("qrrot_commands_failed",
                "Commands that ran and replied an error, by command.");
        CounterSnapshot.Builder rejected = counter("qrrot_commands_rejected",
                "Commands refused before they ran (arity, authentication, a limit), by command.");
        HistogramSnapshot.Builder latency = HistogramSnapshot.builder().name("qrrot_command_duration_seconds")
                .help("Time commands took to run (not counting the wait for durability), by command.");
        // The server keeps four buckets to a power of two from under 1 µs to over half an hour; Prometheus gets the
        // powers of two from 4 µs to 16.8 s and +Inf, so that a dashboard's series stay few: each server bucket is
        // added to the first exported one whose bound is not below its own (the bounds line up exactly).
        double[] bounds = new double[LAST_EXPONENT - FIRST_EXPONENT + 2];
        for (int x = FIRST_EXPONENT; x <= LAST_EXPONENT; x++) {
            bounds[x - FIRST_EXPONENT] = (1L << x) / 1e6;
        }
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        for (ServerStats.Command c : s.commands()) {
            Labels l = Labels.of("command", c.name());
            calls.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(c.calls()).build());
            failed.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(c.failed()).build());
            rejected.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(c.rejected()).build());
            latency.dataPoint(HistogramDataPointSnapshot.builder().labels(l)
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, fold(c.latency(), bounds)))
                    .sum(c.nanos() / 1e9).build());
        }
        out.add(calls.build());
        out.add(failed.build());
        out.add(rejected.build());
        out.add(latency.build());
        CounterSnapshot.Builder errors = counter("qrrot_error_replies", "Error replies, by their first word.");
        for (Map.Entry<String, Long> e : s.errorsByKind().entrySet()) {
            errors.dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("kind", e.getKey()))
                    .value(e.getValue()).build());
        }
        out.add(errors.build());
        out.add(counter("qrrot_connections_received", "Connections accepted.", s.connectionsReceived()));
        out.add(counter("qrrot_connections_rejected", "Connections refused (maxclients, protected mode).",
                s.rejectedConnections()));
        out.add(gauge("qrrot_connected_clients", "Clients connected.", s.connectedClients()));
        out.add(gauge("qrrot_blocked_clients", "Clients waiting in a blocking command.", s.blockedClients()));
        out.add(counter("qrrot_net_input_bytes", "Bytes read from clients.", s.netInputBytes()));
        out.add(counter("qrrot_net_output_bytes", "Bytes written to clients.", s.netOutputBytes()));
        out.add(gauge("qrrot_client_memory_bytes", "Memory that clients' requests and MULTI queues hold.",
                s.clientMemoryBytes()));
        out.add(gauge("qrrot_client_memory_budget_bytes", "The limit of qrrot_client_memory_bytes.",
                s.clientMemoryBudget()));
        out.add(counter("qrrot_output_limit_disconnections",
                "Clients closed because their unsent output passed its limit.", s.outputLimitDisconnections()));
        out.add(gauge("qrrot_pubsub_channels", "Pub/Sub channels with subscribers.", s.pubsubChannels()));
        out.add(gauge("qrrot_pubsub_patterns", "Pub/Sub patterns with subscribers.", s.pubsubPatterns()));
        out.add(gauge("qrrot_start_time_seconds", "When the server started, Unix time.", s.startMillis() / 1000.0));
        out.add(GaugeSnapshot.builder().name("qrrot_build_info")
                .help("Always 1; the labels say which build serves and which Redis version it follows.")
                .dataPoint(GaugeDataPointSnapshot.builder()
                        .labels(Labels.of("version", ServerStats.VERSION, "redis_version", ServerStats.REDIS_VERSION))
                        .value(1).build())
                .build());
    }

    /** The server's latency buckets folded into the exported {@code bounds} (see {@link #server}). */
    private static long[] fold(long[] latency, double[] bounds) {
        long[] out = new long[bounds.length];
        int to = 0;
        for (int b = 0; b < latency.length; b++) {
            double upper = ServerStats.latencyUpperSeconds(b);
            while (bounds[to] < upper) {
                to++;
            }
            out[to] += latency[b];
        }
        return out;
    }

    private static void keyspace(DatabaseStats d, List<MetricSnapshot> out) {
        EngineStats e = d.engine();
        GaugeSnapshot.Builder keys = GaugeSnapshot.builder().name("qrrot_keys").help("Keys, by value type.");
        type(keys, "string", e.strings());
        type(keys, "int", e.ints());
        type(keys, "json", e.jsons());
        type(keys, "hash", e.hashes());
        type(keys, "list", e.lists());
        type(keys, "set", e.sets());
        type(keys, "zset", e.zsets());
        type(keys, "memcached", e.items());
        out.add(keys.build());
        out.add(gauge("qrrot_keys_with_expiry", "Keys with a time to live.", e.expires()));
        out.add(counter("qrrot_expired_keys", "Keys deleted because their time to live passed.",
                d.counters().expiredKeys()));
        out.add(counter("qrrot_keyspace_hits", "Lookups by read commands that found their key.",
                d.counters().keyspaceHits()));
        out.add(counter("qrrot_keyspace_misses", "Lookups by read commands that did not find their key.",
                d.counters().keyspaceMisses()));
        out.add(gauge("qrrot_memory_used_bytes",
                "Off-heap memory of the data (entries and index), the figure maxmemory limits.", e.usedMemory()));
        out.add(gauge("qrrot_memory_allocated_bytes", "Off-heap memory obtained from the operating system.",
                e.allocatedBytes()));
        out.add(gauge("qrrot_memory_fragmentation_bytes", "Allocated off-heap memory not holding live data.",
                e.fragmentationBytes()));
        out.add(gauge("qrrot_memory_index_bytes", "Off-heap memory of the hash index tables.", e.indexBytes()));
        out.add(gauge("qrrot_memory_max_bytes", "maxmemory (0: no limit).", e.maxMemory()));
    }

    private static void type(GaugeSnapshot.Builder g, String type, long n) {
        g.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("type", type)).value(n).build());
    }

    private static void wal(WalStats w, List<MetricSnapshot> out) {
        out.add(counter("qrrot_wal_records", "Records appended to the WAL (its last LSN).", w.lastLsn()));
        out.add(counter("qrrot_wal_written_bytes", "Bytes written to WAL segment files since the open.",
                w.bytesWritten()));
        out.add(counter("qrrot_wal_writes", "Batches written (one write call each): group commits.", w.writes()));
        out.add(counter("qrrot_wal_fsyncs", "fsyncs of WAL segment files.", w.fsyncCount()));
        out.add(counter("qrrot_wal_slow_fsyncs", "fsyncs slower than the warning threshold.", w.slowFsyncs()));
        out.add(gauge("qrrot_wal_segments", "WAL segment files.", w.segments()));
        out.add(gauge("qrrot_wal_disk_bytes", "Size of the WAL segment files.", w.bytesOnDisk()));
        out.add(gauge("qrrot_wal_durable_lsn", "Last LSN durable per the fsync policy.", w.durableLsn()));
        out.add(gauge("qrrot_wal_failed", "1 when the WAL has failed and writes are refused.",
                "ok".equals(w.lastStatus()) ? 0 : 1));
        // FsyncStats bucket i counts [2^i, 2^(i+1)) µs (bucket 0 also 0 and 1 µs).
        long[] f = w.fsyncHistogram();
        double[] fb = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            fb[i] = i == f.length - 1 ? Double.POSITIVE_INFINITY : (1L << (i + 1)) / 1e6;
        }
        out.add(histogram("qrrot_wal_fsync_duration_seconds", "How long fsyncs of WAL segment files took.", fb, f,
                w.fsyncNanos() / 1e9));
        // Batch bucket i counts batches of [2^i, 2^(i+1)) records.
        long[] r = w.batchHistogram();
        double[] rb = new double[r.length];
        for (int i = 0; i < r.length; i++) {
            rb[i] = i == r.length - 1 ? Double.POSITIVE_INFINITY : (1L << (i + 1)) - 1;
        }
        out.add(histogram("qrrot_wal_batch_records", "Records per written WAL batch (group commit size).", rb, r,
                w.batchRecordsTotal()));
    }

    private static void compaction(DatabaseStats.Compaction c, List<MetricSnapshot> out) {
        out.add(counter("qrrot_compactions", "Snapshots written by compaction or SAVE.", c.runs()));
        out.add(counter("qrrot_compaction_failures", "Compactions that failed.", c.failures()));
        out.add(gauge("qrrot_compaction_running", "1 while a compaction runs.", c.running() ? 1 : 0));
        out.add(gauge("qrrot_compaction_last_duration_seconds", "How long the last compaction took.",
                c.lastMillis() / 1000.0));
        out.add(gauge("qrrot_compaction_last_success_time_seconds",
                "When the newest snapshot was written, Unix time (0: none yet).", c.lastFinishedAt() / 1000.0));
        out.add(gauge("qrrot_compaction_last_ok", "1 when the last compaction succeeded (or none ran).",
                c.lastOk() ? 1 : 0));
        out.add(counter("qrrot_compaction_written_bytes", "Bytes compactions wrote: snapshots and spilled runs.",
                c.bytesWritten()));
    }

    private static void recovery(DatabaseStats.Recovery r, List<MetricSnapshot> out) {
        out.add(gauge("qrrot_recovery_duration_seconds", "How long opening the data directory took.",
                r.millis() / 1000.0));
        out.add(gauge("qrrot_recovery_snapshot_keys", "Keys loaded from the snapshot at open.", r.snapshotKeys()));
        out.add(gauge("qrrot_recovery_wal_records", "WAL records replayed at open.", r.walRecords()));
    }

    private static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    private static CounterSnapshot counter(String name, String help, double value) {
        return counter(name, help).dataPoint(CounterDataPointSnapshot.builder().value(value).build()).build();
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeDataPointSnapshot.builder().value(value).build()).build();
    }

    private static HistogramSnapshot histogram(String name, String help, double[] bounds, long[] counts, double sum) {
        return HistogramSnapshot.builder().name(name).help(help)
                .dataPoint(HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts)).sum(sum).build())
                .build();
    }
}
