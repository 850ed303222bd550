package io.qrrot.recovery.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collections in format version 2: written and read element by element, across blocks (Continuations), in file
 * order or hash order, read in parallel with every collection on one thread; every damage to their records
 * refused with the file and offset; version 1 files still read. Prints its seed.
 */
@Timeout(120)
class SnapshotCollectionsTest {
    private static final Storage FS = FileStorage.INSTANCE;
    private static final long SEED = Long.getLong("qrrot.seed", System.nanoTime());
    private static final byte HASH = 4;

    @TempDir
    Path dir;

    /** A key of a snapshot: a value, or a collection with its elements (element → payload, in the order given). */
    record Item(Rec value, byte[] key, long expiry, List<byte[][]> elements) {
        static Item value(Rec r) {
            return new Item(r, r.key(), r.expiry(), null);
        }

        /** Comparable text: the key, the value or every element, hex. */
        String text() {
            HexFormat h = HexFormat.of();
            if (value != null) {
                return "value " + value.type() + " " + h.formatHex(key) + " " + h.formatHex(value.value()) + " "
                        + expiry;
            }
            StringBuilder sb = new StringBuilder("hash ").append(h.formatHex(key)).append(' ').append(expiry)
                    .append(" {");
            for (byte[][] e : elements) {
                sb.append(h.formatHex(e[0])).append('=').append(h.formatHex(e[1])).append(',');
            }
            return sb.append('}').toString();
        }
    }

    static long hash(byte[] b) {
        return SnapshotOrder.hash(b, 0, b.length);
    }

    static final Comparator<byte[]> ORDER = (a, b) -> SnapshotOrder.compare(hash(a), a, a.length, hash(b), b,
            b.length);

    /**
     * Random keys, distinct, a third of them hashes: mostly a few short elements, some thousands, some longer
     * than a block (element, payload or key). In hash order when {@code sorted}, elements too.
     */
    static List<Item> randomItems(Random rnd, int count, int bigOver, boolean sorted) {
        List<Item> out = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (Rec r : Rec.random(rnd, count, bigOver)) {
            if (!keys.add(HexFormat.of().formatHex(r.key()))) {
                continue;
            }
            if (rnd.nextInt(3) > 0) {
                out.add(Item.value(r));
                continue;
            }
            int n = switch (rnd.nextInt(10)) {
                case 0 -> 1 + rnd.nextInt(3000);
                case 1 -> 1;
                default -> 1 + rnd.nextInt(20);
            };
            TreeMap<String, byte[][]> elements = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                byte[] e = bytes(rnd, rnd.nextInt(50) == 0 ? bigOver + rnd.nextInt(bigOver + 1) : rnd.nextInt(12));
                byte[] p = bytes(rnd, switch (rnd.nextInt(20)) {
                    case 0 -> bigOver + rnd.nextInt(bigOver + 1);
                    case 1, 2 -> 0;
                    default -> rnd.nextInt(30);
                });
                elements.put(HexFormat.of().formatHex(e), new byte[][] {e, p});
            }
            List<byte[][]> list = new ArrayList<>(elements.values());
            if (sorted) {
                list.sort((a, b) -> ORDER.compare(a[0], b[0]));
            } else {
                java.util.Collections.shuffle(list, rnd);
            }
            out.add(new Item(null, r.key(), r.expiry(), list));
        }
        if (sorted) {
            out.sort((a, b) -> ORDER.compare(a.key, b.key));
        }
        return out;
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    static SnapshotInfo write(Path dir, long lsn, List<Item> items, boolean ordered, int blockTarget)
            throws IOException {
        try (SnapshotWriter w = SnapshotWriter.begin(FS, dir, lsn, 1_700_000_000_123L, ordered, blockTarget)) {
            for (Item it : items) {
                if (it.value != null) {
                    w.add(it.value.type(), it.key, it.value.value(), it.expiry);
                } else {
                    w.beginCollection(HASH, it.key, it.expiry);
                    for (byte[][] e : it.elements) {
                        w.addElement(e[0], e[1]);
                    }
                }
            }
            assertEquals(items.size(), w.keyCount());
            return w.finish();
        }
    }

