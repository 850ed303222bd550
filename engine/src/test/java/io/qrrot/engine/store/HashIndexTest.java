package io.qrrot.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link HashIndex} against a {@link HashMap}, with its probing invariants checked after every step. */
class HashIndexTest {
    private static final long SEED = Long.getLong("qrrot.seed", System.nanoTime());

    /** Every entry sits in the run that starts at its home slot: no empty slot between home and slot. */
    private static void checkInvariants(HashIndex index, Map<Long, Long> model, String what) {
        int capacity = index.capacity();
        assertEquals(1, Integer.bitCount(capacity), what);
        int count = 0;
        for (int slot = 0; slot < capacity; slot++) {
            if (index.valueAt(slot) == 0) {
                assertEquals(0, index.hashAt(slot), what + ": stale hash in an empty slot " + slot);
                continue;
            }
            count++;
            long hash = index.hashAt(slot);
            assertEquals(model.get(hash), index.valueAt(slot), what + ": value of slot " + slot);
            for (int i = index.home(hash); i != slot; i = (i + 1) & (capacity - 1)) {
                assertTrue(index.valueAt(i) != 0, what + ": gap at " + i + " between home and slot " + slot);
            }
        }
        assertEquals(model.size(), count, what);
        assertEquals(model.size(), index.size(), what);
        assertTrue(index.size() <= index.resizeThreshold(), what);
    }

    private static void run(long seed, int shardBits, int distinctHomes, int steps) {
        Random rnd = new Random(seed);
        HashIndex index = new HashIndex(1 + rnd.nextInt(40), 0.7f, shardBits);
        Map<Long, Long> model = new HashMap<>();
        List<Long> known = new ArrayList<>();
        long shard = shardBits == 0 ? 0 : (long) rnd.nextInt(1 << shardBits) << (64 - shardBits);
        for (int step = 0; step < steps; step++) {
            String what = "seed=" + seed + " shardBits=" + shardBits + " step=" + step;
            long hash;
            if (!known.isEmpty() && rnd.nextInt(3) == 0) {
                hash = known.get(rnd.nextInt(known.size()));
            } else {
                // Few distinct home prefixes make long runs, wrap-around and shifts on removal likely.
                long low = distinctHomes == 0 ? rnd.nextLong() : (long) rnd.nextInt(distinctHomes) << 40 | rnd.nextInt(1 << 20);
                hash = shard | (low >>> shardBits);
                if (rnd.nextInt(50) == 0) {
                    hash = shard | ((-1L >>> shardBits) - rnd.nextInt(3)); // homes at the very end: runs wrap
                }
                known.add(hash);
            }
            switch (rnd.nextInt(4)) {
                case 0 -> assertEquals(model.getOrDefault(hash, 0L), index.remove(hash), what);
                case 1 -> assertEquals(model.getOrDefault(hash, 0L), index.get(hash), what);
                default -> {
                    long value = 1 + rnd.nextInt(1_000_000);
                    assertEquals(model.getOrDefault(hash, 0L), index.put(hash, value), what);
                    model.put(hash, value);
                }
            }
            if (index.get(hash) == 0) {
                model.remove(hash);
            }
            if (step % 37 == 0 || step == steps - 1) {
                checkInvariants(index, model, what);
                for (Map.Entry<Long, Long> m : model.entrySet()) {
                    assertEquals(m.getValue(), index.get(m.getKey()), what);
                }
            }
        }
        index.free();
    }

    @Test
    void matchesAMapWithUniformHashes() {
        run(SEED, 6, 0, 20_000);
        run(SEED + 1, 0, 0, 5_000);
        run(SEED + 2, 16, 0, 5_000);
    }

    @Test
    void matchesAMapWhenHomesCluster() {
        // Clustered homes make runs as long as the table, and the invariant check walks each run: keep it short.
        run(SEED + 3, 6, 3, 3_000);
        run(SEED + 4, 0, 1, 1_500);
    }

    @Test
    void ascendingInsertsFillTheTableFrontToBack() {
        HashIndex index = new HashIndex(1024, 0.7f, 4);
        long shard = 5L << 60;
        int previous = -1;
        for (int i = 0; i < 700; i++) {
            long hash = shard | ((long) i << 50) | 12345;
            index.put(hash, i + 1);
            int home = index.home(hash);
            assertTrue(home >= previous, "home " + home + " after " + previous);
            previous = home;
        }
        for (int i = 0; i < 700; i++) {
            assertEquals(i + 1, index.valueAt(index.home(shard | ((long) i << 50) | 12345)));
        }
        index.free();
    }

    @Test
    void zeroCannotBeStoredAndCapacityIsAPowerOfTwo() {
        HashIndex index = new HashIndex(100, 0.7f, 6);
        assertEquals(128, index.capacity());
        assertEquals(89, index.resizeThreshold());
        HashIndex tiny = new HashIndex(0, 0.7f, 6);
        assertEquals(8, tiny.capacity());
        tiny.free();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> index.put(1, 0));
        assertEquals("0 marks an empty slot and cannot be stored", e.getMessage());
        for (int i = 0; i < 90; i++) {
            index.put(i * 0x0101_0101_0101_0101L, 7);
        }
        assertEquals(256, index.capacity());
        index.free();
    }
}
