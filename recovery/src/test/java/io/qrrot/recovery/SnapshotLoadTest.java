package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.engine.EffectCodec;
import io.qrrot.engine.Engine;
import io.qrrot.engine.EngineConfig;
import io.qrrot.engine.EngineStats;
import io.qrrot.engine.store.KeyHasher;
import io.qrrot.recovery.snapshot.SnapshotCorruptException;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.recovery.snapshot.SnapshotOrder;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.recovery.snapshot.SnapshotWriter;
import io.qrrot.storage.FileStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parallel load of a hash-ordered snapshot builds exactly the store the serial load builds (the same
 * entries, types, values, expiries, TTL counts and memory), with any thread count, with the default hash and
 * with one that forces collisions; a file-order snapshot (duplicates included: the last one wins) loads as
 * {@link Engine#load} loads it.
 */
class SnapshotLoadTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final long SEED = Long.getLong("qrrot.seed", System.nanoTime());

    @TempDir
    Path dir;

    /** Few distinct hashes, spread over all 64 bits: keys collide inside shards, and shards still differ. */
    static final KeyHasher COLLIDING = new KeyHasher() {
        @Override
        public long hash(DirectBuffer key, int offset, int length) {
            return spread(KeyHasher.XX3.hash(key, offset, length));
        }

        @Override
        public long hash(byte[] key, int offset, int length) {
            return spread(KeyHasher.XX3.hash(key, offset, length));
        }

        private long spread(long h) {
            return (Long.remainderUnsigned(h, 13) + 1) * 0x9E3779B97F4A7C15L;
        }
    };

    record Entry(byte type, byte[] key, byte[] value, long expiry) {
    }

    /** Distinct random keys of every type, a quarter with a TTL, some of those already expired. */
    static List<Entry> randomEntries(Random rnd, int count) {
        Map<String, Entry> byKey = new LinkedHashMap<>();
        while (byKey.size() < count) {
            byte[] key = new byte[rnd.nextInt(24)];
            rnd.nextBytes(key);
            byte type = (byte) (1 + rnd.nextInt(3));
            byte[] value = switch (type) {
                case EffectCodec.TYPE_INT -> ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(rnd.nextLong()).array();
                case EffectCodec.TYPE_JSON -> ("{\"n\":" + rnd.nextInt(1000) + "}").getBytes(StandardCharsets.UTF_8);
                default -> {
                    byte[] v = new byte[rnd.nextInt(10) == 0 ? 5000 + rnd.nextInt(5000) : rnd.nextInt(40)];
                    rnd.nextBytes(v);
                    yield v;
                }
            };
            long expiry = switch (rnd.nextInt(8)) {
                case 0 -> NOW + 1 + rnd.nextInt(1_000_000);
                case 1 -> NOW - rnd.nextInt(1_000_000);
                default -> 0;
            };
            byKey.put(HexFormat.of().formatHex(key), new Entry(type, key, value, expiry));
        }
        return new ArrayList<>(byKey.values());
    }

    private Path write(long lsn, List<Entry> entries, boolean ordered) throws IOException {
        Path sub = dir.resolve(ordered ? "ordered" : "file-order");
        try (SnapshotWriter w = SnapshotWriter.begin(FileStorage.INSTANCE, sub, lsn, NOW, ordered)) {
            for (Entry e : entries) {
                w.add(e.type, e.key, e.value, e.expiry);
            }
            return Path.of(w.finish().file());
        }
    }

    private static Engine engine(KeyHasher hasher, int shards, long keys) {
        return new Engine(EngineConfig.defaults().withShards(shards).withHasher(hasher).withExpectedKeys(keys), () -> NOW);
    }

    /** Everything the store holds, keyed by hex key, plus the stats. */
    static String dump(Engine e) {
        TreeMap<String, String> out = StoreContents.entries(e);
        // Slab memory obtained from the system (and so fragmentation) may differ with the insertion order when
        // collision lists grow and free blocks get reused; what is used may not.
        EngineStats s = e.stats();
        return "keys=" + s.keys() + ", expires=" + s.expires() + ", strings=" + s.strings() + ", ints=" + s.ints()
                + ", jsons=" + s.jsons() + ", usedMemory=" + s.usedMemory() + ", liveBytes=" + s.liveBytes()
                + ", indexBytes=" + s.indexBytes() + "\n" + out;
    }

    /** The reference: every record through {@link Engine#load}, in file order, on one thread. */
    private static String serialLoad(Path file, KeyHasher hasher, int shards) throws IOException {
        try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, file)) {
            Engine e = engine(hasher, shards, r.info().recordCount());
            try {
                r.read((type, key, value, expiry) -> e.load(type, key, 0, key.capacity(), value, 0, value.capacity(), expiry));
                return dump(e);
            } finally {
                e.close();
            }
        }
    }

    private static String load(Path file, KeyHasher hasher, int shards, int threads) throws IOException {
        try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, file)) {
            // As recovery does: the loaders of a hash-ordered file size the indexes themselves.
            Engine e = engine(hasher, shards, r.hashOrdered() ? 0 : r.info().recordCount());
            try {
                SnapshotInfo info = SnapshotLoad.load(r, e, threads);
                assertTrue(info.verified());
                return dump(e);
            } finally {
                e.close();
            }
        }
    }

    @Test
    void parallelLoadBuildsTheSameStoreAsTheSerialLoad() throws IOException {
        Random rnd = new Random(SEED);
        List<Entry> entries = randomEntries(rnd, 6000);
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> SnapshotOrder.compare(SnapshotOrder.hash(a.key, 0, a.key.length), a.key, a.key.length,
                SnapshotOrder.hash(b.key, 0, b.key.length), b.key, b.key.length));
        Path ordered = write(20, sorted, true);
        Path fileOrder = write(20, entries, false);
        // Expired entries are loaded too (expiry reclaims them, logging their deletion): every key is there.
        long live = entries.size();
        for (KeyHasher hasher : new KeyHasher[] {KeyHasher.XX3, COLLIDING}) {
            for (int shards : new int[] {1, 8, 64}) {
                String expected = serialLoad(fileOrder, hasher, shards);
                assertTrue(expected.startsWith("keys=" + live + ","), expected.substring(0, 60));
                String what = "seed=" + SEED + " hasher=" + hasher + " shards=" + shards;
                assertEquals(expected, serialLoad(ordered, hasher, shards), what);
                assertEquals(expected, load(fileOrder, hasher, shards, 2), what + " file order");
                for (int threads = 1; threads <= 3; threads++) {
                    assertEquals(expected, load(ordered, hasher, shards, threads), what + " threads=" + threads);
                }
            }
        }
    }

    @Test
    void fileOrderSnapshotWithDuplicatesLoadsAsEngineLoadDoes() throws IOException {
        Random rnd = new Random(SEED);
        List<Entry> entries = randomEntries(rnd, 500);
        List<Entry> withDuplicates = new ArrayList<>(entries);
        for (int i = 0; i < 100; i++) {
            Entry e = entries.get(rnd.nextInt(entries.size()));
            long expiry = rnd.nextBoolean() ? 0 : NOW + 5000;
            withDuplicates.add(rnd.nextInt(withDuplicates.size()),
                    new Entry(EffectCodec.TYPE_STRING, e.key, ("again" + i).getBytes(StandardCharsets.UTF_8), expiry));
        }
        Path fileOrder = write(21, withDuplicates, false);
        for (int shards : new int[] {1, 16}) {
            assertEquals(serialLoad(fileOrder, KeyHasher.XX3, shards), load(fileOrder, KeyHasher.XX3, shards, 2),
                    "seed=" + SEED);
        }
    }

    @Test
    void aBadRecordStopsTheLoadWithTheEnginesError() throws IOException {
        List<Entry> entries = new ArrayList<>(randomEntries(new Random(SEED), 300));
        entries.set(200, new Entry(EffectCodec.TYPE_INT, entries.get(200).key, new byte[3], 0));
        entries.sort((a, b) -> SnapshotOrder.compare(SnapshotOrder.hash(a.key, 0, a.key.length), a.key, a.key.length,
                SnapshotOrder.hash(b.key, 0, b.key.length), b.key, b.key.length));
        Path ordered = write(22, entries, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> load(ordered, KeyHasher.XX3, 8, 2));
        assertEquals("an int value is 8 bytes, got 3", e.getMessage());
    }

    @Test
    void aCorruptBlockFailsTheLoadWithFileAndOffset() throws IOException {
        List<Entry> entries = randomEntries(new Random(SEED), 3000);
        entries.sort((a, b) -> SnapshotOrder.compare(SnapshotOrder.hash(a.key, 0, a.key.length), a.key, a.key.length,
                SnapshotOrder.hash(b.key, 0, b.key.length), b.key, b.key.length));
        Path ordered = write(23, entries, true);
        byte[] bytes = Files.readAllBytes(ordered);
        int at = bytes.length * 3 / 4;
        bytes[at] ^= 0x10;
        Files.write(ordered, bytes);
        SnapshotCorruptException e = assertThrows(SnapshotCorruptException.class,
                () -> load(ordered, KeyHasher.XX3, 8, 2));
        assertEquals(ordered, e.file());
        assertTrue(e.problem().matches("block \\d+ CRC32C mismatch over bytes \\d+\\.\\.\\d+"), e.getMessage());
        assertTrue(e.offset() <= at && e.offset() > bytes.length / 2, e.getMessage());
        assertFalse(e.getMessage().isEmpty());
    }
}