    /** Collects a snapshot's keys as {@link Item#text}, checking each element names its collection. */
    static class Collect implements SnapshotVisitor, SnapshotReader.RunVisitor {
        final List<String> items = new ArrayList<>();
        private byte[] key;
        private long expiry;
        private List<byte[][]> elements;
        final Set<Thread> threads = new HashSet<>();

        @Override
        public void onRecord(byte type, DirectBuffer k, DirectBuffer v, long e) {
            end();
            items.add(Item.value(new Rec(type, copy(k), copy(v), e)).text());
        }

        @Override
        public void onCollection(byte type, DirectBuffer k, long e) {
            end();
            assertEquals(HASH, type);
            key = copy(k);
            expiry = e;
            elements = new ArrayList<>();
        }

        @Override
        public void onElement(byte type, DirectBuffer k, long e, DirectBuffer element, DirectBuffer payload) {
            assertTrue(key != null, "an element before its collection");
            assertEquals(HASH, type);
            assertEquals(HexFormat.of().formatHex(key), HexFormat.of().formatHex(copy(k)), "the element's key");
            assertEquals(expiry, e);
            elements.add(new byte[][] {copy(element), copy(payload)});
        }

        @Override
        public void onRecord(long keyHash, byte type, DirectBuffer k, DirectBuffer v, long e) {
            assertEquals(SnapshotOrder.hash(k, 0, k.capacity()), keyHash);
            threads.add(Thread.currentThread());
            onRecord(type, k, v, e);
        }

        @Override
        public void onCollection(long keyHash, byte type, DirectBuffer k, long e) {
            assertEquals(SnapshotOrder.hash(k, 0, k.capacity()), keyHash);
            threads.add(Thread.currentThread());
            onCollection(type, k, e);
        }

        @Override
        public void onElement(long keyHash, byte type, DirectBuffer k, long e, long elementHash, DirectBuffer element,
                              DirectBuffer payload) {
            assertEquals(SnapshotOrder.hash(k, 0, k.capacity()), keyHash);
            assertEquals(SnapshotOrder.hash(element, 0, element.capacity()), elementHash);
            onElement(type, k, e, element, payload);
        }

        /** The collection being collected is complete. */
        void end() {
            if (key != null) {
                items.add(new Item(null, key, expiry, elements).text());
                key = null;
            }
        }

        @Override
        public void close() {
            end();
        }

        private static byte[] copy(DirectBuffer b) {
            byte[] out = new byte[b.capacity()];
            b.getBytes(0, out);
            return out;
        }
    }

    static List<String> read(Path file, boolean readAhead, int batch) throws IOException {
        Collect c = new Collect();
        try (SnapshotReader r = SnapshotReader.open(FS, file, readAhead, batch)) {
            r.read(c);
        }
        c.end();
        return c.items;
    }

    private static List<String> texts(List<Item> items) {
        return items.stream().map(Item::text).toList();
    }

    /** Blocks whose first record is a Continuation. */
    private static long continuations(byte[] file) {
        return TestSnapshots.blockOffsets(file).stream()
                .filter(at -> file[at + SnapshotFormat.BLOCK_HEADER_LENGTH] == SnapshotFormat.RECORD_CONTINUATION)
                .count();
    }

