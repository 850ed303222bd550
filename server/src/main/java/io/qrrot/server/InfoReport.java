package io.qrrot.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The INFO text: Redis' format ({@code # Section} headers, {@code field:value} lines, CRLF) with the
 * server's own fields (server, clients, connection stats) merged with the facade's sections (memory,
 * persistence, stats, keyspace). Where both name a field, the facade's value wins, but rdb_last_save_time is
 * LASTSAVE's.
 */
final class InfoReport {
    private static final Logger log = LoggerFactory.getLogger(InfoReport.class);
    /** Redis 7.0's sections in its order; {@code commandstats} and {@code latencystats} only when asked for. */
    private static final List<String> ORDER = List.of("server", "clients", "memory", "persistence", "stats",
            "replication", "cpu", "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace");
    private static final java.util.Set<String> NOT_DEFAULT = java.util.Set.of("commandstats", "latencystats");

    private InfoReport() {
    }

    /**
     * @param requested lower-case section names; empty or "default" mean Redis' default sections, "all" and
     *                  "everything" every section
     */
    static String build(ServerContext s, List<String> requested) {
        boolean all = requested.contains("all") || requested.contains("everything");
        boolean defaults = requested.isEmpty() || requested.contains("default");
        Map<String, Map<String, String>> facade = facadeInfo(s);
        Reading reading = new Reading(s);
        StringBuilder sb = new StringBuilder(2048);
        for (String section : ORDER) {
            boolean wanted = all || requested.contains(section) || defaults && !NOT_DEFAULT.contains(section);
            if (!wanted) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>(facade.getOrDefault(section, Map.of()));
            own(s, reading, section, fields, facade);
            if (sb.length() > 0) {
                sb.append("\r\n");
            }
            sb.append("# ").append(title(section)).append("\r\n");
            for (Map.Entry<String, String> f : fields.entrySet()) {
                sb.append(f.getKey()).append(':').append(f.getValue()).append("\r\n");
            }
        }
        return sb.toString();
    }

    private static String title(String section) {
        return switch (section) {
            case "cpu" -> "CPU";
            case "modules" -> "Modules"; // none loaded: the header alone, as Redis prints it
            case "commandstats" -> "Commandstats";
            case "errorstats" -> "Errorstats";
            case "latencystats" -> "Latencystats";
            default -> Character.toUpperCase(section.charAt(0)) + section.substring(1);
        };
    }

    private static Map<String, Map<String, String>> facadeInfo(ServerContext s) {
        try {
            Map<String, Map<String, String>> m = s.db.info();
            return m == null ? Map.of() : m;
        } catch (RuntimeException e) {
            log.warn("the database's INFO fields are unavailable; INFO shows the server's only", e);
            return Map.of();
        }
    }

    /**
     * What one INFO reads from the database and the event loops, each at most once however many sections use it:
     * the database's figures (every shard's lock, the WAL's) and the command counters (every loop's arrays).
     */
    private static final class Reading {
        private final ServerContext s;
        private io.qrrot.recovery.DatabaseStats database;
        private boolean databaseRead;
        private CommandStats.Totals totals;

        Reading(ServerContext s) {
            this.s = s;
        }

        /** The database's figures, or null when it has none. */
        io.qrrot.recovery.DatabaseStats database() {
            if (!databaseRead) {
                database = s.db.stats();
                databaseRead = true;
            }
            return database;
        }

        CommandStats.Totals totals() {
            if (totals == null) {
                totals = s.commandTotalsSinceReset();
            }
            return totals;
        }
    }

