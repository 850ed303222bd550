package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The latency buckets: every duration falls in the bucket whose bounds hold it, and the bounds are as documented. */
class CommandStatsTest {
    @Test
    void everyDurationFallsBetweenItsBucketsBounds() {
        int previous = 0;
        for (long micros = 0; micros < 1_000_000; micros += micros < 5000 ? 1 : 997) {
            int b = CommandStats.bucket(micros * 1000 + 999);
            assertTrue(b >= previous, "buckets grow with the duration: " + micros);
            previous = b;
            assertTrue(micros < CommandStats.bucketUpperMicros(b), micros + " µs under bucket " + b + "'s bound");
            assertTrue(b == 0 || micros >= CommandStats.bucketUpperMicros(b - 1),
                    micros + " µs at or over bucket " + (b - 1) + "'s bound");
            assertTrue(micros < 4 || CommandStats.bucketUpperMicros(b) <= micros * 1.25 + 1, "within 25 %: " + micros);
        }
    }

    @Test
    void boundsAreFourToEachPowerOfTwo() {
        long[] expected = {1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32};
        for (int b = 0; b < expected.length; b++) {
            assertEquals(expected[b], CommandStats.bucketUpperMicros(b), "bucket " + b);
        }
        assertEquals(0, CommandStats.bucket(999));
        assertEquals(4, CommandStats.bucket(4_000));
        assertEquals(CommandStats.BUCKETS - 1, CommandStats.bucket(Long.MAX_VALUE), "the slowest bucket takes the rest");
        assertEquals(Double.POSITIVE_INFINITY, ServerStats.latencyUpperSeconds(CommandStats.BUCKETS - 1));
    }
}
