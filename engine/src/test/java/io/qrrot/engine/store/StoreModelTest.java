package io.qrrot.engine.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;

/**
 * Random operations against the store and a HashMap model, with every counter recounted from the store's
 * structures and compared with the model. Replay a failure with {@code -Dqrrot.seed=N}.
 */
class StoreModelTest {
    /** What the model knows of one entry. */
    private record Value(byte type, long expiry, byte[] bytes) {
    }

    private static final class Key {
        final byte[] bytes;

        Key(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && Arrays.equals(bytes, ((Key) o).bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    @Test
    void matchesAHashMapWithARealHash() {
        run(KeyspaceConfig.defaults().withShards(8), 30_000, 2_000);
    }

    @Test
    void matchesAHashMapWhenKeysCollideConstantly() {
        run(KeyspaceConfig.defaults().withShards(4).withHasher(new CollidingHasher(7)), 15_000, 600);
    }

    @Test
    void matchesAHashMapWithASingleShardAndTwoHashes() {
        run(KeyspaceConfig.defaults().withShards(1).withHasher(new CollidingHasher(2)), 5_000, 150);
    }

    private void run(KeyspaceConfig config, int ops, int keySpace) {
        long seed = Seeds.seed();
        Random random = new Random(seed);
        String ctx = "seed=" + seed + " config=" + config;
        Map<Key, Value> model = new HashMap<>();
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < keySpace; i++) {
            int extra = random.nextInt(10) == 0 ? random.nextInt(300) : random.nextInt(12);
            byte[] k = new byte[extra];
            random.nextBytes(k);
            byte[] prefix = ("key:" + i + ":").getBytes();
            byte[] full = Arrays.copyOf(prefix, prefix.length + extra);
            System.arraycopy(k, 0, full, prefix.length, extra);
            keys.add(new Key(full));
        }
        try (Keyspace keyspace = new Keyspace(config)) {
            StoreFixture store = new StoreFixture(keyspace);
            for (int op = 0; op < ops; op++) {
                Key key = keys.get(random.nextInt(keys.size()));
                Value old = model.get(key);
                String at = ctx + " op=" + op;
                int choice = random.nextInt(100);
                if (choice < 35) {
                    byte type = random.nextBoolean() ? EntryType.STRING : EntryType.JSON;
                    long expiry = random.nextInt(3) == 0 ? 1_700_000_000_000L + random.nextInt(1000) : 0;
                    byte[] value = randomValue(random);
                    assertEquals(old != null, store.put(key.bytes, type, expiry, value), at);
                    model.put(key, new Value(type, expiry, value));
                } else if (choice < 45) {
                    long v = random.nextLong();
                    long expiry = random.nextInt(4) == 0 ? 5 + random.nextInt(50) : 0;
                    assertEquals(old != null, store.putLong(key.bytes, expiry, v), at);
                    model.put(key, new Value(EntryType.INT, expiry,
                            ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array()));
                } else if (choice < 60) {
                    // APPEND / SETRANGE: keep a prefix of the old value, write a tail.
                    int oldLength = old == null ? 0 : old.bytes.length;
                    int keep = old == null ? 0 : random.nextInt(oldLength + 1);
                    byte[] tail = randomValue(random);
                    if (random.nextInt(8) == 0) {
                        tail = new byte[random.nextInt(3) * 4000 + random.nextInt(200)];
                        random.nextBytes(tail);
                    }
                    byte type = random.nextBoolean() ? EntryType.STRING : EntryType.JSON;
                    long expiry = random.nextInt(3) == 0 ? random.nextInt(100_000) + 1 : 0;
                    store.replaceValue(key.bytes, type, expiry, keep, tail);
                    byte[] now = Arrays.copyOf(old == null ? new byte[0] : old.bytes, keep + tail.length);
                    System.arraycopy(tail, 0, now, keep, tail.length);
                    model.put(key, new Value(type, expiry, now));
                } else if (choice < 70) {
                    // SETRANGE past the end: zero gap filled by the store.
                    if (old != null && old.type != EntryType.INT) {
                        int newLength = old.bytes.length + random.nextInt(40);
                        Shard s = store.shard(key.bytes);
                        s.lock();
                        try {
                            MutableDirectBuffer b = s.replaceValue(StoreFixture.buf(key.bytes), 0, key.bytes.length,
                                    store.hash(key.bytes), old.type, old.expiry, newLength, old.bytes.length);
                            assertEquals(newLength, b.capacity(), at);
                        } finally {
                            s.unlock();
                        }
                        model.put(key, new Value(old.type, old.expiry, Arrays.copyOf(old.bytes, newLength)));
                    }
                } else if (choice < 80) {
                    long expiry = random.nextBoolean() ? 0 : random.nextInt(1 << 20) + 1;
                    assertEquals(old != null, store.setExpiry(key.bytes, expiry), at);
                    if (old != null) {
                        model.put(key, new Value(old.type, expiry, old.bytes));
                    }
                } else if (choice < 95) {
                    assertEquals(old != null, store.remove(key.bytes), at);
                    model.remove(key);
                } else {
                    check(store, key, old, at);
                }
                if (op % 997 == 0) {
                    checkAll(keyspace, store, model, at);
                }
            }
            checkAll(keyspace, store, model, ctx + " at the end");
            for (Key key : new ArrayList<>(model.keySet())) {
                assertTrue(store.remove(key.bytes), ctx);
                model.remove(key);
            }
            checkAll(keyspace, store, model, ctx + " after removing all");
            StoreStats s = store.stats();
            assertEquals(0, s.blockBytes(), ctx);
            assertEquals(s.indexBytes(), keyspace.usedMemory(), ctx);
            keyspace.clear();
            assertEquals(0, store.stats().allocatedBytes(), ctx);
        }
    }

    private static byte[] randomValue(Random random) {
        int size;
        int r = random.nextInt(100);
        if (r < 60) {
            size = random.nextInt(40);
        } else if (r < 90) {
            size = random.nextInt(600);
        } else if (r < 99) {
            size = 3000 + random.nextInt(3000);
        } else {
            size = 70_000 + random.nextInt(70_000);
        }
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    private static void check(StoreFixture store, Key key, Value expected, String at) {
        StoreFixture.Entry e = store.get(key.bytes);
        if (expected == null) {
            assertNull(e, at);
            return;
        }
        assertNotNull(e, at);
        assertEquals(expected.type, e.type(), at);
        assertEquals(expected.expiry, e.expiry(), at);
        assertArrayEquals(key.bytes, e.key(), at);
        assertArrayEquals(expected.bytes, e.value(), at);
    }

    private static void checkAll(Keyspace keyspace, StoreFixture store, Map<Key, Value> model, String at) {
        try {
            keyspace.verify();
        } catch (IllegalStateException e) {
            throw new AssertionError(at + ": " + e.getMessage(), e);
        }
        long live = 0;
        long[] types = new long[EntryType.COUNT];
        for (Map.Entry<Key, Value> e : model.entrySet()) {
            check(store, e.getKey(), e.getValue(), at);
            live += EntryLayout.length(e.getKey().bytes.length, e.getValue().bytes.length, e.getValue().expiry != 0);
            types[e.getValue().type]++;
        }
        StoreStats s = store.stats();
        assertEquals(model.size(), s.entries(), at);
        assertEquals(model.size(), keyspace.size(), at);
        assertEquals(live, s.liveBytes(), at);
        for (byte t = EntryType.STRING; t <= EntryType.JSON; t++) {
            assertEquals(types[t], s.entries(t), at + " type " + t);
        }
        assertEquals(s.usedMemory(), keyspace.usedMemory(), at);
        assertTrue(s.blockBytes() >= s.liveBytes(), at);
        assertTrue(s.allocatedBytes() >= s.blockBytes(), at);
        // A full scan returns every key exactly once when nothing changes during it.
        Map<Key, Integer> seen = new HashMap<>();
        long cursor = 0;
        do {
            cursor = keyspace.scan(cursor, 1 + (int) (cursor % 50), v -> {
                byte[] k = new byte[v.keyLength()];
                v.key().getBytes(0, k);
                seen.merge(new Key(k), 1, Integer::sum);
            });
        } while (cursor != 0);
        assertEquals(model.keySet(), seen.keySet(), at);
        for (Map.Entry<Key, Integer> e : seen.entrySet()) {
            assertEquals(1, e.getValue(), at + " scan visited a key twice without changes");
        }
    }
}
