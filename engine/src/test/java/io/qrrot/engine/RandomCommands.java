package io.qrrot.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random commands over a handful of keys and awkward values, for model and differential tests.
 * Relative TTLs are long (they never lapse during a real-time run); absolute ones are in the past or far
 * future, so replies do not depend on how fast the test runs.
 */
final class RandomCommands {
    static final String[] KEYS = {"k0", "k1", "k2", "k3", "k4", "k5"};
    static final String[] VALUES = {"", "0", "1", "-1", "42", "007", "abc", "9223372036854775807",
        "-9223372036854775808", "1.5", " 1", "xxxxxxxxxxxxxxxxxxxx", "3.0e0", "hello world", "-0", "+5", "1e3",
        "0.1", "99999999999999999999"};

    private final Random r;
    /** When true, also emits commands whose replies legitimately differ from Redis (JSON, PUT, ALL). */
    private final boolean qrrotVerbs;
    /** When true, emits relative TTLs short enough for a fake clock to pass them. */
    private final boolean shortTtls;

    RandomCommands(long seed, boolean qrrotVerbs, boolean shortTtls) {
        this.r = new Random(seed);
        this.qrrotVerbs = qrrotVerbs;
        this.shortTtls = shortTtls;
    }

    String key() {
        return KEYS[r.nextInt(KEYS.length)];
    }

    String value() {
        return r.nextInt(4) == 0 ? Integer.toString(r.nextInt(200) - 100) : VALUES[r.nextInt(VALUES.length)];
    }

    private String ttlSeconds() {
        if (shortTtls) {
            return Integer.toString(r.nextInt(5) + 1);
        }
        return Integer.toString(1000 + r.nextInt(100000));
    }

    private String ttlMillis() {
        if (shortTtls) {
            return Integer.toString(r.nextInt(5000) + 1);
        }
        return Integer.toString(1_000_000 + r.nextInt(100_000_000));
    }

    private String at(boolean seconds) {
        int c = r.nextInt(3);
        if (c == 0) {
            return "1";
        }
        long far = seconds ? 4_000_000_000L : 4_000_000_000_000L;
        return Long.toString(far + r.nextInt(1000));
    }

    private String[] a(String... xs) {
        return xs;
    }

    private String[] expireOpts(String... head) {
        List<String> l = new ArrayList<>(List.of(head));
        int n = r.nextInt(3) == 0 ? 1 : 0;
        String[] flags = {"NX", "XX", "GT", "LT"};
        for (int i = 0; i < n; i++) {
            l.add(flags[r.nextInt(flags.length)]);
        }
        return l.toArray(new String[0]);
    }

    /** One random data command (never MULTI/EXEC/WATCH: callers add those). */
    String[] next() {
        int c = r.nextInt(qrrotVerbs ? 46 : 42);
        switch (c) {
            case 0:
            case 1:
                return a("GET", key());
            case 2:
            case 3:
                return set();
            case 4:
                return a("SETNX", key(), value());
            case 5:
                return a("SETEX", key(), ttlSeconds(), value());
            case 6:
                return a("PSETEX", key(), ttlMillis(), value());
            case 7:
                return a("GETSET", key(), value());
            case 8:
                return a("GETDEL", key());
            case 9:
                return getex();
            case 10:
                return a("MGET", key(), key(), key());
            case 11:
                return a("MSET", key(), value(), key(), value());
            case 12:
                return a("MSETNX", key(), value(), key(), value());
            case 13:
                return a("APPEND", key(), value());
            case 14:
                return a("STRLEN", key());
            case 15:
                return a("GETRANGE", key(), Integer.toString(r.nextInt(10) - 5), Integer.toString(r.nextInt(10) - 5));
            case 16:
                return a("SETRANGE", key(), Integer.toString(r.nextInt(6)), value());
            case 17:
            case 18:
                return a("INCR", key());
            case 19:
                return a("INCRBY", key(), value());
            case 20:
                return a("DECR", key());
            case 21:
                return a("DECRBY", key(), value());
            case 22:
                return a("INCRBYFLOAT", key(), r.nextBoolean() ? value() : (r.nextInt(100) + "." + r.nextInt(100)));
            case 23:
                return a("DEL", key(), key());
            case 24:
                return a("UNLINK", key());
            case 25:
                return a("EXISTS", key(), key(), key());
            case 26:
                return a("TYPE", key());
            case 27:
                return a("RENAME", key(), key());
            case 28:
                return a("RENAMENX", key(), key());
            case 29:
                return expireOpts("EXPIRE", key(), r.nextInt(5) == 0 ? "-1" : ttlSeconds());
            case 30:
                return expireOpts("PEXPIRE", key(), r.nextInt(5) == 0 ? "0" : ttlMillis());
            case 31:
                return expireOpts("EXPIREAT", key(), at(true));
            case 32:
                return expireOpts("PEXPIREAT", key(), at(false));
            case 33:
                return a("PERSIST", key());
            case 34:
                return a("TTL", key());
            case 35:
                return a("PTTL", key());
            case 36:
                return a("EXPIRETIME", key());
            case 37:
                return a("PEXPIRETIME", key());
            case 38:
                return a("DBSIZE");
            case 39:
                return a("KEYS", r.nextBoolean() ? "*" : "k[0-2]");
            case 40:
                return a("SET", key(), value(), "KEEPTTL");
            case 41:
                return r.nextBoolean() ? a("MGET", key())
                        : r.nextBoolean() ? a("SCAN", "0", "COUNT", "1000") : a("SCAN", "0", "MATCH", "k[1-3]", "COUNT", "1000");
            case 42:
                return a("PUT", key(), value(), new String[] {"string", "int", "json"}[r.nextInt(3)]);
            case 43:
                return a("JSON.SET", key(), r.nextBoolean() ? "$" : "$.a", new String[] {"1", "{\"a\":[1,2]}", "\"s\"", "[true,null]"}[r.nextInt(4)]);
            case 44:
                return a("JSON.GET", key(), new String[] {"$", ".", "$.a", ".a[0]", "$.a[-1]"}[r.nextInt(5)]);
            default:
                return a("DEL", key());
        }
    }

    private String[] set() {
        List<String> l = new ArrayList<>(List.of("SET", key(), value()));
        int n = r.nextInt(3);
        String[] opts = {"NX", "XX", "GET", "KEEPTTL", "EX", "PX", "EXAT", "PXAT"};
        for (int i = 0; i < n; i++) {
            String o = opts[r.nextInt(opts.length)];
            l.add(o);
            switch (o) {
                case "EX":
                    l.add(ttlSeconds());
                    break;
                case "PX":
                    l.add(ttlMillis());
                    break;
                case "EXAT":
                    l.add(at(true));
                    break;
                case "PXAT":
                    l.add(at(false));
                    break;
                default:
                    break;
            }
        }
        return l.toArray(new String[0]);
    }

    private String[] getex() {
        switch (r.nextInt(6)) {
            case 0:
                return a("GETEX", key());
            case 1:
                return a("GETEX", key(), "EX", ttlSeconds());
            case 2:
                return a("GETEX", key(), "PX", ttlMillis());
            case 3:
                return a("GETEX", key(), "EXAT", at(true));
            case 4:
                return a("GETEX", key(), "PXAT", at(false));
            default:
                return a("GETEX", key(), "PERSIST");
        }
    }

    int nextInt(int bound) {
        return r.nextInt(bound);
    }
}
