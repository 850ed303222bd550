package io.qrrot.engine.store;

import static io.qrrot.engine.store.StoreFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * SCAN's guarantee: a key present from the start to the end of a full scan is returned at least once, while
 * other keys are inserted and removed between (and during) scan calls, and the index grows. Replay with
 * {@code -Dqrrot.seed=N}.
 */
class ScanGuaranteeTest {

    @Test
    void stableKeysAreSeenDespiteChurnAndResizesBetweenCalls() {
        interleaved(KeyspaceConfig.defaults().withShards(2), 300);
    }

    @Test
    void stableKeysAreSeenWithCollisionListsToo() {
        interleaved(KeyspaceConfig.defaults().withShards(1).withHasher(new CollidingHasher(50)), 100);
    }

    private void interleaved(KeyspaceConfig config, int rounds) {
        long seed = Seeds.seed();
        Random random = new Random(seed);
        try (Keyspace keyspace = new Keyspace(config)) {
            StoreFixture store = new StoreFixture(keyspace);
            List<String> churn = new ArrayList<>();
            int next = 0;
            for (int round = 0; round < rounds; round++) {
                String ctx = "seed=" + seed + " round=" + round;
                Set<String> stable = new HashSet<>();
                int stableCount = 1 + random.nextInt(300);
                for (int i = 0; i < stableCount; i++) {
                    String k = "stable:" + round + ":" + i;
                    store.put(k, "v");
                    stable.add(k);
                }
                Set<String> seen = new HashSet<>();
                long cursor = 0;
                int calls = 0;
                do {
                    cursor = keyspace.scan(cursor, 1 + random.nextInt(8), v -> seen.add(keyOf(v)));
                    calls++;
                    // Churn between calls: inserts (that grow the index) and removes (that shift runs back).
                    int ops = random.nextInt(30);
                    for (int i = 0; i < ops; i++) {
                        if (churn.isEmpty() || random.nextInt(100) < 55) {
                            String k = "churn:" + next++;
                            store.put(k, "c");
                            churn.add(k);
                        } else {
                            String k = churn.remove(random.nextInt(churn.size()));
                            assertTrue(store.remove(bytes(k)), ctx);
                        }
                    }
                    if (random.nextInt(200) == 0) {
                        // Sometimes drop most of the churn at once.
                        while (churn.size() > 10) {
                            assertTrue(store.remove(bytes(churn.remove(churn.size() - 1))), ctx);
                        }
                    }
                } while (cursor != 0);
                for (String k : stable) {
                    assertTrue(seen.contains(k), ctx + " calls=" + calls + ": stable key " + k + " was not returned");
                    assertTrue(store.remove(bytes(k)), ctx);
                }
            }
            keyspace.verify();
        }
    }

    @Test
    void stableKeysAreSeenWhileOtherThreadsWrite() throws Exception {
        long seed = Seeds.seed();
        try (Keyspace keyspace = new Keyspace(KeyspaceConfig.defaults().withShards(4))) {
            StoreFixture store = new StoreFixture(keyspace);
            Set<String> stable = new HashSet<>();
            for (int i = 0; i < 2000; i++) {
                store.put("stable:" + i, "v");
                stable.add("stable:" + i);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int id = t;
                Thread w = new Thread(() -> {
                    Random random = new Random(seed + id);
                    StoreFixture own = new StoreFixture(keyspace);
                    List<String> mine = new ArrayList<>();
                    int n = 0;
                    try {
                        while (!stop.get()) {
                            if (mine.isEmpty() || (mine.size() < 3000 && random.nextInt(100) < 52)) {
                                String k = "churn:" + id + ":" + n++;
                                own.put(k, "c");
                                mine.add(k);
                            } else {
                                own.remove(bytes(mine.remove(random.nextInt(mine.size()))));
                            }
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                writers.add(w);
                w.start();
            }
            try {
                Random random = new Random(seed);
                for (int round = 0; round < 10; round++) {
                    Set<String> seen = ConcurrentHashMap.newKeySet();
                    long cursor = 0;
                    do {
                        cursor = keyspace.scan(cursor, 1 + random.nextInt(64), v -> seen.add(keyOf(v)));
                        Thread.yield();
                    } while (cursor != 0);
                    for (String k : stable) {
                        assertTrue(seen.contains(k), "seed=" + seed + " round=" + round + ": " + k + " not returned");
                    }
                }
            } finally {
                stop.set(true);
                for (Thread w : writers) {
                    w.join();
                }
            }
            assertNull(failure.get(), "seed=" + seed + " writer failed: " + failure.get());
            keyspace.verify();
        }
    }

    @Test
    void aVisitorThatModifiesTheShardIsStopped() {
        try (Keyspace keyspace = new Keyspace(KeyspaceConfig.defaults().withShards(1))) {
            StoreFixture store = new StoreFixture(keyspace);
            store.put("a", "1");
            store.put("b", "2");
            Shard shard = keyspace.shard(0);
            shard.lock();
            try {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> shard.scan(0, 10, v -> {
                    byte[] k = new byte[v.keyLength()];
                    v.key().getBytes(0, k);
                    shard.remove(StoreFixture.buf(k), 0, k.length, keyspace.hash(k, 0, k.length));
                }));
                assertEquals("an EntryVisitor modified shard 0 during a scan; collect the keys and modify after scan()"
                        + " returns", e.getMessage());
            } finally {
                shard.unlock();
            }
        }
    }

    @Test
    void emptyKeyspaceScanEndsAtOnceAndRandomEntryFindsNothing() {
        try (Keyspace keyspace = new Keyspace(KeyspaceConfig.defaults())) {
            List<String> seen = new ArrayList<>();
            assertEquals(0, keyspace.scan(0, 10, v -> seen.add(keyOf(v))));
            assertTrue(seen.isEmpty());
            Shard shard = keyspace.shard(3);
            shard.lock();
            try {
                assertFalse(shard.randomEntry(12345L, new EntryView()));
            } finally {
                shard.unlock();
            }
        }
    }

    @Test
    void randomEntryReachesEveryKeyIncludingCollisionLists() {
        long seed = Seeds.seed();
        try (Keyspace keyspace = new Keyspace(KeyspaceConfig.defaults().withShards(1).withHasher(new CollidingHasher(5)))) {
            StoreFixture store = new StoreFixture(keyspace);
            Set<String> all = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                store.put("k" + i, "v");
                all.add("k" + i);
            }
            Random random = new Random(seed);
            Set<String> seen = new HashSet<>();
            EntryView view = new EntryView();
            Shard shard = keyspace.shard(0);
            shard.lock();
            try {
                for (int i = 0; i < 5000; i++) {
                    assertTrue(shard.randomEntry(random.nextLong(), view));
                    seen.add(keyOf(view));
                }
            } finally {
                shard.unlock();
            }
            assertEquals(all, seen, "seed=" + seed);
        }
    }

    static String keyOf(EntryView v) {
        byte[] k = new byte[v.keyLength()];
        v.key().getBytes(0, k);
        return new String(k, StandardCharsets.UTF_8);
    }
}
