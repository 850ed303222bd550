package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.memOptions;
import static io.qrrot.wal.WalTestSupport.segments;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.qrrot.testkit.FaultyStorage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * A log written by the previous format version (1: no durability marks) opens, reads, and goes on in
 * version 2 segments: the old last segment is sealed as it is, so no mark ever lands in a file whose
 * version does not allow one.
 */
class WalFormatVersionTest {
    private static final Path OLD = DIR.resolve(WalFormat.segmentName(1));

    /** A version 1 segment holding records {@code first..first+count-1}, as that version wrote them. */
    private static byte[] versionOneSegment(long first, int count, int preallocated) {
        ByteBuffer b = ByteBuffer.allocate(preallocated).order(ByteOrder.LITTLE_ENDIAN);
        WalFormat.encodeHeader(b, first, 1_700_000_000_000L, preallocated, 0);
        b.putInt(WalFormat.VERSION_OFFSET, 1);
        b.putInt(WalFormat.HEADER_CRC_OFFSET, WalFormat.headerCrc(b));
        int at = WalFormat.HEADER_LENGTH;
        CRC32C crc = new CRC32C();
        for (int i = 0; i < count; i++) {
            byte[] p = WalTestSupport.payload(first + i);
            b.putInt(at + WalFormat.LENGTH_OFFSET, WalFormat.RECORD_HEADER_LENGTH + p.length);
            b.putLong(at + WalFormat.LSN_OFFSET, first + i);
            b.put(at + WalFormat.PAYLOAD_OFFSET, p);
            b.putInt(at + WalFormat.CRC_OFFSET, WalFormat.recordCrc(crc, b.duplicate(), at, p.length));
            at += (int) WalFormat.paddedLength(p.length);
        }
        return b.array();
    }

    /** A storage holding one version 1 segment, {@link #OLD}, of records 1..{@code count}. */
    private static FaultyStorage versionOneLog(int count) throws Exception {
        FaultyStorage s = new FaultyStorage();
        s.createDirectories(DIR);
        s.setContents(OLD, versionOneSegment(1, count, 4096));
        return s;
    }

    @Test
    void aVersionOneLogIsReadAndContinuedInANewSegment() throws Exception {
        FaultyStorage s = versionOneLog(5);
        try (Wal wal = Wal.open(DIR, memOptions(s))) {
            assertNull(wal.tailRepair());
            assertEquals(5, wal.lastLsn());
            assertEquals(6, wal.append(WalTestSupport.payload(6)));
            wal.sync();
        }
        assertEquals(List.of(OLD, DIR.resolve(WalFormat.segmentName(6))), segments(s));
        assertEquals(1, ByteBuffer.wrap(s.contents(OLD)).order(ByteOrder.LITTLE_ENDIAN).getInt(WalFormat.VERSION_OFFSET));
        try (Wal wal = Wal.open(DIR, memOptions(s))) {
            List<WalTestSupport.Rec> recs = WalTestSupport.readAll(wal, 1);
            assertEquals(6, recs.size());
            for (int i = 0; i < 6; i++) {
                assertEquals(i + 1, recs.get(i).lsn());
                assertArrayEquals(WalTestSupport.payload(i + 1), recs.get(i).payload());
            }
        }
    }

    @Test
    void anEmptyVersionOneSegmentIsReplaced() throws Exception {
        FaultyStorage s = versionOneLog(0);
        try (Wal wal = Wal.open(DIR, memOptions(s))) {
            assertEquals(1, wal.append(WalTestSupport.payload(1)));
            wal.sync();
        }
        assertEquals(List.of(OLD), segments(s));
        assertEquals(WalFormat.VERSION,
                ByteBuffer.wrap(s.contents(OLD)).order(ByteOrder.LITTLE_ENDIAN).getInt(WalFormat.VERSION_OFFSET));
        try (Wal wal = Wal.open(DIR, memOptions(s))) {
            assertEquals(1, WalTestSupport.readAll(wal, 1).size());
        }
    }
}
