package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.qrrot.engine.store.KeyHasher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

/**
 * Seeded random command sequences (two clients, transactions, WATCH, TTLs on a fake clock, active expiry)
 * against the engine and {@link Model}: replies and live state must agree, and replaying the captured
 * effects once or twice into a fresh engine must rebuild the same stored state. Replay a failure with
 * {@code -Dqrrot.seed=N}.
 */
class ModelTest {
    static final int ROUNDS = Integer.getInteger("qrrot.model.rounds", 1000);
    static final int STEPS = 400;

    /** Few distinct hashes: forces shared shards and hash collisions in the store and in effect lookups. */
    static final KeyHasher WEAK = new KeyHasher() {
        @Override
        public long hash(DirectBuffer key, int offset, int length) {
            return fold(KeyHasher.XX3.hash(key, offset, length));
        }

        @Override
        public long hash(byte[] key, int offset, int length) {
            return fold(KeyHasher.XX3.hash(key, offset, length));
        }

        private long fold(long h) {
            return h & 0x8000_0000_0000_0001L;
        }
    };

    @Test
    void engineMatchesModel() {
        long seed = Long.getLong("qrrot.seed", System.nanoTime());
        Random rnd = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            long roundSeed = rnd.nextLong();
            try {
                runRound(roundSeed, round);
            } catch (AssertionError e) {
                throw new AssertionError("seed=" + seed + " round " + round + " (round seed " + roundSeed + "): "
                        + e.getMessage(), e);
            }
        }
    }

    private void runRound(long seed, int round) {
        Random r = new Random(seed);
        EngineConfig cfg = EngineConfig.defaults().withShards(new int[] {1, 4, 16}[round % 3]);
        if (round % 4 == 3) {
            cfg = cfg.withHasher(WEAK);
        }
        try (Harness h = new Harness(cfg, 1_700_000_000_000L)) {
            Model m = new Model();
            m.now = h.clock.now;
            Session[] es = {h.session, h.engine.newSession()};
            Model.S[] ms = {m.newSession(), m.newSession()};
            ModelCommands gen = new ModelCommands(r, () -> h.clock.now);
            List<String> history = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                int action = r.nextInt(100);
                if (action < 8) {
                    long d = r.nextInt(4000);
                    h.clock.advance(d);
                    m.now = h.clock.now;
                    history.add("(clock +" + d + ")");
                    continue;
                }
                if (action < 11) {
                    h.engine.activeExpireCycle(h.log, 1 + r.nextInt(20));
                    history.add("(active expire, small budget)");
                    continue;
                }
                if (action < 12) {
                    h.engine.activeExpireCycle(h.log, 1_000_000);
                    m.reclaimExpired();
                    history.add("(active expire, everything)");
                    continue;
                }
                int who = r.nextInt(4) == 0 ? 1 : 0;
                String[] args = gen.next();
                Object expected = m.exec(ms[who], args);
                Object actual = h.call(es[who], args);
                history.add(who + "> " + String.join(" ", args) + " => " + actual);
                if (!matches(expected, actual)) {
                    int from = Math.max(0, history.size() - Integer.getInteger("qrrot.history", 30));
                    fail("step " + step + ": " + String.join(" ", args) + "\nexpected " + expected + "\n  actual " + actual
                            + "\nhistory:\n" + String.join("\n", history.subList(from, history.size())));
                }
            }
            assertEquals(m.liveDump(), live(Harness.dump(h.engine), h.clock.now), "live state");
            Map<String, String> stored = Harness.dump(h.engine);
            try (Engine once = h.replay(1); Engine twice = h.replay(2)) {
                assertEquals(stored, Harness.dump(once), "state rebuilt from the logged effects");
                assertEquals(stored, Harness.dump(twice), "state after replaying the effects twice");
            }
        }
    }

    static Map<String, String> live(Map<String, String> dump, long now) {
        Map<String, String> m = new TreeMap<>();
        for (Map.Entry<String, String> e : dump.entrySet()) {
            long exp = Long.parseLong(e.getValue().substring(e.getValue().lastIndexOf('@') + 1));
            if (exp == 0 || now <= exp) {
                m.put(e.getKey(), e.getValue());
            }
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    static boolean matches(Object expected, Object actual) {
        if (expected instanceof Model.Range) {
            Model.Range range = (Model.Range) expected;
            return actual instanceof Long && (Long) actual >= range.lo() && (Long) actual <= range.hi();
        }
        if (expected instanceof List && actual instanceof List) {
            List<Object> e = (List<Object>) expected;
            List<Object> a = (List<Object>) actual;
            if (e.size() != a.size()) {
                return false;
            }
            if (!e.isEmpty() && e.stream().allMatch(x -> x instanceof String) && a.stream().allMatch(x -> x instanceof String)
                    && !e.equals(a)) {
                // KEYS order is the engine's own: compare as sets
                List<Object> es = new ArrayList<>(e);
                List<Object> as = new ArrayList<>(a);
                es.sort(null);
                as.sort(null);
                if (es.equals(as)) {
                    return true;
                }
            }
            for (int i = 0; i < e.size(); i++) {
                if (!matches(e.get(i), a.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return java.util.Objects.equals(expected, actual);
    }
}
