package io.qrrot.cli.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.cli.embedded.EmbeddedClient;
import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.testing.CliRun;
import io.qrrot.cli.testing.HashRecords;
import io.qrrot.engine.store.EntryType;
import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.recovery.snapshot.SnapshotCorruptException;
import io.qrrot.recovery.snapshot.SnapshotFormat;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.recovery.snapshot.SnapshotWriter;
import io.qrrot.server.QrrotServer;
import io.qrrot.server.ServerOptions;
import io.qrrot.wal.WalOptions;
import io.qrrot.storage.FileStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qrrot snapshot status|verify|dump|save|restore} on real data directories and a real server. */
class SnapshotVerbsTest {
    /** A fixed clock: the snapshot's creation time is known. */
    static final long NOW = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final QrrotOptions OPTIONS = QrrotOptions.defaults().withWal(1 << 20, 256L << 20, 3_600_000L)
            .withWalPreallocation(WalOptions.Preallocation.NONE).withClock(() -> NOW);

    @TempDir
    Path tmp;

    private static CliRun.Result qrrot(String... args) {
        return new CliRun().run(args);
    }

    private static void write(Qrrot db, String... command) {
        try (EmbeddedClient c = new EmbeddedClient(db, 2)) {
            Reply r = c.call(command);
            assertFalse(r.isError(), r.toString());
        }
    }

    private static String get(Qrrot db, String key) {
        try (EmbeddedClient c = new EmbeddedClient(db, 2)) {
            return c.call("GET", key) instanceof Reply.BulkString b ? b.utf8() : null;
        }
    }

    /** A data directory with three keys and a snapshot of them; returns the snapshot file. */
    private Path dataWithSnapshot(Path dir) throws Exception {
        try (DurableQrrot db = DurableQrrot.open(dir, OPTIONS)) {
            write(db, "SET", "a", "alpha");
            write(db, "SET", "n", "42");
            write(db, "JSON.SET", "j", "$", "{\"x\":[1,2]}");
            return db.saveSnapshot().file();
        }
    }

    private static String json(Path file, long lsn, long size, boolean verified) {
        return "{\"file\":\"" + file + "\",\"formatVersion\":2,\"baseLsn\":" + lsn + ",\"createdMillis\":" + NOW
                + ",\"recordCount\":3,\"keyCount\":3,\"blockCount\":1,\"fileSize\":" + size + ",\"verified\":"
                + verified + (verified ? ",\"collections\":[]" : "") + "}\n";
    }

    @Test
    void statusAndVerifyOfAGoodFile() throws Exception {
        Path file = dataWithSnapshot(tmp.resolve("data"));
        assertEquals(SnapshotFormat.fileName(3), file.getFileName().toString());
        long size = Files.size(file);

        CliRun.Result status = qrrot("snapshot", "status", file.toString(), "--json");
        assertEquals(0, status.exit(), status.err());
        assertEquals(json(file, 3, size, false), status.out());
        assertEquals("", status.err());

        CliRun.Result verify = qrrot("snapshot", "verify", "--json", file.toString());
        assertEquals(0, verify.exit(), verify.err());
        assertEquals(json(file, 3, size, true), verify.out());
        assertEquals("", verify.err(), "no progress bar without a terminal");

        CliRun.Result human = qrrot("snapshot", "verify", file.toString());
        assertEquals(0, human.exit());
        assertEquals("file:           " + file + "\n"
                + "format version: 2\n"
                + "base LSN:       3\n"
                + "created:        2026-01-01T00:00:00Z\n"
                + "keys:           3\n"
                + "records:        3 (a key with its value; a collection's header, elements and continuations)\n"
                + "blocks:         1\n"
                + "size:           " + size + " bytes\n"
                + "collections:    none\n"
                + "verified:       yes: every block CRC, record, count and the digest checked\n", human.out());
        CliRun.Result atTerminal = new CliRun().interactive().run("snapshot", "verify", "--json", file.toString());
        assertEquals(json(file, 3, size, true), atTerminal.out(), "the bar goes to stderr only");
        assertTrue(atTerminal.err().contains("verify 100%"), atTerminal.err());
        assertTrue(atTerminal.err().contains(" 3/3 records "), atTerminal.err());

        assertTrue(qrrot("snapshot", "status", file.toString()).out().endsWith(
                "verified:       no: header and footer only (qrrot snapshot verify checks everything)\n"));
    }

