package io.qrrot.cli.wal;

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
import io.qrrot.wal.WalCheck;
import io.qrrot.wal.WalCorruptionException;
import io.qrrot.wal.WalFormat;
import io.qrrot.wal.WalOptions;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qrrot wal check [--fix] [--json]} and {@code qrrot wal dump} on real data directories. */
class WalVerbsTest {
    /** Segments that grow as they are written, so the file ends where the data ends. */
    static final QrrotOptions OPTIONS = QrrotOptions.defaults().withWal(1 << 20, 256L << 20, 3_600_000L)
            .withWalPreallocation(WalOptions.Preallocation.NONE);
    static final String BIG = "y".repeat(300);

    @TempDir
    Path tmp;

    private static CliRun.Result qrrot(String... args) {
        return new CliRun().run(args);
    }

    private static void run(Qrrot db, String... command) {
        try (EmbeddedClient c = new EmbeddedClient(db, 2)) {
            Reply r = c.call(command);
            assertFalse(r.isError(), String.join(" ", command) + " -> " + r);
        }
    }

    /** A closed data directory whose WAL holds eight records of every kind of operation. */
    private Path data() throws Exception {
        Path dir = tmp.resolve("data");
        try (DurableQrrot db = DurableQrrot.open(dir, OPTIONS)) {
            run(db, "SET", "k", "v");                                  // 1
            run(db, "SET", "n", "42");                                 // 2
            run(db, "JSON.SET", "j", "$", "{\"a\": 1}");               // 3
            run(db, "EXPIREAT", "n", "4102444800");                    // 4
            run(db, "SET", "t", "caf\u00e9\n", "PXAT", "4102444800123"); // 5
            try (EmbeddedClient c = new EmbeddedClient(db, 2)) {       // 6: one transaction, two operations
                c.call("MULTI");
                c.call("SET", "a", "1");
                c.call("DEL", "k");
                assertTrue(c.call("EXEC") instanceof Reply.ArrayReply);
            }
            run(db, "SET", "big", BIG);                                // 7
            run(db, "FLUSHALL");                                       // 8
        }
        return dir;
    }

    private static Path segment(Path dir) throws IOException {
        try (var s = Files.list(dir.resolve("wal"))) {
            List<Path> segs = s.filter(p -> p.toString().endsWith(".wal")).sorted().toList();
            assertEquals(1, segs.size(), segs.toString());
            return segs.get(0);
        }
    }

