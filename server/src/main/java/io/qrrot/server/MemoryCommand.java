package io.qrrot.server;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.EngineStats;
import io.qrrot.recovery.DatabaseStats;
import io.qrrot.server.resp.RespEncoder;

/**
 * MEMORY USAGE | STATS | DOCTOR | MALLOC-STATS | PURGE | HELP, with Redis 7.0's reply shapes over qrrot's
 * own accounting: the store's off-heap blocks and its index tables (what {@code maxmemory} limits), not the
 * JVM's heap.
 *
 * <p>MEMORY USAGE is exact rather than sampled: the entry's block (its size class included), its share of
 * the shard's index, and a collection's element table, list nodes or score index, which the store keeps
 * totals of. {@code SAMPLES} is checked as Redis checks it and otherwise has no effect.
 */
final class MemoryCommand {
    /** Redis's DOCTOR says nothing below 5 MB. */
    private static final long DOCTOR_MIN_BYTES = 5L << 20;

    private static final Subcommands SUBCOMMANDS = Subcommands.of("USAGE", -3, "STATS", 2, "DOCTOR", 2,
            "MALLOC-STATS", 2, "PURGE", 2, "HELP", 2);

    private MemoryCommand() {
    }

    static void run(ClientConnection c, RespEncoder r, CommandArgs a) {
        String wrong = SUBCOMMANDS.refusal(a);
        if (wrong != null) {
            r.error(wrong);
        } else if (a.is(1, "USAGE")) {
            usage(c, r, a);
        } else if (a.is(1, "STATS")) {
            stats(c, r);
        } else if (a.is(1, "DOCTOR")) {
            r.verbatim(doctor(c.server));
        } else if (a.is(1, "MALLOC-STATS")) {
            // Redis' reply when it is not built with jemalloc: qrrot's store has its own slab allocator,
            // whose figures MEMORY STATS and INFO memory show.
            r.bulk("Stats not supported for the current allocator");
        } else if (a.is(1, "PURGE")) {
            r.simple("OK"); // the store gives memory back as keys go; nothing to purge
        } else {
            CommandReplies.help(r, "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "DOCTOR",
                    "    Return memory problems reports.",
                    "MALLOC-STATS",
                    "    Return internal statistics report from the memory allocator.",
                    "PURGE",
                    "    Attempt to purge dirty pages for reclamation by the allocator.",
                    "STATS",
                    "    Return information about the memory usage of the server.",
                    "USAGE <key> [SAMPLES <count>]",
                    "    Return memory in bytes used by <key> and its value. Nested values are",
                    "    sampled up to <count> times (default: 5, 0 means sample all).",
                    "HELP",
                    "    Prints this help.");
        }
    }

