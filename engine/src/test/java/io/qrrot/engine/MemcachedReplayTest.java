package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.engine.Memcached.Op;
import io.qrrot.engine.store.EntryType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Memcached items through the log and the loaders: replaying the effects rebuilds the items and raises the CAS
 * counter past every unique applied, as loading a snapshot's items does. Seeded: the seed is printed, and
 * {@code -Dseed=N} repeats a run.
 */
class MemcachedReplayTest {
    private static final String[] KEYS = {"a", "b", "c", "n", "r", "h"};

    @Test
    void replayRebuildsItemsAndRaisesTheCasCounter() {
        long seed = Long.getLong("seed", System.nanoTime());
        System.out.println("MemcachedReplayTest seed=" + seed + " (-Dseed=" + seed + " to repeat)");
        Random r = new Random(seed);
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            List<String> history = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                history.add(step(h, mc, r));
                if (r.nextInt(40) == 0) {
                    h.clock.advance(r.nextInt(5000));
                }
            }
            String where = "seed=" + seed + ", last: " + history.subList(history.size() - 20, history.size());
            try (Engine fresh = h.replay(1)) {
                assertEquals(Harness.dump(h.engine), Harness.dump(fresh), where);
                long last = h.engine.memcached().lastCas();
                // The replayed engine starts its counter at its own clock's microseconds, and raises it past
                // every unique it applies: never below the last one given out.
                assertTrue(fresh.memcached().lastCas() >= last, "every unique given out was logged; " + where);
                // A store on the replayed engine continues above every unique it applied.
                Session s = fresh.newSession();
                Mc.Recorder out = new Mc.Recorder(0);
                Memcached.Request req = new Memcached.Request();
                req.set(Op.SET, CommandArgs.of("new", "v"), 1, 0, 0, 0);
                fresh.executeMemcached(s, req, out, new CapturingLog());
                assertEquals(List.of("STORED"), out.lines);
                req.set(Op.GETS, CommandArgs.of("new"), 1, 0, 0, 0);
                out = new Mc.Recorder(0);
                fresh.executeMemcached(s, req, out, new CapturingLog());
                assertTrue(out.items.get(0).cas() > last, where);
                s.close();
            }
        }
    }

    private static String step(Harness h, Mc mc, Random r) {
        String k = KEYS[r.nextInt(KEYS.length)];
        String v = r.nextInt(3) == 0 ? Integer.toString(r.nextInt(200)) : "v".repeat(r.nextInt(5));
        int flags = r.nextInt(4) == 0 ? -r.nextInt(10) : r.nextInt(10);
        int exptime = r.nextInt(6) == 0 ? r.nextInt(20) - 2 : 0;
        switch (r.nextInt(16)) {
            case 0, 1, 2 -> {
                return "set " + k + " " + mc.set(k, flags, exptime, v);
            }
            case 3 -> {
                return "add " + k + " " + mc.store(Op.ADD, k, flags, exptime, v);
            }
            case 4 -> {
                return "replace " + k + " " + mc.store(Op.REPLACE, k, flags, exptime, v);
            }
            case 5 -> {
                return "append " + k + " " + mc.store(Op.APPEND, k, flags, exptime, v);
            }
            case 6 -> {
                return "prepend " + k + " " + mc.store(Op.PREPEND, k, flags, exptime, v);
            }
            case 7 -> {
                Mc.Item it = mc.get(k);
                long cas = it != null && r.nextBoolean() ? it.cas() : r.nextInt(50);
                return "cas " + k + " " + mc.cas(k, flags, exptime, v, cas);
            }
            case 8 -> {
                return "incr " + k + " " + mc.incr(k, r.nextInt(3) == 0 ? -1L - r.nextInt(3) : r.nextInt(100));
            }
            case 9 -> {
                return "decr " + k + " " + mc.decr(k, r.nextInt(100));
            }
            case 10 -> {
                return "touch " + k + " " + mc.touch(k, exptime);
            }
            case 11 -> {
                return "delete " + k + " " + mc.delete(k);
            }
            case 12 -> {
                return "gat " + k + " " + mc.run(Op.GAT, 0, exptime, 0, k);
            }
            case 13 -> {
                return "SET " + k + " " + h.call("SET", k, v);
            }
            case 14 -> {
                String to = KEYS[r.nextInt(KEYS.length)];
                return (r.nextBoolean() ? "RENAME " : "COPY ") + k + " " + to + " "
                        + (r.nextBoolean() ? h.call("RENAME", k, to) : h.call("COPY", k, to, "REPLACE"));
            }
            default -> {
                return r.nextBoolean() ? "HSET " + k + " " + h.call("HSET", k, "f", v)
                        : "EXPIRE " + k + " " + h.call("EXPIRE", k, Integer.toString(r.nextInt(10)));
            }
        }
    }

    private static UnsafeBuffer bytes(String s) {
        return new UnsafeBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static UnsafeBuffer itemValue(int flags, long cas, String text) {
        byte[] t = text.getBytes(StandardCharsets.ISO_8859_1);
        UnsafeBuffer b = new UnsafeBuffer(new byte[EntryType.ITEM_HEAD + t.length]);
        b.putInt(0, flags, EffectCodec.ORDER);
        b.putLong(EntryType.ITEM_CAS_OFFSET, cas, EffectCodec.ORDER);
        b.putBytes(EntryType.ITEM_HEAD, t);
        return b;
    }

    @Test
    void applyingAPutOfAnItemRaisesTheCounter() {
        try (Harness h = new Harness()) {
            ExpandableArrayBuffer rec = new ExpandableArrayBuffer();
            int len = EffectCodec.encodeHeader(rec, 0, 1);
            UnsafeBuffer text = bytes("abc");
            Mc mc = new Mc(h);
            len += EffectCodec.encodePutItem(rec, len, bytes("k"), 0, 1, 5, mc.base + 1000, text, 0, 3, text, 0, 0,
                    0);
            h.engine.applyEffect(rec, 0, len);
            assertEquals(1000, mc.lastCas());
            assertEquals(new Mc.Item("k", 5, "abc", 1000), mc.get("k"));
            len = EffectCodec.encodeHeader(rec, 0, 1);
            len += EffectCodec.encodePutItem(rec, len, bytes("j"), 0, 1, 0, 7, text, 0, 3, text, 0, 0, 0);
            h.engine.applyEffect(rec, 0, len);
            assertEquals(1000, mc.lastCas(), "a lower unique does not lower the counter");
            assertEquals("STORED", mc.set("k", 0, 0, "x"));
            assertEquals(1001, mc.get("k").cas());
        }
    }

    @Test
    void loadingAnItemRaisesTheCounter() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            h.engine.load(EffectCodec.TYPE_ITEM, bytes("k"), 0, 1, itemValue(3, mc.base + 500, "v"), 0, 13, 0);
            assertEquals(500, mc.lastCas());
            assertEquals(new Mc.Item("k", 3, "v", 500), mc.get("k"));
            try (BulkLoader loader = h.engine.newBulkLoader()) {
                UnsafeBuffer key = bytes("b");
                loader.load(loader.hash(key, 0, 1), EffectCodec.TYPE_ITEM, key, 0, 1, itemValue(4, mc.base + 900, "w"), 0, 13,
                        h.clock.millis() + 10_000);
                key = bytes("c");
                loader.load(loader.hash(key, 0, 1), EffectCodec.TYPE_ITEM, key, 0, 1, itemValue(4, 20, ""), 0, 12, 0);
            }
            assertEquals(900, mc.lastCas());
            assertEquals(new Mc.Item("b", 4, "w", 900), mc.get("b"));
            assertEquals(new Mc.Item("c", 4, "", 20), mc.get("c"), "a unique below the counter's start, as it is");
            assertEquals(10_000L, h.call("PTTL", "b"));
            assertEquals("STORED", mc.set("d", 0, 0, "x"));
            assertEquals(901, mc.get("d").cas());
            assertEquals(4, h.engine.stats().items());
        }
    }

    @Test
    void aShortItemIsRefused() {
        try (Harness h = new Harness()) {
            Mc mc = new Mc(h);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> h.engine.load(EffectCodec.TYPE_ITEM, bytes("k"), 0, 1, bytes("12345678901"), 0, 11, 0));
            assertEquals("a memcached item is at least 12 bytes, got 11", e.getMessage());
            try (BulkLoader loader = h.engine.newBulkLoader()) {
                e = assertThrows(IllegalArgumentException.class,
                        () -> loader.load(0, EffectCodec.TYPE_ITEM, bytes("k"), 0, 1, bytes("x"), 0, 1, 0));
                assertEquals("a memcached item is at least 12 bytes, got 1", e.getMessage());
            }
            assertEquals(0L, h.call("DBSIZE"));

            ExpandableArrayBuffer rec = new ExpandableArrayBuffer();
            int len = EffectCodec.encodeHeader(rec, 0, 1);
            len += EffectCodec.encodePut(rec, len, EffectCodec.TYPE_ITEM, bytes("k"), 0, 1, bytes("12345678901"), 0,
                    11, 0);
            int n = len;
            EffectFormatException f = assertThrows(EffectFormatException.class,
                    () -> EffectCodec.validate(rec, 0, n));
            assertEquals("malformed effect record at offset 8: PUT of a memcached item with value length 11,"
                    + " expected at least 12", f.getMessage());
            f = assertThrows(EffectFormatException.class, () -> h.engine.applyEffect(rec, 0, n));
            assertEquals("malformed effect record at offset 8: PUT of a memcached item with value length 11,"
                    + " expected at least 12", f.getMessage());
            assertEquals(0L, h.call("DBSIZE"));
            assertEquals(0, mc.lastCas());

            int ok = EffectCodec.encodeHeader(rec, 0, 1);
            ok += EffectCodec.encodePut(rec, ok, EffectCodec.TYPE_ITEM, bytes("k"), 0, 1, itemValue(0, 0, ""), 0, 12,
                    0);
            assertEquals(1, EffectCodec.validate(rec, 0, ok), "exactly a head: an empty item");
        }
    }
}
