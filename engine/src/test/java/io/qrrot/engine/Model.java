package io.qrrot.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deliberately simple reference for the model test: a TreeMap of entries, Redis semantics written the
 * obvious way, MULTI/EXEC/WATCH per session. Expired entries stay in the map until something deletes them
 * for sure (an explicit DEL, an overwrite, FLUSHALL, or {@link #reclaimExpired}), so the engine's physical
 * key count must lie between {@link #liveCount} and {@link #size}.
 */
final class Model {
    record E(char type, String text, long expiry) {
    }

    static final class S {
        boolean multi;
        boolean txError;
        boolean dirty;
        final List<String[]> queue = new ArrayList<>();
        final Map<String, Boolean> watched = new HashMap<>(); // key -> expiredAtWatch
    }

    final TreeMap<String, E> map = new TreeMap<>();
    final List<S> sessions = new ArrayList<>();
    long now;

    S newSession() {
        S s = new S();
        sessions.add(s);
        return s;
    }

    static final TreeSink.Status OK = new TreeSink.Status("OK");

    static TreeSink.Err err(String t) {
        return new TreeSink.Err(t);
    }

    boolean live(String k) {
        E e = map.get(k);
        return e != null && (e.expiry == 0 || now <= e.expiry);
    }

    E get(String k) {
        return live(k) ? map.get(k) : null;
    }

    long liveCount() {
        return map.keySet().stream().filter(this::live).count();
    }

    int size() {
        return map.size();
    }

    void reclaimExpired() {
        for (String k : new ArrayList<>(map.keySet())) {
            if (!live(k)) {
                del(k);
            }
        }
    }

    /** Live entries rendered as Harness.dump does. */
    Map<String, String> liveDump() {
        Map<String, String> m = new TreeMap<>();
        for (Map.Entry<String, E> e : map.entrySet()) {
            if (live(e.getKey())) {
                E v = e.getValue();
                String type = v.type == 'i' ? "int" : v.type == 'j' ? "json" : "string";
                m.put(e.getKey(), type + ":" + v.text + "@" + v.expiry);
            }
        }
        return m;
    }

    // ---- writes: every one touches watchers ----

    private void touch(String k, boolean presentAfter) {
        for (S s : sessions) {
            Boolean expiredAtWatch = s.watched.get(k);
            if (expiredAtWatch == null) {
                continue;
            }
            if (expiredAtWatch && !presentAfter) {
                s.watched.put(k, false);
            } else {
                s.dirty = true;
            }
        }
    }

    private void put(String k, String text, long expiry) {
        map.put(k, new E(isLong(text) ? 'i' : 's', text, expiry));
        touch(k, true);
    }

    private void putTyped(String k, char type, String text, long expiry) {
        map.put(k, new E(type, text, expiry));
        touch(k, true);
    }

    private void del(String k) {
        map.remove(k);
        touch(k, false);
    }

    static boolean isLong(String s) {
        if (s.isEmpty() || s.length() > 20) {
            return false;
        }
        if (s.equals("0")) {
            return true;
        }
        if (!s.matches("-?[1-9][0-9]*")) {
            return false;
        }
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    // ---- dispatch ----

    Object exec(S s, String[] a) {
        String cmd = a[0].toUpperCase(java.util.Locale.ROOT);
        int argc = a.length;
        Integer arity = ARITY.get(cmd);
        if (arity == null) {
            throw new IllegalArgumentException("model does not know " + cmd);
        }
        if (arity >= 0 ? argc != arity : argc < -arity) {
            if (s.multi) {
                s.txError = true;
            }
            if (cmd.equals("EXEC")) {
                discard(s);
                return err("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command");
            }
            return err("ERR wrong number of arguments for '" + cmd.toLowerCase(java.util.Locale.ROOT) + "' command");
        }
        switch (cmd) {
            case "MULTI":
                if (s.multi) {
                    return err("ERR MULTI calls can not be nested");
                }
                s.multi = true;
                return OK;
            case "EXEC":
                return execTx(s);
            case "DISCARD":
                if (!s.multi) {
                    return err("ERR DISCARD without MULTI");
                }
                discard(s);
                return OK;
            case "WATCH":
                if (s.multi) {
                    return err("ERR WATCH inside MULTI is not allowed");
                }
                if (!s.dirty) {
                    for (int i = 1; i < argc; i++) {
                        if (!s.watched.containsKey(a[i])) {
                            E e = map.get(a[i]);
                            s.watched.put(a[i], e != null && e.expiry != 0 && now > e.expiry);
                        }
                    }
                }
                return OK;
            default:
                break;
        }
        if (s.multi) {
            s.queue.add(a);
            return new TreeSink.Status("QUEUED");
        }
        return run(s, cmd, a);
    }

    private void discard(S s) {
        s.multi = false;
        s.txError = false;
        s.queue.clear();
        s.watched.clear();
        s.dirty = false;
    }

    private Object execTx(S s) {
        if (!s.multi) {
            return err("ERR EXEC without MULTI");
        }
        if (s.txError) {
            discard(s);
            return err("EXECABORT Transaction discarded because of previous errors.");
        }
        boolean abort = s.dirty;
        for (Map.Entry<String, Boolean> w : s.watched.entrySet()) {
            E e = map.get(w.getKey());
            if (!w.getValue() && e != null && e.expiry != 0 && now > e.expiry) {
                abort = true;
            }
        }
        List<String[]> q = new ArrayList<>(s.queue);
        discard(s);
        if (abort) {
            return TreeSink.NIL_ARRAY;
        }
        List<Object> out = new ArrayList<>();
        for (String[] c : q) {
            out.add(run(s, c[0].toUpperCase(java.util.Locale.ROOT), c));
        }
        return out;
    }

    static final Map<String, Integer> ARITY = new HashMap<>();

    static {
        Object[][] t = {{"GET", 2}, {"SET", -3}, {"SETNX", 3}, {"SETEX", 4}, {"PSETEX", 4}, {"GETSET", 3},
            {"GETDEL", 2}, {"GETEX", -2}, {"MGET", -2}, {"MSET", -3}, {"MSETNX", -3}, {"APPEND", 3}, {"STRLEN", 2},
            {"INCR", 2}, {"INCRBY", 3}, {"DECR", 2}, {"DECRBY", 3}, {"DEL", -2}, {"EXISTS", -2}, {"TYPE", 2},
            {"RENAME", 3}, {"RENAMENX", 3}, {"EXPIRE", -3}, {"PEXPIRE", -3}, {"EXPIREAT", -3}, {"PEXPIREAT", -3},
            {"TTL", 2}, {"PTTL", 2}, {"PERSIST", 2}, {"DBSIZE", 1}, {"KEYS", 2}, {"PUT", -3}, {"FLUSHALL", -1},
            {"MULTI", 1}, {"EXEC", 1}, {"DISCARD", 1}, {"WATCH", -2}, {"UNWATCH", 1}};
        for (Object[] r : t) {
            ARITY.put((String) r[0], (Integer) r[1]);
        }
    }

    private static final TreeSink.Err NOT_INT = err("ERR value is not an integer or out of range");
    private static final TreeSink.Err SYNTAX = err("ERR syntax error");

    private Object run(S s, String cmd, String[] a) {
        switch (cmd) {
            case "GET": {
                E e = get(a[1]);
                return e == null ? null : e.text;
            }
            case "SET":
                return set(a);
            case "SETNX":
                if (get(a[1]) != null) {
                    return 0L;
                }
                put(a[1], a[2], 0);
                return 1L;
            case "SETEX":
            case "PSETEX": {
                Long ms = parse(a[2]);
                if (ms == null) {
                    return NOT_INT;
                }
                if (ms <= 0) {
                    return err("ERR invalid expire time in '" + cmd.toLowerCase() + "' command");
                }
                put(a[1], a[3], now + (cmd.equals("SETEX") ? ms * 1000 : ms));
                return OK;
            }
            case "GETSET": {
                E e = get(a[1]);
                put(a[1], a[2], 0);
                return e == null ? null : e.text;
            }
            case "GETDEL": {
                E e = get(a[1]);
                if (e != null) {
                    del(a[1]);
                }
                return e == null ? null : e.text;
            }
            case "GETEX":
                return getex(a);
            case "MGET": {
                List<Object> l = new ArrayList<>();
                for (int i = 1; i < a.length; i++) {
                    E e = get(a[i]);
                    l.add(e == null ? null : e.text);
                }
                return l;
            }
            case "MSET":
            case "MSETNX": {
                if (a.length % 2 == 0) {
                    return err("ERR wrong number of arguments for '" + cmd.toLowerCase() + "' command");
                }
                if (cmd.equals("MSETNX")) {
                    for (int i = 1; i < a.length; i += 2) {
                        if (get(a[i]) != null) {
                            return 0L;
                        }
                    }
                }
                for (int i = 1; i < a.length; i += 2) {
                    put(a[i], a[i + 1], 0);
                }
                return cmd.equals("MSET") ? OK : (Object) 1L;
            }
            case "APPEND": {
                E e = get(a[1]);
                String text = (e == null ? "" : e.text) + a[2];
                put(a[1], text, e == null ? 0 : e.expiry);
                return (long) text.length();
            }
            case "STRLEN": {
                E e = get(a[1]);
                return e == null ? 0L : (long) e.text.length();
            }
            case "INCR":
                return incr(a[1], 1);
            case "DECR":
                return incr(a[1], -1);
            case "INCRBY":
            case "DECRBY": {
                Long by = parse(a[2]);
                if (by == null) {
                    return NOT_INT;
                }
                if (cmd.equals("DECRBY")) {
                    if (by == Long.MIN_VALUE) {
                        return err("ERR decrement would overflow");
                    }
                    by = -by;
                }
                return incr(a[1], by);
            }
            case "DEL": {
                long n = 0;
                for (int i = 1; i < a.length; i++) {
                    if (get(a[i]) != null) {
                        del(a[i]);
                        n++;
                    }
                }
                return n;
            }
            case "EXISTS": {
                long n = 0;
                for (int i = 1; i < a.length; i++) {
                    if (get(a[i]) != null) {
                        n++;
                    }
                }
                return n;
            }
            case "TYPE": {
                E e = get(a[1]);
                return new TreeSink.Status(e == null ? "none" : e.type == 'j' ? "ReJSON-RL" : "string");
            }
            case "RENAME":
            case "RENAMENX": {
                boolean nx = cmd.equals("RENAMENX");
                E e = get(a[1]);
                if (e == null) {
                    return err("ERR no such key");
                }
                if (a[1].equals(a[2])) {
                    return nx ? (Object) 0L : OK;
                }
                if (nx && get(a[2]) != null) {
                    return 0L;
                }
                putTyped(a[2], e.type, e.text, e.expiry);
                del(a[1]);
                return nx ? (Object) 1L : OK;
            }
            case "EXPIRE":
            case "PEXPIRE":
            case "EXPIREAT":
            case "PEXPIREAT":
                return expire(cmd, a);
            case "TTL":
            case "PTTL": {
                E e = get(a[1]);
                if (e == null) {
                    return -2L;
                }
                if (e.expiry == 0) {
                    return -1L;
                }
                long t = Math.max(0, e.expiry - now);
                return cmd.equals("PTTL") ? t : (t + 500) / 1000;
            }
            case "PERSIST": {
                E e = get(a[1]);
                if (e == null || e.expiry == 0) {
                    return 0L;
                }
                putTyped(a[1], e.type, e.text, 0);
                return 1L;
            }
            case "DBSIZE":
                return new Range(liveCount(), size());
            case "KEYS": {
                List<Object> l = new ArrayList<>();
                for (String k : map.keySet()) {
                    if (live(k)) {
                        l.add(k);
                    }
                }
                return l;
            }
            case "PUT": {
                if (a.length == 3) {
                    put(a[1], a[2], 0);
                } else if (a[3].equalsIgnoreCase("string")) {
                    putTyped(a[1], 's', a[2], 0);
                } else if (a[3].equalsIgnoreCase("int")) {
                    if (parse(a[2]) == null) {
                        return NOT_INT;
                    }
                    putTyped(a[1], 'i', a[2], 0);
                } else {
                    return err("ERR unknown type, expected string, int or json");
                }
                return OK;
            }
            case "FLUSHALL":
                for (String k : new ArrayList<>(map.keySet())) {
                    del(k);
                }
                return OK;
            case "UNWATCH":
                s.watched.clear();
                s.dirty = false;
                return OK;
            default:
                throw new IllegalArgumentException(cmd);
        }
    }

    /** DBSIZE's expected reply: the engine may or may not have reclaimed expired keys yet. */
    record Range(long lo, long hi) {
    }

    static Long parse(String s) {
        return isLong(s) ? Long.parseLong(s) : null;
    }

    private Object incr(String k, long by) {
        E e = get(k);
        long v = 0;
        if (e != null) {
            Long p = parse(e.text);
            if (p == null) {
                return NOT_INT;
            }
            v = p;
        }
        if ((by < 0 && v < 0 && by < Long.MIN_VALUE - v) || (by > 0 && v > 0 && by > Long.MAX_VALUE - v)) {
            return err("ERR increment or decrement would overflow");
        }
        v += by;
        putTyped(k, 'i', Long.toString(v), e == null ? 0 : e.expiry);
        return v;
    }

    private Object set(String[] a) {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keep = false;
        long expiry = 0;
        for (int i = 3; i < a.length; i++) {
            String o = a[i].toUpperCase();
            switch (o) {
                case "NX":
                    nx = true;
                    break;
                case "XX":
                    xx = true;
                    break;
                case "GET":
                    get = true;
                    break;
                case "KEEPTTL":
                    keep = true;
                    break;
                default: {
                    long v = Long.parseLong(a[++i]);
                    if (v <= 0) {
                        return err("ERR invalid expire time in 'set' command");
                    }
                    expiry = o.equals("EX") ? now + v * 1000 : o.equals("PX") ? now + v : o.equals("EXAT") ? v * 1000 : v;
                    break;
                }
            }
        }
        if (nx && xx) {
            return SYNTAX;
        }
        E e = get(a[1]);
        Object reply = get ? (e == null ? null : e.text) : OK;
        if ((nx && e != null) || (xx && e == null)) {
            return get ? reply : null;
        }
        if (keep && e != null) {
            expiry = e.expiry;
        }
        put(a[1], a[2], expiry);
        return reply;
    }

    private Object getex(String[] a) {
        long when = 0;
        boolean persist = false;
        boolean at = false;
        if (a.length == 3) {
            persist = true;
        } else if (a.length == 4) {
            String o = a[2].toUpperCase();
            long v = Long.parseLong(a[3]);
            if (v <= 0) {
                return err("ERR invalid expire time in 'getex' command");
            }
            at = o.endsWith("AT");
            when = o.equals("EX") ? now + v * 1000 : o.equals("PX") ? now + v : o.equals("EXAT") ? v * 1000 : v;
        }
        E e = get(a[1]);
        if (e == null) {
            return null;
        }
        if (at && when <= now) {
            del(a[1]);
        } else if (when != 0) {
            putTyped(a[1], e.type, e.text, when);
        } else if (persist && e.expiry != 0) {
            putTyped(a[1], e.type, e.text, 0);
        }
        return e.text;
    }

    private Object expire(String cmd, String[] a) {
        String flag = a.length > 3 ? a[3].toUpperCase() : "";
        Long v = parse(a[2]);
        if (v == null) {
            return NOT_INT;
        }
        long when = cmd.startsWith("P") ? v : v * 1000;
        if (!cmd.endsWith("AT")) {
            when += now;
        }
        E e = get(a[1]);
        if (e == null) {
            return 0L;
        }
        long cur = e.expiry;
        if ((flag.equals("NX") && cur != 0) || (flag.equals("XX") && cur == 0)
                || (flag.equals("GT") && (cur == 0 || when <= cur)) || (flag.equals("LT") && cur != 0 && when >= cur)) {
            return 0L;
        }
        if (when <= now) {
            del(a[1]);
        } else {
            putTyped(a[1], e.type, e.text, when);
        }
        return 1L;
    }
}
