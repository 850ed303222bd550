package io.qrrot.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The INFO text: Redis' format ({@code # Section} headers, {@code field:value} lines, CRLF) with the
 * server's own fields (server, clients, connection stats) merged with the facade's sections (memory,
 * persistence, stats, keyspace). Where both name a field, the facade's value wins.
 */
final class InfoReport {
    private static final Logger log = LoggerFactory.getLogger(InfoReport.class);
    private static final List<String> ORDER = List.of("server", "clients", "memory", "persistence", "stats",
            "keyspace");

    private InfoReport() {
    }

    /** @param requested lower-case section names; empty, "default", "all" or "everything" mean all */
    static String build(ServerContext s, List<String> requested) {
        boolean all = requested.isEmpty() || requested.contains("all") || requested.contains("default")
                || requested.contains("everything");
        Map<String, Map<String, String>> facade = facadeInfo(s);
        StringBuilder sb = new StringBuilder(2048);
        for (String section : ORDER) {
            if (!all && !requested.contains(section)) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>(facade.getOrDefault(section, Map.of()));
            own(s, section, fields, facade);
            if (sb.length() > 0) {
                sb.append("\r\n");
            }
            sb.append("# ").append(Character.toUpperCase(section.charAt(0))).append(section.substring(1))
                    .append("\r\n");
            for (Map.Entry<String, String> f : fields.entrySet()) {
                sb.append(f.getKey()).append(':').append(f.getValue()).append("\r\n");
            }
        }
        return sb.toString();
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

    /** Adds the server's fields of {@code section} that the facade did not provide. */
    private static void own(ServerContext s, String section, Map<String, String> f,
                            Map<String, Map<String, String>> facade) {
        switch (section) {
            case "server" -> {
                long uptime = (System.currentTimeMillis() - s.startMillis) / 1000;
                put(f, "redis_version", ServerContext.REDIS_COMPAT_VERSION);
                put(f, "qrrot_version", ServerContext.QRROT_VERSION);
                put(f, "redis_mode", "standalone");
                put(f, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
                put(f, "arch_bits", "64");
                put(f, "java_version", System.getProperty("java.version"));
                put(f, "process_id", Long.toString(ProcessHandle.current().pid()));
                put(f, "transport", s.transport);
                put(f, "io_threads", Integer.toString(s.options.ioThreads()));
                put(f, "tcp_port", Integer.toString(s.port));
                put(f, "server_time_usec", Long.toString(System.currentTimeMillis() * 1000));
                put(f, "uptime_in_seconds", Long.toString(uptime));
                put(f, "uptime_in_days", Long.toString(uptime / 86400));
            }
            case "clients" -> {
                int awaiting = 0;
                for (ClientConnection c : s.clients.values()) {
                    if (c.heldBytes() > 0) {
                        awaiting++;
                    }
                }
                put(f, "connected_clients", Integer.toString(s.clients.size()));
                put(f, "maxclients", Integer.toString(s.maxClients));
                put(f, "blocked_clients", Integer.toString(s.blocking.count()));
                put(f, "clients_awaiting_durability", Integer.toString(awaiting));
            }
            case "memory" -> {
                Runtime rt = Runtime.getRuntime();
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
                put(f, "rdb_last_save_time", Long.toString(lastSave(s, facade)));
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
                put(f, "total_connections_received", Long.toString(s.totalConnections.get()));
                put(f, "total_commands_processed", Long.toString(s.totalCommands()));
                put(f, "total_net_input_bytes", Long.toString(s.netInput()));
                put(f, "total_net_output_bytes", Long.toString(s.netOutput()));
                put(f, "rejected_connections", Long.toString(s.rejectedConnections.get()));
                put(f, "pubsub_channels", Integer.toString(s.pubsub.channelCount()));
                put(f, "pubsub_patterns", Integer.toString(s.pubsub.patternCount()));
                put(f, "total_error_replies_protocol", Long.toString(s.protocolErrors.get()));
                put(f, "client_output_buffer_limit_disconnections", Long.toString(s.outputLimitDisconnections.get()));
                put(f, "client_query_buffer_limit_disconnections", Long.toString(s.queryLimitDisconnections.get()));
                put(f, "client_multi_queue_limit_refusals", Long.toString(s.multiQueueLimitRefusals.get()));
                put(f, "client_memory_budget_refusals", Long.toString(s.clientMemoryRefusals.get()));
                put(f, "client_connections_failed", Long.toString(s.connectionFailures.get()));
                put(f, "durability_failed_replies", Long.toString(s.durabilityFailures.get()));
            }
            default -> { }
        }
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
