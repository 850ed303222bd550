package io.qrrot.engine.store;

import static io.qrrot.engine.store.StoreFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShardBasicsTest {
    private final Keyspace keyspace = new Keyspace(KeyspaceConfig.defaults().withShards(4));
    private final StoreFixture store = new StoreFixture(keyspace);

    @AfterEach
    void close() {
        keyspace.close();
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void reserveIndexGrowsOnceKeepingEveryEntryAndTheAccounting() {
        for (int i = 0; i < 300; i++) {
            store.put(bytes("key" + i), EntryType.STRING, i % 3 == 0 ? 1000 + i : 0, pattern(i % 50, i));
        }
        long indexBefore = store.stats().indexBytes();
        for (int s = 0; s < keyspace.shardCount(); s++) {
            Shard shard = keyspace.shard(s);
            shard.lock();
            try {
                shard.reserveIndex(4000);
                shard.reserveIndex(100); // smaller: nothing changes
            } finally {
                shard.unlock();
            }
        }
        assertEquals(4 * 4096 * 16, store.stats().indexBytes());
        assertTrue(store.stats().indexBytes() > indexBefore);
        keyspace.verify();
        for (int i = 0; i < 300; i++) {
            StoreFixture.Entry e = store.get(bytes("key" + i));
            assertArrayEquals(pattern(i % 50, i), e.value(), "key" + i);
            assertEquals(i % 3 == 0 ? 1000 + i : 0, e.expiry());
        }
        assertEquals(4 * 4096 * 16 + store.stats().blockBytes(), keyspace.usedMemory());
    }

    @Test
    void putFindAndRemoveEveryTypeAndSize() {
        int[] sizes = {0, 1, 7, 8, 9, 15, 16, 17, 100, 487, 488, 489, 500, 512, 513, 1000, 4000, 4078, 4079, 4080,
            4096, 4097, 65536, 1 << 20, 3 << 20};
        byte[] key = bytes("k");
        for (byte type : new byte[] {EntryType.STRING, EntryType.JSON}) {
            for (int size : sizes) {
                byte[] value = pattern(size, size);
                assertFalse(store.put(key, type, 0, value), "size " + size);
                StoreFixture.Entry e = store.get(key);
                assertEquals(type, e.type());
                assertEquals(0, e.expiry());
                assertArrayEquals(key, e.key());
                assertArrayEquals(value, e.value(), "size " + size);
                assertTrue(store.remove(key));
                assertNull(store.get(key));
                assertFalse(store.remove(key));
            }
        }
        StoreStats s = store.stats();
        assertEquals(0, s.entries());
        assertEquals(0, s.liveBytes());
        assertEquals(0, s.blockBytes());
    }

    @Test
    void replacesAcrossEverySizeWithAndWithoutExpiry() {
        int[] sizes = {0, 8, 16, 480, 700, 4079, 4096, 5000, 1 << 20, 10, 0};
        byte[] key = bytes("key:1");
        boolean exists = false;
        int round = 0;
        for (int size : sizes) {
            for (long expiry : new long[] {0, 1_700_000_000_000L, 0}) {
                byte[] value = pattern(size, round++);
                assertEquals(exists, store.put(key, EntryType.STRING, expiry, value));
                exists = true;
                StoreFixture.Entry e = store.get(key);
                assertArrayEquals(value, e.value());
                assertEquals(expiry, e.expiry());
                StoreStats s = store.stats();
                assertEquals(1, s.entries());
                assertEquals(EntryLayout.length(key.length, size, expiry != 0), s.liveBytes());
            }
        }
    }

    @Test
    void intsAreEightBytesInline() {
        byte[] key = bytes("counter");
        assertFalse(store.putLong(key, 0, -5));
        assertEquals(-5, longValue(key));
        assertTrue(store.putLong(key, 0, Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, longValue(key));
        assertEquals(EntryType.INT, store.get(key).type());
        assertArrayEquals(new byte[] {-1, -1, -1, -1, -1, -1, -1, 0x7f}, store.get(key).value());
        assertEquals(1, store.stats().entries(EntryType.INT));
        assertTrue(store.put(key, EntryType.STRING, 0, bytes("x")));
        assertEquals(0, store.stats().entries(EntryType.INT));
        assertEquals(1, store.stats().entries(EntryType.STRING));
        Shard s = store.shard(key);
        s.lock();
        try {
            UnsafeBuffer k = StoreFixture.buf(key);
            long h = store.hash(key);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.put(k, 0, key.length, h, EntryType.INT, 0, StoreFixture.buf(new byte[7]), 0, 7));
            assertEquals("an INT value is 8 bytes, got 7", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> s.put(k, 0, key.length, h, (byte) 9, 0, StoreFixture.buf(new byte[1]), 0, 1));
            assertEquals("unknown entry type 9; expected 1 (STRING), 2 (INT), 3 (JSON), 4 (HASH), 5 (LIST), 6 (SET),"
                    + " 7 (ZSET) or 8 (ITEM)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> s.replaceValue(k, 0, key.length, h, EntryType.INT, 0, 9, 0));
            assertEquals("an INT value is 8 bytes, got 9", e.getMessage());
            EntryView v = new EntryView();
            assertTrue(s.find(k, 0, key.length, h, v));
            IllegalStateException ise = assertThrows(IllegalStateException.class, v::longValue);
            assertEquals("entry is a string, not an int", ise.getMessage());
        } finally {
            s.unlock();
        }
    }

    private long longValue(byte[] key) {
        Shard s = store.shard(key);
        s.lock();
        try {
            EntryView v = new EntryView();
            assertTrue(s.find(StoreFixture.buf(key), 0, key.length, store.hash(key), v));
            return v.longValue();
        } finally {
            s.unlock();
        }
    }

    @Test
    void replaceValueKeepsPrefixAndZeroesTheRest() {
        byte[] key = bytes("append");
        store.replaceValue(key, EntryType.STRING, 0, 0, bytes("ab"));
        assertEquals("ab", store.get(key).valueString());
        // Grow in place (same size class), then across classes, then into a large block and beyond.
        StringBuilder expected = new StringBuilder("ab");
        for (int i = 0; i < 3000; i++) {
            String piece = "-" + i;
            store.replaceValue(key, EntryType.STRING, 0, expected.length(), bytes(piece));
            expected.append(piece);
        }
        assertEquals(expected.toString(), store.get(key).valueString());
        // SETRANGE-like: keep 3 bytes, new length 10, gap must be zero.
        Shard s = store.shard(key);
        s.lock();
        try {
            var b = s.replaceValue(StoreFixture.buf(key), 0, key.length, store.hash(key), EntryType.STRING, 0, 10, 3);
            assertEquals(10, b.capacity());
            byte[] got = new byte[10];
            b.getBytes(0, got);
            assertArrayEquals(new byte[] {'a', 'b', '-', 0, 0, 0, 0, 0, 0, 0}, got);
            assertThrows(IllegalArgumentException.class,
                    () -> s.replaceValue(StoreFixture.buf(key), 0, key.length, store.hash(key), EntryType.STRING, 0, 20, 11));
            byte[] missing = bytes("missing");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.replaceValue(StoreFixture.buf(missing), 0, missing.length, store.hash(missing), EntryType.STRING, 0, 5, 1));
            assertEquals("keepPrefixOfOld must be 0 for a missing key, got 1", e.getMessage());
        } finally {
            s.unlock();
        }
        assertEquals(1, store.stats().entries());
        assertEquals(EntryLayout.length(key.length, 10, false), store.stats().liveBytes());
    }

    @Test
    void replaceValueMovesKeyAndPrefixWhenTheExpiryFlagChanges() {
        byte[] key = bytes("moving-key");
        for (int size : new int[] {5, 20, 5000}) {
            byte[] value = pattern(size, 3);
            store.put(key, EntryType.STRING, 0, value);
            // Add an expiry while keeping everything: the key and value shift by 8 bytes.
            store.replaceValue(key, EntryType.JSON, 123L, size, new byte[0]);
            StoreFixture.Entry e = store.get(key);
            assertEquals(EntryType.JSON, e.type());
            assertEquals(123L, e.expiry());
            assertArrayEquals(value, e.value());
            store.replaceValue(key, EntryType.STRING, 0, size, bytes("!"));
            e = store.get(key);
            assertEquals(0, e.expiry());
            byte[] longer = Arrays.copyOf(value, size + 1);
            longer[size] = '!';
            assertArrayEquals(longer, e.value());
            assertArrayEquals(key, e.key());
        }
    }

    @Test
    void setExpiryInPlaceAndByMoving() {
        for (int size : new int[] {0, 4, 3, 4078, 4079, 4080, 5000, 1 << 20}) {
            byte[] key = bytes("ttl" + size);
            byte[] value = pattern(size, size);
            store.put(key, EntryType.STRING, 0, value);
            assertTrue(store.setExpiry(key, 1000));
            assertEquals(1000, store.get(key).expiry());
            assertTrue(store.setExpiry(key, 2000));
            assertEquals(2000, store.get(key).expiry());
            assertArrayEquals(value, store.get(key).value());
            assertTrue(store.setExpiry(key, 0));
            assertEquals(0, store.get(key).expiry());
            assertArrayEquals(value, store.get(key).value());
            assertArrayEquals(key, store.get(key).key());
            assertTrue(store.setExpiry(key, 0));
            assertEquals(EntryLayout.length(key.length, size, false), liveBytesOf(key));
            assertTrue(store.remove(key));
        }
        assertFalse(store.setExpiry(bytes("nope"), 5));
        assertEquals(0, store.stats().blockBytes());
    }

    private long liveBytesOf(byte[] key) {
        return store.stats().liveBytes();
    }

    @Test
    void putMayCopyFromAViewOfTheEntryItReplaces() {
        byte[] key = bytes("self");
        byte[] value = pattern(300, 1);
        store.put(key, EntryType.STRING, 0, value);
        Shard s = store.shard(key);
        long h = store.hash(key);
        s.lock();
        try {
            EntryView v = new EntryView();
            assertTrue(s.find(StoreFixture.buf(key), 0, key.length, h, v));
            // Same size class, value aliases the old entry: SET key GETRANGE(key, 10, 299).
            s.put(v.key(), 0, v.keyLength(), h, EntryType.STRING, 77, v.value(), 10, 290);
            assertTrue(s.find(StoreFixture.buf(key), 0, key.length, h, v));
            byte[] got = new byte[v.valueLength()];
            v.value().getBytes(0, got);
            assertArrayEquals(Arrays.copyOfRange(value, 10, 300), got);
            assertEquals(77, v.expiry());
        } finally {
            s.unlock();
        }
    }

    @Test
    void maxMemoryRefusesWritesWithRedisTextAndChangesNothing() {
        Keyspace small = new Keyspace(KeyspaceConfig.defaults().withShards(2).withMaxMemoryBytes(64 * 1024));
        try {
            StoreFixture f = new StoreFixture(small);
            int i = 0;
            StoreMemoryException refused = null;
            while (refused == null) {
                try {
                    f.put(bytes("key:" + i), EntryType.STRING, 0, pattern(100, i));
                    i++;
                } catch (StoreMemoryException e) {
                    refused = e;
                }
            }
            assertEquals("OOM command not allowed when used memory > 'maxmemory'.", refused.getMessage());
            assertTrue(i > 100, "stored " + i);
            StoreStats before = f.stats();
            assertTrue(before.usedMemory() <= 64 * 1024);
            assertNull(f.get(bytes("key:" + i)));
            // A growing replace is refused too and leaves the old value.
            byte[] big = pattern(60_000, 1);
            StoreMemoryException e = assertThrows(StoreMemoryException.class,
                    () -> f.put(bytes("key:0"), EntryType.STRING, 0, big));
            assertEquals(StoreMemoryException.MAXMEMORY_MESSAGE, e.getMessage());
            assertArrayEquals(pattern(100, 0), f.get(bytes("key:0")).value());
            assertThrows(StoreMemoryException.class, () -> f.replaceValue(bytes("key:0"), EntryType.STRING, 0, 100, big));
            assertArrayEquals(pattern(100, 0), f.get(bytes("key:0")).value());
            StoreStats after = f.stats();
            assertEquals(before.toString(), after.toString());
            assertEquals(after.usedMemory(), small.usedMemory());
            // Same-size overwrites, removes and shrinking still work.
            f.put(bytes("key:1"), EntryType.STRING, 0, pattern(100, 9));
            assertTrue(f.remove(bytes("key:2")));
            f.put(bytes("key:" + i), EntryType.STRING, 0, pattern(100, i));
            assertArrayEquals(pattern(100, i), f.get(bytes("key:" + i)).value());
        } finally {
            small.close();
        }
    }

    @Test
    void clearAndCloseGiveEverythingBack() {
        for (int i = 0; i < 5000; i++) {
            store.put(bytes("key:" + i), EntryType.STRING, i % 3 == 0 ? 99 : 0, pattern(i % 700 + (i % 50 == 0 ? 9000 : 0), i));
        }
        StoreStats s = store.stats();
        assertEquals(5000, s.entries());
        assertTrue(s.allocatedBytes() > s.liveBytes());
        keyspace.clear();
        s = store.stats();
        assertEquals(0, s.entries());
        assertEquals(0, s.liveBytes());
        assertEquals(0, s.blockBytes());
        assertEquals(0, s.allocatedBytes());
        assertEquals(s.indexBytes(), keyspace.usedMemory());
        assertEquals(4 * 8 * 16, s.indexBytes());
        assertNull(store.get("key:1"));
        store.put("again", "yes");
        assertEquals("yes", store.get("again").valueString());
        keyspace.close();
        assertEquals(0, keyspace.usedMemory());
        keyspace.close();
        Shard shard = keyspace.shard(0);
        shard.lock();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, shard::size);
            assertEquals("the keyspace is closed", e.getMessage());
        } finally {
            shard.unlock();
        }
    }
}
