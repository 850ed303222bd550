package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A random workload of hash and string commands (transactions and expiries included) leaves a log whose
 * replay on an empty engine rebuilds exactly the same keyspace, applied once or three times (replay is
 * idempotent). Run with small encoding thresholds too, so hashes convert from packed to table mid-workload.
 * Seeded: the seed is printed, and {@code -Dseed=N} repeats a run.
 */
class HashReplayTest {
    private static final String[] KEYS = {"h1", "h2", "h3", "s1"};
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
            List<String> history = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                String[] cmd = command(r);
                history.add(String.join(" ", cmd));
                h.call(cmd);
                if (r.nextInt(50) == 0) {
                    h.clock.advance(r.nextInt(3000));
                }
            }
            try (Engine once = replay(h, 1, maxEntries, maxValue); Engine thrice = replay(h, 3, maxEntries, maxValue)) {
                String where = "seed=" + seed + ", last commands: "
                        + history.subList(Math.max(0, history.size() - 20), history.size());
                assertEquals(Harness.dump(h.engine), Harness.dump(once), where);
                assertEquals(Harness.dump(h.engine), Harness.dump(thrice), where);
            }
        }
    }

    private static Engine replay(Harness h, int times, int maxEntries, int maxValue) {
        Engine fresh = h.replay(0);
        fresh.setHashMaxListpackEntries(maxEntries);
        fresh.setHashMaxListpackValue(maxValue);
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
        switch (r.nextInt(16)) {
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