    @Test
    void collectionsRoundTripElementByElementAcrossBlocks() throws IOException {
        Random rnd = new Random(SEED);
        int spanning = 0;
        for (int round = 0; round < 16; round++) {
            boolean ordered = round % 2 == 0;
            int blockTarget = round % 5 == 0 ? SnapshotFormat.BLOCK_TARGET_PAYLOAD
                    : SnapshotFormat.MAX_RECORD_HEADER_LENGTH + rnd.nextInt(3000);
            List<Item> items = randomItems(rnd, rnd.nextInt(300), Math.min(blockTarget, 2000), ordered);
            String where = "seed=" + SEED + " round=" + round + " blockTarget=" + blockTarget + " ordered=" + ordered;
            Path sub = dir.resolve("r" + round);
            SnapshotInfo info = write(sub, round, items, ordered, blockTarget);
            byte[] bytes = Files.readAllBytes(Path.of(info.file()));
            long elements = items.stream().filter(i -> i.value == null).mapToLong(i -> i.elements.size()).sum();
            long collections = items.stream().filter(i -> i.value == null).count();
            assertEquals(items.size(), info.keyCount(), where);
            assertEquals(items.size() + elements + continuations(bytes), info.recordCount(), where);
            // A collection whose elements alone need more than two blocks must continue into the next one.
            long largest = items.stream().filter(i -> i.value == null)
                    .mapToLong(i -> i.elements.stream().mapToLong(e -> e[0].length + e[1].length).sum())
                    .max().orElse(0);
            if (collections > 0 && largest > 2L * blockTarget) {
                assertTrue(continuations(bytes) > 0, where + ": collections span blocks");
                spanning++;
            }
            for (boolean readAhead : new boolean[] {false, true}) {
                assertEquals(texts(items), read(Path.of(info.file()), readAhead, 1 + rnd.nextInt(5000)), where);
            }
            assertEquals(info.asVerified(), SnapshotReader.verify(FS, Path.of(info.file())), where);
            if (ordered) {
                for (int threads = 1; threads <= 4; threads++) {
                    assertEquals(texts(items), readParallel(Path.of(info.file()), threads), where + " threads="
                            + threads);
                }
            }
        }
        assertTrue(spanning > 0, "seed=" + SEED + ": no round had a collection larger than two blocks");
    }