    @Test
    void dumpDecodesEveryRecord() throws Exception {
        Path dir = data();
        CliRun.Result r = qrrot("wal", "dump", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                lsn=1 PUT key "k" type=string value "v" expiry=none
                lsn=2 PUT key "n" type=int value 42 expiry=none
                lsn=3 PUT key "j" type=json value "{\\"a\\":1}" expiry=none
                lsn=4 EXPIRE key "n" expiry=2100-01-01T00:00:00Z
                lsn=5 PUT key "t" type=string value "caf\\xc3\\xa9\\n" expiry=2100-01-01T00:00:00.123Z
                lsn=6 PUT key "a" type=int value 1 expiry=none
                lsn=6 DEL key "k"
                lsn=7 PUT key "big" type=string value \"""" + "y".repeat(256) + "\"... (300 bytes) expiry=none\n"
                + "lsn=8 CLEAR\n", r.out());
        assertEquals("", r.err());

        CliRun.Result part = qrrot("wal", "dump", dir.resolve("wal").toString(), "--from", "6", "--limit", "1");
        assertEquals(0, part.exit());
        assertEquals("lsn=6 PUT key \"a\" type=int value 1 expiry=none\nlsn=6 DEL key \"k\"\n", part.out());
    }

    @Test
    void dumpShowsElementOpsALinePerElement() throws Exception {
        Path dir = tmp.resolve("data");
        try (DurableQrrot db = DurableQrrot.open(dir, OPTIONS)) {
            run(db, "SET", "k", "v");
        }
        HashRecords.append(dir, List.of(HashRecords.hset("h", "f", "v", "caf\u00e9", BIG),
                HashRecords.hdel("h", "f", "nope")));
        CliRun.Result r = qrrot("wal", "dump", dir.toString(), "--from", "2");
        assertEquals(0, r.exit(), r.err());
        assertEquals("lsn=2 ELEMENTS_PUT key \"h\" type=hash field \"f\" value \"v\"\n"
                + "lsn=2 ELEMENTS_PUT key \"h\" type=hash field \"caf\\xc3\\xa9\" value \"" + "y".repeat(256)
                + "\"... (300 bytes)\n"
                + "lsn=3 ELEMENTS_DEL key \"h\" type=hash field \"f\"\n"
                + "lsn=3 ELEMENTS_DEL key \"h\" type=hash field \"nope\"\n", r.out());
        assertEquals("", r.err());
    }

    /** One record: a PUT of a memcached item with these flags, CAS unique and bytes. */
    private static byte[] item(String key, int flags, long cas, String value, long expiry) {
        org.agrona.ExpandableArrayBuffer b = new org.agrona.ExpandableArrayBuffer();
        UnsafeBuffer k = bytes(key);
        UnsafeBuffer v = bytes(value);
        int len = io.qrrot.engine.EffectCodec.encodeHeader(b, 0, 1);
        len += io.qrrot.engine.EffectCodec.encodePutItem(b, len, k, 0, k.capacity(), flags, cas, v, 0, v.capacity(),
                v, 0, 0, expiry);
        byte[] rec = new byte[len];
        b.getBytes(0, rec);
        return rec;
    }

    @Test
    void dumpShowsAMemcachedItemsFlagsAndCas() throws Exception {
        Path dir = tmp.resolve("data");
        try (DurableQrrot db = DurableQrrot.open(dir, OPTIONS)) {
            run(db, "SET", "k", "v");
        }
        HashRecords.append(dir, List.of(item("m", 5, 7, "abc", 0), item("e", -1, -2L, "", 4102444800000L),
                item("b", 0, 1, BIG, 0)));
        CliRun.Result r = qrrot("wal", "dump", dir.toString(), "--from", "2");
        assertEquals(0, r.exit(), r.err());
        assertEquals("lsn=2 PUT key \"m\" type=memcached flags=5 cas=7 value \"abc\" expiry=none\n"
                + "lsn=3 PUT key \"e\" type=memcached flags=4294967295 cas=18446744073709551614 value \"\" "
                + "expiry=2100-01-01T00:00:00Z\n"
                + "lsn=4 PUT key \"b\" type=memcached flags=0 cas=1 value \"" + "y".repeat(256)
                + "\"... (300 bytes) expiry=none\n", r.out());
        assertEquals("", r.err());
    }

    private static UnsafeBuffer bytes(String s) {
        return new UnsafeBuffer(s.getBytes(StandardCharsets.UTF_8));
    }

    private static UnsafeBuffer score(double v) {
        UnsafeBuffer b = new UnsafeBuffer(new byte[EntryType.SCORE_BYTES]);
        b.putDouble(0, v, ByteOrder.LITTLE_ENDIAN);
        return b;
    }

    private static void zput(EffectLines lines, String key, String member, DirectBuffer payload) {
        UnsafeBuffer k = bytes(key);
        UnsafeBuffer m = bytes(member);
        lines.elementPut(EntryType.ZSET, k, 0, k.capacity(), m, 0, m.capacity(), payload, 0, payload.capacity());
    }

    /** A sorted set's element ops as lines: each member with its score, printed as ZSCORE prints it. */
    @Test
    void sortedSetElementsShowMemberAndScore() {
        EffectLines lines = new EffectLines(21);
        zput(lines, "z", "a", score(1.5));
        zput(lines, "z", "b", score(0.1));
        zput(lines, "z", "caf\u00e9", score(Double.NEGATIVE_INFINITY));
        zput(lines, "z", "d", score(-0.0));
        zput(lines, "z", "e", score(1e20));
        zput(lines, "z", "f", score(3.0000000000000001e-05));
        zput(lines, "z", "g", score(-42));
        zput(lines, "z", "h", bytes("xyz")); // no sorted set holds this: shown as bytes, not misread
        UnsafeBuffer k = bytes("z");
        UnsafeBuffer m = bytes("a");
        lines.elementDelete(EntryType.ZSET, k, 0, 1, m, 0, 1);
        lines.createAsTable(EntryType.ZSET, k, 0, 1);
        assertEquals(List.of(
                "lsn=21 ELEMENTS_PUT key \"z\" type=zset member \"a\" score 1.5",
                "lsn=21 ELEMENTS_PUT key \"z\" type=zset member \"b\" score 0.10000000000000001",
                "lsn=21 ELEMENTS_PUT key \"z\" type=zset member \"caf\\xc3\\xa9\" score -inf",
                "lsn=21 ELEMENTS_PUT key \"z\" type=zset member \"d\" score -0",
                "lsn=21 ELEMENTS_PUT key \"z\" type=zset member \"e\" score 1e+20",
                "lsn=21 ELEMENTS_PUT key \"z\" type=zset member \"f\" score 3.0000000000000001e-05",
                "lsn=21 ELEMENTS_PUT key \"z\" type=zset member \"g\" score -42",
                "lsn=21 ELEMENTS_PUT key \"z\" type=zset member \"h\" score (not a score: 3 bytes) \"xyz\"",
                "lsn=21 ELEMENTS_DEL key \"z\" type=zset member \"a\"",
                "lsn=21 ELEMENTS_PUT key \"z\" type=zset as a table"), lines.lines());
    }

    /**
     * ZADD, ZINCRBY and ZREM of a real database, dumped from its log: ZADD logs the members it set with their
     * scores, ZINCRBY the resulting score (not the increment), ZREM the members it removed.
     */
    @Test
    void dumpShowsSortedSetCommands() throws Exception {
        Path dir = tmp.resolve("data");
        try (DurableQrrot db = DurableQrrot.open(dir, OPTIONS)) {
            run(db, "ZADD", "z", "1.5", "a", "0.1", "b", "-inf", "c"); // 1
            run(db, "ZINCRBY", "z", "2", "a");                         // 2
            run(db, "ZREM", "z", "b", "nope");                         // 3
            run(db, "ZREM", "z", "a", "c");                            // 4: empties it
        }
        CliRun.Result r = qrrot("wal", "dump", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                lsn=1 ELEMENTS_PUT key "z" type=zset member "a" score 1.5
                lsn=1 ELEMENTS_PUT key "z" type=zset member "b" score 0.10000000000000001
                lsn=1 ELEMENTS_PUT key "z" type=zset member "c" score -inf
                lsn=2 ELEMENTS_PUT key "z" type=zset member "a" score 3.5
                lsn=3 ELEMENTS_DEL key "z" type=zset member "b"
                lsn=4 ELEMENTS_DEL key "z" type=zset member "a"
                lsn=4 ELEMENTS_DEL key "z" type=zset member "c"
                lsn=4 DEL key "z"
                """, r.out());
        assertEquals("", r.err());
    }