    private static void usage(ClientConnection c, RespEncoder r, CommandArgs a) {
        for (int j = 3; j < a.count(); j++) {
            if (a.is(j, "SAMPLES") && j + 1 < a.count()) {
                long samples = CommandReplies.parseLong(a, j + 1);
                if (samples == Long.MIN_VALUE) {
                    r.error(Errors.NOT_INTEGER);
                    return;
                }
                if (samples < 0) {
                    r.error(Errors.SYNTAX);
                    return;
                }
                j++;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        long bytes = c.server.db.memoryUsage(a.bytes(2));
        if (bytes < 0) {
            r.nil();
        } else {
            r.integer(bytes);
        }
    }

    /**
     * Redis's fields in Redis's order, where qrrot has the figure. Left out, having no meaning here:
     * {@code replication.backlog}, {@code clients.slaves} (no replication), {@code cluster.links} (no
     * cluster), {@code aof.buffer} (the WAL's batch buffers are fixed, allocated at open), {@code lua.caches}
     * and {@code functions.caches} (scripts are not kept in the store), {@code db.0}'s
     * {@code overhead.hashtable.expires} (expiry times live in the entries) and
     * {@code overhead.hashtable.slot-to-keys} (no cluster), and the allocator and RSS figures
     * ({@code allocator.*}, {@code allocator-fragmentation.*}, {@code allocator-rss.*}, {@code rss-overhead.*}:
     * jemalloc's view; the process's RSS is mostly the JVM, see INFO memory). {@code startup.allocated} is 0:
     * the database is opened, and its data loaded, before the server starts, and the store holds nothing but
     * data and its index. {@code fragmentation} is the store's own: allocated off-heap bytes over live entry
     * bytes.
     */
    private static void stats(ClientConnection c, RespEncoder r) {
        ServerContext s = c.server;
        DatabaseStats db = s.db.stats();
        s.sampler.memory(db); // raises the peak
        EngineStats e = db == null ? null : db.engine();
        long total = e == null ? 0 : e.usedMemory();
        long peak = Math.max(s.sampler.usedMemoryPeak(), total);
        long startup = 0;
        long clients = s.clientMemory.used();
        long index = e == null ? 0 : e.indexBytes();
        long overhead = startup + clients + index;
        long keys = e == null ? 0 : e.keys();
        long net = total > startup ? total - startup : 1;
        long dataset = Math.max(0, total - overhead);
        r.map(14);
        field(r, "peak.allocated", peak);
        field(r, "total.allocated", total);
        field(r, "startup.allocated", startup);
        field(r, "clients.normal", clients);
        r.bulk("db.0");
        r.map(1);
        field(r, "overhead.hashtable.main", index);
        field(r, "overhead.total", overhead);
        field(r, "keys.count", keys);
        field(r, "keys.bytes-per-key", keys == 0 ? 0 : net / keys);
        field(r, "dataset.bytes", dataset);
        r.bulk("dataset.percentage");
        r.doubleValue((float) (dataset * 100.0 / net));
        r.bulk("peak.percentage");
        r.doubleValue((float) (peak == 0 ? 100.0 : total * 100.0 / peak));
        field(r, "allocator.allocated", e == null ? 0 : e.allocatedBytes() + index);
        r.bulk("fragmentation");
        r.doubleValue((float) (e == null ? 1.0 : e.fragmentationRatio()));
        field(r, "fragmentation.bytes", e == null ? 0 : e.fragmentationBytes());
    }

    private static void field(RespEncoder r, String name, long value) {
        r.bulk(name);
        r.integer(value);
    }

    /** Redis's report texts, for the checks that have a meaning in qrrot's store. */
    private static String doctor(ServerContext s) {
        DatabaseStats db = s.db.stats();
        s.sampler.memory(db);
        EngineStats e = db == null ? null : db.engine();
        long total = e == null ? 0 : e.usedMemory();
        if (total < DOCTOR_MIN_BYTES) {
            return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used"
                    + " in these conditions. Please, leave for your mission on Earth and fill it with some data. The"
                    + " new Sam and I will be back to our programming as soon as I finished rebooting.\n";
        }
        long peak = Math.max(s.sampler.usedMemoryPeak(), total);
        boolean bigPeak = (double) peak / total > 1.5;
        boolean highFrag = e.fragmentationRatio() > 1.4 && e.fragmentationBytes() > 10L << 20;
        int clients = Math.max(1, s.connected.get());
        boolean bigClients = s.clientMemory.used() / clients > 200 * 1024;
        if (!bigPeak && !highFrag && !bigClients) {
            return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on"
                    + " this base.\n";
        }
        StringBuilder b = new StringBuilder("Sam, I detected a few issues in this Redis instance memory implants:\n\n");
        if (bigPeak) {
            b.append(" * Peak memory: In the past this instance used more than 150% the memory that is currently"
                    + " using. qrrot's store keeps freed blocks for reuse, so the fragmentation ratio stays high"
                    + " after a peak; this is harmless, and the memory is used again as the data grows. A restart"
                    + " (which reloads the snapshot and the WAL) gives it back.\n\n");
        }
        if (highFrag) {
            b.append(" * High fragmentation: the store's allocated off-heap memory is more than 1.4 times the bytes"
                    + " its entries hold. This usually follows a large peak (see above) or many deletions of"
                    + " values of one size followed by writes of another.\n\n");
        }
        if (bigClients) {
            b.append(" * Big client buffers: the clients' request buffers and MULTI queues are greater than 200K"
                    + " per client (on average). Please use the CLIENT LIST command in order to investigate the"
                    + " issue.\n\n");
        }
        b.append("I'm here to keep you safe, Sam. I want to help you.\n");
        return b.toString();
    }
}
