package io.qrrot.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How the checker reads one key (GET, then PEXPIRETIME) and judges it against the acknowledged state. */
class CheckerTest {

    @Test
    void aKeyWhoseTtlRunsOutBetweenTheTwoReadsIsSeenAbsent() {
        assertEquals(KeyState.ABSENT, Checker.seen(null, -2));
        assertEquals(new KeyState("v", 0), Checker.seen("v", -1));
        assertEquals(new KeyState("v", 1_000), Checker.seen("v", 1_000));
        KeyState straddled = Checker.seen("v", -2);
        assertEquals(KeyState.ABSENT, straddled);

        // Acknowledged with a TTL that ends inside the check: gone or there, either is right.
        KeyState acked = new KeyState("v", 1_036);
        assertTrue(Checker.matches(straddled, acked, 1_000, 1_050));
        // A TTL well after the check: the key must be there, so absent is still a loss.
        assertFalse(Checker.matches(straddled, new KeyState("v", 60_000), 1_000, 1_050));
        // And a key read without its TTL is not the acknowledged key.
        assertFalse(Checker.matches(new KeyState("v", 0), acked, 1_000, 1_050));
    }
}