    /** A list element's label as the log holds it: 8 bytes, big-endian, the sign bit flipped. */
    private static UnsafeBuffer label(long label) {
        UnsafeBuffer b = new UnsafeBuffer(new byte[8]);
        b.putLong(0, label ^ Long.MIN_VALUE, ByteOrder.BIG_ENDIAN);
        return b;
    }

    private static void lput(EffectLines lines, String key, DirectBuffer label, String value) {
        UnsafeBuffer k = bytes(key);
        UnsafeBuffer v = bytes(value);
        lines.elementPut(EntryType.LIST, k, 0, k.capacity(), label, 0, label.capacity(), v, 0, v.capacity());
    }

    /** A list's element ops as lines: each element's label as a signed number, and its value. */
    @Test
    void listElementsShowLabelAndValue() {
        EffectLines lines = new EffectLines(30);
        lput(lines, "q", label(0), "a");
        lput(lines, "q", label(65536), "caf\u00e9");
        lput(lines, "q", label(-65536), "");
        lput(lines, "q", label(-(1L << 62)), "first");
        lput(lines, "q", label(1L << 62), BIG);
        lput(lines, "q", bytes("xyz"), "v"); // no list holds this: shown as bytes, not misread
        UnsafeBuffer k = bytes("q");
        UnsafeBuffer l = label(98304);
        lines.elementDelete(EntryType.LIST, k, 0, 1, l, 0, l.capacity());
        assertEquals(List.of(
                "lsn=30 ELEMENTS_PUT key \"q\" type=list label 0 value \"a\"",
                "lsn=30 ELEMENTS_PUT key \"q\" type=list label 65536 value \"caf\\xc3\\xa9\"",
                "lsn=30 ELEMENTS_PUT key \"q\" type=list label -65536 value \"\"",
                "lsn=30 ELEMENTS_PUT key \"q\" type=list label -4611686018427387904 value \"first\"",
                "lsn=30 ELEMENTS_PUT key \"q\" type=list label 4611686018427387904 value \"" + "y".repeat(256)
                        + "\"... (300 bytes)",
                "lsn=30 ELEMENTS_PUT key \"q\" type=list label (not a label: 3 bytes) \"xyz\" value \"v\"",
                "lsn=30 ELEMENTS_DEL key \"q\" type=list label 98304"), lines.lines());
    }

