package io.qrrot.server;

import io.qrrot.wal.FsyncPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings CONFIG GET and CONFIG SET see. Some are live (the server reads them on every use), some are
 * fixed at start (answered for tools that ask, refused on SET with the reason), and a few are Redis
 * encoding knobs that qrrot accepts and ignores so scripts written for Redis keep working.
 * Thread-safe: values are volatile in {@link ServerContext} or held in a synchronized map.
 */
final class ServerConfig {
    /** One parameter: how to read it and, unless null, how to validate and apply a new value. */
    private record Param(String name, java.util.function.Supplier<String> getter, Setter setter) {
    }

    /** Validates a value and returns what applies it, or throws {@link Invalid} with the reason. */
    @FunctionalInterface
    private interface Setter {
        Runnable prepare(String value) throws Invalid;
    }

    /** A refused CONFIG SET value; the message is the part after "- " in Redis' error text. */
    static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    private final Map<String, Param> params = new LinkedHashMap<>();
    private final Map<String, String> ignoredKnobs = new LinkedHashMap<>();

    ServerConfig(ServerContext s) {
        add("maxmemory", () -> Long.toString(s.db.options().maxMemoryBytes()), v -> {
            long bytes = memory(v);
            return () -> s.db.setMaxMemory(bytes);
        });
        add("requirepass", () -> s.requirePass == null ? "" : s.requirePass,
                v -> () -> s.requirePass = v.isEmpty() ? null : v);
        add("maxclients", () -> Integer.toString(s.maxClients), v -> {
            long n = integer(v, 1, Integer.MAX_VALUE);
            return () -> s.maxClients = (int) n;
        });
        add("protected-mode", () -> yesNo(s.protectedMode), v -> {
            boolean b = bool(v);
            return () -> s.protectedMode = b;
        });
        add("timeout", () -> Integer.toString(s.idleTimeoutSeconds), v -> {
            long n = integer(v, 0, Integer.MAX_VALUE);
            return () -> s.idleTimeoutSeconds = (int) n;
        });
        add("client-query-buffer-limit", () -> Long.toString(s.queryBufferLimit), v -> {
            long n = memory(v);
            if (n < 1024 * 1024) {
                throw new Invalid("argument must be at least 1mb");
            }
            return () -> s.queryBufferLimit = n;
        });
        add("client-multi-queue-limit", () -> Long.toString(s.multiQueueLimit), v -> {
            long n = memory(v);
            if (n < 1024) {
                throw new Invalid("argument must be at least 1kb");
            }
            return () -> s.multiQueueLimit = n;
        });
        add("client-memory-budget", () -> Long.toString(s.clientMemory.budget()), v -> {
            long n = memory(v);
            if (n != 0 && n < ClientMemory.FREE_PER_CLIENT) {
                throw new Invalid("argument must be 0 (a quarter of the heap) or at least 64kb");
            }
            return () -> {
                s.clientMemoryBudget = n;
                s.clientMemory.budget(ClientMemory.effective(n));
            };
        });
        add("proto-max-bulk-len", () -> Long.toString(s.maxBulkLength), v -> {
            long n = memory(v);
            if (n < 1024 * 1024 || n > ServerOptions.MAX_BULK_CEILING) {
                throw new Invalid("argument must be between 1mb and " + ServerOptions.MAX_BULK_CEILING);
            }
            return () -> s.maxBulkLength = n;
        });
        add("client-output-buffer-limit", () -> "normal " + s.outputBufferLimit + " 0 0 pubsub " + s.pubsubHardLimit
                + " " + s.pubsubSoftLimit + " " + s.pubsubSoftSeconds, v -> {
            String[] f = v.trim().split("\\s+");
            if (f.length == 0 || f.length % 4 != 0) {
                throw new Invalid("expected groups of <class> <hard limit> <soft limit> <soft seconds>");
            }
            java.util.List<Runnable> apply = new java.util.ArrayList<>();
            for (int i = 0; i < f.length; i += 4) {
                long hard = memory(f[i + 1]);
                if (f[i].equalsIgnoreCase("normal")) {
                    apply.add(() -> s.outputBufferLimit = hard);
                } else if (f[i].equalsIgnoreCase("pubsub")) {
                    long soft = memory(f[i + 2]);
                    int seconds;
                    try {
                        seconds = Integer.parseInt(f[i + 3]);
                    } catch (NumberFormatException e) {
                        throw new Invalid("soft seconds must be an integer");
                    }
                    if (seconds < 0) {
                        throw new Invalid("soft seconds must be >= 0");
                    }
                    apply.add(() -> {
                        s.pubsubHardLimit = hard;
                        s.pubsubSoftLimit = soft;
                        s.pubsubSoftSeconds = seconds;
                    });
                } else {
                    throw new Invalid("qrrot has the 'normal' and 'pubsub' classes: normal <hard limit> 0 0 pubsub"
                            + " <hard limit> <soft limit> <soft seconds>");
                }
            }
            return () -> apply.forEach(Runnable::run);
        });
        add("slowlog-max-len", () -> Long.toString(s.slowLog.maxLen()), v -> {
            long n = integer(v, 0, Long.MAX_VALUE);
            return () -> s.slowLog.maxLen(n);
        });
        add("slowlog-log-slower-than", () -> Long.toString(s.slowLog.slowerThanMicros), v -> {
            long n = integer(v, -1, Long.MAX_VALUE);
            return () -> s.slowLog.slowerThanMicros = n;
        });
        add("latency-monitor-threshold", () -> Long.toString(s.latency.thresholdMillis), v -> {
            long n = integer(v, 0, Long.MAX_VALUE);
            return () -> s.latency.thresholdMillis = n;
        });
        add("appendfsync", () -> s.db.options().fsync().name().toLowerCase(Locale.ROOT), v -> {
            FsyncPolicy p;
            try {
                p = FsyncPolicy.parse(v);
            } catch (IllegalArgumentException e) {
                throw new Invalid("argument(s) must be one of the following: everysec, always, no");
            }
            if (p != s.db.options().fsync()) {
                throw new Invalid("the fsync policy is fixed when the database opens; restart with --fsync "
                        + p.name().toLowerCase(Locale.ROOT));
            }
            return () -> { };
        });
        add("appendonly", () -> "yes", v -> {
            if (!bool(v)) {
                throw new Invalid("the write-ahead log is always on in qrrot");
            }
            return () -> { };
        });
        add("save", () -> "", v -> {
            if (!v.isBlank()) {
                throw new Invalid("qrrot snapshots by compacting its log; use SAVE or BGSAVE for a snapshot now");
            }
            return () -> { };
        });
        add("maxmemory-policy", () -> "noeviction", v -> {
            if (!v.equalsIgnoreCase("noeviction")) {
                throw new Invalid("qrrot never evicts: writes past maxmemory are refused (noeviction)");
            }
            return () -> { };
        });
        add("databases", () -> "1", null);
        add("port", () -> Integer.toString(s.port), null);
        add("bind", () -> s.options.bind(), null);
        add("io-threads", () -> Integer.toString(s.options.ioThreads()), null);
        // Collection encoding thresholds the engine uses (the ziplist names are Redis's old aliases).
        for (String name : new String[] {"hash-max-listpack-entries", "hash-max-listpack-value",
                "hash-max-ziplist-entries", "hash-max-ziplist-value", "set-max-intset-entries",
                "zset-max-listpack-entries", "zset-max-listpack-value", "zset-max-ziplist-entries",
                "zset-max-ziplist-value"}) {
            // The -value limits are memory values in Redis ("64", "1kb"), the -entries limits plain integers.
            boolean bytes = name.endsWith("-value");
            add(name, () -> Long.toString(s.db.encodingLimit(name)), v -> {
                long n = bytes ? memory(v) : integer(v, 0, Long.MAX_VALUE);
                return () -> s.db.setEncodingLimit(name, n);
            });
        }
        // Redis encoding knobs accepted and remembered with no effect: a list's nodes have their own size
        // (ListNodes: up to 4 KiB), nothing is compressed, and qrrot has no streams.
        for (String[] knob : new String[][] {
                {"list-max-listpack-size", "-2"}, {"list-max-ziplist-size", "-2"}, {"list-compress-depth", "0"},
                {"set-max-listpack-entries", "128"},
                {"set-max-listpack-value", "64"}, {"stream-node-max-bytes", "4096"},
                {"stream-node-max-entries", "100"}, {"activerehashing", "yes"}}) {
            String name = knob[0];
            ignoredKnobs.put(name, knob[1]);
            boolean numeric = !knob[1].equals("yes");
            add(name, () -> knob(name), v -> {
                if (numeric) {
                    integer(v, Long.MIN_VALUE + 1, Long.MAX_VALUE);
                } else {
                    bool(v);
                }
                String canonical = numeric ? v : v.toLowerCase(Locale.ROOT);
                return () -> setKnob(name, canonical);
            });
        }
    }

