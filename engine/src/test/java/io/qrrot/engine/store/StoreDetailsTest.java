package io.qrrot.engine.store;

import static io.qrrot.engine.store.StoreFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class StoreDetailsTest {

    @Test
    void sizeClassesAreTheSmallestFitInEightByteStepsUpTo512() {
        int previous = -1;
        for (int length = 0; length <= SlabAllocator.MAX_SMALL; length++) {
            int c = SlabAllocator.classOf(length);
            int size = SlabAllocator.classSize(c);
            assertTrue(size >= length && size >= SlabAllocator.MIN_BLOCK, "length " + length);
            assertTrue(c == 0 || SlabAllocator.classSize(c - 1) < length, "length " + length + " not in smallest class");
            assertTrue(c >= previous);
            previous = c;
            if (length <= 512) {
                assertTrue(size - Math.max(length, 16) < 8, "length " + length + " wastes " + (size - length));
            }
            assertEquals(0, size % 8);
        }
        assertEquals(SlabAllocator.CLASS_COUNT - 1, SlabAllocator.classOf(SlabAllocator.MAX_SMALL));
        assertEquals(-1, SlabAllocator.classOf(SlabAllocator.MAX_SMALL + 1));
        assertEquals(40, SlabAllocator.classSize(SlabAllocator.classOf(9 + 11 + 16)));
    }

    @Test
    void offHeapAndHeapKeysHashAndCompareAlike() {
        try (Keyspace keyspace = new Keyspace(KeyspaceConfig.defaults().withShards(2))) {
            byte[] key = bytes("some:key:with:more:than:sixteen:bytes");
            UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
            direct.putBytes(5, key);
            UnsafeBuffer heap = new UnsafeBuffer(new byte[64]);
            heap.putBytes(3, key);
            long h = keyspace.hash(key, 0, key.length);
            assertEquals(h, keyspace.hash(direct, 5, key.length));
            assertEquals(h, keyspace.hash(heap, 3, key.length));
            Shard shard = keyspace.shardFor(h);
            EntryView view = new EntryView();
            shard.lock();
            try {
                shard.put(heap, 3, key.length, h, EntryType.STRING, 0, direct, 5, 10);
                assertTrue(shard.find(direct, 5, key.length, h, view));
                assertTrue(view.keyEquals(heap, 3, key.length));
                assertEquals(10, view.valueLength());
                assertEquals('s', view.value().getByte(0));
            } finally {
                shard.unlock();
            }
        }
    }

    @Test
    void presizedShardsDoNotRehashWhileLoading() {
        int keys = 100_000;
        try (Keyspace keyspace = new Keyspace(KeyspaceConfig.defaults().withShards(16).withExpectedKeys(keys))) {
            StoreFixture store = new StoreFixture(keyspace);
            long indexBefore = store.stats().indexBytes();
            for (int i = 0; i < keys; i++) {
                store.put("key:" + i, "v");
            }
            assertEquals(indexBefore, store.stats().indexBytes());
            assertEquals(16 * 16384 * 16, indexBefore);
        }
    }

    @Test
    void configRejectsNonsenseWithTheReason() {
        KeyspaceConfig c = KeyspaceConfig.defaults();
        assertEquals("shards must be a power of two between 1 and 65536, got 3",
                assertThrows(IllegalArgumentException.class, () -> c.withShards(3)).getMessage());
        assertEquals("loadFactor must be between 0.1 and 0.9, got 0.95",
                assertThrows(IllegalArgumentException.class, () -> c.withLoadFactor(0.95f)).getMessage());
        assertEquals("maxMemoryBytes must be >= 0 (0 = unlimited), got -1",
                assertThrows(IllegalArgumentException.class, () -> c.withMaxMemoryBytes(-1)).getMessage());
        assertEquals("expectedKeys must be >= 0, got -5",
                assertThrows(IllegalArgumentException.class, () -> c.withExpectedKeys(-5)).getMessage());
    }

    @Test
    void statsSeparateLiveBlockAndAllocatedBytes() {
        try (Keyspace keyspace = new Keyspace(KeyspaceConfig.defaults().withShards(1))) {
            StoreFixture store = new StoreFixture(keyspace);
            store.put(bytes("k"), EntryType.JSON, 5, bytes("{\"a\":1}"));
            StoreStats s = store.stats();
            long live = 9 + 8 + 1 + 7;
            assertEquals(live, s.liveBytes());
            assertEquals(32, s.blockBytes());
            assertEquals(1024, s.allocatedBytes(), "first slab of the 32-byte class");
            assertEquals(1024 - live, s.fragmentationBytes());
            assertEquals(1, s.entries(EntryType.JSON));
            assertEquals(8 * 16, s.indexBytes());
            assertEquals(32 + 8 * 16, s.usedMemory());
            assertEquals(s.usedMemory(), keyspace.usedMemory());
            assertEquals("json", EntryType.name(EntryType.JSON));
        }
    }
}
