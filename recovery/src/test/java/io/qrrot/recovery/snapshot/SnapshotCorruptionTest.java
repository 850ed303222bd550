package io.qrrot.recovery.snapshot;

import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_HEADER_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_PAYLOAD_LENGTH_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_RECORD_COUNT_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.FOOTER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every damage to a snapshot is detected: never accepted, never an OOM, an endless loop or a stray exception. */
@Timeout(120)
class SnapshotCorruptionTest {
    private static final Storage FS = FileStorage.INSTANCE;
    private static final String ADVICE = "; qrrot falls back to the previous snapshot when it opens the database;"
            + " run `qrrot snapshot verify ";

    @TempDir
    Path dir;
    private Path file;
    private byte[] small;
    private List<Rec> records;

    @BeforeEach
    void writeSmallSnapshot() throws IOException {
        records = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            records.add(Rec.of(1 + i % 3, "key:" + i, "value-" + i, i % 4 == 0 ? 1_700_000_000_000L + i : 0));
        }
        Path src = dir.resolve("src");
        SnapshotInfo info = TestSnapshots.write(FS, src, 77, records, 64);
        small = Files.readAllBytes(Path.of(info.file()));
        file = dir.resolve(SnapshotFormat.fileName(77));
        assertTrue(small.length > 200 && small.length < 600, "a few hundred bytes: " + small.length);
        assertTrue(TestSnapshots.blockOffsets(small).size() >= 4, "several blocks");
    }

    /** Writes {@code bytes} as the snapshot and reads it both ways; returns the inline reader's exception. */
    private SnapshotCorruptException expectCorrupt(byte[] bytes, String what) throws IOException {
        Files.write(file, bytes);
        String message = null;
        SnapshotCorruptException first = null;
        for (boolean readAhead : new boolean[] {false, true}) {
            try (SnapshotReader r = SnapshotReader.open(FS, file, readAhead, 64)) {
                r.read((t, k, v, e) -> { });
                fail(what + ": accepted as valid (readAhead=" + readAhead + ")");
            } catch (SnapshotCorruptException e) {
                assertTrue(e.getMessage().startsWith("corrupt snapshot " + file + " at byte offset "), e.getMessage());
                assertTrue(e.getMessage().endsWith(ADVICE + file + "` to check the file"), e.getMessage());
                assertTrue(e.offset() >= 0 && e.offset() <= Math.max(bytes.length, 1), what + ": " + e.getMessage());
                if (first == null) {
                    first = e;
                    message = e.getMessage();
                } else {
                    assertEquals(message, e.getMessage(), what + ": both read modes report the same");
                }
            } catch (IOException | RuntimeException | Error e) {
                throw new AssertionError(what + ": failed with " + e + " instead of SnapshotCorruptException", e);
            }
        }
        return first;
    }

    private String message(long offset, String problem, String expected, String actual) {
        return "corrupt snapshot " + file + " at byte offset " + offset + ": " + problem + " (expected " + expected
                + ", actual " + actual + ")" + ADVICE + file + "` to check the file";
    }

    @Test
    void theUndamagedFileReadsBack() throws IOException {
        Files.write(file, small);
        assertEquals(records, TestSnapshots.read(FS, file, false, 64));
        assertEquals(records, TestSnapshots.read(FS, file, true, 64));
    }

    @Test
    void aBitFlipAtEveryOffsetIsDetected() throws IOException {
        for (int offset = 0; offset < small.length; offset++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = small.clone();
                b[offset] ^= (byte) (1 << bit);
                expectCorrupt(b, "bit " + bit + " of byte " + offset + " flipped");
            }
        }
    }

    @Test
    void truncationAtEveryLengthIsDetected() throws IOException {
        for (int length = 0; length < small.length; length++) {
            expectCorrupt(Arrays.copyOf(small, length), "truncated to " + length + " bytes");
        }
        assertEquals(message(0, "file too short to be a snapshot (truncated?)", "at least 64 bytes", "0 bytes"),
                expectCorrupt(new byte[0], "empty").getMessage());
        byte[] cut = Arrays.copyOf(small, small.length - 1);
        int last = cut.length;
        assertEquals(message(last - 4, "bad trailer magic: the file is truncated, has bytes appended or was not finished",
                        "54 52 52 51 (TRRQ)", String.format("%02x %02x %02x %02x", cut[last - 4], cut[last - 3],
                                cut[last - 2], cut[last - 1])),
                expectCorrupt(cut, "one byte cut").getMessage());
    }

    @Test
    void zeroedSectorsAreDetected() throws IOException {
        List<Rec> many = Rec.random(new Random(512), 120, 40);
        SnapshotInfo info = TestSnapshots.write(FS, dir.resolve("big"), 77, many, 200);
        byte[] bytes = Files.readAllBytes(Path.of(info.file()));
        assertTrue(bytes.length > 4 * 512, "spans several sectors: " + bytes.length);
        for (int sector = 0; sector * 512 < bytes.length; sector++) {
            byte[] b = bytes.clone();
            Arrays.fill(b, sector * 512, Math.min(b.length, sector * 512 + 512), (byte) 0);
            if (!Arrays.equals(b, bytes)) {
                expectCorrupt(b, "sector " + sector + " zeroed");
            }
        }
        assertEquals(message(0, "not a QRRT snapshot: bad magic", "51 52 52 54 (QRRT)", "00 00 00 00"),
                expectCorrupt(new byte[bytes.length], "all zero").getMessage());
    }

    @Test
    void garbageAppendedIsDetected() throws IOException {
        Random rnd = new Random(99);
        for (int n = 1; n <= 80; n++) {
            byte[] garbage = new byte[n];
            rnd.nextBytes(garbage);
            expectCorrupt(concat(small, garbage), n + " random bytes appended");
            expectCorrupt(concat(small, new byte[n]), n + " zero bytes appended");
        }
        byte[] footerAgain = concat(small, Arrays.copyOfRange(small, small.length - FOOTER_LENGTH, small.length));
        long footerAt = footerAgain.length - FOOTER_LENGTH;
        assertEquals(message(footerAt + SnapshotFormat.FOOTER_OFFSET_OFFSET,
                        "footer offset does not match the file size (bytes appended or cut?)",
                        "offset " + footerAt + " for a " + footerAgain.length + "-byte file",
                        "offset " + (small.length - FOOTER_LENGTH)),
                expectCorrupt(footerAgain, "the footer appended twice").getMessage());
        expectCorrupt(concat(small, small), "the file appended to itself");
    }

    @Test
    void aFlippedPayloadBitNamesTheBlockAndBothChecksums() throws IOException {
        int block1 = TestSnapshots.blockOffsets(small).get(1);
        byte[] b = small.clone();
        b[block1 + BLOCK_HEADER_LENGTH + 2] ^= 0x10;
        int length = TestSnapshots.le(b).getInt(block1 + BLOCK_PAYLOAD_LENGTH_OFFSET);
        CRC32C crc = new CRC32C();
        crc.update(b, block1 + 4, 8 + length);
        assertEquals(message(block1, "block 1 CRC32C mismatch over bytes " + (block1 + 4) + ".."
                                + (block1 + BLOCK_HEADER_LENGTH + length - 1),
                        String.format("0x%08x (stored)", TestSnapshots.le(b).getInt(block1)),
                        String.format("0x%08x (computed)", (int) crc.getValue())),
                expectCorrupt(b, "payload bit").getMessage());
    }

    @Test
    void aHugeLengthIsRefusedBeforeAnythingIsAllocated() throws IOException {
        int block0 = TestSnapshots.blockOffsets(small).get(0);
        byte[] b = small.clone();
        TestSnapshots.le(b).putInt(block0 + BLOCK_PAYLOAD_LENGTH_OFFSET, 0x7FFF_FFF0);
        long room = small.length - FOOTER_LENGTH - block0 - BLOCK_HEADER_LENGTH;
        assertEquals(message(block0 + BLOCK_PAYLOAD_LENGTH_OFFSET, "block 0 payload length out of range",
                        "4.." + room + " bytes (limit " + SnapshotFormat.MAX_BLOCK_PAYLOAD + ", footer at offset "
                                + (small.length - FOOTER_LENGTH) + ")", "2147483632 bytes"),
                expectCorrupt(b, "huge block length").getMessage());

        byte[] counts = small.clone();
        TestSnapshots.le(counts).putLong(counts.length - FOOTER_LENGTH, Long.MAX_VALUE);
        TestSnapshots.resealFooter(counts);
        SnapshotCorruptException e = expectCorrupt(counts, "absurd record count with a valid footer CRC");
        assertEquals("record count does not fit the data length", e.problem());
    }

    @Test
    void reorderedOrDroppedBlocksFailTheDigestOrCounts() throws IOException {
        List<Integer> blocks = TestSnapshots.blockOffsets(small);
        ByteBuffer le = TestSnapshots.le(small);
        // Find two neighbouring blocks of equal size and swap them: each CRC still matches.
        int a = -1;
        for (int i = 0; i + 2 < blocks.size(); i++) {
            if (blocks.get(i + 1) - blocks.get(i) == blocks.get(i + 2) - blocks.get(i + 1)) {
                a = i;
                break;
            }
        }
        assertTrue(a >= 0, "two equal neighbouring blocks in " + blocks);
        int len = blocks.get(a + 1) - blocks.get(a);
        byte[] swapped = small.clone();
        System.arraycopy(small, blocks.get(a), swapped, blocks.get(a + 1), len);
        System.arraycopy(small, blocks.get(a + 1), swapped, blocks.get(a), len);
        SnapshotCorruptException e = expectCorrupt(swapped, "blocks " + a + " and " + (a + 1) + " swapped");
        assertEquals(small.length - FOOTER_LENGTH + SnapshotFormat.FOOTER_DIGEST_OFFSET, e.offset());
        assertEquals("digest CRC32C over the header and block CRCs mismatch (a block was dropped, duplicated or"
                + " reordered, or the header replaced)", e.problem());

        // Drop the last block and move the footer up (its offset and CRC fixed): the block count disagrees.
        int lastBlock = blocks.get(blocks.size() - 1);
        byte[] dropped = concat(Arrays.copyOf(small, lastBlock),
                Arrays.copyOfRange(small, small.length - FOOTER_LENGTH, small.length));
        TestSnapshots.le(dropped).putLong(lastBlock + SnapshotFormat.FOOTER_OFFSET_OFFSET, lastBlock);
        TestSnapshots.resealFooter(dropped);
        assertEquals(message(lastBlock + SnapshotFormat.FOOTER_BLOCK_COUNT_OFFSET,
                        "block count in the footer does not match the blocks read", blocks.size() + " blocks",
                        (blocks.size() - 1) + " blocks"),
                expectCorrupt(dropped, "last block dropped").getMessage());
        assertEquals(le.getLong(small.length - FOOTER_LENGTH + SnapshotFormat.FOOTER_BLOCK_COUNT_OFFSET), blocks.size());
    }

    @Test
    void framingErrorsBehindAValidCrcAreStillCaught() throws IOException {
        int block0 = TestSnapshots.blockOffsets(small).get(0);
        ByteBuffer le = TestSnapshots.le(small);
        int count = le.getInt(block0 + BLOCK_RECORD_COUNT_OFFSET);

        byte[] moreCounted = small.clone();
        TestSnapshots.le(moreCounted).putInt(block0 + BLOCK_RECORD_COUNT_OFFSET, count + 1);
        int end = block0 + BLOCK_HEADER_LENGTH + le.getInt(block0 + BLOCK_PAYLOAD_LENGTH_OFFSET);
        assertEquals(message(end, "block 0 holds fewer records than its count", (count + 1) + " records",
                count + " records"), expectCorrupt(TestSnapshots.reseal(moreCounted), "count + 1").getMessage());

        byte[] longKey = small.clone();
        int rec0 = block0 + BLOCK_HEADER_LENGTH;
        longKey[rec0 + 1] = 0x7F; // key length 127: past the block's end
        SnapshotCorruptException e = expectCorrupt(TestSnapshots.reseal(longKey), "key length past the block");
        assertEquals(rec0, e.offset());
        assertEquals("record runs past the end of block 0", e.problem());

        byte[] overLimit = small.clone();
        // key length varint 0x80 0x80 0x80 0x01 = 2^21, over the 1 MiB limit
        overLimit[rec0 + 1] = (byte) 0x80;
        overLimit[rec0 + 2] = (byte) 0x80;
        overLimit[rec0 + 3] = (byte) 0x80;
        overLimit[rec0 + 4] = 0x01;
        assertEquals(message(rec0 + 1, "key length over the limit in block 0", "at most 1048576", "2097152"),
                expectCorrupt(TestSnapshots.reseal(overLimit), "key length over the limit").getMessage());

        byte[] renamed = small.clone();
        TestSnapshots.le(renamed).putLong(SnapshotFormat.BASE_LSN_OFFSET, 78);
        assertEquals(message(SnapshotFormat.BASE_LSN_OFFSET, "base LSN in the header does not match the file name",
                "LSN 77", "LSN 78"), expectCorrupt(TestSnapshots.reseal(renamed), "header of LSN 78").getMessage());

        byte[] future = small.clone();
        future[SnapshotFormat.VERSION_OFFSET] = 3;
        assertEquals(message(SnapshotFormat.VERSION_OFFSET,
                "unsupported snapshot format version (written by another qrrot release?)", "version 1 to 2",
                "version 3"), expectCorrupt(TestSnapshots.reseal(future), "version 3").getMessage());
    }

    @Test
    void verifyAndStatusReportTheSameDamage() throws IOException {
        byte[] b = small.clone();
        b[b.length - FOOTER_LENGTH - 1] ^= 1; // last payload byte of the last block
        Files.write(file, b);
        SnapshotInfo status = SnapshotReader.status(FS, file);
        assertEquals(new SnapshotInfo(file.toString(), 2, 77, 1_700_000_000_123L, 12, 12,
                TestSnapshots.blockOffsets(small).size(), small.length, false), status,
                "status reads header and footer only");
        try {
            SnapshotReader.verify(FS, file);
            fail("verify accepted a damaged block");
        } catch (SnapshotCorruptException e) {
            List<Integer> blocks = TestSnapshots.blockOffsets(small);
            assertEquals((long) blocks.get(blocks.size() - 1), e.offset());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
