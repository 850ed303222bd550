package io.qrrot.cli.ai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DataBudgetTest {

    @Test
    void valuesAreCutPerValueAndPerStep() {
        DataBudget b = new DataBudget(10, 25);
        assertEquals("short", b.value("short".getBytes(StandardCharsets.UTF_8)));
        assertEquals("0123456789…[truncated: first 10 of 20 bytes shown]",
                b.value("01234567890123456789".getBytes(StandardCharsets.UTF_8)));
        assertEquals("abcdefghij…[truncated: first 10 of 26 bytes shown]",
                b.value("abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.UTF_8)));
        assertTrue(b.exhausted());
        assertEquals("[omitted: this step already sent 25 bytes of data; the value has 3 bytes. Read fewer keys per step]",
                b.value("abc".getBytes(StandardCharsets.UTF_8)));
        assertFalse(b.take("k"));
    }

    @Test
    void cutsNeverSplitAUtf8Character() {
        DataBudget b = new DataBudget(4, 100);
        // "aéé": a (1 byte) é (2) é (2) = 5 bytes; a cut at 4 would split the second é.
        assertEquals("aé…[truncated: first 3 of 5 bytes shown]", b.value("aéé".getBytes(StandardCharsets.UTF_8)));
    }
}
