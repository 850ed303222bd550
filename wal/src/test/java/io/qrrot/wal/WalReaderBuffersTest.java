package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.memOptions;
import static io.qrrot.wal.WalTestSupport.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.testkit.FaultyStorage;
import org.junit.jupiter.api.Test;

/** Readers free their segment buffers when they move on or close, and leave no view of freed memory. */
class WalReaderBuffersTest {
    @Test
    void readingAcrossSegmentsStillReturnsEveryPayloadWhileEachSegmentBufferIsFreed() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(storage))) {
            for (long i = 1; i <= 200; i++) {
                wal.append(payload(i));
            }
            wal.sync();
            assertTrue(wal.stats().segments() > 5, "segments: " + wal.stats());
            WalReader r = wal.reader(1);
            long n = 0;
            while (r.next()) {
                n++;
                assertEquals(n, r.lsn());
                assertArrayEquals(payload(n), r.payloadBytes(), "payload of LSN " + n);
            }
            assertEquals(200, n);
            r.close();
            assertEquals(0, r.payload().capacity());
        }
    }

    @Test
    void closingInTheMiddleOfASegmentEmptiesThePayloadView() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(storage))) {
            for (long i = 1; i <= 20; i++) {
                wal.append(payload(i));
            }
            wal.sync();
            WalReader r = wal.reader(3);
            assertTrue(r.next());
            assertArrayEquals(payload(3), r.payloadBytes());
            r.close();
            assertEquals(0, r.payload().capacity());
        }
    }

    @Test
    void aClosedSegmentReaderHoldsNoBuffer() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(storage))) {
            wal.append(payload(1));
            wal.sync();
        }
        SegmentReader s = new SegmentReader(storage, DIR.resolve("00000000000000000001.wal"), 1 << 20);
        assertEquals(null, s.readHeader(1));
        assertEquals(SegmentReader.Step.RECORD, s.next());
        assertTrue(s.buffer().capacity() > 0);
        s.close();
        assertEquals(0, s.buffer().capacity());
    }
}