    /** Reads in parallel; every run's keys whole (no collection split between two runs). */
    private static List<String> readParallel(Path file, int threads) throws IOException {
        ConcurrentHashMap<Integer, Collect> runs = new ConcurrentHashMap<>();
        try (SnapshotReader r = SnapshotReader.open(FS, file, true, 512)) {
            r.readParallel(threads, (run, count) -> {
                Collect c = new Collect();
                runs.put(run, c);
                return c;
            });
        }
        List<String> all = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < runs.size(); i++) {
            for (String item : runs.get(i).items) {
                assertTrue(keys.add(item.split(" ")[1] + " " + item.split(" ")[2]), "a key in two runs: " + item);
                all.add(item);
            }
            assertTrue(runs.get(i).threads.size() <= 1, "one thread per run");
        }
        return all;
    }

    @Test
    void aCollectionLargerThanItsShareStaysOnOneThread() throws IOException {
        // One large collection in the middle: the split moves past it instead of cutting it.
        List<Item> items = new ArrayList<>();
        Random rnd = new Random(SEED);
        for (int i = 0; i < 40; i++) {
            items.add(Item.value(Rec.of(1, "k" + i, "v" + i, 0)));
        }
        List<byte[][]> many = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            many.add(new byte[][] {("f" + i).getBytes(), bytes(rnd, 10)});
        }
        many.sort((a, b) -> ORDER.compare(a[0], b[0]));
        items.add(new Item(null, "big".getBytes(), 0, many));
        items.sort((a, b) -> ORDER.compare(a.key, b.key));
        SnapshotInfo info = write(dir, 1, items, true, 256);
        for (int threads = 2; threads <= 4; threads++) {
            assertEquals(texts(items), readParallel(Path.of(info.file()), threads));
        }
    }

    @Test
    void aCollectionWithoutElementsIsLeftOut() throws IOException {
        try (SnapshotWriter w = SnapshotWriter.begin(FS, dir, 3, 0, true, 1024)) {
            byte[][] keys = {"a".getBytes(), "b".getBytes(), "c".getBytes(), "d".getBytes()};
            Arrays.sort(keys, ORDER);
            w.beginCollection(HASH, keys[0], 0); // no element: nothing written
            w.add((byte) 1, keys[1], "v".getBytes(), 0);
            w.beginCollection(HASH, keys[2], 7);
            w.addElement("f".getBytes(), "x".getBytes());
            w.beginCollection(HASH, keys[3], 0); // nor here, at the end
            SnapshotInfo info = w.finish();
            assertEquals(2, info.keyCount());
            assertEquals(3, info.recordCount());
            assertEquals(List.of(Item.value(new Rec((byte) 1, keys[1], "v".getBytes(), 0)).text(),
                    new Item(null, keys[2], 7, List.<byte[][]>of(new byte[][] {"f".getBytes(), "x".getBytes()}))
                            .text()), read(Path.of(info.file()), true, 4096));
        }
    }

    @Test
    void theWriterRefusesElementsOutOfOrderOrWithoutACollection() throws IOException {
        byte[][] elements = {"a".getBytes(), "b".getBytes(), "c".getBytes()};
        Arrays.sort(elements, ORDER);
        SnapshotWriter w = SnapshotWriter.begin(FS, dir, 4, 0, true);
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> w.addElement("x".getBytes(), new byte[0]));
        assertEquals("an element needs a collection: call beginCollection first", none.getMessage());
        w.beginCollection(HASH, "h".getBytes(), 0);
        w.addElement(elements[1], new byte[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> w.addElement(elements[0], new byte[0]));
        assertEquals("an element of collection \"h\" in hash-ordered snapshot " + w.tempFile() + " is out of order:"
                + " element \"" + new String(elements[0]) + "\" sorts before the previous element \""
                + new String(elements[1]) + "\"; the snapshot is abandoned", e.getMessage());
        assertFalse(Files.exists(w.tempFile()));

        SnapshotWriter again = SnapshotWriter.begin(FS, dir, 5, 0, true);
        again.beginCollection(HASH, "h".getBytes(), 0);
        again.addElement(elements[2], new byte[0]);
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> again.addElement(elements[2], new byte[] {1}));
        assertTrue(dup.getMessage().contains(" was already added; the snapshot is abandoned"), dup.getMessage());

        SnapshotWriter plain = SnapshotWriter.begin(FS, dir, 6, 0);
        plain.add((byte) 1, "k".getBytes(), "v".getBytes(), 0);
        assertThrows(IllegalStateException.class, () -> plain.addElement("x".getBytes(), new byte[0]),
                "a key added after a collection ends it");
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> plain.beginCollection((byte) 1, "s".getBytes(), 0));
        assertEquals("type 1 is not a collection type", type.getMessage());
        plain.abort();
    }

    // ---------------------------------------------------------------------------------------------- damage

    private static final String ADVICE = "; qrrot falls back to the previous snapshot when it opens the database;"
            + " run `qrrot snapshot verify ";

    /** Writes {@code bytes} as snapshot 77 and reads it every way; all must refuse it, the sequential ones alike. */
    private SnapshotCorruptException expectCorrupt(byte[] bytes, String what) throws IOException {
        Path file = dir.resolve(SnapshotFormat.fileName(77));
        Files.write(file, bytes);
        SnapshotCorruptException first = null;
        for (int mode = 0; mode < 4; mode++) {
            try (SnapshotReader r = SnapshotReader.open(FS, file, mode == 1, 64)) {
                if (mode >= 2 && r.hashOrdered()) {
                    r.readParallel(mode, (run, runs) -> new Collect());
                } else {
                    r.read(new Collect());
                }
                fail(what + ": accepted as valid (mode " + mode + ")");
            } catch (SnapshotCorruptException e) {
                assertTrue(e.getMessage().startsWith("corrupt snapshot " + file + " at byte offset "), e.getMessage());
                assertTrue(e.getMessage().endsWith(ADVICE + file + "` to check the file"), e.getMessage());
                if (first == null) {
                    first = e;
                } else if (mode < 2) {
                    // The parallel read checks the block headers and the digest before any payload, so it may
                    // name another (earlier-checked) problem of the same damage.
                    assertEquals(first.getMessage(), e.getMessage(), what + ": both sequential reads report the same");
                }
            } catch (IOException | RuntimeException | Error e) {
                throw new AssertionError(what + ": failed with " + e + " instead of SnapshotCorruptException", e);
            }
        }
        return first;
    }

    private static String message(Path file, long offset, String problem, String expected, String actual) {
        return "corrupt snapshot " + file + " at byte offset " + offset + ": " + problem + " (expected " + expected
                + ", actual " + actual + ")" + ADVICE + file + "` to check the file";
    }

    /** A small file with collections across blocks, hash-ordered. */
    private byte[] smallFile() throws IOException {
        Random rnd = new Random(7);
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            items.add(Item.value(Rec.of(1, "key:" + i, "value-" + i, i % 3 == 0 ? 1_700_000_000_000L + i : 0)));
            List<byte[][]> elements = new ArrayList<>();
            for (int j = 0; j < 1 + i * 3; j++) {
                elements.add(new byte[][] {("f" + j).getBytes(), bytes(rnd, j % 4)});
            }
            elements.sort((a, b) -> ORDER.compare(a[0], b[0]));
            items.add(new Item(null, ("hash:" + i).getBytes(), i == 2 ? 1_800_000_000_000L : 0, elements));
        }
        items.sort((a, b) -> ORDER.compare(a.key, b.key));
        SnapshotInfo info = write(dir.resolve("src"), 77, items, true, 48);
        byte[] bytes = Files.readAllBytes(Path.of(info.file()));
        assertTrue(continuations(bytes) >= 3, "continuations: " + continuations(bytes));
        return bytes;
    }

    @Test
    void everyFlippedBitAndEveryTruncationOfCollectionsIsRefused() throws IOException {
        byte[] good = smallFile();
        for (int at = 0; at < good.length; at++) {
            byte[] b = good.clone();
            b[at] ^= (byte) (1 << (at % 8));
            expectCorrupt(b, "bit " + at % 8 + " of byte " + at);
        }
        for (int length = 0; length < good.length; length++) {
            expectCorrupt(Arrays.copyOf(good, length), "cut to " + length + " bytes");
        }
    }

    @Test
    void damagedCollectionRecordsBehindAValidCrcNameTheirOffset() throws IOException {
        Path file = dir.resolve(SnapshotFormat.fileName(77));
        int block0 = SnapshotFormat.HEADER_LENGTH + SnapshotFormat.BLOCK_HEADER_LENGTH;
        byte[] head = TestSnapshots.collection(SnapshotFormat.RECORD_COLLECTION, "h", 0);
        byte[] more = TestSnapshots.collection(SnapshotFormat.RECORD_CONTINUATION, "h", 0);
        byte[] el = TestSnapshots.element("f", "v");
        byte[] value = TestSnapshots.value(1, "k", "v", 0);

        // An element first in a block, with no Continuation to name its key.
        byte[] b = TestSnapshots.file(false, 77, 1, List.of(TestSnapshots.concat(head, el), el), List.of(2, 1));
        int block1 = block0 + head.length + el.length + SnapshotFormat.BLOCK_HEADER_LENGTH;
        assertEquals(message(file, block1, "element record outside a collection in block 1",
                "a collection or continuation record before it in the block", "an element first in its block"),
                expectCorrupt(b, "element first").getMessage());

        // An element after a key holding a value.
        b = TestSnapshots.file(false, 77, 1, List.of(TestSnapshots.concat(value, el)), List.of(2));
        assertEquals(message(file, block0 + value.length, "element record outside a collection in block 0",
                        "a collection or continuation record before it in the block",
                        "an element after a key holding a value"),
                expectCorrupt(b, "element after a value").getMessage());

        // A collection with no element (the store never holds an empty one), before a value and at a block's end.
        b = TestSnapshots.file(false, 77, 2, List.of(TestSnapshots.concat(head, value)), List.of(2));
        assertEquals(message(file, block0, "collection without an element in block 0",
                "an element record after it in the block", "none"), expectCorrupt(b, "empty collection").getMessage());
        b = TestSnapshots.file(false, 77, 1, List.of(head, TestSnapshots.concat(more, el)), List.of(1, 1));
        assertEquals(message(file, block0, "collection without an element in block 0",
                "an element record after it in the block", "none"), expectCorrupt(b, "header at the end").getMessage());

        // A Continuation that is not first in its block, that names another key, or that has nothing to go on with.
        b = TestSnapshots.file(false, 77, 1, List.of(TestSnapshots.concat(head, el, more, el)), List.of(4));
        assertEquals(message(file, block0 + head.length + el.length, "continuation record in block 0 is not the"
                + " block's first record", "a continuation only as record 0", "record 2"),
                expectCorrupt(b, "continuation not first").getMessage());
        byte[] other = TestSnapshots.collection(SnapshotFormat.RECORD_CONTINUATION, "x", 0);
        b = TestSnapshots.file(false, 77, 1, List.of(TestSnapshots.concat(head, el), TestSnapshots.concat(other, el)),
                List.of(2, 2));
        assertEquals(message(file, block1, "continuation record in block 1 does not repeat its collection",
                "key \"h\", type 4, expiry 0", "another key, type 4, expiry 0"),
                expectCorrupt(b, "continuation of another key").getMessage());
        byte[] laterExpiry = TestSnapshots.collection(SnapshotFormat.RECORD_CONTINUATION, "h", 5);
        b = TestSnapshots.file(false, 77, 1, List.of(TestSnapshots.concat(head, el),
                TestSnapshots.concat(laterExpiry, el)), List.of(2, 2));
        assertEquals("continuation record in block 1 does not repeat its collection",
                expectCorrupt(b, "continuation with another expiry").problem());
        b = TestSnapshots.file(false, 77, 1, List.of(TestSnapshots.concat(more, el)), List.of(2));
        assertEquals(message(file, block0, "continuation record in block 0 goes on with no collection",
                "a block before it that ends inside a collection", "no collection before it"),
                expectCorrupt(b, "continuation first").getMessage());
        b = TestSnapshots.file(false, 77, 1, List.of(value, TestSnapshots.concat(more, el)), List.of(1, 2));
        assertEquals("a block before it that ends with a key holding a value",
                expectCorrupt(b, "continuation after a value").actual());

        // An unknown kind of record.
        byte[] unknown = head.clone();
        unknown[0] = (byte) 0x83;
        b = TestSnapshots.file(false, 77, 1, List.of(TestSnapshots.concat(unknown, el)), List.of(2));
        assertEquals(message(file, block0, "unknown record kind in block 0", "a value type 0x00..0x7f, 0x80 (element),"
                + " 0x81 (collection) or 0x82 (continuation)", "0x83"), expectCorrupt(b, "kind 0x83").getMessage());

        // An element and payload over the limit, and an element running past its block.
        byte[] huge = {(byte) 0x80, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0};
        b = TestSnapshots.file(false, 77, 1, List.of(TestSnapshots.concat(head, huge)), List.of(2));
        assertEquals(message(file, block0 + head.length + 1, "element length over the limit in block 0",
                "at most " + SnapshotFormat.MAX_ELEMENT_BYTES, "2147483647"), expectCorrupt(b, "huge").getMessage());
        byte[] past = TestSnapshots.element("f", "v");
        past[1] = 9;
        b = TestSnapshots.file(false, 77, 1, List.of(TestSnapshots.concat(head, past)), List.of(2));
        assertEquals("element record runs past the end of block 0", expectCorrupt(b, "past the block").problem());

        // In a hash-ordered file: elements out of order, and one twice.
        byte[][] fields = {"a".getBytes(), "b".getBytes()};
        Arrays.sort(fields, ORDER);
        byte[] e0 = TestSnapshots.element(new String(fields[0]), "");
        byte[] e1 = TestSnapshots.element(new String(fields[1]), "");
        b = TestSnapshots.file(true, 77, 1, List.of(TestSnapshots.concat(head, e1, e0)), List.of(3));
        SnapshotCorruptException e = expectCorrupt(b, "elements out of order");
        assertEquals(block0 + head.length + e1.length, e.offset());
        assertEquals("element out of hash order in block 0 (the header flags the file hash-ordered)", e.problem());
        assertEquals("an element after \"" + new String(fields[1]) + "\" (hash " + Long.toHexString(hash(fields[1]))
                + ") in collection \"h\"", e.expected());
        b = TestSnapshots.file(true, 77, 1, List.of(TestSnapshots.concat(head, e0), TestSnapshots.concat(more, e0)),
                List.of(2, 2));
        assertEquals("the same element again", expectCorrupt(b, "an element twice across blocks").actual());

        // The footer's key count against the keys read.
        b = TestSnapshots.file(false, 77, 2, List.of(TestSnapshots.concat(head, el, el)), List.of(3));
        long footer = b.length - SnapshotFormat.FOOTER_LENGTH;
        assertEquals(message(file, footer + SnapshotFormat.FOOTER_KEY_COUNT_OFFSET,
                "key count in the footer does not match the records read", "2 keys", "1 keys"),
                expectCorrupt(b, "key count").getMessage());
        b = TestSnapshots.file(false, 77, 4, List.of(TestSnapshots.concat(head, el, el)), List.of(3));
        assertEquals(message(file, footer + SnapshotFormat.FOOTER_KEY_COUNT_OFFSET,
                "key count does not fit the record count", "1..3 keys in 3 records", "4 keys"),
                expectCorrupt(b, "key count over records").getMessage());
    }

    // ---------------------------------------------------------------------------------------------- version 1

    @Test
    void versionOneFilesStillReadInFileOrderAndInParallel() throws IOException {
        Random rnd = new Random(SEED);
        List<Rec> records = SnapshotOrderTest.sortedRecords(rnd, 400, 100);
        Path file = V1Snapshots.write(dir, 12, 1_700_000_000_123L, records, true);
        try (SnapshotReader r = SnapshotReader.open(FS, file)) {
            SnapshotInfo info = r.info();
            assertEquals(1, info.formatVersion());
            assertEquals(records.size(), info.recordCount());
            assertEquals(records.size(), info.keyCount());
            assertFalse(r.collections());
            assertTrue(r.hashOrdered());
        }
        assertEquals(records, TestSnapshots.read(FS, file, true, 512));
        assertEquals(records, TestSnapshots.read(FS, file, false, 100));
        List<String> expected = records.stream().map(x -> Item.value(x).text()).toList();
        for (int threads = 1; threads <= 3; threads++) {
            assertEquals(expected, readParallel(file, threads));
        }
        SnapshotInfo verified = SnapshotReader.verify(FS, file);
        assertEquals(new SnapshotInfo(file.toString(), 1, 12, 1_700_000_000_123L, records.size(), records.size(),
                verified.blockCount(), Files.size(file), true), verified);

        // A version 1 file's first bytes are types, whatever their high bit (0x81 is no collection there).
        List<Rec> odd = List.of(Rec.of(0x81, "a", "b", 0), Rec.of(0x80, "c", "", 9), Rec.of(0xff, "d", "e", 0));
        Path oddFile = V1Snapshots.write(dir.resolve("odd"), 13, 0, odd, false);
        assertEquals(odd, TestSnapshots.read(FS, oddFile, true, 4096));
        byte[] bytes = Files.readAllBytes(oddFile);
        bytes[bytes.length - 1] ^= 1;
        Files.write(oddFile, bytes);
        SnapshotCorruptException e = assertThrows(SnapshotCorruptException.class, () -> SnapshotReader.open(FS,
                oddFile));
        assertEquals(bytes.length - 4, e.offset(), "the trailer of a 36-byte footer");
    }

    @Test
    void unknownVersionsAreRefused() throws IOException {
        byte[] b = TestSnapshots.file(false, 77, 1, List.of(TestSnapshots.value(1, "k", "v", 0)), List.of(1));
        b[SnapshotFormat.VERSION_OFFSET] = 3;
        SnapshotCorruptException e = expectCorrupt(TestSnapshots.reseal(b), "version 3");
        assertEquals("unsupported snapshot format version (written by another qrrot release?)", e.problem());
        assertEquals("version 1 to 2", e.expected());
    }
}
