package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A random workload of hash, set and string commands (transactions, renames and expiries included) leaves a
 * log whose replay on an empty engine rebuilds exactly the same keyspace. Recovery applies each record exactly
 * once (from a snapshot's base LSN on), which is what is checked: an element op names the element's resulting
 * payload, but applied a second time after a later SET of the key it would meet a string. Run with small
 * encoding thresholds too, so collections convert from packed or intset to table mid-workload. Seeded: the
 * seed is printed, and {@code -Dseed=N} repeats a run.
 */
class HashReplayTest {
    private static final String[] KEYS = {"h1", "h2", "h3", "s1", "t1", "t2"};
    private static final String[] FIELDS = {"a", "b", "c", "d", "e", "f", "", "long-field-name-xxxxxxxx"};

    @Test
    void replayRebuildsTheSameKeyspace() {
        run(128, 64);
    }

    @Test
    void replayRebuildsTheSameKeyspaceAcrossConversions() {
        run(3, 8);
    }

    private static void run(int maxEntries, int maxValue) {
        long seed = Long.getLong("seed", System.nanoTime());
        System.out.println("HashReplayTest seed=" + seed + " (-Dseed=" + seed + " to repeat)");
        Random r = new Random(seed);
        try (Harness h = new Harness()) {
            h.engine.setHashMaxListpackEntries(maxEntries);
            h.engine.setHashMaxListpackValue(maxValue);
            h.engine.setEncodingLimit("set-max-intset-entries", maxEntries);
            List<String> history = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                String[] cmd = command(r);
                history.add(String.join(" ", cmd));
                h.call(cmd);
                if (r.nextInt(50) == 0) {
                    h.clock.advance(r.nextInt(3000));
                }
            }
            try (Engine once = replay(h, 1, maxEntries, maxValue)) {
                String where = "seed=" + seed + ", last commands: "
                        + history.subList(Math.max(0, history.size() - 20), history.size());
                assertEquals(Harness.dump(h.engine), Harness.dump(once), where);
            }
        }
    }

    private static Engine replay(Harness h, int times, int maxEntries, int maxValue) {
        Engine fresh = h.replay(0);
        fresh.setHashMaxListpackEntries(maxEntries);
        fresh.setHashMaxListpackValue(maxValue);
        fresh.setEncodingLimit("set-max-intset-entries", maxEntries);
        for (int t = 0; t < times; t++) {
            for (byte[] rec : h.log.snapshot()) {
                fresh.applyEffect(new org.agrona.concurrent.UnsafeBuffer(rec), 0, rec.length);
            }
        }
        return fresh;
    }

    private static String[] command(Random r) {
        String k = KEYS[r.nextInt(KEYS.length)];
        String f = FIELDS[r.nextInt(FIELDS.length)];
        String v = r.nextInt(10) == 0 ? "v".repeat(r.nextInt(20)) : Integer.toString(r.nextInt(100) - 50);
        String m = r.nextBoolean() ? Integer.toString(r.nextInt(40) - 20) : FIELDS[r.nextInt(FIELDS.length)];
        switch (r.nextInt(24)) {
            case 16: case 17:
                return new String[] {"SADD", k, m, Integer.toString(r.nextInt(1000))};
            case 18:
                return new String[] {"SREM", k, m};
            case 19:
                // Now and then most of a set: SPOP then logs the set anew (a DEL and the members that stay).
                return new String[] {"SPOP", k, Integer.toString(r.nextInt(4) == 0 ? 4 + r.nextInt(20) : r.nextInt(3))};
            case 20:
                return new String[] {"SMOVE", k, KEYS[r.nextInt(KEYS.length)], m};
            case 21:
                return r.nextBoolean()
                        ? new String[] {"SINTERSTORE", k, KEYS[r.nextInt(KEYS.length)], KEYS[r.nextInt(KEYS.length)]}
                        : new String[] {"SDIFFSTORE", k, KEYS[r.nextInt(KEYS.length)], KEYS[r.nextInt(KEYS.length)],
                            KEYS[r.nextInt(KEYS.length)]};
            case 22:
                return new String[] {"SUNIONSTORE", k, KEYS[r.nextInt(KEYS.length)], KEYS[r.nextInt(KEYS.length)]};
            case 23:
                return new String[] {"COPY", k, KEYS[r.nextInt(KEYS.length)], "REPLACE"};
            case 0: case 1: case 2:
                return new String[] {"HSET", k, f, v, FIELDS[r.nextInt(FIELDS.length)], v + "x"};
            case 3:
                return new String[] {"HDEL", k, f, FIELDS[r.nextInt(FIELDS.length)]};
            case 4:
                return new String[] {"HINCRBY", k, f, Integer.toString(r.nextInt(20) - 10)};
            case 5:
                return new String[] {"HINCRBYFLOAT", k, f, "1.5"};
            case 6:
                return new String[] {"HSETNX", k, f, v};
            case 7:
                return new String[] {"SET", k, v};
            case 8:
                return new String[] {"DEL", k};
            case 9:
                return new String[] {"PEXPIRE", k, Integer.toString(r.nextInt(2000))};
            case 10:
                return new String[] {"RENAME", k, KEYS[r.nextInt(KEYS.length)]};
            case 11:
                return new String[] {"PERSIST", k};
            case 12:
                return new String[] {"MULTI"};
            case 13:
                return new String[] {"EXEC"};
            case 14:
                return new String[] {"HGETALL", k};
            default:
                return new String[] {"HMSET", k, f, v};
        }
    }
}
