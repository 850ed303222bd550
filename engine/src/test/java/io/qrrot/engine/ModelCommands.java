package io.qrrot.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;

/** Random commands in the subset {@link Model} implements, with TTLs short enough for a fake clock. */
final class ModelCommands {
    private final Random r;
    private final LongSupplier now;

    ModelCommands(Random r, LongSupplier now) {
        this.r = r;
        this.now = now;
    }

    private String key() {
        return RandomCommands.KEYS[r.nextInt(RandomCommands.KEYS.length)];
    }

    private String value() {
        return r.nextInt(3) == 0 ? Integer.toString(r.nextInt(200) - 100)
                : RandomCommands.VALUES[r.nextInt(RandomCommands.VALUES.length)];
    }

    private String seconds() {
        return Integer.toString(r.nextInt(6) - (r.nextInt(8) == 0 ? 3 : 0));
    }

    private String millis() {
        return Integer.toString(r.nextInt(6000) - (r.nextInt(8) == 0 ? 3000 : 0));
    }

    private String atSeconds() {
        return Long.toString(now.getAsLong() / 1000 + r.nextInt(8) - 2);
    }

    private String atMillis() {
        return Long.toString(now.getAsLong() + r.nextInt(8000) - 2000);
    }

    String[] next() {
        int c = r.nextInt(45);
        switch (c) {
            case 0:
            case 1:
            case 2:
                return a("GET", key());
            case 3:
            case 4:
            case 5:
                return set();
            case 6:
                return a("SETNX", key(), value());
            case 7:
                return a("SETEX", key(), seconds(), value());
            case 8:
                return a("PSETEX", key(), millis(), value());
            case 9:
                return a("GETSET", key(), value());
            case 10:
                return a("GETDEL", key());
            case 11:
                return getex();
            case 12:
                return a("MGET", key(), key(), key());
            case 13:
                return a("MSET", key(), value(), key(), value());
            case 14:
                return a("MSETNX", key(), value(), key(), value());
            case 15:
                return a("APPEND", key(), value());
            case 16:
                return a("STRLEN", key());
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
            case 23:
                return a("DEL", key(), key());
            case 24:
                return a("EXISTS", key(), key(), key());
            case 25:
                return a("TYPE", key());
            case 26:
                return a("RENAME", key(), key());
            case 27:
                return a("RENAMENX", key(), key());
            case 28:
                return flag(a("EXPIRE", key(), seconds()));
            case 29:
                return flag(a("PEXPIRE", key(), millis()));
            case 30:
                return flag(a("EXPIREAT", key(), atSeconds()));
            case 31:
                return flag(a("PEXPIREAT", key(), atMillis()));
            case 32:
                return a("TTL", key());
            case 33:
                return a("PTTL", key());
            case 34:
                return a("PERSIST", key());
            case 35:
                return a("DBSIZE");
            case 36:
                return a("KEYS", "*");
            case 37:
                return r.nextBoolean() ? a("PUT", key(), value()) : a("PUT", key(), value(), r.nextBoolean() ? "string" : "int");
            case 38:
                return r.nextInt(10) == 0 ? a("FLUSHALL") : a("GET", key());
            case 39:
            case 40:
                return a("MULTI");
            case 41:
                return a("EXEC");
            case 42:
                return a("WATCH", key(), key());
            case 43:
                return a(r.nextBoolean() ? "DISCARD" : "UNWATCH");
            default:
                return r.nextBoolean() ? a("GET") : a("EXEC", "x"); // wrong arity
        }
    }

    private static String[] a(String... xs) {
        return xs;
    }

    private String[] flag(String[] base) {
        if (r.nextInt(3) != 0) {
            return base;
        }
        String[] f = {"NX", "XX", "GT", "LT"};
        List<String> l = new ArrayList<>(List.of(base));
        l.add(f[r.nextInt(4)]);
        return l.toArray(new String[0]);
    }

    private String[] set() {
        List<String> l = new ArrayList<>(List.of("SET", key(), value()));
        int cond = r.nextInt(4);
        if (cond == 1) {
            l.add("NX");
        } else if (cond == 2) {
            l.add("XX");
        }
        if (r.nextInt(3) == 0) {
            l.add("GET");
        }
        switch (r.nextInt(7)) {
            case 0:
                l.add("EX");
                l.add(seconds());
                break;
            case 1:
                l.add("PX");
                l.add(millis());
                break;
            case 2:
                l.add("EXAT");
                l.add(atSeconds());
                break;
            case 3:
                l.add("PXAT");
                l.add(atMillis());
                break;
            case 4:
                l.add("KEEPTTL");
                break;
            default:
                break;
        }
        return l.toArray(new String[0]);
    }

    private String[] getex() {
        switch (r.nextInt(6)) {
            case 0:
                return a("GETEX", key());
            case 1:
                return a("GETEX", key(), "EX", seconds());
            case 2:
                return a("GETEX", key(), "PX", millis());
            case 3:
                return a("GETEX", key(), "EXAT", atSeconds());
            case 4:
                return a("GETEX", key(), "PXAT", atMillis());
            default:
                return a("GETEX", key(), "PERSIST");
        }
    }
}