    /** Adds the server's fields of {@code section} that the facade did not provide. */
    private static void own(ServerContext s, Reading r, String section, Map<String, String> f,
                            Map<String, Map<String, String>> facade) {
        switch (section) {
            case "server" -> {
                long uptime = (System.currentTimeMillis() - s.startMillis) / 1000;
                put(f, "redis_version", ServerContext.REDIS_COMPAT_VERSION);
                put(f, "redis_git_sha1", "00000000");
                put(f, "redis_git_dirty", "0");
                put(f, "qrrot_version", ServerContext.QRROT_VERSION);
                put(f, "redis_mode", "standalone");
                put(f, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + machine(System.getProperty("os.arch")));
                put(f, "arch_bits", "64");
                put(f, "multiplexing_api", s.transport);
                put(f, "java_version", System.getProperty("java.version"));
                put(f, "process_id", Long.toString(ProcessHandle.current().pid()));
                put(f, "process_supervised", "no");
                put(f, "run_id", s.runId);
                put(f, "transport", s.transport);
                put(f, "io_threads", Integer.toString(s.options.ioThreads()));
                put(f, "tcp_port", Integer.toString(s.port));
                java.time.Instant now = java.time.Instant.now();
                put(f, "server_time_usec", Long.toString(now.getEpochSecond() * 1_000_000 + now.getNano() / 1000));
                put(f, "uptime_in_seconds", Long.toString(uptime));
                put(f, "uptime_in_days", Long.toString(uptime / 86400));
                put(f, "hz", "10");
                put(f, "configured_hz", "10");
                put(f, "executable", ProcessHandle.current().info().command().orElse(""));
                put(f, "config_file", "");
            }
            case "clients" -> {
                int awaiting = 0;
                long maxInput = 0;
                long maxOutput = 0;
                for (ClientConnection c : s.clients.values()) {
                    if (c.heldBytes() > 0) {
                        awaiting++;
                    }
                    maxInput = Math.max(maxInput, c.requestMemorySnapshot);
                    maxOutput = Math.max(maxOutput, c.unsentSnapshot);
                }
                put(f, "connected_clients", Integer.toString(s.clients.size()));
                put(f, "cluster_connections", "0");
                put(f, "maxclients", Integer.toString(s.maxClients));
                put(f, "client_recent_max_input_buffer", Long.toString(maxInput));
                put(f, "client_recent_max_output_buffer", Long.toString(maxOutput));
                put(f, "blocked_clients", Integer.toString(s.blocking.count()));
                put(f, "tracking_clients", "0");
                put(f, "clients_awaiting_durability", Integer.toString(awaiting));
            }
            case "memory" -> {
                long used = s.sampler.memory(r.database()); // also raises the peaks
                long rss = Rss.bytes();
                long peak = Math.max(s.sampler.usedMemoryPeak(), Math.max(used, 0));
                Runtime rt = Runtime.getRuntime();
                long systemMemory = systemMemory();
                put(f, "used_memory_rss", Long.toString(rss));
                put(f, "used_memory_rss_human", human(rss));
                put(f, "used_memory_peak", Long.toString(peak));
                put(f, "used_memory_peak_human", human(peak));
                put(f, "used_memory_peak_perc", String.format(java.util.Locale.ROOT, "%.2f%%",
                        peak == 0 ? 100.0 : Math.max(used, 0) * 100.0 / peak));
                put(f, "total_system_memory", Long.toString(systemMemory));
                put(f, "total_system_memory_human", human(systemMemory));
                put(f, "jvm_heap_used", Long.toString(rt.totalMemory() - rt.freeMemory()));
                put(f, "jvm_heap_max", Long.toString(rt.maxMemory()));
                put(f, "network_buffers_direct", Long.toString(io.netty.util.internal.PlatformDependent.usedDirectMemory()));
                put(f, "client_memory_used", Long.toString(s.clientMemory.used()));
                put(f, "client_memory_budget", Long.toString(s.clientMemory.budget()));
                put(f, "maxmemory", Long.toString(s.db.options().maxMemoryBytes()));
                put(f, "maxmemory_policy", "noeviction");
            }
            case "persistence" -> {
                put(f, "loading", "0");
                put(f, "aof_enabled", "1");
                put(f, "appendfsync", s.db.options().fsync().name().toLowerCase(java.util.Locale.ROOT));
                put(f, "rdb_bgsave_in_progress", s.saveInProgress.get() ? "1" : "0");
                // Replaces the facade's (0 before its first snapshot): what LASTSAVE answers, the start time at first.
                f.put("rdb_last_save_time", Long.toString(lastSave(s, facade)));
                put(f, "rdb_last_bgsave_status", s.lastSaveStatus);
                var snap = s.lastSnapshot;
                if (snap != null) {
                    put(f, "last_snapshot_file", String.valueOf(snap.file()));
                    put(f, "last_snapshot_lsn", Long.toString(snap.baseLsn()));
                    put(f, "last_snapshot_keys", Long.toString(snap.keys()));
                    put(f, "last_snapshot_bytes", Long.toString(snap.bytes()));
                    put(f, "last_snapshot_millis", Long.toString(snap.millis()));
                }
            }
            case "stats" -> {
                io.qrrot.engine.Engine.Counters k = s.engineCountersSinceReset(r.database());
                CommandStats.Totals t = r.totals();
                long[] traffic = s.trafficSinceReset();
                put(f, "total_connections_received", Long.toString(s.totalConnections.get()));
                put(f, "total_commands_processed", Long.toString(traffic[0]));
                put(f, "instantaneous_ops_per_sec", Long.toString(s.sampler.opsPerSec()));
                put(f, "total_net_input_bytes", Long.toString(traffic[1]));
                put(f, "total_net_output_bytes", Long.toString(traffic[2]));
                put(f, "instantaneous_input_kbps", kbps(s.sampler.inputKbps()));
                put(f, "instantaneous_output_kbps", kbps(s.sampler.outputKbps()));
                put(f, "rejected_connections", Long.toString(s.rejectedConnections.get()));
                put(f, "expired_keys", Long.toString(k.expiredKeys()));
                put(f, "evicted_keys", "0");
                put(f, "evicted_clients", "0");
                put(f, "keyspace_hits", Long.toString(k.keyspaceHits()));
                put(f, "keyspace_misses", Long.toString(k.keyspaceMisses()));
                put(f, "pubsub_channels", Integer.toString(s.pubsub.channelCount()));
                put(f, "pubsub_patterns", Integer.toString(s.pubsub.patternCount()));
                put(f, "latest_fork_usec", "0");
                put(f, "total_forks", "0");
                put(f, "total_error_replies", Long.toString(t.errorReplies));
                put(f, "total_error_replies_protocol", Long.toString(s.protocolErrors.get()));
                put(f, "client_output_buffer_limit_disconnections", Long.toString(s.outputLimitDisconnections.get()));
                put(f, "client_query_buffer_limit_disconnections", Long.toString(s.queryLimitDisconnections.get()));
                put(f, "client_multi_queue_limit_refusals", Long.toString(s.multiQueueLimitRefusals.get()));
                put(f, "client_memory_budget_refusals", Long.toString(s.clientMemoryRefusals.get()));
                put(f, "client_connections_failed", Long.toString(s.connectionFailures.get()));
                put(f, "durability_failed_replies", Long.toString(s.durabilityFailures.get()));
            }
            case "replication" -> {
                put(f, "role", "master");
                put(f, "connected_slaves", "0");
                put(f, "master_failover_state", "no-failover");
                put(f, "master_replid", s.replicationId);
                put(f, "master_replid2", "0000000000000000000000000000000000000000");
                put(f, "master_repl_offset", "0");
                put(f, "second_repl_offset", "-1");
                put(f, "repl_backlog_active", "0");
                put(f, "repl_backlog_size", "1048576");
                put(f, "repl_backlog_first_byte_offset", "0");
                put(f, "repl_backlog_histlen", "0");
            }
            case "cpu" -> {
                double[] cpu = Rss.cpuSeconds();
                put(f, "used_cpu_sys", String.format(java.util.Locale.ROOT, "%.6f", cpu[1]));
                put(f, "used_cpu_user", String.format(java.util.Locale.ROOT, "%.6f", cpu[0]));
                put(f, "used_cpu_sys_children", "0.000000");
                put(f, "used_cpu_user_children", "0.000000");
            }
            case "commandstats" -> {
                CommandStats.Totals t = r.totals();
                for (CommandTable.Entry e : s.commands.all()) {
                    int i = e.index();
                    if (t.calls[i] == 0 && t.failed[i] == 0 && t.rejected[i] == 0) {
                        continue;
                    }
                    long usec = t.nanos[i] / 1000;
                    put(f, "cmdstat_" + e.lowerName(), "calls=" + t.calls[i] + ",usec=" + usec + ",usec_per_call="
                            + String.format(java.util.Locale.ROOT, "%.2f", t.calls[i] == 0 ? 0.0 : (double) usec / t.calls[i])
                            + ",rejected_calls=" + t.rejected[i] + ",failed_calls=" + t.failed[i]);
                }
            }
            case "errorstats" -> {
                CommandStats.Totals t = r.totals();
                for (Map.Entry<String, Long> e : new java.util.TreeMap<>(t.errors).entrySet()) {
                    put(f, "errorstat_" + e.getKey(), "count=" + e.getValue());
                }
            }
            case "latencystats" -> {
                CommandStats.Totals t = r.totals();
                for (CommandTable.Entry e : s.commands.all()) {
                    int i = e.index();
                    if (t.calls[i] == 0) {
                        continue;
                    }
                    put(f, "latency_percentiles_usec_" + e.lowerName(), String.format(java.util.Locale.ROOT,
                            "p50=%.3f,p99=%.3f,p99.9=%.3f", t.percentileMicros(i, 50), t.percentileMicros(i, 99),
                            t.percentileMicros(i, 99.9)));
                }
            }
            case "cluster" -> put(f, "cluster_enabled", "0");
            default -> { }
        }
    }