    /**
     * List commands of a real database, dumped from its log: a push logs each new element with its label (the
     * first 0, then a step of 65536 away from the end it joins), LINSERT a label between its neighbours', LSET
     * the label it overwrites with the new value, a pop or LREM the labels it removed.
     */
    @Test
    void dumpShowsListCommands() throws Exception {
        Path dir = tmp.resolve("data");
        try (DurableQrrot db = DurableQrrot.open(dir, OPTIONS)) {
            run(db, "RPUSH", "q", "a", "b", "c");           // 1
            run(db, "LPUSH", "q", "z");                     // 2
            run(db, "LINSERT", "q", "BEFORE", "b", "x y");  // 3
            run(db, "LSET", "q", "-1", "C");                // 4
            run(db, "LPOP", "q");                           // 5
            run(db, "LREM", "q", "0", "x y");               // 6
            run(db, "RPOP", "q", "3");                      // 7: empties it
        }
        CliRun.Result r = qrrot("wal", "dump", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                lsn=1 ELEMENTS_PUT key "q" type=list label 0 value "a"
                lsn=1 ELEMENTS_PUT key "q" type=list label 65536 value "b"
                lsn=1 ELEMENTS_PUT key "q" type=list label 131072 value "c"
                lsn=2 ELEMENTS_PUT key "q" type=list label -65536 value "z"
                lsn=3 ELEMENTS_PUT key "q" type=list label 32768 value "x y"
                lsn=4 ELEMENTS_PUT key "q" type=list label 131072 value "C"
                lsn=5 ELEMENTS_DEL key "q" type=list label -65536
                lsn=6 ELEMENTS_DEL key "q" type=list label 32768
                lsn=7 ELEMENTS_DEL key "q" type=list label 131072
                lsn=7 ELEMENTS_DEL key "q" type=list label 65536
                lsn=7 ELEMENTS_DEL key "q" type=list label 0
                lsn=7 DEL key "q"
                """, r.out());
        assertEquals("", r.err());
    }

    @Test
    void checkOfACleanLog() throws Exception {
        Path dir = data();
        Path seg = segment(dir);
        long size = Files.size(seg);
        long data = size - WalFormat.MARK_LENGTH; // the durability mark a clean close leaves after the last record
        CliRun.Result r = qrrot("wal", "check", dir.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(seg.getFileName() + ": LSN 1..8, 8 records, " + data + " data bytes, " + size + " bytes on disk\n"
                + "clean: 8 records, last LSN 8\n", r.out());
        CliRun.Result j = qrrot("wal", "check", dir.toString(), "--json");
        assertEquals(0, j.exit());
        assertEquals("{\"dir\":\"" + dir.resolve("wal") + "\",\"status\":\"clean\",\"records\":8,\"lastLsn\":8,"
                + "\"segments\":[{\"file\":\"" + seg + "\",\"firstLsn\":1,\"lastLsn\":8,\"records\":8,\"dataBytes\":"
                + data + ",\"fileBytes\":" + size + "}],\"damage\":null,\"fixed\":false,\"droppedBytes\":0,"
                + "\"brokenFiles\":[]}\n", j.out());
    }

    @Test
    void tornTailIsReportedAndFixed() throws Exception {
        Path dir = data();
        Path seg = segment(dir);
        long size = Files.size(seg);
        long cut = size - WalFormat.MARK_LENGTH - 3;
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(cut); // the last record (CLEAR) was never completely written, nor its fsync
        }
        WalCheck.Report expected = WalCheck.check(dir.resolve("wal"), false);
        assertEquals(WalCheck.Status.TORN_TAIL, expected.status());
        CliRun.Result r = qrrot("wal", "check", dir.toString());
        assertEquals(0, r.exit(), "a torn tail is repaired when the database opens");
        assertEquals(String.join("\n", expected.lines()) + "\n", r.out());
        assertTrue(r.out().contains("torn tail in " + seg + " at offset " + expected.damageOffset() + ": "), r.out());
        assertEquals(7, expected.lastLsn());

        CliRun.Result fix = qrrot("wal", "check", dir.toString(), "--fix", "--json");
        assertEquals(0, fix.exit(), fix.err());
        assertTrue(fix.out().startsWith("{\"dir\":\"" + dir.resolve("wal") + "\",\"status\":\"torn_tail\",\"records\":7,"
                + "\"lastLsn\":7,"), fix.out());
        Path copy = Path.of(seg + ".from-" + expected.damageOffset() + ".broken");
        assertTrue(fix.out().endsWith(",\"fixed\":true,\"droppedBytes\":" + expected.droppedBytes()
                + ",\"brokenFiles\":[\"" + copy + "\"]}\n"), fix.out());
        // The damaged bytes are kept aside and zeroed in place; the file keeps its length.
        assertEquals(cut, Files.size(seg));
        assertEquals(expected.droppedBytes(), Files.size(copy));
        assertEquals("clean: 7 records, last LSN 7\n", lastLine(qrrot("wal", "check", dir.toString()).out()));
        try (DurableQrrot db = DurableQrrot.open(dir, OPTIONS); EmbeddedClient c = new EmbeddedClient(db, 2)) {
            assertEquals(new Reply.BulkString(BIG.getBytes()), c.call("GET", "big"), "FLUSHALL never happened");
        }
    }

    @Test
    void corruptionInTheMiddleStopsTheDatabaseUntilFixed() throws Exception {
        Path dir = data();
        Path seg = segment(dir);
        long third = offsetOf(dir.resolve("wal"), 3);
        byte[] bytes = Files.readAllBytes(seg);
        bytes[(int) third + WalFormat.RECORD_HEADER_LENGTH + 2] ^= 0x10;
        Files.write(seg, bytes);

        WalCheck.Report expected = WalCheck.check(dir.resolve("wal"), false);
        assertEquals(WalCheck.Status.CORRUPT, expected.status());
        CliRun.Result r = qrrot("wal", "check", dir.toString());
        assertEquals(1, r.exit());
        assertEquals(String.join("\n", expected.lines()) + "\n", r.out());
        assertTrue(lastLine(r.out()).startsWith("WAL corrupt in " + seg + " at offset " + third + ": CRC32C mismatch"),
                r.out());
        assertTrue(lastLine(r.out()).endsWith("records from LSN 3 on cannot be read. Repair with: qrrot wal check "
                + dir.resolve("wal") + " --fix (cuts the log there; damaged segments are kept as *.broken)\n"), r.out());
        assertThrows(WalCorruptionException.class, () -> DurableQrrot.open(dir, OPTIONS).close());

        CliRun.Result dump = qrrot("wal", "dump", dir.toString());
        assertEquals(1, dump.exit());
        assertEquals("lsn=1 PUT key \"k\" type=string value \"v\" expiry=none\n"
                + "lsn=2 PUT key \"n\" type=int value 42 expiry=none\n", dump.out());
        assertTrue(dump.err().startsWith("qrrot wal dump: stopped in " + seg + " at offset " + third + ": CRC32C mismatch"),
                dump.err());

        // --fix refuses while the directory is held, and changes nothing.
        try (var ch = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.WRITE); var lock = ch.lock()) {
            CliRun.Result held = qrrot("wal", "check", dir.toString(), "--fix");
            assertEquals(1, held.exit());
            assertTrue(held.err().startsWith("qrrot wal check: data directory " + dir + " is in use by another qrrot "
                    + "process"), held.err());
            assertEquals(bytes.length, Files.size(seg));
        }

        CliRun.Result fix = qrrot("wal", "check", dir.toString(), "--fix");
        assertEquals(0, fix.exit(), fix.err());
        assertTrue(lastLine(fix.out()).startsWith("fixed: the log now ends at LSN 2; dropped "), fix.out());
        try (DurableQrrot db = DurableQrrot.open(dir, OPTIONS); EmbeddedClient c = new EmbeddedClient(db, 2)) {
            assertEquals(new Reply.BulkString("v".getBytes()), c.call("GET", "k"));
            assertEquals(new Reply.BulkString("42".getBytes()), c.call("GET", "n"));
            assertEquals(new Reply.IntegerReply(2), c.call("DBSIZE"), "records 3.. were cut");
        }
    }

    @Test
    void missingDirectory() {
        CliRun.Result r = qrrot("wal", "check", tmp.resolve("nope").toString());
        assertEquals(1, r.exit());
        assertEquals("qrrot wal check: no such data directory: " + tmp.resolve("nope") + "\n", r.err());
        CliRun.Result d = qrrot("wal", "dump", tmp.resolve("nope").toString());
        assertEquals(1, d.exit());
        assertEquals("qrrot wal dump: no such data directory: " + tmp.resolve("nope") + "\n", d.err());
    }

    private static long offsetOf(Path wal, long lsn) throws IOException {
        Iterator<WalCheck.DumpEntry> it = WalCheck.dump(wal);
        while (it.hasNext()) {
            WalCheck.DumpEntry e = it.next();
            if (e.lsn() == lsn) {
                return e.offset();
            }
        }
        throw new AssertionError("no record " + lsn);
    }

    private static String lastLine(String out) {
        List<String> lines = new ArrayList<>(List.of(out.split("\n")));
        return lines.get(lines.size() - 1) + "\n";
    }
}