    private synchronized String knob(String name) {
        return ignoredKnobs.get(name);
    }

    private synchronized void setKnob(String name, String v) {
        ignoredKnobs.put(name, v);
    }

    private void add(String name, java.util.function.Supplier<String> getter, Setter setter) {
        params.put(name, new Param(name, getter, setter));
    }

    /** Name/value pairs matching any of the glob patterns (case-insensitive), each parameter once. */
    List<String[]> get(List<String> patterns) {
        List<String[]> out = new ArrayList<>();
        for (Param p : params.values()) {
            for (String pattern : patterns) {
                if (Glob.matches(pattern, p.name, true)) {
                    out.add(new String[] {p.name, p.getter.get()});
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Applies name/value pairs all or nothing.
     *
     * @return null when applied, else the error reply text
     */
    String set(List<String> namesAndValues) {
        List<Runnable> apply = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < namesAndValues.size(); i += 2) {
            String name = namesAndValues.get(i).toLowerCase(Locale.ROOT);
            Param p = params.get(name);
            if (p == null) {
                return "ERR Unknown option or number of arguments for CONFIG SET - '" + namesAndValues.get(i) + "'";
            }
            if (!seen.add(name)) {
                return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - duplicate parameter";
            }
            if (p.setter == null) {
                return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - can't set immutable config";
            }
            try {
                apply.add(p.setter.prepare(namesAndValues.get(i + 1)));
            } catch (Invalid e) {
                return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + e.getMessage();
            }
        }
        apply.forEach(Runnable::run);
        return null;
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    private static boolean bool(String v) throws Invalid {
        if (v.equalsIgnoreCase("yes")) {
            return true;
        }
        if (v.equalsIgnoreCase("no")) {
            return false;
        }
        throw new Invalid("argument must be 'yes' or 'no'");
    }

    private static long integer(String v, long min, long max) throws Invalid {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new Invalid("argument couldn't be parsed into an integer");
        }
        if (n < min || n > max) {
            throw new Invalid("argument must be between " + min + " and " + max + " inclusive");
        }
        return n;
    }

    /** Redis' memory values: a number with an optional unit k, kb, m, mb, g, gb (k = 1000, kb = 1024). */
    static long memory(String v) throws Invalid {
        String t = v.trim().toLowerCase(Locale.ROOT);
        long mul = 1;
        String[][] units = {{"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"}, {"k", "1000"},
                {"m", "1000000"}, {"g", "1000000000"}, {"b", "1"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                mul = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length());
                break;
            }
        }
        if (t.isEmpty()) {
            return 0; // Redis's memtoull reads nothing as 0
        }
        try {
            long n = Long.parseLong(t);
            if (n < 0) {
                throw new Invalid("argument must be a memory value");
            }
            return Math.multiplyExact(n, mul);
        } catch (NumberFormatException | ArithmeticException e) {
            if (t.matches("[0-9]{1,20}") && new java.math.BigInteger(t).bitLength() <= 64) {
                // An unsigned 64-bit number (memtoull reads it) past the signed range that Redis then checks.
                throw new Invalid("argument must be between 0 and 9223372036854775807 inclusive");
            }
            throw new Invalid("argument must be a memory value");
        }
    }
}
