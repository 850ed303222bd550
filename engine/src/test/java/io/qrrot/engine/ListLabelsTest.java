package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qrrot.engine.store.CollectionView;
import io.qrrot.engine.store.EntryType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The rare paths of list labels, set up by loading lists whose labels are where a long life would leave them:
 * at the ends of the label space (a push rewrites the list with fresh labels, keeping its TTL) and packed
 * without gaps (LINSERT relabels a window, or the whole list). Each case checks the list and its TTL, then that
 * the log replayed on an engine loaded the same way rebuilds the same list.
 */
class ListLabelsTest {
    private static final long MAX = CollectionView.LABEL_MAX;
    private static final long MIN = CollectionView.LABEL_MIN;
    private static final long S = CollectionView.LABEL_STRIDE;
    private static final long EXPIRY = 4_102_444_800_000L; // 2100-01-01

    @Test
    void rpushAtTheTopOfTheLabelSpaceRewritesTheList() {
        check(new long[] {MAX - 3 * S, MAX - 2 * S, MAX - S, MAX}, h -> {
            assertEquals(6L, h.call("RPUSH", "l", "x", "y"));
            assertEquals(7L, h.call("RPUSH", "l", "z"));
        }, "e0", "e1", "e2", "e3", "x", "y", "z");
    }

    @Test
    void lpushAtTheBottomOfTheLabelSpaceRewritesTheList() {
        check(new long[] {MIN, MIN + S, MIN + 2 * S}, h -> assertEquals(5L, h.call("LPUSH", "l", "x", "y")),
                "y", "x", "e0", "e1", "e2");
    }

    @Test
    void lmoveOntoItselfAtTheTopRewritesTheRest() {
        check(new long[] {MAX - 2 * S, MAX - S, MAX}, h -> {
            assertEquals("e0", h.call("LMOVE", "l", "l", "LEFT", "RIGHT"));
            assertEquals(List.of("e1", "e2", "e0"), strings(h.call("LRANGE", "l", "0", "-1")));
            assertEquals("e0", h.call("RPOPLPUSH", "l", "l"));
        }, "e0", "e1", "e2");
    }

    @Test
    void linsertBetweenAdjacentLabelsRelabelsAWindow() {
        long[] labels = new long[40];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = 1000 + i; // no room between any two
        }
        String[] expected = new String[41 + 20];
        check(labels, h -> {
            assertEquals(41L, h.call("LINSERT", "l", "BEFORE", "e20", "new"));
            for (int i = 0; i < 20; i++) { // the same spot again and again
                assertEquals(42L + i, h.call("LINSERT", "l", "AFTER", "e19", "n" + i));
            }
        }, listWithInserts(expected));
    }

    @Test
    void linsertIntoAListWithNoRoomAnywhereRewritesIt() {
        check(new long[] {MAX - 2, MAX - 1, MAX}, h -> assertEquals(4L, h.call("LINSERT", "l", "AFTER", "e0", "x")),
                "e0", "x", "e1", "e2");
    }

    private static String[] listWithInserts(String[] into) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            l.add("e" + i);
        }
        l.add(20, "new");
        for (int i = 0; i < 20; i++) {
            l.add(20, "n" + i); // AFTER e19 lands right after it, before the ones inserted earlier
        }
        return l.toArray(into);
    }

    private interface Steps {
        void run(Harness h);
    }

    private static void check(long[] labels, Steps steps, String... expected) {
        try (Harness h = new Harness()) {
            load(h.engine, labels);
            steps.run(h);
            assertEquals(Arrays.asList(expected), strings(h.call("LRANGE", "l", "0", "-1")));
            long ttl = (Long) h.call("PTTL", "l");
            assertEquals(true, ttl > 0, "the TTL survives: " + ttl);
            try (Engine replayed = new Engine(EngineConfig.defaults().withShards(4), h.clock)) {
                load(replayed, labels);
                for (byte[] r : h.log.snapshot()) {
                    replayed.applyEffect(new UnsafeBuffer(r), 0, r.length);
                }
                Session s = replayed.newSession();
                TreeSink sink = new TreeSink();
                replayed.execute(s, CommandArgs.of("LRANGE", "l", "0", "-1"), sink, EffectLog.NONE);
                assertEquals(Arrays.asList(expected), strings(sink.take()));
                s.close();
            }
        }
    }

    private static void load(Engine e, long[] labels) {
        UnsafeBuffer key = new UnsafeBuffer("l".getBytes(StandardCharsets.US_ASCII));
        UnsafeBuffer label = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < labels.length; i++) {
            CollectionView.putLabel(label, 0, labels[i]);
            byte[] v = ("e" + i).getBytes(StandardCharsets.US_ASCII);
            e.loadElement(EntryType.LIST, key, 0, 1, EXPIRY, label, 0, 8, new UnsafeBuffer(v), 0, v.length);
        }
    }

    private static List<String> strings(Object reply) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) reply) {
            out.add(o instanceof byte[] b ? new String(b, StandardCharsets.US_ASCII) : String.valueOf(o));
        }
        return out;
    }
}