    /** uname's machine name for the JVM's os.arch (amd64 is x86_64 to Redis' tools). */
    private static String machine(String arch) {
        return switch (arch) {
            case "amd64" -> "x86_64";
            case "x86" -> "i686";
            default -> arch;
        };
    }

    private static String kbps(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    /** Bytes as Redis' bytesToHuman prints them: 512B, 1.50K, 2.00M, ... */
    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        String units = "KMGTPE";
        int u = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
        return String.format(java.util.Locale.ROOT, "%.2f%c", bytes / (double) (1L << (10 * u)), units.charAt(u - 1));
    }

    private static long systemMemory() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : 0;
    }

    private static void put(Map<String, String> f, String k, String v) {
        f.putIfAbsent(k, v);
    }

    /** LASTSAVE: the later of the server's last SAVE/BGSAVE and the facade's rdb_last_save_time (compaction). */
    static long lastSave(ServerContext s) {
        return lastSave(s, facadeInfo(s));
    }

    private static long lastSave(ServerContext s, Map<String, Map<String, String>> facade) {
        long t = s.lastSaveSeconds;
        String v = facade.getOrDefault("persistence", Map.of()).get("rdb_last_save_time");
        if (v != null) {
            try {
                t = Math.max(t, Long.parseLong(v.trim()));
            } catch (NumberFormatException ignored) {
                // not a number: keep the server's own time
            }
        }
        return t;
    }
}
