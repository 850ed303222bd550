package io.qrrot.server;

import io.qrrot.engine.EngineStats;
import io.qrrot.recovery.DatabaseStats;
import io.qrrot.server.memcached.McReplies;
import io.qrrot.server.memcached.McRequest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * memcached's {@code stats} command with qrrot's own figures: the general report, {@code settings},
 * {@code items}, {@code slabs}, {@code sizes}, {@code detail} and {@code reset}, under memcached 1.6's names
 * and in its order. Figures memcached has and qrrot has no equivalent of are left out rather than made up; a
 * few are qrrot's own ({@code qrrot_version}, {@code durable_fsync}). qrrot keeps no slab classes: items and
 * slabs report everything as one class, 1.
 */
final class MemcachedStatsReport {
    private MemcachedStatsReport() {
    }

    static void write(MemcachedConnection mc, ClientConnection conn, McRequest request) {
        ServerContext s = conn.server;
        String sub = request.keyCount() == 0 ? "" : token(request, 0);
        switch (sub) {
            case "" -> general(mc, s);
            case "reset" -> {
                s.memcachedStats.reset();
                conn.reply.target().writeBytes(McReplies.RESET);
                return;
            }
            case "settings" -> settings(mc, s);
            case "items" -> items(mc, s);
            case "slabs" -> slabs(mc, s);
            case "sizes" -> stat(mc, "sizes_status", "disabled");
            case "detail" -> {
                mc.line("CLIENT_ERROR usage: stats detail on|off|dump");
                return;
            }
            default -> {
                mc.line(McReplies.ERROR);
                return;
            }
        }
        conn.reply.target().writeBytes(McReplies.END);
    }

    private static String token(McRequest r, int i) {
        return new String(r.array(), r.keyOffset(i), r.keyLength(i), StandardCharsets.ISO_8859_1);
    }

    private static void stat(MemcachedConnection mc, String name, Object value) {
        mc.line("STAT " + name + " " + value);
    }

    private static void general(MemcachedConnection mc, ServerContext s) {
        MemcachedStats m = s.memcachedStats;
        DatabaseStats d = s.db.stats();
        EngineStats e = d == null ? null : d.engine();
        long now = System.currentTimeMillis();
        double[] cpu = Rss.cpuSeconds();
        stat(mc, "pid", ProcessHandle.current().pid());
        stat(mc, "uptime", (now - s.startMillis) / 1000);
        stat(mc, "time", now / 1000);
        stat(mc, "version", MemcachedConnection.PROTOCOL_VERSION);
        stat(mc, "qrrot_version", ServerContext.QRROT_VERSION);
        stat(mc, "pointer_size", 64);
        stat(mc, "rusage_user", String.format(Locale.ROOT, "%.6f", cpu[0]));
        stat(mc, "rusage_system", String.format(Locale.ROOT, "%.6f", cpu[1]));
        stat(mc, "max_connections", s.maxClients);
        stat(mc, "curr_connections", s.connected.get());
        stat(mc, "total_connections", s.totalConnections.get());
        stat(mc, "rejected_connections", s.rejectedConnections.get());
        long gets = m.cmdGet.sum();
        long hits = m.getHits.sum();
        stat(mc, "cmd_get", gets);
        stat(mc, "cmd_set", m.cmdSet.sum());
        stat(mc, "cmd_flush", m.flushes.sum());
        stat(mc, "cmd_touch", m.touchCommands());
        stat(mc, "cmd_meta", 0);
        stat(mc, "get_hits", hits);
        stat(mc, "get_misses", Math.max(0, gets - hits));
        stat(mc, "get_expired", 0);
        stat(mc, "get_flushed", 0);
        stat(mc, "delete_misses", m.deleteMisses.sum());
        stat(mc, "delete_hits", m.deleteHits.sum());
        stat(mc, "incr_misses", m.incrMisses.sum());
        stat(mc, "incr_hits", m.incrHits.sum());
        stat(mc, "decr_misses", m.decrMisses.sum());
        stat(mc, "decr_hits", m.decrHits.sum());
        stat(mc, "cas_misses", m.casMisses.sum());
        stat(mc, "cas_hits", m.casHits.sum());
        stat(mc, "cas_badval", m.casBadval.sum());
        stat(mc, "touch_hits", m.touchHitsTotal());
        stat(mc, "touch_misses", m.touchMissesTotal());
        stat(mc, "auth_cmds", m.authCommands.sum());
        stat(mc, "auth_errors", m.authErrors.sum());
        stat(mc, "bytes_read", s.netInput());
        stat(mc, "bytes_written", s.netOutput());
        stat(mc, "limit_maxbytes", e == null ? 0 : e.maxMemory());
        stat(mc, "accepting_conns", 1);
        stat(mc, "threads", s.options.ioThreads());
        stat(mc, "bytes", e == null ? 0 : e.usedMemory());
        stat(mc, "curr_items", e == null ? 0 : e.keys());
        stat(mc, "evictions", 0);
        stat(mc, "durable_fsync", s.db.options().fsync().name().toLowerCase(Locale.ROOT));
    }

    private static void settings(MemcachedConnection mc, ServerContext s) {
        ServerOptions o = s.options;
        stat(mc, "maxbytes", s.db.options().maxMemoryBytes());
        stat(mc, "maxconns", s.maxClients);
        stat(mc, "tcpport", o.memcachedPort() >= 0 ? o.memcachedPort() : s.port);
        stat(mc, "udpport", 0);
        stat(mc, "inter", o.bind());
        stat(mc, "verbosity", 0);
        stat(mc, "evictions", "off");
        stat(mc, "num_threads", o.ioThreads());
        stat(mc, "cas_enabled", "yes");
        stat(mc, "binding_protocol", "ascii");
        stat(mc, "auth_enabled_sasl", "no");
        stat(mc, "auth_enabled_ascii", s.requirePass == null ? "no" : "yes");
        stat(mc, "item_size_max", o.memcachedItemSize());
        stat(mc, "flush_enabled", "yes");
        stat(mc, "idle_timeout", s.idleTimeoutSeconds);
    }

    private static void items(MemcachedConnection mc, ServerContext s) {
        DatabaseStats d = s.db.stats();
        long keys = d == null ? 0 : d.engine().keys();
        if (keys > 0) {
            stat(mc, "items:1:number", keys);
            stat(mc, "items:1:mem_requested", d.engine().liveBytes());
            stat(mc, "items:1:evicted", 0);
            stat(mc, "items:1:outofmemory", 0);
        }
    }

    private static void slabs(MemcachedConnection mc, ServerContext s) {
        DatabaseStats d = s.db.stats();
        EngineStats e = d == null ? null : d.engine();
        long keys = e == null ? 0 : e.keys();
        if (keys > 0) {
            MemcachedStats m = s.memcachedStats;
            stat(mc, "1:used_chunks", keys);
            stat(mc, "1:get_hits", m.getHits.sum());
            stat(mc, "1:cmd_set", m.cmdSet.sum());
            stat(mc, "1:delete_hits", m.deleteHits.sum());
            stat(mc, "1:incr_hits", m.incrHits.sum());
            stat(mc, "1:decr_hits", m.decrHits.sum());
            stat(mc, "1:cas_hits", m.casHits.sum());
            stat(mc, "1:cas_badval", m.casBadval.sum());
            stat(mc, "1:touch_hits", m.touchHitsTotal());
        }
        stat(mc, "active_slabs", keys > 0 ? 1 : 0);
        stat(mc, "total_malloced", e == null ? 0 : e.allocatedBytes());
    }
}
