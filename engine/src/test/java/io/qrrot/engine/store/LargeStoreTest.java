package io.qrrot.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Sizes that take seconds and gigabytes: run with {@code -DexcludedGroups=none -Dgroups=long}. */
@Tag("long")
class LargeStoreTest {

    private static long word(long i) {
        return i * 0x9E3779B97F4A7C15L ^ (i >>> 3);
    }

    @Test
    void storesFindsGrowsAndFreesA512MiBValue() {
        int size = 512 << 20;
        UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        for (int i = 0; i < size / 8; i++) {
            value.putLong(i * 8, word(i));
        }
        byte[] key = StoreFixture.bytes("big");
        UnsafeBuffer k = StoreFixture.buf(key);
        try (Keyspace keyspace = new Keyspace(KeyspaceConfig.defaults().withShards(2))) {
            long hash = keyspace.hash(key, 0, key.length);
            Shard shard = keyspace.shardFor(hash);
            EntryView view = new EntryView();
            shard.lock();
            try {
                shard.put(k, 0, key.length, hash, EntryType.STRING, 0, value, 0, size);
                assertTrue(shard.find(k, 0, key.length, hash, view));
                assertEquals(size, view.valueLength());
                assertWords(view.value(), size / 8);
                // APPEND 100 bytes: the value moves once into a block with headroom, then grows in place.
                MutableDirectBuffer grown = shard.replaceValue(k, 0, key.length, hash, EntryType.STRING, 0, size + 100, size);
                grown.setMemory(size, 100, (byte) 7);
                assertTrue(shard.find(k, 0, key.length, hash, view));
                long address = view.address();
                shard.replaceValue(k, 0, key.length, hash, EntryType.STRING, 0, size + 200, size + 100)
                        .setMemory(size + 100, 100, (byte) 8);
                assertTrue(shard.find(k, 0, key.length, hash, view));
                assertEquals(address, view.address(), "second append should not move the value");
                assertEquals(size + 200, view.valueLength());
                assertWords(view.value(), size / 8);
                assertEquals(7, view.value().getByte(size + 99));
                assertEquals(8, view.value().getByte(size + 199));
                assertTrue(shard.setExpiry(k, 0, key.length, hash, 42L));
                assertTrue(shard.find(k, 0, key.length, hash, view));
                assertEquals(42L, view.expiry());
                assertEquals(8, view.value().getByte(size + 199));
                StoreStats stats = new StoreStats();
                shard.addStatsTo(stats);
                assertEquals(EntryLayout.length(key.length, size + 200, true), stats.liveBytes());
                assertTrue(stats.allocatedBytes() <= size + 200 + (1 << 20) + 64, stats.toString());
            } finally {
                shard.unlock();
            }
            keyspace.verify();
            shard.lock();
            try {
                assertTrue(shard.remove(k, 0, key.length, hash));
            } finally {
                shard.unlock();
            }
            StoreStats stats = keyspace.stats(new StoreStats());
            assertEquals(0, stats.allocatedBytes());
            assertEquals(stats.indexBytes(), keyspace.usedMemory());
        }
    }

    private static void assertWords(DirectBuffer b, int words) {
        for (int i = 0; i < words; i++) {
            if (b.getLong(i * 8) != word(i)) {
                throw new AssertionError("word " + i + " differs");
            }
        }
    }

    /** The footprint target: at most 77 bytes per key all-in for 10M keys with 16-byte values. */
    @Test
    void tenMillionKeysWithSixteenByteValuesTakeAtMost77BytesEach() {
        int keys = 10_000_000;
        byte[] keyBytes = new byte[32];
        UnsafeBuffer key = new UnsafeBuffer(keyBytes);
        UnsafeBuffer value = new UnsafeBuffer(new byte[16]);
        try (Keyspace keyspace = new Keyspace(KeyspaceConfig.defaults())) {
            for (int i = 0; i < keys; i++) {
                byte[] k = ("key:" + i).getBytes();
                System.arraycopy(k, 0, keyBytes, 0, k.length);
                long hash = keyspace.hash(keyBytes, 0, k.length);
                Shard shard = keyspace.shardFor(hash);
                shard.lock();
                try {
                    shard.put(key, 0, k.length, hash, EntryType.STRING, 0, value, 0, 16);
                } finally {
                    shard.unlock();
                }
            }
            StoreStats s = keyspace.stats(new StoreStats());
            assertEquals(keys, s.entries());
            double perKey = (double) s.totalBytes() / keys;
            System.out.printf("10M keys: %.1f bytes per key all-in (%s)%n", perKey, s);
            assertTrue(perKey <= 77.0, "bytes per key " + perKey + " > 77; " + s);
        }
    }
}