    /** A data directory with a string, an int and two hashes (their records appended to its log), folded. */
    private Path dataWithHashes(Path dir) throws Exception {
        try (DurableQrrot db = DurableQrrot.open(dir, OPTIONS)) {
            write(db, "SET", "a", "alpha");
            write(db, "SET", "n", "42", "PXAT", "4102444800000");
        }
        HashRecords.append(dir, List.of(HashRecords.hset("h", "f1", "v1", "f2", "v2", "f3", "v3"),
                HashRecords.hdel("h", "f2"), HashRecords.hset("small", "only", "one")));
        try (DurableQrrot db = DurableQrrot.open(dir, OPTIONS)) {
            return db.saveSnapshot().file();
        }
    }

    @Test
    void verifyAndDumpShowCollections() throws Exception {
        Path file = dataWithHashes(tmp.resolve("data"));
        CliRun.Result verify = qrrot("snapshot", "verify", file.toString());
        assertEquals(0, verify.exit(), verify.err());
        assertTrue(verify.out().contains("\nkeys:           4\n"
                + "records:        7 (a key with its value; a collection's header, elements and continuations)\n"),
                verify.out());
        assertTrue(verify.out().contains("\ncollections:    2 hashes with 3 elements (the largest 2)\n"
                + "verified:       yes"), verify.out());
        CliRun.Result json = qrrot("snapshot", "verify", "--json", file.toString());
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.out().endsWith(",\"keyCount\":4,\"blockCount\":1,\"fileSize\":" + Files.size(file)
                + ",\"verified\":true,\"collections\":[{\"type\":\"hash\",\"keys\":2,\"elements\":3,"
                + "\"largest\":2}]}\n"), json.out());
        CliRun.Result status = qrrot("snapshot", "status", file.toString());
        assertTrue(status.out().contains("\nkeys:           4\nrecords:        7 "), status.out());

