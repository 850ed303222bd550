package io.qrrot.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;

/** Runs memcached requests on a {@link Harness}'s engine and records what the {@link Memcached.Sink} receives. */
final class Mc {
    /** One item a retrieval sent: key, client flags, bytes (ISO-8859-1) and CAS unique. */
    record Item(String key, int flags, String value, long cas) {
    }

    /**
     * A Sink that records every call; an error replaces what came before it, as the server's reply does. CAS
     * uniques the counter gave out are recorded less {@code base} (the counter when the engine started, the
     * clock's microseconds), so a test's first store has unique 1.
     */
    static final class Recorder implements Memcached.Sink {
        final List<Item> items = new ArrayList<>();
        final List<String> lines = new ArrayList<>();
        private final long base;

        Recorder(long base) {
            this.base = base;
        }

        @Override
        public void value(DirectBuffer key, int koff, int klen, int flags, DirectBuffer data, int off, int len,
                          long cas, long expiry) {
            Item it = new Item(Harness.str(key, koff, klen), flags, Harness.str(data, off, len), relative(cas, base));
            items.add(it);
            lines.add("VALUE " + it.key() + " " + Integer.toUnsignedString(flags) + " " + it.value() + " "
                    + Long.toUnsignedString(it.cas()));
        }

        @Override
        public void status(Memcached.Status status) {
            lines.add(status.name());
        }

        @Override
        public void number(long value) {
            lines.add(Long.toUnsignedString(value));
        }

        @Override
        public void error(String line) {
            items.clear();
            lines.clear();
            lines.add(line);
        }
    }

    final Harness h;
    final Memcached.Request request = new Memcached.Request();
    /** The CAS counter when the engine started: uniques are shown and sent relative to it. */
    final long base;
    Recorder last;
    long lastLsn;

    Mc(Harness h) {
        this.h = h;
        this.base = h.engine.memcached().lastCas();
    }

    /** A counter unique as the tests write it (1 for the first store); a derived one (top bit set) as it is. */
    static long relative(long cas, long base) {
        return cas >= base ? cas - base : cas;
    }

    /** {@code v} as 16 hex digits, little-endian: how a CAS unique appears in a logged item's head. */
    static String hex(long v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            sb.append(String.format("%02x", (v >>> (8 * i)) & 0xff));
        }
        return sb.toString();
    }

    /** The counter's last unique, relative to {@link #base}. */
    long lastCas() {
        return h.engine.memcached().lastCas() - base;
    }

    /** Runs one request; its arguments are the keys, or for a storage request the key and the bytes. */
    List<String> run(Memcached.Op op, int flags, int exptime, long number, String... args) {
        CommandArgs a = new CommandArgs();
        for (String x : args) {
            a.add(x.getBytes(StandardCharsets.ISO_8859_1));
        }
        boolean retrieval = op == Memcached.Op.GET || op == Memcached.Op.GETS || op == Memcached.Op.GAT
                || op == Memcached.Op.GATS;
        if (op == Memcached.Op.CAS && number > 0) {
            number += base; // a unique as the tests write it
        }
        request.set(op, a, retrieval ? args.length : 1, flags, exptime, number);
        last = new Recorder(base);
        lastLsn = h.engine.executeMemcached(h.session, request, last, h.log);
        return last.lines;
    }

    /** A storage request's single reply line. */
    String store(Memcached.Op op, String key, int flags, int exptime, String value) {
        return one(run(op, flags, exptime, 0, key, value));
    }

    String set(String key, int flags, int exptime, String value) {
        return store(Memcached.Op.SET, key, flags, exptime, value);
    }

    String cas(String key, int flags, int exptime, String value, long cas) {
        return one(run(Memcached.Op.CAS, flags, exptime, cas, key, value));
    }

    String delete(String key) {
        return one(run(Memcached.Op.DELETE, 0, 0, 0, key));
    }

    String touch(String key, int exptime) {
        return one(run(Memcached.Op.TOUCH, 0, exptime, 0, key));
    }

    String incr(String key, long delta) {
        return one(run(Memcached.Op.INCR, 0, 0, delta, key));
    }

    String decr(String key, long delta) {
        return one(run(Memcached.Op.DECR, 0, 0, delta, key));
    }

    /** gets of keys: the items found (END checked). */
    List<Item> gets(String... keys) {
        List<String> lines = run(Memcached.Op.GETS, 0, 0, 0, keys);
        if (!lines.get(lines.size() - 1).equals("END")) {
            throw new AssertionError("no END: " + lines);
        }
        return new ArrayList<>(last.items);
    }

    /** The one item under {@code key}, or null on a miss. */
    Item get(String key) {
        List<Item> items = gets(key);
        return items.isEmpty() ? null : items.get(0);
    }

    private static String one(List<String> lines) {
        if (lines.size() != 1) {
            throw new AssertionError("expected one line, got " + lines);
        }
        return lines.get(0);
    }
}