        // The keys in the file's (hash) order, each a line; a hash with its element count, or its elements.
        CliRun.Result dump = qrrot("snapshot", "dump", file.toString());
        assertEquals(0, dump.exit(), dump.err());
        List<String> lines = List.of(dump.out().split("\n"));
        assertEquals(4, lines.size(), dump.out());
        assertTrue(lines.contains("key \"a\" type=string value \"alpha\" expiry=none"), dump.out());
        assertTrue(lines.contains("key \"n\" type=int value 42 expiry=2100-01-01T00:00:00Z"), dump.out());
        assertTrue(lines.contains("key \"h\" type=hash elements=2 expiry=none"), dump.out());
        assertTrue(lines.contains("key \"small\" type=hash elements=1 expiry=none"), dump.out());
        CliRun.Result elements = qrrot("snapshot", "dump", file.toString(), "--elements");
        assertEquals(0, elements.exit(), elements.err());
        String out = elements.out();
        int h = out.indexOf("key \"h\" type=hash expiry=none\n");
        assertTrue(h >= 0, out);
        String fields = out.substring(h).split("\nkey ")[0];
        assertEquals(List.of("  field \"f1\" value \"v1\"", "  field \"f3\" value \"v3\""),
                List.of(fields.split("\n")).subList(1, 3).stream().sorted().toList(), out);
        assertTrue(out.contains("key \"small\" type=hash expiry=none\n  field \"only\" value \"one\"\n"), out);
        assertEquals(List.of(lines.get(0), lines.get(1)),
                List.of(qrrot("snapshot", "dump", file.toString(), "--limit", "2").out().split("\n")));
        assertEquals("", qrrot("snapshot", "dump", file.toString(), "--limit", "0").out());

        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - SnapshotFormat.FOOTER_LENGTH - 2] ^= 1;
        Path bad = tmp.resolve("bad.qrrt");
        Files.write(bad, bytes);
        CliRun.Result damaged = qrrot("snapshot", "dump", bad.toString());
        assertEquals(1, damaged.exit());
        assertTrue(damaged.err().startsWith("qrrot snapshot dump: corrupt snapshot " + bad + " at byte offset 28: "
                + "block 0 CRC32C mismatch"), damaged.err());
    }

    private static byte[] item(int flags, long cas, String value) {
        byte[] v = value.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return java.nio.ByteBuffer.allocate(EntryType.ITEM_HEAD + v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(flags).putLong(cas).put(v).array();
    }

    @Test
    void dumpShowsAMemcachedItemsFlagsAndCas() throws Exception {
        Path file;
        try (SnapshotWriter w = SnapshotWriter.begin(FileStorage.INSTANCE, tmp.resolve("snapshots"), 9, NOW)) {
            w.add(EntryType.ITEM, "m".getBytes(), item(5, 7, "abc"), 0);
            w.add(EntryType.ITEM, "e".getBytes(), item(-1, -2L, ""), 4102444800000L);
            w.add(EntryType.ITEM, "b".getBytes(), item(0, 1, "y".repeat(300)), 0);
            w.finish();
            file = w.finalFile();
        }
        CliRun.Result dump = qrrot("snapshot", "dump", file.toString());
        assertEquals(0, dump.exit(), dump.err());
        assertEquals("key \"m\" type=memcached flags=5 cas=7 value \"abc\" expiry=none\n"
                + "key \"e\" type=memcached flags=4294967295 cas=18446744073709551614 value \"\" "
                + "expiry=2100-01-01T00:00:00Z\n"
                + "key \"b\" type=memcached flags=0 cas=1 value \"" + "y".repeat(256) + "\"... (300 bytes) expiry=none\n",
                dump.out());
        CliRun.Result verify = qrrot("snapshot", "verify", file.toString());
        assertEquals(0, verify.exit(), verify.err());
        assertTrue(verify.out().contains("\nkeys:           3\n"), verify.out());

        // Restored and opened, the items are there with their flags and uniques.
        Path dir = tmp.resolve("restored");
        CliRun.Result restore = qrrot("snapshot", "restore", file.toString(), "--wal", dir.toString());
        assertEquals(0, restore.exit(), restore.err());
        try (DurableQrrot db = DurableQrrot.open(dir, OPTIONS)) {
            assertEquals("abc", get(db, "m"));
            // The counter starts at the clock's microseconds, above 7, and gives out uniques below 2^63 (derived
            // ones have the top bit set): 2^64-2 does not raise it.
            assertEquals(NOW * 1000, db.engine().memcached().lastCas());
        }
    }

    private static byte[] score(double v) {
        return java.nio.ByteBuffer.allocate(EntryType.SCORE_BYTES).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putDouble(v).array();
    }

    /**
     * A snapshot file holding a string and two sorted sets, written with the format's writer (a member's payload
     * is its score, 8 bytes of a little-endian double), in the order given.
     */
    private Path snapshotWithSortedSets() throws Exception {
        try (SnapshotWriter w = SnapshotWriter.begin(FileStorage.INSTANCE, tmp.resolve("snapshots"), 9, NOW)) {
            w.add(EntryType.STRING, "a".getBytes(), "alpha".getBytes(), 0);
            w.beginCollection(EntryType.ZSET, "board".getBytes(), 0);
            w.addElement("ann".getBytes(), score(Double.NEGATIVE_INFINITY));
            w.addElement("bob".getBytes(), score(0.1));
            w.addElement("caf\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8), score(1.5));
            w.addElement("dan".getBytes(), score(-0.0));
            w.beginCollection(EntryType.ZSET, "big".getBytes(), 4102444800000L);
            w.addElement("x".getBytes(), score(1e20));
            w.addElement("y".getBytes(), score(123456789));
            w.finish();
            return w.finalFile();
        }
    }

    @Test
    void verifyAndDumpShowSortedSets() throws Exception {
        Path file = snapshotWithSortedSets();
        CliRun.Result verify = qrrot("snapshot", "verify", file.toString());
        assertEquals(0, verify.exit(), verify.err());
        assertTrue(verify.out().contains("\nkeys:           3\n"
                + "records:        9 (a key with its value; a collection's header, elements and continuations)\n"),
                verify.out());
        assertTrue(verify.out().contains("\ncollections:    2 zsets with 6 elements (the largest 4)\n"
                + "verified:       yes"), verify.out());
        CliRun.Result json = qrrot("snapshot", "verify", "--json", file.toString());
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.out().endsWith(",\"verified\":true,\"collections\":[{\"type\":\"zset\",\"keys\":2,"
                + "\"elements\":6,\"largest\":4}]}\n"), json.out());

        CliRun.Result dump = qrrot("snapshot", "dump", file.toString());
        assertEquals(0, dump.exit(), dump.err());
        assertEquals("""
                key "a" type=string value "alpha" expiry=none
                key "board" type=zset elements=4 expiry=none
                key "big" type=zset elements=2 expiry=2100-01-01T00:00:00Z
                """, dump.out());
        // Each member with its score, printed as ZSCORE prints it ("%.17g").
        CliRun.Result elements = qrrot("snapshot", "dump", "--elements", file.toString());
        assertEquals(0, elements.exit(), elements.err());
        assertEquals("""
                key "a" type=string value "alpha" expiry=none
                key "board" type=zset expiry=none
                  member "ann" score -inf
                  member "bob" score 0.10000000000000001
                  member "caf\\xc3\\xa9" score 1.5
                  member "dan" score -0
                key "big" type=zset expiry=2100-01-01T00:00:00Z
                  member "x" score 1e+20
                  member "y" score 123456789
                """, elements.out());
        assertEquals("", elements.err());
    }

    /** A list element's label as snapshots hold it: 8 bytes, big-endian, the sign bit flipped. */
    private static byte[] label(long label) {
        return java.nio.ByteBuffer.allocate(8).putLong(label ^ Long.MIN_VALUE).array();
    }

    /**
     * A snapshot file holding a string and two lists, written with the format's writer (an element is its label,
     * its payload the value), in list order.
     */
    private Path snapshotWithLists() throws Exception {
        try (SnapshotWriter w = SnapshotWriter.begin(FileStorage.INSTANCE, tmp.resolve("snapshots"), 12, NOW)) {
            w.add(EntryType.STRING, "a".getBytes(), "alpha".getBytes(), 0);
            w.beginCollection(EntryType.LIST, "q".getBytes(), 0);
            w.addElement(label(-65536), "z".getBytes());
            w.addElement(label(0), "a".getBytes());
            w.addElement(label(32768), "x y".getBytes());
            w.addElement(label(65536), "caf\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            w.addElement(label(131072), "".getBytes());
            w.beginCollection(EntryType.LIST, "jobs".getBytes(), 4102444800000L);
            w.addElement(label(-(1L << 62)), "first".getBytes());
            w.addElement(label(1L << 62), "y".repeat(300).getBytes());
            w.finish();
            return w.finalFile();
        }
    }

    @Test
    void verifyAndDumpShowLists() throws Exception {
        Path file = snapshotWithLists();
        CliRun.Result verify = qrrot("snapshot", "verify", file.toString());
        assertEquals(0, verify.exit(), verify.err());
        assertTrue(verify.out().contains("\nkeys:           3\n"), verify.out());
        assertTrue(verify.out().contains("\ncollections:    2 lists with 7 elements (the largest 5)\n"
                + "verified:       yes"), verify.out());
        CliRun.Result json = qrrot("snapshot", "verify", "--json", file.toString());
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.out().endsWith(",\"verified\":true,\"collections\":[{\"type\":\"list\",\"keys\":2,"
                + "\"elements\":7,\"largest\":5}]}\n"), json.out());

        CliRun.Result dump = qrrot("snapshot", "dump", file.toString());
        assertEquals(0, dump.exit(), dump.err());
        assertEquals("""
                key "a" type=string value "alpha" expiry=none
                key "q" type=list elements=5 expiry=none
                key "jobs" type=list elements=2 expiry=2100-01-01T00:00:00Z
                """, dump.out());
        // Each element in list order with its label, a signed number, and its value.
        CliRun.Result elements = qrrot("snapshot", "dump", "--elements", file.toString());
        assertEquals(0, elements.exit(), elements.err());
        assertEquals("""
                key "a" type=string value "alpha" expiry=none
                key "q" type=list expiry=none
                  label -65536 value "z"
                  label 0 value "a"
                  label 32768 value "x y"
                  label 65536 value "caf\\xc3\\xa9"
                  label 131072 value ""
                key "jobs" type=list expiry=2100-01-01T00:00:00Z
                  label -4611686018427387904 value "first"
                """ + "  label 4611686018427387904 value \"" + "y".repeat(256) + "\"... (300 bytes)\n", elements.out());
        assertEquals("", elements.err());
    }

    /** A database's list, folded into its snapshot: the elements in list order with the labels the pushes gave. */
    @Test
    void dumpShowsADatabasesListInOrder() throws Exception {
        Path dir = tmp.resolve("data");
        Path file;
        try (DurableQrrot db = DurableQrrot.open(dir, OPTIONS)) {
            write(db, "RPUSH", "q", "a", "b", "c");
            write(db, "LPUSH", "q", "z");
            write(db, "LINSERT", "q", "BEFORE", "b", "x y");
            write(db, "LSET", "q", "-1", "C");
            write(db, "LPOP", "q");
            file = db.saveSnapshot().file();
        }
        CliRun.Result elements = qrrot("snapshot", "dump", "--elements", file.toString());
        assertEquals(0, elements.exit(), elements.err());
        assertEquals("""
                key "q" type=list expiry=none
                  label 0 value "a"
                  label 32768 value "x y"
                  label 65536 value "b"
                  label 131072 value "C"
                """, elements.out());
        CliRun.Result verify = qrrot("snapshot", "verify", file.toString());
        assertTrue(verify.out().contains("\ncollections:    1 list with 4 elements (the largest 4)\n"), verify.out());
    }

    @Test
    void corruptFileFailsWithTheFileAndOffset() throws Exception {
        Path good = dataWithSnapshot(tmp.resolve("data"));
        Path bad = tmp.resolve("copy.qrrt");
        byte[] bytes = Files.readAllBytes(good);
        int at = SnapshotFormat.HEADER_LENGTH + SnapshotFormat.BLOCK_HEADER_LENGTH + 3; // inside the first record
        bytes[at] ^= 0x20;
        Files.write(bad, bytes);
        String message = assertThrows(SnapshotCorruptException.class,
                () -> SnapshotReader.verify(FileStorage.INSTANCE, bad)).getMessage();
        assertTrue(message.startsWith("corrupt snapshot " + bad + " at byte offset " + SnapshotFormat.HEADER_LENGTH
                + ": block 0 CRC32C mismatch over bytes "), message);

        // The file checked on its own: what is wrong and where, not the advice for a database's snapshots
        // (opening falls back to the previous one; run the very command that was just run).
        String fact = message.substring(0, message.indexOf("; qrrot falls back"));
        assertTrue(fact.matches("corrupt snapshot \\S+ at byte offset \\d+: block 0 CRC32C mismatch over bytes \\d+\\.\\.\\d+ "
                + "\\(expected 0x[0-9a-f]+ \\(stored\\), actual 0x[0-9a-f]+ \\(computed\\)\\)"), fact);
        CliRun.Result verify = qrrot("snapshot", "verify", bad.toString());
        assertEquals(new CliRun.Result(1, "", "qrrot snapshot verify: " + fact + "\n"), verify);

        CliRun.Result json = qrrot("snapshot", "verify", "--json", bad.toString());
        assertEquals(1, json.exit());
        assertEquals("{\"file\":\"" + bad + "\",\"error\":\"" + fact + "\"}\n", json.out());
        for (String verb : List.of("dump", "restore")) {
            List<String> args = new java.util.ArrayList<>(List.of("snapshot", verb, bad.toString()));
            if (verb.equals("restore")) {
                args.addAll(List.of("--wal", tmp.resolve("restored").toString()));
            }
            CliRun.Result r = qrrot(args.toArray(String[]::new));
            assertEquals(new CliRun.Result(1, "", "qrrot snapshot " + verb + ": " + fact + "\n"), r, verb);
        }

        // Header and footer are intact: status does not read the blocks.
        assertEquals(0, qrrot("snapshot", "status", bad.toString()).exit());

        Path cut = tmp.resolve("cut.qrrt");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        CliRun.Result status = qrrot("snapshot", "status", cut.toString());
        assertEquals(1, status.exit());
        assertTrue(status.err().startsWith("qrrot snapshot status: corrupt snapshot " + cut + " at byte offset "
                + (bytes.length - 1 - SnapshotFormat.FOOTER_LENGTH + SnapshotFormat.TRAILER_MAGIC_OFFSET)
                + ": bad trailer magic"), status.err());

        CliRun.Result missing = qrrot("snapshot", "status", tmp.resolve("nope.qrrt").toString());
        assertEquals(1, missing.exit());
        assertEquals("qrrot snapshot status: no such file or directory: " + tmp.resolve("nope.qrrt") + "\n", missing.err());
    }

    @Test
    void restoreRefusesANonEmptyDirectoryAndChangesNothing() throws Exception {
        Path file = dataWithSnapshot(tmp.resolve("data"));
        Path target = tmp.resolve("target");
        Files.createDirectories(target.resolve("wal"));
        Files.writeString(target.resolve("notes.txt"), "keep me");
        CliRun.Result r = qrrot("snapshot", "restore", file.toString(), "--wal", target.toString());
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("qrrot snapshot restore: refusing to restore into " + target + ": the directory is not empty (it "
                + "holds notes.txt, wal); restore into a new or empty directory, or move this one aside first\n", r.err());
        try (Stream<Path> s = Files.walk(target)) {
            assertEquals(List.of(target, target.resolve("notes.txt"), target.resolve("wal")), s.sorted().toList());
        }
        assertEquals("keep me", Files.readString(target.resolve("notes.txt")));
    }

    @Test
    void restoreIntoANewDirectoryThenOpenIt() throws Exception {
        Path file = dataWithSnapshot(tmp.resolve("data"));
        Path backup = tmp.resolve("backup.qrrt");
        Files.copy(file, backup);
        Path restored = tmp.resolve("restored");
        CliRun.Result r = qrrot("snapshot", "restore", backup.toString(), "--wal", restored.toString());
        assertEquals(0, r.exit(), r.err());
        Path installed = restored.resolve("snapshots").resolve(SnapshotFormat.fileName(3));
        assertEquals("restored " + backup + " into " + restored + ": 3 keys at LSN 3 (" + installed + ")\n"
                + "start it with: qrrot serve --wal " + restored + "\n", r.out());
        assertArrayEquals(Files.readAllBytes(backup), Files.readAllBytes(installed));
        try (DurableQrrot db = DurableQrrot.open(restored, OPTIONS)) {
            assertEquals("alpha", get(db, "a"));
            assertEquals("42", get(db, "n"));
            write(db, "SET", "after", "restore");
            assertEquals("restore", get(db, "after"));
        }
        try (DurableQrrot db = DurableQrrot.open(restored, OPTIONS)) {
            assertEquals("restore", get(db, "after"), "the WAL after the restored snapshot continues at LSN 4");
            assertEquals("alpha", get(db, "a"));
        }

        // An empty directory is fine; --json reports it.
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CliRun.Result j = qrrot("snapshot", "restore", backup.toString(), "--wal", empty.toString(), "--json");
        assertEquals(0, j.exit(), j.err());
        assertEquals("{\"dataDir\":\"" + empty + "\",\"baseLsn\":3,\"keys\":3,\"snapshot\":\""
                + empty.resolve("snapshots").resolve(SnapshotFormat.fileName(3)) + "\"}\n", j.out());
    }

    @Test
    void restoreOfACorruptFileCreatesNothing() throws Exception {
        Path file = dataWithSnapshot(tmp.resolve("data"));
        byte[] bytes = Files.readAllBytes(file);
        bytes[SnapshotFormat.HEADER_LENGTH + SnapshotFormat.BLOCK_HEADER_LENGTH + 3] ^= 1;
        Path bad = tmp.resolve("bad.qrrt");
        Files.write(bad, bytes);
        Path target = tmp.resolve("target");
        CliRun.Result r = qrrot("snapshot", "restore", bad.toString(), "--wal", target.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("qrrot snapshot restore: corrupt snapshot " + bad + " at byte offset 28: "),
                r.err());
        assertFalse(Files.exists(target));
    }

    @Test
    void saveFromARunningServerThenVerifyRestoreAndOpen() throws Exception {
        Path dir = tmp.resolve("served");
        Path backup = tmp.resolve("backups").resolve("b1.qrrt");
        Files.createDirectories(backup.getParent());
        try (DurableQrrot db = DurableQrrot.open(dir, OPTIONS);
             QrrotServer server = new QrrotServer(db, ServerOptions.defaults().withPort(0).withRequirePass("pw")).start()) {
            for (int from = 0; from < 2000; from += 100) {
                List<String> mset = new java.util.ArrayList<>(List.of("MSET"));
                for (int i = from; i < from + 100; i++) {
                    mset.add("key:" + i);
                    mset.add(value(i));
                }
                write(db, mset.toArray(String[]::new));
            }
            String port = Integer.toString(server.port());
            CliRun.Result denied = qrrot("snapshot", "save", "-p", port, backup.toString());
            assertEquals(1, denied.exit());
            assertEquals("qrrot snapshot save: the server at 127.0.0.1:" + port + " refused SNAPSHOT BEGIN: NOAUTH "
                    + "Authentication required.\n", denied.err());
            assertFalse(Files.exists(backup));

            CliRun.Result r = qrrot("snapshot", "save", "-p", port, "-a", "pw", backup.toString(), "--json");
            assertEquals(0, r.exit(), r.err());
            long size = Files.size(backup);
            assertEquals("{\"file\":\"" + backup + "\",\"formatVersion\":2,\"baseLsn\":20,\"createdMillis\":" + NOW
                    + ",\"recordCount\":2000,\"keyCount\":2000,\"blockCount\":"
                    + SnapshotReader.status(FileStorage.INSTANCE, backup).blockCount() + ",\"fileSize\":" + size + ",\"verified\":true}\n", r.out());
            assertTrue(size > SnapshotDownload.CHUNK, "more than one READ: " + size);
            try (Stream<Path> s = Files.list(backup.getParent())) {
                assertEquals(List.of(backup), s.toList(), "no .part file left");
            }
            write(db, "SET", "key:0", "changed after the backup");

            CliRun.Result again = qrrot("snapshot", "save", "-p", port, "-a", "pw", backup.toString());
            assertEquals(1, again.exit());
            assertEquals("qrrot snapshot save: " + backup + " exists; choose another name, or pass --force to replace it\n",
                    again.err());
        }
        assertEquals(0, qrrot("snapshot", "verify", backup.toString()).exit());
        Path restored = tmp.resolve("restored");
        assertEquals(0, qrrot("snapshot", "restore", backup.toString(), "--wal", restored.toString()).exit());
        try (DurableQrrot db = DurableQrrot.open(restored, OPTIONS)) {
            assertEquals(value(0), get(db, "key:0"), "the backup holds the data as it was when it was saved");
            assertEquals(value(1999), get(db, "key:1999"));
            try (EmbeddedClient c = new EmbeddedClient(db, 2)) {
                assertEquals(new Reply.IntegerReply(2000), c.call("DBSIZE"));
            }
        }
    }

    @Test
    void saveFromAnOfflineDirectory() throws Exception {
        Path dir = tmp.resolve("data");
        dataWithSnapshot(dir);
        try (DurableQrrot db = DurableQrrot.open(dir, OPTIONS)) {
            write(db, "SET", "later", "in the WAL only");
            Path out = tmp.resolve("out.qrrt");
            CliRun.Result held = qrrot("snapshot", "save", "--wal", dir.toString(), out.toString());
            assertEquals(1, held.exit());
            assertEquals("qrrot snapshot save: data directory " + dir + " is in use by another qrrot process (pid "
                    + ProcessHandle.current().pid() + ") (lock file " + dir.resolve("LOCK") + "); stop that process "
                    + "or choose another directory\n", held.err());
            assertFalse(Files.exists(out));
        }
        Path out = tmp.resolve("out.qrrt");
        CliRun.Result r = qrrot("snapshot", "save", "--wal", dir.toString(), out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("file:           " + out + "\nformat version: 2\nbase LSN:       4\n"), r.out());
        assertTrue(r.out().contains("\nkeys:           4\n"), r.out());
        Path restored = tmp.resolve("restored");
        assertEquals(0, qrrot("snapshot", "restore", out.toString(), "--wal", restored.toString()).exit());
        try (DurableQrrot db = DurableQrrot.open(restored, OPTIONS)) {
            assertEquals("in the WAL only", get(db, "later"));
        }
        CliRun.Result notData = qrrot("snapshot", "save", "--wal", tmp.resolve("nothing").toString(),
                tmp.resolve("x.qrrt").toString());
        assertEquals(1, notData.exit());
        assertEquals("qrrot snapshot save: no such data directory: " + tmp.resolve("nothing") + "\n", notData.err());
    }

    @Test
    void usageErrorsExitWithTwo() throws Exception {
        assertEquals(2, qrrot("snapshot").exit());
        assertEquals(2, qrrot("snapshot", "restore", "f.qrrt").exit());
        assertEquals(2, qrrot("snapshot", "verify").exit());
        CliRun.Result both = qrrot("snapshot", "save", "--wal", tmp.toString(), "-p", "1", "f.qrrt");
        assertEquals(2, both.exit());
        assertTrue(both.err().startsWith("qrrot snapshot save: --wal opens a data directory, -p chooses a server: "
                + "give one or the other\n"), both.err());
        assertEquals(2, qrrot("wal").exit());
        assertEquals(2, qrrot("wal", "dump", tmp.toString(), "--limit", "x").exit());
    }

    /** About 600 bytes, so 2000 keys make a snapshot of more than one READ chunk. */
    private static String value(int i) {
        return "value-" + i + "-" + "x".repeat(550 + i % 50);
    }
}
